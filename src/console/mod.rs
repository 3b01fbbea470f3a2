//! The console: the loop that owns the terminal, opening a console of each kind (live, demo,
//! drill, replay, follow, join), its clock and its screen.

mod clock;
pub mod drill;
mod effects;
mod event_loop;
mod failover;
mod log;
mod open;
pub mod recorded;
mod room;
mod start;
mod takeover;
mod terminal;
mod workers;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::{Cli, LogLevel};
use crate::config::Config;
use crate::domain::event::Record;
use crate::domain::world::Scenario;
use crate::journal::store::Store;
use crate::journal::{self, open_private_file};
use crate::room::client::Joined;
use crate::runbook::RunbookSet;
use crate::state::{Mode, State};
use crate::ui::{Colors, Theme, View};

pub use clock::Clock;
pub use event_loop::{Ending, Options, run};
pub use open::{Claim, Opened, actor, follow_as_viewer, resume, resume_claimed};
pub use start::{follow, join, replay};
pub use terminal::{TerminalGuard, restore_terminal};

/// The kind of console to start, with what each kind starts on.
pub enum Start {
    /// The store's open incident (or the next one declared), written here.
    Live,
    /// The embedded demo, its scenario run by this console.
    Demo(Scenario),
    /// A drill, its scenario run by this console.
    Drill(Scenario),
    /// A recorded incident played back read-only.
    Replay { path: PathBuf, records: Vec<Record> },
    /// An incident another console writes, shown read-only as it is written.
    Follow { path: PathBuf, records: Vec<Record> },
    /// The room of a live incident this console joined.
    Join(Joined),
    /// The journal of an incident whose writer left, opened for writing by this console.
    TakeOver { path: PathBuf, claim: Claim },
}

impl Start {
    /// The scenario this console runs, if it runs one.
    fn scenario(&self) -> Option<&Scenario> {
        match self {
            Self::Demo(scenario) | Self::Drill(scenario) => Some(scenario),
            _ => None,
        }
    }

    /// Whether this console would write the store's open incident itself (and so may be
    /// offered to join the room of another console that writes it).
    fn writes_store(&self) -> bool {
        matches!(self, Self::Live | Self::Demo(_) | Self::Drill(_))
    }
}

/// What a console starts on.
pub struct Launch {
    pub start: Start,
    pub mode: Mode,
    pub config: Config,
    pub runbooks: RunbookSet,
    /// The clock's speed asked for on the command line.
    pub speed: Option<f64>,
}

impl Launch {
    /// A console on the live store of `config`'s service.
    #[must_use]
    pub fn live(config: Config, runbooks: RunbookSet) -> Self {
        Self::new(Start::Live, Mode::Live, config, runbooks)
    }

    /// The embedded demo.
    #[must_use]
    pub fn demo(speed: Option<f64>) -> Self {
        let config = crate::demo::config();
        let scenario = crate::demo::scenario(&config);
        let runbooks = (crate::demo::runbooks(), Vec::new());
        let mut launch = Self::new(Start::Demo(scenario), Mode::Demo, config, runbooks);
        launch.speed = speed;
        launch
    }

    /// A drill of `scenario` on `config`'s service.
    #[must_use]
    pub fn drill(
        config: Config,
        scenario: Scenario,
        runbooks: RunbookSet,
        speed: Option<f64>,
    ) -> Self {
        let mut launch = Self::new(Start::Drill(scenario), Mode::Drill, config, runbooks);
        launch.speed = speed;
        launch
    }

    fn new(start: Start, mode: Mode, config: Config, runbooks: RunbookSet) -> Self {
        Self {
            start,
            mode,
            config,
            runbooks,
            speed: None,
        }
    }
}

fn init_logging(data: &Path, level: LogLevel) -> anyhow::Result<()> {
    journal::create_private_dir(data)?;
    let file = open_private_file(&data.join(log_name(data)), false)?;
    let level = match level {
        LogLevel::Error => tracing::Level::ERROR,
        LogLevel::Warn => tracing::Level::WARN,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Debug => tracing::Level::DEBUG,
        LogLevel::Trace => tracing::Level::TRACE,
    };
    tracing_subscriber::fmt()
        .with_writer(log::LogSink::new(file))
        .with_ansi(false)
        .with_max_level(level)
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}

/// The log's name in `data`: `warroom.log` in one's own data directory, `warroom-USER.log` in
/// a team's (each member's console logs apart).
fn log_name(data: &Path) -> String {
    use std::os::unix::fs::MetadataExt;
    let me = nix::unistd::geteuid();
    let own = std::fs::metadata(data).map_or(true, |m| m.uid() == me.as_raw());
    if own {
        return "warroom.log".to_owned();
    }
    let user = nix::unistd::User::from_uid(me)
        .ok()
        .flatten()
        .map_or_else(|| me.to_string(), |u| u.name);
    format!("warroom-{user}.log")
}

/// Starts logging in `data`, or in one's own data directory when `data` (a teammate's) takes no
/// file of this user's; a console without any log says so and runs on.
fn start_logging(data: &Path, level: LogLevel) {
    let logged = init_logging(data, level).or_else(|_| {
        let own =
            crate::journal::store::default_data_dir().context("no data directory of your own")?;
        init_logging(&own, level)
    });
    if let Err(error) = logged {
        crate::commands::say(&format!("warroom: no log for this console: {error:#}"));
    }
}

fn ascii_wanted(cli: &Cli) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_default()
        .to_lowercase();
    cli.ascii || !(locale.contains("utf-8") || locale.contains("utf8"))
}

/// The store of incidents, with logging started: a joined console writes nothing there (the
/// incident folders are the writer's, often another user's) and logs where it can. With a
/// room's `group`, the store is the team's.
fn open_store(cli: &Cli, mode: Mode, joined: bool, group: Option<&str>) -> anyhow::Result<Store> {
    let data = cli.data_dir()?;
    let store = Store::new(&data, mode);
    if !joined {
        crate::files::check_data_dir(&data)?;
    }
    start_logging(&data, cli.log_level);
    if !joined {
        let team = match group {
            Some(name) => Some(crate::room::members::group_id(name).with_context(|| {
                format!("[room] group `{name}` does not exist on this machine: create it (groupadd {name}) or change [room] group")
            })?),
            None => None,
        };
        store
            .ensure(team)
            .with_context(|| {
                format!(
                    "the data directory {} is not usable (no incident folders can be made there): choose another with --data-dir",
                    data.display()
                )
            })?;
    }
    Ok(store)
}
/// Opens a console of the kind `launch` names and runs it until it ends.
pub fn open(cli: &Cli, launch: Launch) -> anyhow::Result<ExitCode> {
    let Launch {
        start,
        mode,
        config,
        runbooks,
        speed,
    } = launch;
    let colors = Colors::detect(|k| std::env::var(k).ok());
    if colors == Colors::None {
        crossterm::style::Colored::set_ansi_color_disabled(true);
    }
    let theme = Theme::select(cli.theme.as_deref().or(config.theme.as_deref()), colors)?;
    let store = open_store(
        cli,
        mode,
        matches!(start, Start::Join(_)),
        config.room_group.as_deref(),
    )?;
    let speed = speed.or(start.scenario().map(|s| s.speed)).unwrap_or(1.0);
    let mut config = config;
    if config.runbook_workdir.is_none() {
        config.runbook_workdir = std::env::current_dir().ok();
    }
    let mut state = State::new(config, mode, actor(), chrono::Utc::now());
    (state.runbooks, state.invalid_runbooks) = runbooks;
    state.dry_run = cli.dry_run;
    state.speed = speed;
    state.local_offset = crate::review::local_offset();
    let start = match takeover::offer_to_join(&store, &start)? {
        Some(joined) => Start::Join(joined),
        None => start,
    };
    let (opened, clock, scenario, joined) = begin(start, &store, &mut state, speed);
    let joined_journal = joined.as_ref().map(|j| j.journal.clone());
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
    let ending = runtime.block_on(run(options, opened.journal))?;
    drop(runtime);
    match (ending, joined_journal) {
        (Ending::TakeOver, Some(journal)) => takeover::restart_to_take_over(cli, &journal),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The state of a console of kind `start` before its loop runs: the incident opened, the clock
/// set, and the scenario it runs or the room it joined.
fn begin(
    start: Start,
    store: &Store,
    state: &mut State,
    speed: f64,
) -> (Opened, Clock, Option<Scenario>, Option<Joined>) {
    let last = |state: &State| state.records.last().map(|r| r.at);
    match start {
        Start::Join(mut joined) => {
            let records = std::mem::take(&mut joined.records);
            let (opened, clock) = takeover::join_room(state, &joined.actor, records);
            (opened, clock, None, Some(joined))
        }
        Start::Replay { path, records } => {
            let start = records.first().map_or_else(chrono::Utc::now, |r| r.at);
            state.journal = crate::state::JournalState::ReadOnly(format!(
                "replay of {}: space pauses, +/- speed, [ and ] jump a minute",
                path.display()
            ));
            state.console = crate::state::Console::Replay(crate::state::Player {
                records,
                applied: 0,
            });
            let clock = Clock::starting_at(start, speed);
            (Opened::default(), clock, None, None)
        }
        Start::Follow { path, records } => {
            follow_as_viewer(state, &path);
            for record in records {
                crate::update::apply(state, record, crate::update::Origin::Shown);
            }
            let opened = Opened {
                journal: None,
                follow: Some(path),
            };
            (opened, Clock::new(1.0, last(state)), None, None)
        }
        Start::TakeOver { path, claim } => {
            let opened = resume_claimed(&path, claim, state);
            (opened, Clock::wall(last(state)), None, None)
        }
        Start::Live => {
            let opened = resume(store, state);
            (opened, Clock::wall(last(state)), None, None)
        }
        Start::Demo(scenario) | Start::Drill(scenario) => {
            let opened = resume(store, state);
            (opened, Clock::new(speed, last(state)), Some(scenario), None)
        }
    }
}
