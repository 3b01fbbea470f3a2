//! What a replay, a follower or a joined console shows a recorded incident against: its
//! records, the service config, and where to find the incident.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::config::{self, Config};
use crate::domain::event::{Event, Record};
use crate::journal::Journal;
use crate::state::Mode;

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
