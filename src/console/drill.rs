//! What a drill runs on: the scenario with its service, whose simulated components replace the
//! real probes.

use std::path::Path;

use anyhow::Context as _;

use crate::config::{self, Check, Config, Invalid, Probe};
use crate::domain::Health;
use crate::domain::world::Scenario;
use crate::runbook::{RunbookSet, load_runbooks};

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
) -> anyhow::Result<(Config, Scenario, RunbookSet)> {
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
    let runbooks = load_runbooks(&config);
    let mut scenario = config::parse_scenario(
        &path.display().to_string(),
        &text,
        Some(&config),
        Some(&runbooks.0),
    )?;
    // A drill that may send needs its channels' secrets; one that holds notifications does not.
    if scenario.allow_notify {
        config.notify.require()?;
    } else {
        for line in config.notify.not_sent() {
            crate::commands::say(&format!("note: {}", crate::sanitize::sanitize(&line)));
        }
    }
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
    let runbooks = config.map(|c| load_runbooks(c).0);
    config::parse_scenario(&name, text, config, runbooks.as_deref()).map(drop)
}
