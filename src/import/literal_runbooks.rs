//! Runbooks kept in a literal: `procedures: { id: { steps: [...] } }` (or a list of
//! `{ name, steps }`) and `scenarios: [{ name, procedures: [ids] }]`, a scenario's runbook
//! holding the steps of the procedures it names.

use serde_json::{Map, Value};

use super::steps::{PhaseDraft, RunbookDraft, StepDraft};
use super::{Draft, words};

/// A procedure read from a literal: its id (key or name), title and steps.
struct Procedure {
    id: String,
    title: String,
    steps: Vec<StepDraft>,
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn field(map: &Map<String, Value>, names: &[&str]) -> Option<String> {
    map.iter()
        .find(|(k, _)| names.contains(&k.to_lowercase().as_str()))
        .and_then(|(_, v)| text(v))
}

/// A step: `'Flip DNS'`, or `{ name: 'Flip DNS', command: 'dnsctl flip' }`.
fn step(value: &Value, line: usize) -> Option<StepDraft> {
    let (title, command) = match value {
        Value::Object(map) => (
            field(map, &["name", "title", "action", "step", "description"])?,
            field(map, &["command", "cmd", "run", "script", "shell"]),
        ),
        other => (text(other)?, None),
    };
    Some(StepDraft {
        title,
        line,
        code: command
            .into_iter()
            .map(|c| (true, "sh".to_owned(), c))
            .collect(),
        ..StepDraft::default()
    })
}

fn steps_of(value: &Value, line: usize) -> Vec<StepDraft> {
    let list = match value {
        Value::Object(map) => map
            .iter()
            .find(|(k, _)| matches!(k.to_lowercase().as_str(), "steps" | "actions" | "tasks"))
            .map(|(_, v)| v),
        Value::Array(_) => Some(value),
        _ => None,
    };
    list.and_then(Value::as_array)
        .map(|items| items.iter().filter_map(|i| step(i, line)).collect())
        .unwrap_or_default()
}

/// The procedures under a `procedures`/`runbooks` key: an object by id or a list.
fn procedures(value: &Value, line: usize) -> Vec<Procedure> {
    let entries: Vec<(Option<&str>, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (Some(k.as_str()), v)).collect(),
        Value::Array(items) => items.iter().map(|v| (None, v)).collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter_map(|(key, v)| {
            let named = v
                .as_object()
                .and_then(|m| field(m, &["name", "title", "id"]));
            let id = key.map(str::to_owned).or_else(|| named.clone())?;
            let steps = steps_of(v, line);
            (!steps.is_empty()).then(|| Procedure {
                title: named.unwrap_or_else(|| id.clone()),
                id,
                steps,
            })
        })
        .collect()
}

/// Every value under a key matching `names`, at any depth (a worklist: any nesting).
fn under<'a>(root: &'a Value, names: &[&str]) -> Vec<&'a Value> {
    let mut found = Vec::new();
    let mut todo = vec![root];
    while let Some(value) = todo.pop() {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let k = k.to_lowercase().replace(['_', '-'], "");
                    if names.iter().any(|n| k.ends_with(n)) {
                        found.push(v);
                    } else {
                        todo.push(v);
                    }
                }
            }
            Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    found
}

fn push(draft: &mut Draft, title: &str, steps: Vec<StepDraft>, scenario: bool, line: usize) {
    let id = words::unique_slug(title, "runbook", &mut draft.ids.runbooks);
    let count = steps.len();
    draft.runbooks.push(RunbookDraft {
        id: id.clone(),
        title: title.to_owned(),
        line,
        scenario,
        phases: vec![PhaseDraft { title: None, steps }],
        ..RunbookDraft::default()
    });
    draft.report.made(
        line,
        format!("runbook `{id}` from a literal: {count} steps"),
    );
}

/// The literal's procedures and scenarios as runbooks.
pub fn read(value: &Value, line: usize, draft: &mut Draft) {
    let procedures: Vec<Procedure> = under(value, &["procedures", "runbooks", "playbooks"])
        .into_iter()
        .flat_map(|v| procedures(v, line))
        .collect();
    let by_id: std::collections::HashMap<&str, &Procedure> =
        procedures.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut used = std::collections::HashSet::new();
    for scenarios in under(value, &["scenarios"]) {
        for scenario in scenarios.as_array().into_iter().flatten() {
            let Some(map) = scenario.as_object() else {
                continue;
            };
            let Some(name) = field(map, &["name", "title", "id"]) else {
                continue;
            };
            let mut steps = steps_of(scenario, line);
            let refs = map
                .iter()
                .find(|(k, _)| matches!(k.to_lowercase().as_str(), "procedures" | "runbooks"))
                .and_then(|(_, v)| v.as_array());
            for id in refs.into_iter().flatten().filter_map(Value::as_str) {
                match by_id.get(id) {
                    Some(p) => {
                        used.insert(id.to_owned());
                        steps.extend(p.steps.iter().cloned());
                    }
                    None => steps.push(StepDraft {
                        title: format!("Run procedure `{id}` (not in the plan)"),
                        line,
                        ..StepDraft::default()
                    }),
                }
            }
            push(draft, &name, steps, true, line);
        }
    }
    for p in procedures.into_iter().filter(|p| !used.contains(&p.id)) {
        push(draft, &p.title, p.steps, false, line);
    }
}
