//! The service side of a plan: components and their targets, tiers, dependencies, backups,
//! contacts, escalation, severity meanings, roles, message templates and the review.

use std::fmt::Write as _;
use std::time::Duration;

use strum::IntoEnumIterator as _;

use super::outline::{Block, Item, List, Section, Table};
use super::tables::{self, Person};
use super::{
    BackupDraft, ComponentDraft, ContactDraft, Draft, EscalationDraft, Report, TemplateDraft,
    TierDraft, words,
};
use crate::domain::Severity;

/// Lowercased text contains any of `any`.
pub fn mentions(text: &str, any: &[&str]) -> bool {
    let t = text.to_lowercase();
    any.iter().any(|w| t.contains(w))
}

fn human_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// The service's name: the first heading without "disaster recovery plan" and the like, else
/// the plan's file name.
pub fn name(root: &Section, file: &str) -> String {
    let title = root
        .children
        .iter()
        .find(|s| s.level == 1)
        .or_else(|| root.children.first())
        .map(|s| s.title.clone())
        .unwrap_or_default();
    let mut name = title.clone();
    for noise in [
        "disaster recovery and business continuity plan",
        "disaster recovery & business continuity",
        "disaster recovery and business continuity",
        "business continuity plan",
        "disaster recovery plan",
        "business continuity",
        "disaster recovery",
        "dr plan",
        "runbook",
        "playbook",
    ] {
        let lower = name.to_lowercase();
        if let Some(at) = lower.find(noise)
            && lower.len() == name.len()
        {
            name.replace_range(at..at + noise.len(), "");
        }
    }
    let name = name
        .trim_matches(|c: char| c.is_whitespace() || "-–—:|&()".contains(c))
        .trim()
        .to_owned();
    if name.is_empty() {
        let stem = std::path::Path::new(file)
            .file_stem()
            .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
            .unwrap_or_default();
        if stem.trim().is_empty() { title } else { stem }
    } else {
        name
    }
}

/// Sections with their heading path, depth first.
pub fn walk<'a>(
    section: &'a Section,
    path: &mut Vec<&'a str>,
    f: &mut impl FnMut(&'a Section, &[&'a str]),
) {
    path.push(&section.title);
    f(section, path);
    for child in &section.children {
        walk(child, path, f);
    }
    path.pop();
}

/// Every block of a section, nested ones included, with whether it sits in a list item.
fn blocks_of(blocks: &[Block], f: &mut impl FnMut(&Block)) {
    for block in blocks {
        f(block);
        if let Block::List(list) = block {
            for item in &list.items {
                blocks_of(&item.blocks, f);
            }
        }
    }
}

/// Reads the service side of every section.
pub fn read(root: &Section, draft: &mut Draft) {
    let mut path = Vec::new();
    walk(root, &mut path, &mut |section, path| {
        if template(section, path, draft) {
            return;
        }
        let context = path.join(" / ");
        let mut tables_here = Vec::new();
        let mut codes = Vec::new();
        blocks_of(&section.blocks, &mut |b| match b {
            Block::Table(t) => tables_here.push(t.clone()),
            Block::Code(c) => codes.push(c.clone()),
            Block::Para(_) | Block::List(_) => {}
        });
        let lists_here: Vec<&List> = section
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::List(l) => Some(l),
                _ => None,
            })
            .collect();
        for code in codes {
            if code.lang == "mermaid" {
                super::graph::read(&code, draft);
            } else if super::literal::is_literal(&code.lang) {
                super::literal::read(&code, &context, draft);
            } else if matches!(code.lang.as_str(), "" | "text" | "txt" | "plain")
                && let Some(table) = tables::aligned(&code.text, code.line + 1)
            {
                tables_here.push(table);
            }
        }
        for table in &tables_here {
            table_of(table, &context, draft);
        }
        for list in lists_here {
            list_of(list, section, &context, draft);
        }
    });
}

fn table_of(table: &Table, context: &str, draft: &mut Draft) {
    if let Some(targets) = tables::targets(table) {
        return targets_of(&targets, table.line, draft);
    }
    if let Some(ladder) = tables::ladder(table) {
        let mut levels = Vec::new();
        for (after, person) in ladder {
            let role = person.role.clone();
            contact(person, draft);
            levels.push((after, vec![role]));
        }
        draft.escalation.push(EscalationDraft {
            severities: Severity::iter().collect(),
            levels,
            line: table.line,
        });
        draft.report.made(
            table.line,
            "escalation ladder: its levels for every severity, and a contact for each",
        );
        return;
    }
    if let Some((rows, untimed)) = tables::matrix(table) {
        for header in untimed {
            draft.report.human(
                table.line,
                format!("escalation column `{header}` gives no time; it was left out"),
            );
        }
        let count = rows.len();
        for row in rows {
            escalation_row(row.severity, row.levels, row.line, draft);
        }
        draft.report.made(
            table.line,
            format!("escalation matrix: {count} severities with their levels"),
        );
        return;
    }
    if let Some(people) = tables::contacts(table) {
        let count = people.len();
        for person in people {
            contact(person, draft);
        }
        draft
            .report
            .made(table.line, format!("contact table: {count} contacts"));
        return;
    }
    if let Some(rows) = tables::severities(table) {
        for (severity, meaning, _) in rows {
            draft.severities.entry(severity).or_insert(meaning);
        }
        draft
            .report
            .made(table.line, "severity definitions ([severity.*] meaning)");
        return;
    }
    let _ = context;
    draft.report.made(
        table.line,
        format!(
            "table ({}) not imported: it holds no targets, escalation, contacts or severities",
            table.header.join(" | ")
        ),
    );
}

fn targets_of(targets: &tables::Targets, line: usize, draft: &mut Draft) {
    for row in &targets.rows {
        if row.rto.is_none() && !row.rto_text.is_empty() && !words::is_placeholder(&row.rto_text) {
            draft.report.human(
                row.line,
                format!(
                    "RTO `{}` of `{}` not understood; left to the tier",
                    row.rto_text, row.name
                ),
            );
        }
        if row.rpo.is_none() && !row.rpo_text.is_empty() && !words::is_placeholder(&row.rpo_text) {
            draft.report.human(
                row.line,
                format!(
                    "RPO `{}` of `{}` not understood; left to the tier",
                    row.rpo_text, row.name
                ),
            );
        }
        if targets.per_tier {
            if let Some((name, rank)) = words::priority(&row.name) {
                tier_targets(draft, &name, rank, row.rto, row.rpo);
            }
            continue;
        }
        let tier = row.priority.clone().map(|(name, rank)| {
            tier_targets(draft, &name, rank, None, None);
            name
        });
        if row.priority.is_none() && !row.priority_text.is_empty() {
            draft.report.human(
                row.line,
                format!(
                    "priority `{}` of `{}` not understood",
                    row.priority_text, row.name
                ),
            );
        }
        add_component(
            draft,
            &row.name,
            tier,
            (row.rto, row.rpo),
            row.depends_on.clone(),
            format!("table \"{}\"", targets.name_header),
            row.line,
        );
    }
    let what = if targets.per_tier {
        format!("tier targets: {} tiers", targets.rows.len())
    } else {
        format!("components with targets: {}", targets.rows.len())
    };
    draft.report.made(line, what);
}

/// Records a tier; its first stated targets win.
pub fn tier_targets(
    draft: &mut Draft,
    name: &str,
    rank: usize,
    rto: Option<Duration>,
    rpo: Option<Duration>,
) {
    match draft.tiers.iter_mut().find(|t| t.name == name) {
        Some(tier) => {
            tier.rto = tier.rto.or(rto);
            tier.rpo = tier.rpo.or(rpo);
        }
        None => draft.tiers.push(TierDraft {
            name: name.to_owned(),
            rank,
            rto,
            rpo,
        }),
    }
}

/// Adds a component, or completes the one of that name already read.
fn add_component(
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

fn list_of(list: &List, section: &Section, context: &str, draft: &mut Draft) {
    let title = &section.title;
    if mentions(title, &["recovery time", "rto"]) || mentions(title, &["recovery point", "rpo"]) {
        return tier_list(list, title, draft);
    }
    if list
        .items
        .iter()
        .any(|i| label_severity(i.text.label.as_deref()).is_some())
    {
        return severity_list(list, draft);
    }
    if mentions(context, &["backup", "snapshot"]) {
        return backup_list(list, title, draft);
    }
    if mentions(
        title,
        &["response team", "incident team", "roles", "incident roles"],
    ) {
        return roles_list(list, draft);
    }
    if mentions(
        context,
        &[
            "contact", "team", "on-call", "oncall", "roster", "vendor", "people",
        ],
    ) {
        return contact_list(list, draft);
    }
    if mentions(
        title,
        &[
            "post-incident",
            "postmortem",
            "post-mortem",
            "retrospective",
            "review process",
        ],
    ) {
        let items: Vec<String> = list.items.iter().map(|i| i.text.whole()).collect();
        draft.report.made(
            list.line,
            format!("review template: {} sections to write up", items.len()),
        );
        draft.review = Some((words::strip_numbering(title), items));
    }
}

/// `P1`, `SEV-2` or `Severity 3` as a label (not bare `Critical`, which plans use for much else).
fn label_severity(label: Option<&str>) -> Option<Severity> {
    let label = label?;
    let lower = label.to_lowercase();
    let numbered = lower.starts_with('p') || lower.starts_with("sev");
    numbered.then(|| words::severity(label)).flatten()
}

fn severity_list(list: &List, draft: &mut Draft) {
    for item in &list.items {
        if let Some(severity) = label_severity(item.text.label.as_deref())
            && !item.text.rest.is_empty()
        {
            draft
                .severities
                .entry(severity)
                .or_insert_with(|| item.text.rest.clone());
        }
    }
    draft
        .report
        .made(list.line, "severity definitions ([severity.*] meaning)");
}

/// `**Critical Services**: 15 minutes` with the services nested under it (RTO), or
/// `**Critical Data**: 5 minutes` with data sets under it (RPO).
fn tier_list(list: &List, title: &str, draft: &mut Draft) {
    let rto_list = mentions(title, &["recovery time", "rto"]);
    for item in &list.items {
        let label = item.text.label.clone().unwrap_or_default();
        let Some(target) = words::duration(&item.text.rest) else {
            if !item.text.rest.is_empty() {
                draft.report.human(
                    item.line,
                    format!("target `{}` of `{label}` not understood", item.text.rest),
                );
            }
            continue;
        };
        let (rto, rpo) = if rto_list {
            (Some(target), None)
        } else {
            (None, Some(target))
        };
        let nested: Vec<&Item> = item
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::List(l) => Some(l.items.iter()),
                _ => None,
            })
            .flatten()
            .collect();
        match words::priority(&label) {
            Some((tier, rank)) => {
                tier_targets(draft, &tier, rank, rto, rpo);
                let what = if rto_list { "RTO" } else { "RPO" };
                let mut text = format!("tier `{tier}`: {what} {}", human_duration(target));
                if rto_list {
                    for service in &nested {
                        let name = service.text.whole();
                        add_component(
                            draft,
                            &name,
                            Some(tier.clone()),
                            (None, None),
                            Vec::new(),
                            format!("\"{label}\""),
                            service.line,
                        );
                    }
                    let _ = write!(text, ", {} components", nested.len());
                } else if !nested.is_empty() {
                    let data: Vec<String> = nested.iter().map(|i| i.text.whole()).collect();
                    let _ = write!(text, " (for {}: data, not components)", data.join(", "));
                }
                draft.report.made(item.line, text);
            }
            None if !label.is_empty() => {
                add_component(
                    draft,
                    &label,
                    None,
                    (rto, rpo),
                    Vec::new(),
                    format!("\"{title}\""),
                    item.line,
                );
                draft.report.made(item.line, format!("component `{label}`"));
            }
            None => {}
        }
    }
}

/// Schedules: `**Frequency**: Every 6 hours` under "Database Backups", or
/// `**Critical databases**: Every 2 hours`.
fn backup_list(list: &List, title: &str, draft: &mut Draft) {
    const NOT_SCHEDULES: [&str; 9] = [
        "retention",
        "storage",
        "verification",
        "verify",
        "location",
        "encryption",
        "owner",
        "tool",
        "test",
    ];
    for item in &list.items {
        let Some(label) = item.text.label.as_deref() else {
            continue;
        };
        if mentions(label, &NOT_SCHEDULES) {
            continue;
        }
        let schedule = mentions(
            label,
            &["frequency", "schedule", "cadence", "interval", "how often"],
        );
        let name = if schedule {
            words::strip_numbering(title)
        } else {
            label.to_owned()
        };
        match words::frequency(&item.text.rest) {
            Some(every) => {
                draft.backups.push((
                    title.to_owned(),
                    BackupDraft {
                        name,
                        every,
                        line: item.line,
                    },
                ));
            }
            None if schedule => draft.report.human(
                item.line,
                format!(
                    "backup schedule `{}` of `{name}` is not a period; no stream made",
                    item.text.rest
                ),
            ),
            None => {}
        }
    }
}

fn roles_list(list: &List, draft: &mut Draft) {
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
fn contact_list(list: &List, draft: &mut Draft) {
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
fn contact(person: Person, draft: &mut Draft) {
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
    let mut taken: Vec<String> = draft.contacts.iter().map(|c| c.id.clone()).collect();
    let id = words::unique_slug(&person.role, "contact", &mut taken);
    draft.contacts.push(ContactDraft {
        id,
        name: person.name.unwrap_or_else(|| person.role.clone()),
        role: person.role,
        phone: person.phone,
        email: person.email,
        line: person.line,
    });
}

fn escalation_row(
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

/// Resolves names into ids once everything is read: dependencies, backups, who each
/// escalation level calls, and the tiers every component needs.
pub fn settle(draft: &mut Draft) {
    graph_components(draft);
    dependencies(draft);
    backups(draft);
    escalation(draft);
    tiers(draft);
}

/// Without components from tables or lists, the diagram's nodes are the components.
fn graph_components(draft: &mut Draft) {
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

fn dependencies(draft: &mut Draft) {
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

/// Backup streams go to the components their section or name points at: by name (`Database
/// Backups` → the database), else by tier (`Critical databases` → every critical component).
fn backups(draft: &mut Draft) {
    for (section, backup) in std::mem::take(&mut draft.backups) {
        let text = format!("{section} {}", backup.name).to_lowercase();
        let by_name: Vec<usize> = (0..draft.components.len())
            .filter(|&i| {
                let name = draft.components[i].name.to_lowercase();
                let words = distinctive(&name);
                (name.contains("database") && text.contains("database"))
                    || words.iter().any(|w| text.contains(w.as_str()))
            })
            .collect();
        let targets = if by_name.is_empty() {
            match words::priority(&backup.name) {
                Some((tier, _)) => (0..draft.components.len())
                    .filter(|&i| draft.components[i].tier.as_deref() == Some(tier.as_str()))
                    .collect(),
                None => Vec::new(),
            }
        } else {
            by_name
        };
        if targets.is_empty() {
            draft.report.human(
                backup.line,
                format!("backup stream `{}` matches no component; add it under the right [[component]] by hand", backup.name),
            );
            continue;
        }
        let names: Vec<String> = targets
            .iter()
            .map(|&i| draft.components[i].id.clone())
            .collect();
        draft.report.made(
            backup.line,
            format!(
                "backup stream `{}` (every {}) → {}",
                backup.name,
                human_duration(backup.every),
                names.join(", ")
            ),
        );
        for i in targets {
            draft.components[i].backups.push(backup.clone());
        }
    }
}

/// Who each level calls, as contact ids; people the matrix names but no contact list has
/// become contacts to fill in. `All hands` calls every contact.
fn escalation(draft: &mut Draft) {
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

/// Every tier a component names exists, with budgets: the plan's, else the tightest of its
/// components, else warroom's for a built-in name. Components with no tier take the lowest.
fn tiers(draft: &mut Draft) {
    let default_tier = |d: &Draft| {
        d.tiers
            .iter()
            .max_by_key(|t| t.rank)
            .map(|t| t.name.clone())
    };
    let fallback = default_tier(draft).unwrap_or_else(|| "standard".to_owned());
    let untiered: Vec<String> = draft
        .components
        .iter()
        .filter(|c| c.tier.is_none())
        .map(|c| c.name.clone())
        .collect();
    if !untiered.is_empty() {
        draft.report.human(
            0,
            format!(
                "the plan gives no tier for {}: tier `{fallback}` assumed",
                untiered.join(", ")
            ),
        );
        if !draft.tiers.iter().any(|t| t.name == fallback) {
            let rank = words::priority(&fallback).map_or(2, |(_, r)| r);
            tier_targets(draft, &fallback, rank, None, None);
        }
    }
    for c in &mut draft.components {
        c.tier.get_or_insert_with(|| fallback.clone());
    }
    draft.tiers.sort_by_key(|t| t.rank);
    let built_in = |name: &str| {
        crate::config::tier::BUILT_IN
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, rto, rpo)| (Duration::from_secs(*rto), Duration::from_secs(*rpo)))
    };
    let components = draft.components.clone();
    for tier in &mut draft.tiers {
        let members = components
            .iter()
            .filter(|c| c.tier.as_deref() == Some(&tier.name));
        let tightest =
            |f: fn(&ComponentDraft) -> Option<Duration>| members.clone().filter_map(f).min();
        if tier.rto.is_none() {
            tier.rto = tightest(|c| c.rto).or_else(|| built_in(&tier.name).map(|b| b.0));
        }
        if tier.rpo.is_none() {
            tier.rpo = tightest(|c| c.rpo).or_else(|| built_in(&tier.name).map(|b| b.1));
        }
    }
}

/// Says, for every section with text of its own that nothing came from, that it was read.
pub fn unused_sections(root: &Section, report: &mut Report) {
    let mut sections: Vec<(usize, usize, String, bool)> = Vec::new();
    let mut path = Vec::new();
    walk(root, &mut path, &mut |s, _| {
        if s.line > 0 {
            sections.push((s.line, s.level, s.title.clone(), !s.blocks.is_empty()));
        }
    });
    sections.sort_by_key(|s| s.0);
    let end_of = |i: usize| {
        sections[i + 1..]
            .iter()
            .find(|s| s.1 <= sections[i].1)
            .map_or(usize::MAX, |s| s.0)
    };
    let spans: Vec<(usize, usize)> = (0..sections.len())
        .map(|i| (sections[i].0, end_of(i)))
        .collect();
    let covered: Vec<(usize, usize)> = spans
        .iter()
        .copied()
        .filter(|(line, _)| report.covered.contains(line))
        .collect();
    let used: Vec<usize> = report
        .made
        .iter()
        .chain(&report.human)
        .map(|e| e.line)
        .collect();
    for (i, (line, _, title, own)) in sections.iter().enumerate() {
        let (from, to) = spans[i];
        let in_runbook = covered.iter().any(|&(a, b)| a <= from && from < b);
        if *own && !in_runbook && !used.iter().any(|&u| u >= from && u < to) {
            report.made(
                *line,
                format!("\"{title}\": read; nothing in it maps to warroom"),
            );
        }
    }
}

/// Message templates: code blocks under a "notification templates" heading, one per subheading.
pub fn template(section: &Section, path: &[&str], draft: &mut Draft) -> bool {
    if !path.iter().any(|p| mentions(p, &["template"])) || mentions(&path.join(" "), &["review"]) {
        return false;
    }
    let Some(Block::Code(code)) = section.blocks.iter().find(|b| matches!(b, Block::Code(_)))
    else {
        return false;
    };
    let name = words::strip_numbering(&section.title);
    draft.templates.push(TemplateDraft {
        name: name.clone(),
        text: code.text.trim_end().to_owned(),
    });
    draft
        .report
        .made(code.line, format!("message template `{name}`"));
    true
}

/// A tier named with no targets of its own.
pub fn tier(draft: &mut Draft, name: &str, rank: usize) {
    tier_targets(draft, name, rank, None, None);
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
