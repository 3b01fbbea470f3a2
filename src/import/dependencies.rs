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

/// The id of the component a name or id names, from the draft's index (no scan).
fn component_id(draft: &Draft, name: &str) -> Option<String> {
    let lower = name.trim().to_lowercase();
    let at = draft
        .ids
        .component_at
        .get(&format!("name:{lower}"))
        .or_else(|| draft.ids.component_at.get(&format!("id:{lower}")))?;
    draft.components.get(*at).map(|c| c.id.clone())
}

pub(super) fn dependencies(draft: &mut Draft) {
    for (from, to, _) in std::mem::take(&mut draft.edges) {
        let ids = (component_id(draft, &from), component_id(draft, &to));
        if let (Some(a), Some(b)) = ids
            && a != b
            && let Some(&at) = draft.ids.component_at.get(&format!("id:{a}"))
        {
            draft.components[at].depends_on.push(b);
        }
    }
    for at in 0..draft.components.len() {
        let mut ids: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for name in std::mem::take(&mut draft.components[at].depends_on) {
            match component_id(draft, &name) {
                Some(id) if id != draft.components[at].id && seen.insert(id.clone()) => {
                    ids.push(id);
                }
                Some(_) => {}
                None => {
                    let c = &draft.components[at];
                    let text = format!(
                        "`{}` depends on `{name}`, which the plan lists as no component; left out",
                        c.name
                    );
                    draft.report.human(c.line, text);
                }
            }
        }
        draft.components[at].depends_on = ids;
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
