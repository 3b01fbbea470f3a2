//! Dependencies between components: the diagram's nodes as components when nothing else names
//! them, edges resolved to ids, and cycles broken with a word in the report.

use super::components::add_component;
use super::{ComponentDraft, Draft};

/// Without components from tables or lists, the diagram's nodes are the components.
pub(super) fn graph_components(draft: &mut Draft) {
    let nodes = super::graph::nodes(&draft.edges);
    if !draft.components.is_empty() {
        return;
    }
    for (label, line) in nodes {
        add_component(
            draft,
            &label,
            None,
            (None, None),
            Vec::new(),
            "the architecture diagram".into(),
            line,
        );
        draft
            .report
            .made(line, format!("component `{label}` from the diagram"));
    }
}

fn component_id(components: &[ComponentDraft], name: &str) -> Option<String> {
    let lower = name.trim().to_lowercase();
    components
        .iter()
        .find(|c| c.name.to_lowercase() == lower || c.id == lower)
        .map(|c| c.id.clone())
}

pub(super) fn dependencies(draft: &mut Draft) {
    for (from, to, line) in std::mem::take(&mut draft.edges) {
        let ids = (
            component_id(&draft.components, &from),
            component_id(&draft.components, &to),
        );
        if let (Some(a), Some(b)) = ids
            && a != b
            && let Some(c) = draft.components.iter_mut().find(|c| c.id == a)
        {
            c.depends_on.push(b);
            let _ = line;
        }
    }
    let snapshot = draft.components.clone();
    for component in &mut draft.components {
        let mut ids = Vec::new();
        for name in std::mem::take(&mut component.depends_on) {
            match component_id(&snapshot, &name) {
                Some(id) if id != component.id && !ids.contains(&id) => ids.push(id),
                Some(_) => {}
                None => draft.report.human(
                    component.line,
                    format!(
                        "`{}` depends on `{name}`, which the plan lists as no component; left out",
                        component.name
                    ),
                ),
            }
        }
        component.depends_on = ids;
    }
    break_cycles(draft);
}

/// Drops the dependency that closes a cycle, and says so.
fn break_cycles(draft: &mut Draft) {
    loop {
        let Some((from, to)) = first_cycle_edge(&draft.components) else {
            return;
        };
        let c = draft
            .components
            .iter_mut()
            .find(|c| c.id == from)
            .expect("cycle member");
        c.depends_on.retain(|d| d != &to);
        let line = c.line;
        draft.report.human(
            line,
            format!("`{from}` and `{to}` depend on each other; `{from}` → `{to}` left out"),
        );
    }
}

fn first_cycle_edge(components: &[ComponentDraft]) -> Option<(String, String)> {
    fn reaches(
        components: &[ComponentDraft],
        from: &str,
        target: &str,
        seen: &mut Vec<String>,
    ) -> bool {
        if from == target {
            return true;
        }
        if seen.iter().any(|s| s == from) {
            return false;
        }
        seen.push(from.to_owned());
        components.iter().find(|c| c.id == from).is_some_and(|c| {
            c.depends_on
                .iter()
                .any(|d| reaches(components, d, target, seen))
        })
    }
    components.iter().find_map(|c| {
        c.depends_on
            .iter()
            .find(|d| reaches(components, d, &c.id, &mut Vec::new()))
            .map(|d| (c.id.clone(), d.clone()))
    })
}

/// Words of a name that tell it apart (not "service", "data", "the", ...).
pub fn distinctive(name: &str) -> Vec<String> {
    const GENERIC: [&str; 28] = [
        "service",
        "services",
        "system",
        "systems",
        "operations",
        "processing",
        "data",
        "management",
        "features",
        "integrations",
        "platform",
        "api",
        "apis",
        "core",
        "critical",
        "non",
        "primary",
        "the",
        "and",
        "for",
        "with",
        "layer",
        "server",
        "servers",
        "app",
        "all",
        "backups",
        "backup",
    ];
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && !GENERIC.contains(w))
        .map(str::to_owned)
        .collect()
}
