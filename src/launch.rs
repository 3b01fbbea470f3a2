//! What a drill, a replay or a follower runs on: the scenario with its service, and the service
//! config a recorded journal is shown against.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::{self, Check, Config, Invalid, Probe};
use crate::domain::Health;
use crate::domain::event::{Event, Record};
use crate::domain::world::Scenario;
use crate::journal::Journal;
use crate::state::Mode;

/// Replaces the probes (and recovery-point sources) of the components a scenario simulates, so a
/// drill never depends on, or looks like, production.
pub fn simulate(config: &mut Config, ids: &[String]) {
    for component in &mut config.components {
        if !ids.contains(&component.id) {
            continue;
        }
        if !matches!(component.probe.check, Check::Sim { .. }) {
            component.probe = Probe::sim(Health::Up);
        }
        for backup in &mut component.backups {
            if !matches!(backup.point.source, config::notify::PointSource::Sim { .. }) {
                backup.point.source = config::notify::PointSource::Sim {
                    age: std::time::Duration::from_mins(1),
                };
            }
        }
    }
}

/// Loads a scenario file and the service it runs on: `--config` if given, else the scenario's
/// `config`, else the discovered config. Every name in the scenario is checked against them.
pub fn drill(
    path: &Path,
    explicit: Option<&Path>,
) -> anyhow::Result<(Config, Scenario, crate::commands::RunbookSet)> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the scenario {}; the shipped ones are in runbooks/drills/",
            path.display()
        )
    })?;
    let named = config::scenario_config(path, &text)?;
    let config_path = explicit
        .map(Path::to_owned)
        .or(named)
        .or_else(|| config::discover(None))
        .with_context(|| {
            format!(
                "{}: the scenario names no service config and none was found; add `config = \"path/to/warroom.toml\"` to the scenario or pass --config",
                path.display()
            )
        })?;
    let mut config = config::load(&config_path)?;
    let runbooks = crate::commands::load_runbooks(&config);
    let mut scenario = config::parse_scenario(
        &path.display().to_string(),
        &text,
        Some(&config),
        Some(&runbooks.0),
    )?;
    simulate(&mut config, &scenario.simulate);
    scenario.config = Some(
        std::fs::canonicalize(&config_path)
            .unwrap_or(config_path)
            .display()
            .to_string(),
    );
    Ok((config, scenario, runbooks))
}

/// Checks a scenario file against the service it names (or `reference`, the `--config` one).
pub fn check_scenario(path: &Path, text: &str, reference: Option<&Config>) -> Result<(), Invalid> {
    let name = path.display().to_string();
    let named = config::scenario_config(path, text)?;
    let loaded = match named {
        Some(p) => Some(config::load(&p).map_err(|e| {
            Invalid(vec![config::Diagnostic::new(
                &name,
                1,
                1,
                format!("the scenario's service config {}: {e:#}", p.display()),
            )])
        })?),
        None => None,
    };
    let config = loaded.as_ref().or(reference);
    let runbooks = config.map(|c| crate::commands::load_runbooks(c).0);
    config::parse_scenario(&name, text, config, runbooks.as_deref()).map(drop)
}

/// The records of a journal to replay or follow; a clear error when it is not a journal.
pub fn journal_records(path: &Path) -> anyhow::Result<Vec<Record>> {
    let path = if path.is_dir() {
        path.join(crate::journal::FILE_NAME)
    } else {
        path.to_owned()
    };
    let scan = Journal::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Some(fault) = &scan.fault
        && scan.records.is_empty()
    {
        anyhow::bail!(
            "{}:{}: not a warroom journal ({}); give the journal.jsonl of an incident (`warroom incident list` shows them)",
            path.display(),
            fault.line,
            fault.reason
        );
    }
    match scan.records.first().map(|r| &r.event) {
        Some(Event::Declared { .. } | Event::Drill(_)) => Ok(scan.records),
        Some(other) => anyhow::bail!(
            "{}:1: the journal starts with `{}`, not a declaration; it is not an incident journal",
            path.display(),
            other.kind()
        ),
        None => anyhow::bail!("{}: the journal is empty; nothing to play", path.display()),
    }
}

/// The service a recorded incident is shown against: `--config`, the drill's recorded config,
/// the demo service, the discovered config, or, failing all, one made from the journal's own
/// component names.
pub fn recorded_config(
    explicit: Option<&Path>,
    records: &[Record],
    mode: Mode,
) -> anyhow::Result<Config> {
    if let Some(path) = explicit {
        return config::load(path);
    }
    let drill_config = crate::domain::drill::recorded(records).map(|d| d.config.clone());
    match drill_config {
        Some(Some(path)) => {
            if let Ok(config) = config::load(Path::new(&path)) {
                return Ok(config);
            }
        }
        Some(None) => return Ok(crate::demo::config()),
        None if mode == Mode::Demo => return Ok(crate::demo::config()),
        None => {}
    }
    if let Some(config) = config::discover(None).and_then(|p| config::load(&p).ok()) {
        return Ok(config);
    }
    Ok(synthesized(records))
}

/// A config of simulated components named after those in the journal.
fn synthesized(records: &[Record]) -> Config {
    let mut ids: Vec<String> = Vec::new();
    for record in records {
        let names: Vec<&String> = match &record.event {
            Event::Declared(declaration) => {
                declaration.outages.iter().map(|o| &o.component).collect()
            }
            Event::ComponentChanged { component, .. } => vec![component],
            _ => Vec::new(),
        };
        for name in names {
            if !ids.contains(name) {
                ids.push(name.clone());
            }
        }
    }
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let mut text = "[service]\nname = \"recorded incident\"\n".to_owned();
    for id in &ids {
        let _ = write!(
            text,
            "\n[[component]]\nid = {0}\nname = {0}\ntier = \"standard\"\nprobe = {{ kind = \"sim\", state = \"unknown\" }}\n",
            quote(id)
        );
    }
    config::parse("(made from the journal)", &text).unwrap_or_else(|_| crate::demo::config())
}

/// Where a joining console finds the incident: by id, or the newest with a room, in any store.
pub fn room_target(data: &Path, id: Option<&str>) -> anyhow::Result<(PathBuf, Mode)> {
    let stores = [Mode::Live, Mode::Drill, Mode::Demo]
        .map(|mode| (crate::journal::store::Store::new(data, mode), mode));
    if let Some(found) = stores
        .iter()
        .filter_map(|(store, mode)| Some((store.room(id)?, *mode)))
        .max_by(|(a, _), (b, _)| a.parent().cmp(&b.parent()))
    {
        return Ok(found);
    }
    let shut = stores.iter().find_map(|(store, _)| {
        let root = store.folders().1;
        let denied = std::fs::read_dir(root)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied);
        denied.then_some(root)
    });
    if let Some(root) = shut {
        anyhow::bail!(
            "you may not join: {} is open only to the user who writes its incidents and the members of their [room] group",
            root.display()
        );
    }
    anyhow::bail!(match id {
        Some(id) => format!(
            "no console is writing incident `{id}` in {} (it has no room to join); `warroom incident list` shows the ids",
            data.display()
        ),
        None => format!(
            "no console is writing an incident in {} (no room to join); run `warroom` to write one",
            data.display()
        ),
    })
}

/// Where a follower finds the incident: by id, or the latest open one, in any store.
pub fn follow_target(data: &Path, id: Option<&str>) -> anyhow::Result<(PathBuf, Mode)> {
    let found = match id {
        Some(id) => crate::journal::store::Store::find_any(
            data,
            Some(id),
            &[Mode::Live, Mode::Drill, Mode::Demo],
        )
        .map(|found| (found.summary, found.mode)),
        None => [Mode::Live, Mode::Drill, Mode::Demo]
            .into_iter()
            .filter_map(|mode| {
                Some((
                    crate::journal::store::Store::new(data, mode).latest_open()?,
                    mode,
                ))
            })
            .max_by_key(|(s, _)| s.incident.as_ref().map(|i| i.declared)),
    };
    match (found, id) {
        (Some((summary, mode)), _) => Ok((summary.path, mode)),
        (None, Some(id)) => anyhow::bail!(
            "no incident `{id}` in {}; `warroom incident list` shows the ids",
            data.display()
        ),
        (None, None) => anyhow::bail!(
            "no open incident to follow in {}; give an id (`warroom incident list` shows them)",
            data.display()
        ),
    }
}
