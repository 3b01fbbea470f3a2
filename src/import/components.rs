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
    if let Some(existing) = find_component(&mut draft.components, name) {
        if existing.line != line {
            let first = existing.line;
            draft.report.human(
                line,
                format!("`{name}` is listed twice (lines {first} and {line}); read as one component, the first targets win"),
            );
        }
        let existing = find_component(&mut draft.components, name).expect("found above");
        existing.tier = existing.tier.take().or(tier);
        existing.rto = existing.rto.or(rto);
        existing.rpo = existing.rpo.or(rpo);
        existing.depends_on.extend(depends_on);
        return;
    }
    let mut taken: Vec<String> = draft.components.iter().map(|c| c.id.clone()).collect();
    let id = words::unique_slug(name, "component", &mut taken);
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
    });
}

fn find_component<'a>(
    components: &'a mut [ComponentDraft],
    name: &str,
) -> Option<&'a mut ComponentDraft> {
    components
        .iter_mut()
        .find(|c| c.name.eq_ignore_ascii_case(name) || c.id == name)
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
