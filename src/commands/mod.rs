//! The subcommands: each turns arguments into work and an exit code.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::cli::{Cli, Command, IncidentCommand, JournalCommand, ReviewCommand, RunbookCommand};
use crate::config::{self, Config};
use crate::console::{self, Launch, follow, join, replay};
use crate::runbook::load_runbooks;
use import::{import, import_runbooks};
use incident::{list, show, verify};
use review::review_export;
use runbook::{runbook_list, runbook_show};
use validate::validate;

pub mod check;
mod import;
mod incident;
pub mod init;
mod review;
mod runbook;
mod validate;

/// No config file was found: exit 2 with directions.
#[derive(Debug, thiserror::Error)]
#[error(
    "no config found: looked for --config, ./warroom.toml and {0}. Try `warroom demo` for the built-in demo, or `warroom init` to write a starter kit here (a config, a runbook and a drill) and then run `warroom`"
)]
pub struct NoConfig(String);

/// Writes what a command prints to standard output. A reader that went away (`| head -1`) is
/// an error the caller returns, and `main` ends quietly on it.
pub fn emit(text: &str) -> std::io::Result<()> {
    std::io::stdout().lock().write_all(text.as_bytes())
}

/// Why an incident folder shows no incident: its journal's fault (a newer format, damage on the
/// first line), else that it holds no declaration.
fn no_declaration(summary: &crate::journal::store::Summary) -> String {
    match &summary.fault {
        Some(fault) => format!("warroom: {}: {fault}", summary.path.display()),
        None => format!("warroom: {} holds no declaration", summary.path.display()),
    }
}

/// Writes a line to stderr. When stderr is gone (a closed pipe), the command ends quietly with
/// 141, as a shell's command does on SIGPIPE: never a crash report about reporting.
pub fn say(text: &str) {
    if let Err(error) = writeln!(std::io::stderr().lock(), "{text}")
        && error.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(141);
    }
}

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        None => {
            let config = load_config(&cli)?;
            // A console that may page refuses to start without its channels' secrets.
            config.notify.require()?;
            let runbooks = load_runbooks(&config);
            console::open(&cli, Launch::live(config, runbooks))
        }
        Some(Command::Demo { speed, .. }) => console::open(&cli, Launch::demo(*speed)),
        Some(Command::Drill {
            scenario, speed, ..
        }) => {
            let (config, scenario, runbooks) =
                console::drill::drill(scenario, cli.config.as_deref())?;
            console::open(&cli, Launch::drill(config, scenario, runbooks, *speed))
        }
        Some(Command::Replay { journal, speed, .. }) => replay(&cli, journal, *speed),
        Some(Command::Follow { id, .. }) => follow(&cli, id.as_deref()),
        Some(Command::Join { id, take_over, .. }) => {
            join(&cli, id.as_deref(), take_over.as_deref())
        }
        Some(Command::Validate { paths, strict, .. }) => validate(&cli, paths, *strict),
        Some(Command::Init { dir }) => {
            let report = init::write(dir.as_deref().unwrap_or(Path::new(".")))?;
            emit(&report)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Schema { of }) => {
            emit(&crate::config::schema::text(*of))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import {
            plan,
            output,
            dry_run,
            runbooks: false,
        }) => import(plan, output.as_deref(), *dry_run),
        Some(Command::Import {
            plan,
            output,
            dry_run,
            runbooks: true,
        }) => import_runbooks(plan, output.as_deref(), *dry_run),
        Some(Command::Check {
            json, component, ..
        }) => check::run(read_only_config(&cli)?, *json, component.as_deref()),
        Some(Command::Journal(JournalCommand::Verify { file })) => verify(file),
        Some(Command::Runbook(RunbookCommand::List { .. })) => {
            runbook_list(&read_only_config(&cli)?)
        }
        Some(Command::Runbook(RunbookCommand::Show { id, .. })) => {
            runbook_show(&read_only_config(&cli)?, id)
        }
        Some(Command::Review(ReviewCommand::Export {
            id, output, demo, ..
        })) => review_export(&cli, id.as_deref(), output.as_deref(), *demo),
        Some(Command::Incident(IncidentCommand::List { demo, .. })) => list(&cli, *demo),
        Some(Command::Incident(IncidentCommand::Show { id, demo, .. })) => show(&cli, id, *demo),
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "warroom", &mut script);
            std::io::stdout().lock().write_all(&script)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The config for work that sends nothing: a notification channel whose variables are not set is
/// left out, and stderr says what will not be sent.
fn read_only_config(cli: &Cli) -> anyhow::Result<Config> {
    let config = load_config(cli)?;
    for line in config.notify.not_sent() {
        crate::commands::say(&format!("note: {}", crate::sanitize::sanitize(&line)));
    }
    Ok(config)
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let path = config::discover(cli.config.as_deref()).ok_or_else(|| {
        let user = directories::ProjectDirs::from("", "", "warroom").map_or_else(
            || "the user config dir".to_owned(),
            |d| d.config_dir().join("config.toml").display().to_string(),
        );
        NoConfig(user)
    })?;
    config::load(&path)
}
