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
    on_a_cycle(components, &mut 0)
}

/// The first component, in the order listed, that depends on itself through `depends_on`.
/// Tarjan's strongly connected components, without recursion (a chain of 100,000 components
/// needs no stack): each component is entered once and each dependency followed once, counted
/// in `followed`.
fn on_a_cycle<'a>(
    components: &'a [ComponentFile],
    followed: &mut usize,
) -> Option<&'a ComponentFile> {
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, c) in components.iter().enumerate() {
        index.entry(c.id.get_ref().as_str()).or_insert(i);
    }
    let edges: Vec<Vec<usize>> = components
        .iter()
        .map(|c| {
            let known = c
                .depends_on
                .iter()
                .filter_map(|d| index.get(d.get_ref().as_str()));
            known.copied().collect()
        })
        .collect();
    let n = components.len();
    let (unseen, mut next_order) = (usize::MAX, 0);
    let (mut order, mut low) = (vec![unseen; n], vec![0; n]);
    let (mut on_stack, mut cyclic) = (vec![false; n], vec![false; n]);
    let mut stack: Vec<usize> = Vec::new();
    for root in 0..n {
        if order[root] != unseen {
            continue;
        }
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        let mut enter = |v: usize, order: &mut Vec<usize>, low: &mut Vec<usize>| {
            order[v] = next_order;
            low[v] = next_order;
            next_order += 1;
        };
        enter(root, &mut order, &mut low);
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, next)) = calls.last() {
            if let Some(&w) = edges[v].get(next) {
                *followed += 1;
                if let Some(top) = calls.last_mut() {
                    top.1 += 1;
                }
                if order[w] == unseen {
                    enter(w, &mut order, &mut low);
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(order[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == order[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                if members.len() > 1 || edges[v].contains(&v) {
                    for m in members {
                        cyclic[m] = true;
                    }
                }
            }
        }
    }
    cyclic.iter().position(|&c| c).map(|i| &components[i])
}

#[cfg(test)]
mod tests {
    use super::on_a_cycle;
    use crate::config::file::ComponentFile;

    #[derive(serde::Deserialize)]
    struct Only {
        component: Vec<ComponentFile>,
    }

    /// `n` components, each depending on the one before; the first depends on `first_on`.
    fn chain(n: usize, first_on: Option<usize>) -> Vec<ComponentFile> {
        use std::fmt::Write as _;
        let mut text = String::new();
        for i in 0..n {
            let dep = match (i, first_on) {
                (0, Some(d)) => format!("\"c{d}\""),
                (0, None) => String::new(),
                _ => format!("\"c{}\"", i - 1),
            };
            let _ = write!(
                text,
                "[[component]]\nid = \"c{i}\"\nname = \"C{i}\"\ntier = \"high\"\ndepends_on = [{dep}]\nprobe = {{ kind = \"sim\" }}\n"
            );
        }
        toml::from_str::<Only>(&text).unwrap().component
    }

    #[test]
    fn the_cycle_check_follows_each_dependency_once() {
        let n = 20_000;
        let (mut followed, acyclic) = (0, chain(n, None));
        assert!(on_a_cycle(&acyclic, &mut followed).is_none());
        assert_eq!(followed, n - 1, "each dependency followed once");
        let mut followed = 0;
        let cyclic = chain(n, Some(n - 1));
        let found = on_a_cycle(&cyclic, &mut followed).map(|c| c.id.get_ref().clone());
        assert_eq!(
            found.as_deref(),
            Some("c0"),
            "the first listed on the cycle"
        );
        assert_eq!(followed, n);
    }
}
