//! Consoles on an incident already recorded, started from the command line: a replay, a
//! follower, a joined console or one that takes an incident over.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::Cli;
use crate::config::Config;
use crate::journal::store::Store;
use crate::runbook::{RunbookSet, load_runbooks};
use crate::state::Mode;

use super::recorded::{follow_target, journal_records, recorded_config, room_target};
use super::takeover::claim;
use super::{Launch, Start, open};

/// A console that plays back a recorded incident: `target` is a journal file or an incident id.
pub fn replay(cli: &Cli, target: &Path, speed: Option<f64>) -> anyhow::Result<ExitCode> {
    let data = cli.data_dir()?;
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
    let records = journal_records(&path)?;
    let drill = crate::domain::drill::recorded(&records).is_some();
    let mode = if drill { Mode::Drill } else { Mode::Live };
    let config = recorded_config(cli.config.as_deref(), &records, mode)?;
    let start = Start::Replay { path, records };
    let mut launch = Launch::new(start, mode, config, (Vec::new(), Vec::new()));
    launch.speed = speed;
    open(cli, launch)
}

/// A console that shows an incident another console writes, read-only, as it is written.
pub fn follow(cli: &Cli, id: Option<&str>) -> anyhow::Result<ExitCode> {
    let data = cli.data_dir()?;
    let (path, mode) = follow_target(&data, id)?;
    let records = journal_records(&path)?;
    let config = recorded_config(cli.config.as_deref(), &records, mode)?;
    let runbooks = shown_runbooks(&config, mode);
    let start = Start::Follow { path, records };
    open(cli, Launch::new(start, mode, config, runbooks))
}

/// A console that joins the room of an incident another console writes, or (with `take_over`)
/// takes over the incident whose writer left.
pub fn join(cli: &Cli, id: Option<&str>, take_over: Option<&Path>) -> anyhow::Result<ExitCode> {
    let data = cli.data_dir()?;
    let (mode, start) = match take_over {
        Some(path) => (store_of(&data, path), claim(path)?),
        None => {
            let (path, mode) = room_target(&data, id)?;
            (mode, Start::Join(crate::room::client::join(&path)?))
        }
    };
    let records = match &start {
        Start::Join(joined) => joined.records.as_slice(),
        Start::TakeOver {
            claim: Ok((_, records, _)),
            ..
        } => records.as_slice(),
        _ => &[],
    };
    let config = recorded_config(cli.config.as_deref(), records, mode)?;
    let runbooks = shown_runbooks(&config, mode);
    open(cli, Launch::new(start, mode, config, runbooks))
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
