//! Who to call: contacts (with their roles), roles, and escalation rows and levels resolved to
//! contact ids.

use std::time::Duration;

use strum::IntoEnumIterator as _;

use super::outline::List;
use super::tables::Person;
use super::words::mentions;
use super::{ContactDraft, Draft, EscalationDraft, words};
use crate::domain::Severity;

pub(super) fn roles_list(list: &List, draft: &mut Draft) {
    for item in &list.items {
        let Some(label) = item.text.label.clone() else {
            continue;
        };
        let role = if mentions(&label, &["commander"]) {
            "commander".to_owned()
        } else {
            label.to_lowercase()
        };
        if !draft.roles.contains(&role) {
            draft.roles.push(role);
        }
        let name = Some(item.text.rest.clone()).filter(|n| !words::is_placeholder(n));
        contact(
            Person {
                role: label,
                name,
                line: item.line,
                ..Person::default()
            },
            draft,
        );
    }
    draft.report.made(
        list.line,
        format!("incident roles: {}", draft.roles.join(", ")),
    );
}

/// `**Lead Developer**: Jane Doe - +1 555 0100 - jane@example.com`.
pub(super) fn contact_list(list: &List, draft: &mut Draft) {
    let mut count = 0;
    for item in &list.items {
        let Some(role) = item.text.label.clone() else {
            continue;
        };
        let mut person = Person {
            role,
            line: item.line,
            ..Person::default()
        };
        for part in item
            .text
            .rest
            .split([',', '|', '–', '—'])
            .flat_map(|p| p.split(" - "))
        {
            let part = part.trim();
            if words::is_placeholder(part) {
                continue;
            }
            let digits = part.chars().filter(char::is_ascii_digit).count();
            if part.contains('@') {
                person.email.get_or_insert_with(|| part.to_owned());
            } else if digits >= 7
                && part
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c))
            {
                person.phone.get_or_insert_with(|| part.to_owned());
            } else {
                person.name.get_or_insert_with(|| part.to_owned());
            }
        }
        contact(person, draft);
        count += 1;
    }
    if count > 0 {
        draft.report.made(list.line, format!("contacts: {count}"));
    }
}

/// Adds a contact, or completes the one with that role.
pub(super) fn contact(person: Person, draft: &mut Draft) {
    let same = |c: &ContactDraft| c.role.eq_ignore_ascii_case(&person.role);
    if let Some(existing) = draft.contacts.iter_mut().find(|c| same(c)) {
        if existing.name == existing.role
            && let Some(name) = person.name
        {
            existing.name = name;
        }
        existing.phone = existing.phone.take().or(person.phone);
        existing.email = existing.email.take().or(person.email);
        return;
    }
    let id = words::unique_slug(&person.role, "contact", &mut draft.ids.contacts);
    draft.contacts.push(ContactDraft {
        id,
        name: person.name.unwrap_or_else(|| person.role.clone()),
        role: person.role,
        phone: person.phone,
        email: person.email,
        line: person.line,
    });
}

pub(super) fn escalation_row(
    severity: Severity,
    levels: Vec<(Duration, Vec<String>)>,
    line: usize,
    draft: &mut Draft,
) {
    if draft
        .escalation
        .iter()
        .any(|e| e.severities.contains(&severity))
    {
        draft.report.human(
            line,
            format!("a second escalation row for {severity}; only the first is used"),
        );
        return;
    }
    draft.escalation.push(EscalationDraft {
        severities: vec![severity],
        levels,
        line,
    });
}

/// Who each level calls, as contact ids; people the matrix names but no contact list has
/// become contacts to fill in. `All hands` calls every contact.
pub(super) fn escalation(draft: &mut Draft) {
    let mut policies = std::mem::take(&mut draft.escalation);
    for policy in &mut policies {
        for (_, who) in &mut policy.levels {
            let mut ids = Vec::new();
            for name in std::mem::take(who) {
                if mentions(&name, &["all hands", "everyone", "all staff", "all team"]) {
                    ids.extend(draft.contacts.iter().map(|c| c.id.clone()));
                    continue;
                }
                let lower = name.to_lowercase();
                let known = draft.contacts.iter().find(|c| {
                    c.role.to_lowercase() == lower
                        || c.name.to_lowercase() == lower
                        || c.id == lower
                });
                let id = if let Some(c) = known {
                    c.id.clone()
                } else {
                    draft.report.human(policy.line, format!("`{name}` is called by the escalation matrix but listed in no contacts: a contact was made; add a phone"));
                    contact(
                        Person {
                            role: name.clone(),
                            line: policy.line,
                            ..Person::default()
                        },
                        draft,
                    );
                    draft
                        .contacts
                        .last()
                        .map(|c| c.id.clone())
                        .unwrap_or_default()
                };
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids.dedup();
            *who = ids;
        }
        policy.levels.retain(|(_, who)| !who.is_empty());
        policy.levels.sort_by_key(|(after, _)| *after);
    }
    policies.retain(|p| !p.levels.is_empty());
    // Severities the matrix leaves out take the policy of the one below them.
    if let Some(last) = policies.last().map(|p| p.line) {
        let missing: Vec<Severity> = Severity::iter()
            .filter(|s| !policies.iter().any(|p| p.severities.contains(s)))
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(ToString::to_string).collect();
            draft.report.human(
                last,
                format!(
                    "the escalation matrix has no row for {}: they use the last row's levels",
                    names.join(", ")
                ),
            );
            if let Some(p) = policies.last_mut() {
                p.severities.extend(missing);
            }
        }
    }
    if policies.is_empty() {
        draft.report.human(
            0,
            "no escalation matrix found; no escalation levels written (add [[escalation]] by hand)",
        );
    }
    draft.escalation = policies;
}
