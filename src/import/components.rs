//! Components into the draft: added once by name, the first source of each fact kept.

use std::time::Duration;

use super::{ComponentDraft, Draft, words};

/// Adds a component, or completes the one of that name already read.
pub(super) fn add_component(
    draft: &mut Draft,
    name: &str,
    tier: Option<String>,
    (rto, rpo): (Option<Duration>, Option<Duration>),
    depends_on: Vec<String>,
    origin: String,
    line: usize,
) {
    let name = name.trim();
    let at = draft
        .ids
        .component_at
        .get(&format!("name:{}", name.to_ascii_lowercase()))
        .or_else(|| draft.ids.component_at.get(&format!("id:{name}")))
        .copied();
    if let Some(at) = at {
        let existing = &mut draft.components[at];
        if existing.line != line {
            let first = existing.line;
            draft.report.human(
                line,
                format!("`{name}` is listed twice (lines {first} and {line}); read as one component, the first targets win"),
            );
        }
        let existing = &mut draft.components[at];
        existing.tier = existing.tier.take().or(tier);
        existing.rto = existing.rto.or(rto);
        existing.rpo = existing.rpo.or(rpo);
        existing.depends_on.extend(depends_on);
        return;
    }
    let id = words::unique_slug(name, "component", &mut draft.ids.components);
    let at = draft.components.len();
    let keys = [
        format!("name:{}", name.to_ascii_lowercase()),
        format!("id:{id}"),
    ];
    for key in keys {
        draft.ids.component_at.entry(key).or_insert(at);
    }
    draft.components.push(ComponentDraft {
        id,
        name: name.to_owned(),
        tier,
        rto,
        rpo,
        depends_on,
        runbooks: Vec::new(),
        backups: Vec::new(),
        origin,
        line,
        assumed: Vec::new(),
    });
}

/// A component of `tier` with no targets of its own (it takes the tier's), read from `origin`.
pub(super) fn of_tier(draft: &mut Draft, name: &str, tier: &str, origin: String, line: usize) {
    add_component(
        draft,
        name,
        Some(tier.to_owned()),
        (None, None),
        Vec::new(),
        origin,
        line,
    );
}

/// A component read from a code block's literal.
pub fn component(
    draft: &mut Draft,
    name: &str,
    tier: Option<String>,
    targets: (Option<Duration>, Option<Duration>),
    line: usize,
) {
    add_component(
        draft,
        name,
        tier,
        targets,
        Vec::new(),
        "a code block".into(),
        line,
    );
}
