//! The service side of a plan: its name, components and their targets, severity meanings, roles,
//! message templates and the review, read section by section (tiers, dependencies, backups and
//! escalation each have a file of their own).

use super::backups::{backup_list, backups};
use super::components::add_component;
use super::dependencies::{dependencies, graph_components};
use super::escalation::{self, contact, contact_list, escalation, escalation_row, roles_list};
use super::outline::{Block, List, Section, Table};
use super::tables;
use super::tiers::{tier_list, tier_targets, tiers};
use super::words::mentions;
use super::{Draft, Report, TemplateDraft, words};
use crate::domain::Severity;

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

/// `### 1. Application Code & Static Content (CRITICAL)` under a heading about components,
/// services or systems: a component, of the tier its parenthesis names.
fn heading_component(section: &Section, path: &[&str], draft: &mut Draft) {
    let Some(parent) = path.len().checked_sub(2).map(|i| path[i]) else {
        return;
    };
    if !mentions(parent, &["component", "service", "system", "application"]) {
        return;
    }
    let Some((name, priority)) = section
        .title
        .trim()
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once('('))
    else {
        return;
    };
    let Some((tier, rank)) = words::priority(priority) else {
        return;
    };
    let name = words::strip_numbering(name.trim());
    if name.is_empty() {
        return;
    }
    tier_targets(draft, &tier, rank, None, None);
    let origin = format!("heading \"{}\"", section.title);
    super::components::of_tier(draft, &name, &tier, origin, section.line);
    draft
        .report
        .made(section.line, format!("component `{name}` (tier `{tier}`)"));
}

/// Reads the service side of every section.
pub fn read(root: &Section, draft: &mut Draft) {
    let mut path = Vec::new();
    let document_title = root
        .children
        .iter()
        .find(|s| s.level == 1)
        .map(|s| s.title.as_str());
    walk(root, &mut path, &mut |section, path| {
        if path.iter().any(|p| words::is_example(p)) {
            if words::is_example(&section.title) {
                let what = format!("\"{}\": an example, not imported", section.title);
                draft.report.made(section.line, what);
            }
            return;
        }
        if template(section, path, draft) {
            return;
        }
        heading_component(section, path, draft);
        let context = path.join(" / ");
        // The path below the document's title: a plan titled `Backup & Disaster Recovery` is
        // not about backups in every list.
        let local = path
            .iter()
            .filter(|p| !p.is_empty() && Some(**p) != document_title)
            .copied()
            .collect::<Vec<_>>()
            .join(" / ");
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
                super::graph::read(&code, &local, draft);
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
            list_of(list, section, (&context, &local), draft);
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
        let made = "escalation ladder: its levels for every severity, and a contact for each";
        super::escalation::ladder(levels, table.line, made.to_owned(), draft);
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
        for (severity, meaning, line) in rows {
            if draft.severities.contains_key(&severity) {
                draft.report.human(
                    line,
                    format!("this severity is read as {severity}, which a row above defines already (warroom has P1 to P4): `{meaning}` is left out; merge it by hand"),
                );
                continue;
            }
            draft.severities.insert(severity, meaning);
        }
        draft
            .report
            .made(table.line, "severity definitions ([severity.*] meaning)");
        return;
    }
    let _ = context;
    // A table of steps is its section's runbook (procedures.rs says what it became).
    if tables::steps(table).is_some() {
        return;
    }
    let why = if tables::has_targets(table) {
        "its rows are scenarios or failures, not components: their RTO and RPO are kept in the \
         plan, not given to a component"
    } else {
        "it holds no targets, escalation, contacts or severities"
    };
    draft.report.made(
        table.line,
        format!("table ({}) not imported: {why}", table.header.join(" | ")),
    );
}

/// `Critical (Auth, API)`: the components a tier's row names in its parenthesis.
fn tier_members(cell: &str, tier: &str, line: usize, draft: &mut Draft) {
    let Some(inside) = cell
        .split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(inside, _)| inside)
    else {
        return;
    };
    let members = tables::split_names(inside);
    if members.is_empty() {
        return;
    }
    for member in &members {
        super::components::of_tier(draft, member, tier, format!("tier row \"{cell}\""), line);
    }
    draft.report.made(
        line,
        format!("tier `{tier}` with components {}", members.join(", ")),
    );
}

fn targets_of(targets: &tables::Targets, line: usize, draft: &mut Draft) {
    for &row in &targets.unnamed {
        draft.report.human(
            row,
            "a row with targets but no name (a merged cell?) was left out: name what it is for",
        );
    }
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
                tier_members(&row.name, &name, row.line, draft);
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

fn list_of(list: &List, section: &Section, (context, local): (&str, &str), draft: &mut Draft) {
    let title = &section.title;
    // `- **RTO** (Recovery Time Objective): < 1 hour` under any heading (one target a label:
    // `**RTO/RPO Targets:** achievable` is a remark).
    let labelled_target = list.items.iter().any(|i| {
        i.text
            .label
            .as_deref()
            .is_some_and(|l| tables::is_rto(l) != tables::is_rpo(l))
    });
    if labelled_target
        || mentions(title, &["recovery time", "rto"])
        || mentions(title, &["recovery point", "rpo"])
    {
        return tier_list(list, title, draft);
    }
    if list
        .items
        .iter()
        .any(|i| label_severity(i.text.label.as_deref()).is_some())
    {
        return severity_list(list, draft);
    }
    if mentions(local, &["backup", "snapshot"]) {
        return backup_list(list, title, draft);
    }
    if mentions(
        title,
        &["response team", "incident team", "roles", "incident roles"],
    ) {
        return roles_list(list, draft);
    }
    let here = format!("{local} / {title}");
    if escalation::ladder_list(list, &here, draft)
        || escalation::order_list(list, title, draft)
        || escalation::people_list(list, draft)
    {
        return;
    }
    // Channels (`**Customer Communication**: [PROCEDURE]`) are where to talk, not whom to call.
    if mentions(
        context,
        &[
            "contact", "team", "on-call", "oncall", "roster", "vendor", "people",
        ],
    ) && !mentions(title, &["channel"])
    {
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

/// Resolves names into ids once everything is read: dependencies, backups, who each
/// escalation level calls, and the tiers every component needs.
pub fn settle(draft: &mut Draft) {
    graph_components(draft);
    super::tiers::whole_service(draft);
    dependencies(draft);
    backups(draft);
    escalation(draft);
    tiers(draft);
    super::backups::contradictions(draft);
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_heading_with_a_criticality_under_components_is_a_component() {
        let plan = "# Shop DR\n\n## Backup strategy by component\n\n\
            ### 1. Application Code (CRITICAL)\n\nBacked up by git.\n\n\
            ### 2. Analytics (IMPORTANT)\n\nRedis snapshots.\n\n\
            ## Scenarios\n\n### Lost commit (rare)\n\n1. Revert\n2. Redeploy\n";
        let (_, config) = crate::import::imported(plan);
        assert!(config.contains("name = \"Application Code\""), "{config}");
        assert!(config.contains("tier = \"critical\""), "{config}");
        assert!(config.contains("name = \"Analytics\""), "{config}");
        assert!(
            !config.contains("Lost commit"),
            "not under components: {config}"
        );
    }

    #[test]
    fn examples_and_drawings_are_neither_facts_nor_procedures() {
        let plan = "# Shop DR\n\n## Targets\n\n| Component | RTO | RPO |\n|---|---|---|\n\
            | Database | 1h | 5m |\n\n**Example:**\n\n| Component | RTO | RPO |\n|---|---|---|\n\
            | Order Processing | 4h | 15m |\n\n## Recovery order\n\n```\n┌──────┐\n│ DB   │\n\
            └──┬───┘\n   ▼\n```\n\n## Restore the database\n\n1. Stop writes\n2. Restore\n";
        let (kit, config) = crate::import::imported(plan);
        assert!(
            config.contains("Database") && !config.contains("Order Processing"),
            "{config}"
        );
        let runbooks: Vec<&str> = kit
            .files
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| p.starts_with("runbooks/"))
            .collect();
        assert_eq!(runbooks, ["runbooks/restore-the-database.md"]);
        assert!(
            kit.report
                .made
                .iter()
                .any(|e| e.text == "\"Example\": an example, not imported"),
            "{:?}",
            kit.report.made
        );
    }
}
