//! Taking an incident over when its writer left, and joining a room: the offer to join, the
//! joined console's state, and starting again to take over.

use std::path::Path;
use std::process::ExitCode;

use crate::cli::Cli;
use crate::journal::Journal;
use crate::journal::store::Store;
use crate::state::State;

use super::{Clock, Opened, Start};

/// How long a console whose writer left tries to take over or to join whoever did.
const TAKE_OVER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// After the writer left: joins the room of whichever console took the journal over first, or
/// takes it (the journal's lock decides: exactly one console writes).
pub(super) fn claim(journal: &Path) -> anyhow::Result<Start> {
    crate::commands::say(&format!(
        "warroom: the writing console left; taking the incident over, or joining whichever console does (up to {}s)…",
        TAKE_OVER_PATIENCE.as_secs()
    ));
    let deadline = std::time::Instant::now() + TAKE_OVER_PATIENCE;
    loop {
        if let Ok(joined) = crate::room::client::join(journal) {
            return Ok(Start::Join(joined));
        }
        let error = match Journal::open(journal) {
            Ok(opened) => {
                let path = journal.to_owned();
                return Ok(Start::TakeOver {
                    path,
                    claim: Ok(opened),
                });
            }
            Err(error) => error,
        };
        if std::time::Instant::now() > deadline {
            anyhow::bail!(
                "no console took the incident over within {}s, and this one cannot ({error}); run `warroom join` again when one writes it",
                TAKE_OVER_PATIENCE.as_secs()
            );
        }
        // Apart, so that consoles racing for the lock do not meet again at once.
        std::thread::sleep(std::time::Duration::from_millis(
            50 + u64::from(std::process::id() % 100),
        ));
    }
}

/// Starts this program again to take over the incident of `journal`, keeping the options that
/// shape the console.
pub(super) fn restart_to_take_over(cli: &Cli, journal: &Path) -> anyhow::Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(std::env::current_exe()?);
    if let Some(config) = &cli.config {
        command.arg("--config").arg(config);
    }
    command.arg("--data-dir").arg(cli.data_dir()?);
    if let Some(theme) = &cli.theme {
        command.arg("--theme").arg(theme);
    }
    if cli.ascii {
        command.arg("--ascii");
    }
    if cli.dry_run {
        command.arg("--dry-run");
    }
    command.arg("join").arg("--take-over").arg(journal);
    let error = command.exec();
    Err(anyhow::anyhow!(
        "could not start again to take the incident over: {error}"
    ))
}

/// When a console that would write the store's open incident (`start`) finds another console
/// writing it and serving its room, asks (on a terminal) whether to join it or to follow it
/// read-only; joins if asked to.
pub(super) fn offer_to_join(
    store: &Store,
    start: &Start,
) -> anyhow::Result<Option<crate::room::client::Joined>> {
    use std::io::{BufRead, IsTerminal, Write};
    if !start.writes_store() {
        return Ok(None);
    }
    let Some(summary) = store.latest_open() else {
        return Ok(None);
    };
    let dir = summary.path.parent().unwrap_or(Path::new("."));
    let writing = std::os::unix::net::UnixStream::connect(crate::room::socket_path(dir)).is_ok();
    if !writing || !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let (id, title) = summary
        .incident
        .as_ref()
        .map_or(("", ""), |i| (i.id.as_str(), i.title.as_str()));
    let mut out = std::io::stdout();
    write!(
        out,
        "Another console writes {} ({}).\nJoin it (j: write, as yourself) or follow it (f: read-only)? [j/f] ",
        crate::sanitize::sanitize(id),
        crate::sanitize::sanitize(title)
    )?;
    out.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim().eq_ignore_ascii_case("j") {
        crate::room::client::join(&summary.path).map(Some)
    } else {
        Ok(None)
    }
}

/// A joined console's state: the incident so far, and who the writer journals it as.
pub(super) fn join_room(
    state: &mut State,
    actor: &str,
    records: Vec<crate::domain::event::Record>,
) -> (Opened, Clock) {
    state.actor = actor.to_owned();
    state.console = crate::state::Console::Joined;
    for record in records {
        crate::update::apply(state, record, crate::update::Origin::Shown);
    }
    if let Some(incident) = &state.incident {
        state.ui.flash = Some(format!(
            "Joined {} as {}: what you do here is journaled by the writing console",
            incident.id, state.actor
        ));
    }
    let last = state.records.last().map(|r| r.at);
    (Opened::default(), Clock::new(1.0, last))
}
