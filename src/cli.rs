//! The command line (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A terminal console for incidents and disaster-recovery drills.
#[derive(Debug, Parser)]
#[command(name = "warroom", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Config file (default: ./warroom.toml, then the user config dir's warroom/config.toml)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where incidents and logs are kept
    #[arg(long, value_name = "DIR", env = "WARROOM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Theme: default, light, high-contrast, mono, or the path of a theme file
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Draw with ASCII only (no box-drawing characters)
    #[arg(long)]
    pub ascii: bool,
    /// Show and journal what runbook commands would run, executing nothing
    #[arg(long)]
    pub dry_run: bool,
    /// How much goes to the log file in the data dir
    #[arg(long, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
}

/// `--config`, for the subcommands that read the config.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigOpt {
    /// Config file (default: ./warroom.toml, then the user config dir's warroom/config.toml)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `--data-dir`, for the subcommands that read or write incidents.
#[derive(Debug, Clone, Default, Args)]
pub struct DataOpt {
    /// Where incidents and logs are kept (default: `$WARROOM_DATA_DIR`, then the user data dir)
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// The options of a console on screen.
#[derive(Debug, Clone, Default, Args)]
pub struct ScreenOpts {
    /// Theme: default, light, high-contrast, mono, or the path of a theme file
    #[arg(long, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Draw with ASCII only (no box-drawing characters)
    #[arg(long)]
    pub ascii: bool,
    /// How much goes to the log file in the data dir (default: info)
    #[arg(long, value_enum)]
    pub log_level: Option<LogLevel>,
}

/// The options of a console that shows an incident without running anything.
#[derive(Debug, Clone, Default, Args)]
pub struct ViewerOpts {
    #[command(flatten)]
    pub config: ConfigOpt,
    #[command(flatten)]
    pub data: DataOpt,
    #[command(flatten)]
    pub screen: ScreenOpts,
}

/// The options of a console that may run runbook commands.
#[derive(Debug, Clone, Default, Args)]
pub struct ConsoleOpts {
    #[command(flatten)]
    pub viewer: ViewerOpts,
    /// Show and journal what runbook commands would run, executing nothing
    #[arg(long)]
    pub dry_run: bool,
}

impl Cli {
    /// The command line, each subcommand's options (written after it) taking the place of the
    /// same options written before it.
    ///
    /// # Errors
    /// What clap says of a command line it cannot read.
    pub fn parse_args() -> Result<Self, clap::Error> {
        let mut cli = Self::try_parse()?;
        cli.merge();
        Ok(cli)
    }

    fn merge(&mut self) {
        let (viewer, dry_run) = match &self.command {
            Some(Command::Demo { data, screen, .. }) => {
                let viewer = ViewerOpts {
                    data: data.clone(),
                    screen: screen.clone(),
                    ..ViewerOpts::default()
                };
                (Some(viewer), false)
            }
            Some(Command::Drill { console, .. } | Command::Join { console, .. }) => {
                (Some(console.viewer.clone()), console.dry_run)
            }
            Some(Command::Replay { viewer, .. } | Command::Follow { viewer, .. }) => {
                (Some(viewer.clone()), false)
            }
            Some(
                Command::Check { config, .. }
                | Command::Validate { config, .. }
                | Command::Runbook(
                    RunbookCommand::List { config } | RunbookCommand::Show { config, .. },
                ),
            ) => {
                let viewer = ViewerOpts {
                    config: config.clone(),
                    ..ViewerOpts::default()
                };
                (Some(viewer), false)
            }
            Some(Command::Review(ReviewCommand::Export { config, data, .. })) => {
                let viewer = ViewerOpts {
                    config: config.clone(),
                    data: data.clone(),
                    ..ViewerOpts::default()
                };
                (Some(viewer), false)
            }
            Some(Command::Incident(
                IncidentCommand::List { data, .. } | IncidentCommand::Show { data, .. },
            )) => {
                let viewer = ViewerOpts {
                    data: data.clone(),
                    ..ViewerOpts::default()
                };
                (Some(viewer), false)
            }
            _ => (None, false),
        };
        let ViewerOpts {
            config,
            data,
            screen,
        } = viewer.unwrap_or_default();
        self.config = config.config.or(self.config.take());
        self.data_dir = data.data_dir.or(self.data_dir.take());
        self.theme = screen.theme.or(self.theme.take());
        self.ascii |= screen.ascii;
        self.log_level = screen.log_level.unwrap_or(self.log_level);
        self.dry_run |= dry_run;
    }

    /// Where incidents and logs are kept: `--data-dir`, or the user's data directory.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        use anyhow::Context as _;
        self.data_dir
            .clone()
            .or_else(crate::journal::store::default_data_dir)
            .context("cannot find a data directory; pass --data-dir DIR or set WARROOM_DATA_DIR")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The embedded demo drill on a simulated payments service (no config or network needed)
    Demo {
        /// Scenario seconds per real second (1 to 60)
        #[arg(long, value_parser = parse_speed)]
        speed: Option<f64>,
        #[command(flatten)]
        data: DataOpt,
        #[command(flatten)]
        screen: ScreenOpts,
    },
    /// Run a drill scenario: timed injects on simulated components, a facilitator screen (6), a
    /// scorecard. Nothing real runs or is paged unless the scenario allows it
    Drill {
        /// The scenario file (the shipped ones are in runbooks/drills/)
        scenario: PathBuf,
        /// Drill seconds per real second (1 to 60; default: the scenario's)
        #[arg(long, value_parser = parse_speed)]
        speed: Option<f64>,
        #[command(flatten)]
        console: ConsoleOpts,
    },
    /// Play an incident's journal back, read-only: space pauses, +/- change speed, [ ] seek
    Replay {
        /// A journal.jsonl, an incident folder, or an incident id
        journal: PathBuf,
        /// Journal seconds per real second (1 to 60)
        #[arg(long, value_parser = parse_speed)]
        speed: Option<f64>,
        #[command(flatten)]
        viewer: ViewerOpts,
    },
    /// Show a live incident read-only as another console writes it (default: the latest open)
    Follow {
        /// Incident id
        id: Option<String>,
        #[command(flatten)]
        viewer: ViewerOpts,
    },
    /// Join the room of a live incident another console writes: what you do here is journaled
    /// by that console as your Unix user (default: the latest open incident)
    Join {
        /// Incident id
        id: Option<String>,
        /// Take over the incident whose journal this is: its writer left (a joined console
        /// starts itself again with this)
        #[arg(long, hide = true, value_name = "JOURNAL")]
        take_over: Option<PathBuf>,
        #[command(flatten)]
        console: ConsoleOpts,
    },
    /// Write a small, commented starter kit (config, runbook, drill) into DIR (default: here)
    Init {
        /// The folder to write into (made if missing; nothing is written over existing files)
        dir: Option<PathBuf>,
    },
    /// Print the JSON Schema of the config (or of drill files), for editors: Taplo and Even
    /// Better TOML complete and check with it
    Schema {
        /// Which file the schema describes
        #[arg(value_enum, default_value = "config")]
        of: crate::config::schema::Of,
    },
    /// Turn a disaster-recovery plan in Markdown into a kit (config, runbooks, drills) and say
    /// what each part became; exit 2 when the plan holds nothing usable
    Import {
        /// The plan, a Markdown file (with --runbooks: a runbook, or a folder of them)
        plan: PathBuf,
        /// The folder to write into (default: a folder named after the plan; with --runbooks,
        /// `runbooks`)
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
        /// Print the report and the files it would write; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Read runbooks as teams write them (YAML front matter or none) into warroom runbooks,
        /// instead of a plan into a kit
        #[arg(long)]
        runbooks: bool,
    },
    /// Probe every component once and print a table (or JSON); exit 1 if any is down
    Check {
        /// Print JSON: a list of `{id, name, tier, state, latency_ms, error, checked_at, rpo_secs, rpo_met, backups}`
        #[arg(long)]
        json: bool,
        /// Probe only this component
        #[arg(long, value_name = "ID")]
        component: Option<String>,
        #[command(flatten)]
        config: ConfigOpt,
    },
    /// Check config, scenario and theme files; every error as `file:line:col`
    Validate {
        /// Files or directories (default: the discovered config)
        paths: Vec<PathBuf>,
        /// Warnings (what is shown or run otherwise than its author may expect) fail too
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        config: ConfigOpt,
    },
    /// Journal tools
    #[command(subcommand)]
    Journal(JournalCommand),
    /// List and show the runbooks of the config
    #[command(subcommand)]
    Runbook(RunbookCommand),
    /// The post-incident review
    #[command(subcommand)]
    Review(ReviewCommand),
    /// List and show incidents in the data dir
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Print shell completions
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check a journal's sequence, checksums and chain; report the first fault
    Verify { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum RunbookCommand {
    /// Every runbook found, with its components and steps; invalid ones with their reason
    List {
        #[command(flatten)]
        config: ConfigOpt,
    },
    /// One runbook as parsed: steps, commands with their attributes, checks, expectations
    Show {
        id: String,
        #[command(flatten)]
        config: ConfigOpt,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Write the review of an incident (the latest by default) as Markdown, drafted from its journal
    Export {
        /// Incident id
        id: Option<String>,
        /// Write to this file instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Look among the demo's incidents
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        config: ConfigOpt,
        #[command(flatten)]
        data: DataOpt,
    },
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Incidents with status, severity and times
    List {
        /// List the demo's incidents instead
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        data: DataOpt,
    },
    /// One incident and its whole timeline
    Show {
        id: String,
        /// Look among the demo's incidents
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        data: DataOpt,
    },
}

fn parse_speed(text: &str) -> Result<f64, String> {
    let speed: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (1.0..=60.0).contains(&speed) {
        Ok(speed)
    } else {
        Err(format!("`{text}` is out of range; use 1 to 60"))
    }
}
