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
        // A role is a contact only when a person is named for it, not a sentence on its duties.
        let rest = item.text.rest.trim();
        let named = !words::is_placeholder(rest) && words::is_person_name(rest);
        if named {
            contact(
                Person {
                    role: label,
                    name: Some(rest.to_owned()),
                    line: item.line,
                    ..Person::default()
                },
                draft,
            );
        }
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
        // `**Incident Channel**: #incident-response` is where to talk, not whom to call.
        if item.text.rest.trim().trim_matches('`').starts_with('#') {
            continue;
        }
        let mut person = Person {
            role,
            line: item.line,
            ..Person::default()
        };
        // Text that is neither a name, a number, an address nor a placeholder: a sentence
        // (`**Initial detection:** Disruption detected`), and the item no contact.
        let mut prose = false;
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
            } else if words::is_person_name(part) {
                person.name.get_or_insert_with(|| part.to_owned());
            } else {
                prose = true;
            }
        }
        let reachable = person.name.is_some() || person.phone.is_some() || person.email.is_some();
        if prose && !reachable {
            continue;
        }
        contact(person, draft);
        count += 1;
    }
    if count > 0 {
        draft.report.made(list.line, format!("contacts: {count}"));
    }
}

/// `Ben Uphoff, CTO: 414-335-0253, ben@example.com`: a list of people each written as name,
/// role, then how to reach them. True when the list is one (every item so, with a phone or an
/// address, or a template's placeholder for one).
pub(super) fn people_list(list: &List, draft: &mut Draft) -> bool {
    let people: Option<Vec<Person>> = list
        .items
        .iter()
        .map(|item| {
            if item.text.label.is_some() {
                return None;
            }
            let whole = item.text.whole();
            let (who, reach) = whole.split_once(':')?;
            let (name, role) = who.rsplit_once(',')?;
            let (name, role) = (name.trim(), role.trim());
            if role.is_empty() || role.split_whitespace().count() > 6 {
                return None;
            }
            let mut person = Person {
                role: role.to_owned(),
                name: Some(name.to_owned()).filter(|n| !words::is_placeholder(n)),
                line: item.line,
                ..Person::default()
            };
            let mut reachable = false;
            for part in reach.split(',').map(str::trim) {
                reachable |= words::is_placeholder(part);
                if part.contains('@') {
                    person.email.get_or_insert_with(|| part.to_owned());
                    reachable = true;
                } else if part.chars().filter(char::is_ascii_digit).count() >= 7 {
                    person.phone.get_or_insert_with(|| part.to_owned());
                    reachable = true;
                }
            }
            reachable.then_some(person)
        })
        .collect();
    let Some(people) = people.filter(|p| !p.is_empty()) else {
        return false;
    };
    let count = people.len();
    for person in people {
        contact(person, draft);
    }
    draft.report.made(list.line, format!("contacts: {count}"));
    true
}

/// Adds a contact, or completes the one with that role.
pub(super) fn contact(person: Person, draft: &mut Draft) {
    let role = person.role.to_ascii_lowercase();
    if let Some(&at) = draft.ids.contact_at.get(&role) {
        let existing = &mut draft.contacts[at];
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
    draft.ids.contact_at.insert(role, draft.contacts.len());
    draft.contacts.push(ContactDraft {
        id,
        name: person.name.unwrap_or_else(|| person.role.clone()),
        role: person.role,
        phone: person.phone,
        email: person.email,
        line: person.line,
    });
}

/// A list item's label that numbers an escalation level: `Level 2`, `L2`, `Tier 2`, or an
/// on-call order's `Primary`, `Secondary`, `Tertiary`.
fn level_number(label: &str) -> Option<u32> {
    let lower = label.trim().to_lowercase();
    let order = ["primary", "secondary", "tertiary"]
        .iter()
        .position(|o| lower == *o || lower.strip_prefix(o).is_some_and(|r| r.trim() == "on-call"));
    if let Some(at) = order {
        return u32::try_from(at + 1).ok();
    }
    let rest = ["level", "tier", "l"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))?;
    rest.trim().parse().ok()
}

/// When a level starts, from its time window: `(0-30 min)` 0, `(1-2 hours)` 1 h, `(2+ hours)`
/// 2 h, `after 15 minutes` 15 min.
fn window_start(text: &str) -> Option<Duration> {
    let inside = match text.rsplit_once('(') {
        Some((_, after)) => after.split(')').next().unwrap_or_default(),
        None => text,
    };
    let start: String = inside
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let unit: String = inside
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .skip_while(|c| !c.is_alphabetic())
        .take_while(|c| c.is_alphabetic())
        .collect();
    words::duration(&format!("{start} {unit}")).filter(|_| !start.is_empty())
}

/// Who a level calls: its text without the time window, cut at `+`, `and` and commas, each
/// without what they do (`Primary DBA engaged` is the Primary DBA).
fn called(text: &str) -> Vec<String> {
    const DOING: [&str; 11] = [
        " attempt",
        " engaged",
        " notification",
        " notified",
        " paged",
        " called",
        " contacted",
        " informed",
        " joins",
        " takes",
        " escalat",
    ];
    let text = text.split('(').next().unwrap_or_default();
    text.split([',', '+', '&'])
        .flat_map(|p| p.split(" and "))
        .map(|who| {
            let lower = who.to_lowercase();
            let cut = DOING.iter().filter_map(|d| lower.find(d)).min();
            who[..cut.unwrap_or(who.len())].trim().to_owned()
        })
        .filter(|who| !who.is_empty() && !words::is_placeholder(who))
        .collect()
}

/// `**Level 1**: DevOps engineer attempts recovery (0-30 min)`: an escalation ladder written as
/// a list, each level calling who it names from the start of its window; also an on-call order
/// (`**Primary:** Project owner`) under a heading about on-call, escalation or support, since
/// primary and secondary are as often regions or channels. True when the list is one (its
/// leading items levels, two or more).
pub(super) fn ladder_list(list: &List, context: &str, draft: &mut Draft) -> bool {
    let by_order = list.items.first().is_some_and(|i| {
        let label = i.text.label.as_deref().unwrap_or_default().to_lowercase();
        ["primary", "secondary"]
            .iter()
            .any(|o| label.starts_with(o))
    });
    let about_calling = mentions(
        context,
        &[
            "on-call",
            "oncall",
            "escalat",
            "support",
            "pager",
            "responder",
        ],
    ) && !mentions(context, &["channel", "communication"]);
    if by_order && !about_calling {
        return false;
    }
    // The levels are the list's leading items that number one (`3. **Escalation:** alert via
    // email` after them is how, not whom).
    let levels: Vec<(Option<Duration>, Vec<String>)> = list
        .items
        .iter()
        .map_while(|item| {
            level_number(item.text.label.as_deref()?)?;
            let rest = &item.text.rest;
            Some((window_start(rest), called(rest)))
        })
        .collect();
    if levels.len() < 2 {
        return false;
    }
    let made = format!("escalation ladder: {} levels", levels.len());
    ladder(levels, list.line, made, draft);
    true
}

/// `### Escalation` then `1. Engineering Manager`, `2. CTO`, `3. CEO (for catastrophic
/// failures)`: an order of whom to call, each a level, its times assumed. True when the list
/// is one (numbered, two items or more, each naming a role or person).
pub(super) fn order_list(list: &List, title: &str, draft: &mut Draft) -> bool {
    if !list.ordered || list.items.len() < 2 || !mentions(title, &["escalat"]) {
        return false;
    }
    let levels: Option<Vec<(Option<Duration>, Vec<String>)>> = list
        .items
        .iter()
        .map(|item| {
            let whole = item.text.whole();
            let who = whole.split('(').next().unwrap_or_default().trim();
            words::is_person_name(who).then(|| (window_start(&whole), vec![who.to_owned()]))
        })
        .collect();
    let Some(levels) = levels else {
        return false;
    };
    let made = format!("escalation order: {} levels", levels.len());
    ladder(levels, list.line, made, draft);
    true
}

/// Minutes between levels where the plan gives a ladder no times.
const STEP: Duration = Duration::from_mins(15);

/// An escalation ladder for every severity (a ladder that names no severity is every
/// severity's): each level at the time the plan gives it, else 15 minutes after the level
/// before (the first at once), said as assumed; `made` says what it was read from.
pub(super) fn ladder(
    levels: Vec<(Option<Duration>, Vec<String>)>,
    line: usize,
    made: String,
    draft: &mut Draft,
) {
    let mut assumed = Vec::new();
    let mut previous: Option<Duration> = None;
    let levels = levels
        .into_iter()
        .enumerate()
        .map(|(n, (after, who))| {
            let after = after.unwrap_or_else(|| {
                let at = previous.map_or(Duration::ZERO, |p| p + STEP);
                assumed.push(format!(
                    "level {} after {} assumed: the plan gives it no time",
                    n + 1,
                    words::human_duration(at)
                ));
                at
            });
            previous = Some(after);
            (after, who)
        })
        .collect();
    for note in &assumed {
        draft.report.human(line, format!("escalation {note}"));
    }
    draft.escalation.push(EscalationDraft {
        severities: Severity::iter().collect(),
        levels,
        line,
        assumed,
    });
    draft.report.made(line, made);
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
        assumed: Vec::new(),
    });
}

/// Help from outside the team: a contact only where the plan names one.
const EXTERNAL: [&str; 5] = ["external", "vendor", "third part", "supplier", "provider"];

/// Who each level calls, as contact ids; people the matrix names but no contact list has
/// become contacts to fill in. `All hands` calls every contact.
pub(super) fn escalation(draft: &mut Draft) {
    let mut policies = std::mem::take(&mut draft.escalation);
    for policy in &mut policies {
        for (_, who) in &mut policy.levels {
            let mut ids = Vec::new();
            for name in std::mem::take(who) {
                if mentions(&name, &["all hands", "everyone", "all staff", "all team"]) {
                    // The team, not the vendors' support desks.
                    let team = draft.contacts.iter().filter(|c| !c.is_vendor());
                    ids.extend(team.map(|c| c.id.clone()));
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
                } else if mentions(&name, &EXTERNAL) {
                    // `External support`: help from outside, named by no one in the plan.
                    draft.report.human(policy.line, format!("`{name}` is called by the escalation but the plan names no one for it: add a vendor contact and put it in the level"));
                    continue;
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

#[cfg(test)]
#[path = "tests/escalation.rs"]
mod tests;
