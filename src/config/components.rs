//! Components checked as a set: ids well formed and unique, dependencies known, no cycle.

use std::collections::HashSet;

use super::file::ComponentFile;
use super::spanned::Spanned;
use super::{Diagnostic, Source, diag};

pub(super) fn check_id(
    src: &Source,
    id: &Spanned<String>,
    what: &str,
    errors: &mut Vec<Diagnostic>,
) {
    let value = id.get_ref();
    let ok = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        errors.push(src.at(
            id.span(),
            format!("{what} id `{value}` must use only a-z, 0-9 and `-`"),
        ));
    }
}

pub(super) fn check_components(
    src: &Source,
    components: &[ComponentFile],
    errors: &mut Vec<Diagnostic>,
) {
    let mut seen = HashSet::new();
    for c in components {
        check_id(src, &c.id, "component", errors);
        if !seen.insert(c.id.get_ref().as_str()) {
            errors.push(src.at(
                c.id.span(),
                format!("component id `{}` is used twice", c.id.get_ref()),
            ));
        }
    }
    for c in components {
        for dep in &c.depends_on {
            if !seen.contains(dep.get_ref().as_str()) {
                let hint = diag::hint(dep.get_ref(), seen.iter().copied());
                errors.push(src.at(
                    dep.span(),
                    format!(
                        "`depends_on` names unknown component `{}`{hint}",
                        dep.get_ref()
                    ),
                ));
            }
        }
    }
    if let Some(c) = find_cycle(components) {
        errors.push(src.at(
            c.id.span(),
            format!(
                "component `{}` depends on itself through `depends_on`",
                c.id.get_ref()
            ),
        ));
    }
}

fn find_cycle(components: &[ComponentFile]) -> Option<&ComponentFile> {
    let deps = |id: &str| -> Vec<&str> {
        components
            .iter()
            .find(|c| c.id.get_ref() == id)
            .map(|c| c.depends_on.iter().map(|d| d.get_ref().as_str()).collect())
            .unwrap_or_default()
    };
    components.iter().find(|start| {
        let mut stack = deps(start.id.get_ref());
        let mut visited = HashSet::new();
        while let Some(next) = stack.pop() {
            if next == start.id.get_ref() {
                return true;
            }
            if visited.insert(next) {
                stack.extend(deps(next));
            }
        }
        false
    })
}
