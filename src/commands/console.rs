//! The interactive consoles: live, demo, drill, replay and follow, started from the command line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use super::{RunbookSet, data_dir, load_runbooks};
use crate::app::{self, Options};
use crate::cli::{Cli, LogLevel};
use crate::config::Config;
use crate::journal::store::Store;
use crate::journal::{self, Journal, open_private_file};
use crate::state::{Mode, State};
use crate::ui::{Colors, Theme, View};

fn init_logging(data: &Path, level: LogLevel) -> anyhow::Result<()> {
    journal::create_private_dir(data)?;
    let path = data.join("warroom.log");
    let file = open_private_file(&path, false)?;
    let level = match level {
        LogLevel::Error => tracing::Level::ERROR,
        LogLevel::Warn => tracing::Level::WARN,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Debug => tracing::Level::DEBUG,
        LogLevel::Trace => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}

fn ascii_wanted(cli: &Cli) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_default()
        .to_lowercase();
    cli.ascii || !(locale.contains("utf-8") || locale.contains("utf8"))
}

/// What a console starts on.
pub struct Launch {
    pub mode: Mode,
    pub config: Config,
    pub runbooks: RunbookSet,
    pub scenario: Option<crate::domain::world::Scenario>,
    pub speed: Option<f64>,
    /// A recorded incident to show read-only, instead of resuming the store's latest.
    pub viewer: Option<(
        crate::state::Viewer,
        PathBuf,
        Vec<crate::domain::event::Record>,
    )>,
    /// The room of a live incident this console joined.
    pub joined: Option<crate::room::client::Joined>,
    /// The journal of an incident whose writer left, opened for writing by this console.
    pub claim: Option<(PathBuf, app::Claim)>,
}

impl Launch {
    pub fn new(mode: Mode, config: Config, runbooks: RunbookSet) -> Self {
        Self {
            mode,
            config,
            runbooks,
            scenario: None,
            speed: None,
            viewer: None,
            joined: None,
            claim: None,
        }
    }
}

pub fn replay(cli: &Cli, target: &Path, speed: Option<f64>) -> anyhow::Result<ExitCode> {
    let data = data_dir(cli)?;
    let path = if target.exists() {
        target.to_owned()
    } else {
        let id = target.to_string_lossy();
        let modes = [Mode::Live, Mode::Drill, Mode::Demo];
        Store::find_any(&data, Some(&id), &modes)
            .map(|found| found.summary.path)
            .with_context(|| {
                format!(
                    "{}: no such journal file or incident id; `warroom incident list` shows the ids",
                    target.display()
                )
            })?
    };
    let records = crate::launch::journal_records(&path)?;
    let drill = crate::domain::drill::recorded(&records).is_some();
    let mode = if drill { Mode::Drill } else { Mode::Live };
    let config = crate::launch::recorded_config(cli.config.as_deref(), &records, mode)?;
    let mut launch = Launch::new(mode, config, (Vec::new(), Vec::new()));
    launch.speed = speed;
    launch.viewer = Some((crate::state::Viewer::Replay, path, records));
    console(cli, launch)
}

pub fn follow(cli: &Cli, id: Option<&str>) -> anyhow::Result<ExitCode> {
    let data = data_dir(cli)?;
    let (path, mode) = crate::launch::follow_target(&data, id)?;
    let records = crate::launch::journal_records(&path)?;
    let config = crate::launch::recorded_config(cli.config.as_deref(), &records, mode)?;
    let runbooks = shown_runbooks(&config, mode);
    let mut launch = Launch::new(mode, config, runbooks);
    launch.viewer = Some((crate::state::Viewer::Follow, path, records));
    console(cli, launch)
}

/// How a console enters a room: joining it, or writing the incident after its writer left.
enum Entry {
    Join(crate::room::client::Joined),
    Write(
        Journal,
        Vec<crate::domain::event::Record>,
        crate::journal::Recovery,
    ),
}

pub fn join(cli: &Cli, id: Option<&str>, take_over: Option<&Path>) -> anyhow::Result<ExitCode> {
    let data = data_dir(cli)?;
    let (path, mode, entry) = match take_over {
        Some(path) => (path.to_owned(), store_of(&data, path), claim(path)?),
        None => {
            let (path, mode) = crate::launch::room_target(&data, id)?;
            let joined = crate::room::client::join(&path)?;
            (path, mode, Entry::Join(joined))
        }
    };
    let records = match &entry {
        Entry::Join(joined) => &joined.records,
        Entry::Write(_, records, _) => records,
    };
    let config = crate::launch::recorded_config(cli.config.as_deref(), records, mode)?;
    let runbooks = shown_runbooks(&config, mode);
    let mut launch = Launch::new(mode, config, runbooks);
    match entry {
        Entry::Join(joined) => launch.joined = Some(joined),
        Entry::Write(journal, records, recovery) => {
            launch.claim = Some((path, Ok((journal, records, recovery))));
        }
    }
    console(cli, launch)
}

/// The runbooks a console on a recorded incident shows: the demo's own for the demo.
fn shown_runbooks(config: &Config, mode: Mode) -> RunbookSet {
    if mode == Mode::Demo {
        (crate::demo::runbooks(), Vec::new())
    } else {
        load_runbooks(config)
    }
}

/// The kind of store a journal's folder belongs to.
fn store_of(data: &Path, journal: &Path) -> Mode {
    [Mode::Demo, Mode::Drill, Mode::Live]
        .into_iter()
        .find(|&mode| journal.starts_with(Store::new(data, mode).folders().1))
        .unwrap_or(Mode::Live)
}

/// How long a console whose writer left tries to take over or to join whoever did.
const TAKE_OVER_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// After the writer left: joins the room of whichever console took the journal over first, or
/// takes it (the journal's lock decides: exactly one console writes).
fn claim(journal: &Path) -> anyhow::Result<Entry> {
    eprintln!(
        "warroom: the writing console left; taking the incident over, or joining whichever console does (up to {}s)…",
        TAKE_OVER_PATIENCE.as_secs()
    );
    let deadline = std::time::Instant::now() + TAKE_OVER_PATIENCE;
    loop {
        if let Ok(joined) = crate::room::client::join(journal) {
            return Ok(Entry::Join(joined));
        }
        let error = match Journal::open(journal) {
            Ok((journal, records, recovery)) => {
                return Ok(Entry::Write(journal, records, recovery));
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
fn restart_to_take_over(cli: &Cli, journal: &Path) -> anyhow::Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    let mut command = std::process::Command::new(std::env::current_exe()?);
    if let Some(config) = &cli.config {
        command.arg("--config").arg(config);
    }
    command.arg("--data-dir").arg(data_dir(cli)?);
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

/// When another console writes the store's open incident and serves its room, asks (on a
/// terminal) whether to join it or to follow it read-only; joins if asked to.
fn offer_to_join(store: &Store) -> anyhow::Result<Option<crate::room::client::Joined>> {
    use std::io::{BufRead, IsTerminal, Write};
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
fn join_room(
    state: &mut State,
    actor: &str,
    records: Vec<crate::domain::event::Record>,
) -> (app::Opened, app::Clock) {
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
    (app::Opened::default(), app::Clock::new(1.0, last))
}

/// The store of incidents, with logging started: a joined console writes nothing there (the
/// incident folders are the writer's, often another user's) and logs where it can.
fn open_store(cli: &Cli, mode: Mode, joined: bool) -> anyhow::Result<Store> {
    let data = data_dir(cli)?;
    let store = Store::new(&data, mode);
    if joined {
        let logged = init_logging(&data, cli.log_level).or_else(|_| {
            let own = crate::journal::store::default_data_dir()
                .context("no data directory of your own")?;
            init_logging(&own, cli.log_level)
        });
        if let Err(error) = logged {
            eprintln!("warroom: no log for this console: {error:#}");
        }
    } else {
        init_logging(&data, cli.log_level)
            .with_context(|| format!("the data directory {} is not usable", data.display()))?;
        store
            .ensure()
            .with_context(|| format!("cannot create incident folders under {}", data.display()))?;
    }
    Ok(store)
}

pub fn console(cli: &Cli, launch: Launch) -> anyhow::Result<ExitCode> {
    let Launch {
        mode,
        config,
        runbooks,
        scenario,
        speed,
        viewer,
        mut joined,
        claim,
    } = launch;
    let colors = Colors::detect(|k| std::env::var(k).ok());
    if colors == Colors::None {
        crossterm::style::Colored::set_ansi_color_disabled(true);
    }
    let theme = Theme::select(cli.theme.as_deref().or(config.theme.as_deref()), colors)?;
    let store = open_store(cli, mode, joined.is_some())?;
    let speed = speed.or(scenario.as_ref().map(|s| s.speed)).unwrap_or(1.0);
    let mut config = config;
    if config.runbook_workdir.is_none() {
        config.runbook_workdir = std::env::current_dir().ok();
    }
    let mut state = State::new(config, mode, app::actor(), chrono::Utc::now());
    (state.runbooks, state.invalid_runbooks) = runbooks;
    state.dry_run = cli.dry_run;
    state.speed = speed;
    state.local_offset = crate::review::local_offset();
    if viewer.is_none() && joined.is_none() && claim.is_none() {
        joined = offer_to_join(&store)?;
    }
    let joined_journal = joined.as_ref().map(|j| j.journal.clone());
    let (opened, clock) = match viewer {
        _ if joined.is_some() => {
            let records = std::mem::take(&mut joined.as_mut().expect("joined").records);
            join_room(&mut state, &joined.as_ref().expect("joined").actor, records)
        }
        Some((crate::state::Viewer::Replay, path, records)) => {
            let start = records.first().map_or_else(chrono::Utc::now, |r| r.at);
            state.journal = crate::state::JournalState::ReadOnly(format!(
                "replay of {}: space pauses, +/- speed, [ and ] jump a minute",
                path.display()
            ));
            state.console = crate::state::Console::Replay(crate::state::Player {
                records,
                applied: 0,
            });
            (
                app::Opened::default(),
                app::Clock::starting_at(start, speed),
            )
        }
        Some((crate::state::Viewer::Follow, path, records)) => {
            app::follow_as_viewer(&mut state, &path);
            for record in records {
                crate::update::apply(&mut state, record, crate::update::Origin::Shown);
            }
            let last = state.records.last().map(|r| r.at);
            let opened = app::Opened {
                journal: None,
                follow: Some(path),
            };
            (opened, app::Clock::new(1.0, last))
        }
        None => {
            let opened = match claim {
                Some((path, claim)) => app::resume_claimed(&path, claim, &mut state),
                None => app::resume(&store, &mut state),
            };
            let last = state.records.last().map(|r| r.at);
            (opened, app::Clock::new(speed, last))
        }
    };
    tracing::info!(
        ?mode,
        incident = state.incident.as_ref().map(|i| i.id.as_str()),
        "console starting"
    );
    let view = View::new(theme, ascii_wanted(cli));
    let options = Options {
        state,
        scenario,
        store,
        view,
        clock,
        follow: opened.follow,
        joined,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let ending = runtime.block_on(app::run(options, opened.journal))?;
    drop(runtime);
    match (ending, joined_journal) {
        (app::Ending::TakeOver, Some(journal)) => restart_to_take_over(cli, &journal),
        _ => Ok(ExitCode::SUCCESS),
    }
}
