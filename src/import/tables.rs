//! What a plan's table holds, told by its column names and cells: components with targets,
//! tier targets, an escalation matrix, contacts or severity definitions.

use std::time::Duration;

use super::outline::{Row, Table};
use super::words;
use crate::domain::Severity;

/// Lowercased header text contains any of `words`.
fn names(header: &str, any: &[&str]) -> bool {
    let h = header.to_lowercase();
    any.iter().any(|w| h.contains(w))
}

/// The header holds `acronym` as a word of its own (`RPO (h)`, `RTO/RPO`), not inside another
/// word (`Purpose`).
fn says(header: &str, acronym: &str) -> bool {
    header
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == acronym || w.strip_suffix('s') == Some(acronym))
}

/// A recovery time objective, not the maximum tolerable downtime (MTD, MTPD, MAO), which is
/// the outer bound the RTO must stay within.
pub(super) fn is_rto(h: &str) -> bool {
    says(h, "rto")
        || (names(h, &["recovery time", "time to recover", "restore time"]) && !is_mtd(h))
}

/// The maximum tolerable downtime: read as the RTO only where a plan gives no RTO.
pub(super) fn is_mtd(h: &str) -> bool {
    ["mtd", "mtpd", "mao"].iter().any(|a| says(h, a)) || names(h, &["downtime", "tolerable"])
}

pub(super) fn is_rpo(h: &str) -> bool {
    says(h, "rpo") || names(h, &["recovery point", "data loss"])
}

/// The RTO column, or else the maximum tolerable downtime's.
fn rto_column(table: &Table) -> Option<usize> {
    column(table, is_rto).or_else(|| column(table, is_mtd))
}

/// A measured figure rather than the target (`Current RTO`, `Actual`).
fn is_measured(h: &str) -> bool {
    names(
        h,
        &[
            "current", "actual", "achieved", "measured", "observed", "last",
        ],
    )
}

fn is_priority(h: &str) -> bool {
    names(
        h,
        &[
            "priority",
            "tier",
            "criticality",
            "class",
            "importance",
            "impact level",
        ],
    )
}

fn is_depends(h: &str) -> bool {
    names(h, &["depend", "upstream", "requires", "relies"])
}

/// The first column whose header passes `test`, preferring one that says "target".
fn column(table: &Table, test: impl Fn(&str) -> bool) -> Option<usize> {
    let candidates: Vec<usize> = (0..table.header.len())
        .filter(|&i| test(&table.header[i]) && !is_measured(&table.header[i]))
        .collect();
    candidates
        .iter()
        .copied()
        .find(|&i| names(&table.header[i], &["target", "objective", "goal"]))
        .or_else(|| candidates.first().copied())
}

fn cell(row: &Row, i: usize) -> &str {
    row.cells.get(i).map_or("", String::as_str)
}

/// One row of a table of targets.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub name: String,
    pub rto: Option<Duration>,
    pub rpo: Option<Duration>,
    /// The cells as written, for the report when they are not understood.
    pub rto_text: String,
    pub rpo_text: String,
    pub priority: Option<(String, usize)>,
    pub priority_text: String,
    pub depends_on: Vec<String>,
    pub line: usize,
}

/// A table of RTO/RPO targets: per component, or per tier when its first column names tiers.
#[derive(Debug, Clone)]
pub struct Targets {
    pub per_tier: bool,
    pub rows: Vec<TargetRow>,
    pub name_header: String,
    /// Lines of rows with targets but an empty name cell (a merged cell, a continuation).
    pub unnamed: Vec<usize>,
}

/// Whether a table has an RTO or RPO column.
#[must_use]
pub fn has_targets(table: &Table) -> bool {
    rto_column(table).is_some() || column(table, is_rpo).is_some()
}

/// The column of a targets table that holds the names of what is recovered: one headed so
/// (component, service, system, application...), else the first that is not a target, a rank,
/// a number or a priority. `None` when the rows are scenarios or failures (their RTO is a
/// scenario's, not a component's).
fn name_column(table: &Table) -> Option<usize> {
    let header = |i: usize| table.header[i].as_str();
    let target = |i: usize| {
        let h = header(i);
        is_rto(h) || is_mtd(h) || is_rpo(h) || is_depends(h)
    };
    let numbers = |i: usize| {
        table.rows.iter().all(|r| {
            let c = cell(r, i).trim().trim_matches('*').trim_start_matches('#');
            c.is_empty() || c.parse::<f64>().is_ok()
        })
    };
    let ranking = |i: usize| {
        names(
            header(i),
            &["rank", "#", "no", "number", "order", "priority", "id"],
        ) || is_priority(header(i))
    };
    let candidates: Vec<usize> = (0..table.header.len())
        .filter(|&i| !target(i) && !numbers(i) && !ranking(i))
        .collect();
    let named = candidates.iter().copied().find(|&i| {
        names(
            header(i),
            &[
                "component",
                "service",
                "system",
                "application",
                "app",
                "asset",
                "workload",
                "process",
                "function",
                "database",
                "resource",
                "name",
            ],
        )
    });
    let name = named.or_else(|| candidates.first().copied())?;
    let scenarios = [
        "scenario", "disaster", "failure", "incident", "event", "threat", "risk", "outage",
    ];
    (!names(header(name), &scenarios)).then_some(name)
}

/// Reads a table with an RTO or RPO column.
#[must_use]
pub fn targets(table: &Table) -> Option<Targets> {
    let rto = rto_column(table);
    let rpo = column(table, is_rpo);
    if rto.is_none() && rpo.is_none() {
        return None;
    }
    // With no column of names, a first column of tiers (`| Service Tier | RTO |` with
    // `Critical (Auth, API)`) makes the table one of tier targets.
    let tiers_first = || {
        let first = table.header.first()?;
        let all_tiers = !table.rows.is_empty()
            && table.rows.iter().all(|r| {
                words::priority(cell(r, 0)).is_some() || words::is_placeholder(cell(r, 0))
            });
        (is_priority(first) && all_tiers).then_some(0)
    };
    let name = name_column(table).or_else(tiers_first)?;
    let priority = column(table, is_priority).filter(|&i| i != name);
    let depends = column(table, is_depends);
    let rows: Vec<TargetRow> = table
        .rows
        .iter()
        .filter(|row| !words::is_placeholder(cell(row, name)))
        .map(|row| {
            let text = |i: Option<usize>| i.map(|i| cell(row, i).to_owned()).unwrap_or_default();
            TargetRow {
                name: cell(row, name).trim_matches('*').trim().to_owned(),
                rto: rto.and_then(|i| words::duration(cell(row, i))),
                rpo: rpo.and_then(|i| words::duration(cell(row, i))),
                rto_text: text(rto),
                rpo_text: text(rpo),
                priority: priority.and_then(|i| words::priority(cell(row, i))),
                priority_text: text(priority),
                depends_on: depends
                    .map(|i| split_names(cell(row, i)))
                    .unwrap_or_default(),
                line: row.line,
            }
        })
        .collect();
    let name_header = table.header[name].clone();
    let per_tier = is_priority(&name_header)
        || (!rows.is_empty() && rows.iter().all(|r| words::priority(&r.name).is_some()));
    let unnamed = table
        .rows
        .iter()
        .filter(|row| cell(row, name).trim().is_empty())
        .filter(|row| {
            [rto, rpo]
                .iter()
                .flatten()
                .any(|&i| !cell(row, i).trim().is_empty())
        })
        .map(|row| row.line)
        .collect();
    Some(Targets {
        per_tier,
        rows,
        name_header,
        unnamed,
    })
}

/// `Database, Auth and Storage` → the three names; placeholders dropped.
#[must_use]
pub fn split_names(text: &str) -> Vec<String> {
    if words::is_placeholder(text) {
        return Vec::new();
    }
    text.split([',', ';', '/', '+', '&'])
        .flat_map(|part| part.split(" and "))
        .map(|s| s.trim().trim_matches('*').trim().to_owned())
        .filter(|s| !words::is_placeholder(s))
        .collect()
}

/// One escalation row: a severity and who is called after how long.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub severity: Severity,
    pub levels: Vec<(Duration, Vec<String>)>,
    pub line: usize,
}

/// The delay a column header of an escalation matrix stands for: `Initial Response` → 0,
/// `Escalation (15 min)` → 15m, `After 1 hour` → 1h.
fn level_delay(header: &str) -> Option<Duration> {
    words::duration(header).or_else(|| {
        names(
            header,
            &[
                "initial",
                "first",
                "immediate",
                "primary",
                "page",
                "on-call",
            ],
        )
        .then_some(Duration::ZERO)
    })
}

/// An escalation matrix: a severity per row, then who is called at each column's time.
/// Returns the rows and the headers of columns that give no time.
#[must_use]
pub fn matrix(table: &Table) -> Option<(Vec<Matrix>, Vec<String>)> {
    let first = table.header.first()?;
    let severities: Vec<Option<Severity>> = table
        .rows
        .iter()
        .map(|r| words::severity(cell(r, 0)))
        .collect();
    let by_header = names(first, &["severity", "sev", "priority", "incident", "level"]);
    if table.rows.is_empty() || !(by_header || severities.iter().all(Option::is_some)) {
        return None;
    }
    if !names(
        &table.header.join(" "),
        &["escalat", "response", "notify", "contact", "page", "call"],
    ) {
        return None;
    }
    let mut untimed = Vec::new();
    let columns: Vec<(usize, Duration)> = (1..table.header.len())
        .filter_map(|i| match level_delay(&table.header[i]) {
            Some(d) => Some((i, d)),
            None => {
                untimed.push(table.header[i].clone());
                None
            }
        })
        .collect();
    if columns.is_empty() {
        return None;
    }
    let rows = table
        .rows
        .iter()
        .zip(severities)
        .filter_map(|(row, severity)| {
            let levels = columns
                .iter()
                .map(|&(i, after)| (after, split_names(cell(row, i))))
                .filter(|(_, who)| !who.is_empty())
                .collect();
            Some(Matrix {
                severity: severity?,
                levels,
                line: row.line,
            })
        })
        .collect();
    Some((rows, untimed))
}

/// A person or role to call.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub role: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub line: usize,
}

fn real(text: &str) -> Option<String> {
    let t = text.trim();
    (!words::is_placeholder(t)).then(|| t.to_owned())
}

/// A contact table: a role or name column with phone or email beside it.
#[must_use]
pub fn contacts(table: &Table) -> Option<Vec<Person>> {
    let find = |any: &[&str]| (0..table.header.len()).find(|&i| names(&table.header[i], any));
    let role = find(&["role", "function", "position", "title", "team"]);
    let name = find(&["name", "person", "contact", "who"]).filter(|&i| Some(i) != role);
    let phone = find(&["phone", "mobile", "cell", "tel"]);
    let email = find(&["email", "e-mail", "mail"]);
    // How to reach them: a phone or email column, or one of contact details beside the names.
    let details = find(&["contact"]).filter(|&i| Some(i) != name && Some(i) != role);
    if phone.is_none() && email.is_none() && details.is_none() {
        return None;
    }
    // With no role column, the first column names what each row is for (`Department`,
    // `Organization`).
    let role = role.or_else(|| Some(0).filter(|i| ![name, phone, email].contains(&Some(*i))));
    if role.is_none() && name.is_none() {
        return None;
    }
    let people = table
        .rows
        .iter()
        .filter_map(|row| {
            let get = |i: Option<usize>| i.and_then(|i| real(cell(row, i)));
            let person = Person {
                role: get(role).or_else(|| get(name))?,
                name: get(name).filter(|_| role.is_some()),
                phone: get(phone),
                email: get(email),
                line: row.line,
            };
            Some(person)
        })
        .collect();
    Some(people)
}

/// A table of severity definitions: a first column of severities (named so, or holding `P1`,
/// `SEV-2`… in every row) and what each means beside it (a description, or its type and an
/// example: `Critical: complete outage`).
#[must_use]
pub fn severities(table: &Table) -> Option<Vec<(Severity, String, usize)>> {
    let first = table.header.first()?;
    let by_value = table.rows.len() >= 2
        && table
            .rows
            .iter()
            .all(|row| words::severity(cell(row, 0)).is_some());
    let named = names(first, &["severity", "sev", "priority", "level"]);
    if !(named || by_value) || table.header.len() < 2 {
        return None;
    }
    let find = |any: &[&str]| (1..table.header.len()).find(|&i| names(&table.header[i], any));
    let meaning = find(&["description", "meaning", "definition", "criteria", "impact"]);
    let kind = find(&["type", "name", "class", "label"]);
    let example = find(&["example"]);
    let (head, detail) = match (meaning, kind, example) {
        (Some(m), _, _) => (m, None),
        (None, Some(k), e) => (k, e),
        (None, None, Some(e)) => (e, None),
        (None, None, None) => return None,
    };
    let rows: Vec<_> = table
        .rows
        .iter()
        .filter_map(|row| {
            let severity = words::severity(cell(row, 0))?;
            let mut text = real(cell(row, head))?;
            if let Some(more) = detail.and_then(|d| real(cell(row, d))) {
                text = format!("{text}: {more}");
            }
            Some((severity, text, row.line))
        })
        .collect();
    (!rows.is_empty()).then_some(rows)
}

/// A table typed as aligned columns inside a plain code block (`Role  Name  Phone`): the
/// columns are cut where the header has two or more spaces.
#[must_use]
pub fn aligned(text: &str, line: usize) -> Option<Table> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let (_, head) = *lines.first()?;
    let starts = column_starts(head);
    if starts.len() < 3 || lines.len() < 2 {
        return None;
    }
    let cut = |l: &str| -> Vec<String> {
        starts
            .iter()
            .enumerate()
            .map(|(k, &from)| {
                let to = starts.get(k + 1).copied().unwrap_or(usize::MAX);
                let chars: String = l.chars().skip(from).take(to.saturating_sub(from)).collect();
                chars.trim().to_owned()
            })
            .collect()
    };
    let rows = lines[1..]
        .iter()
        .map(|&(i, l)| Row {
            cells: cut(l),
            line: line + 1 + i,
        })
        .collect();
    Some(Table {
        header: cut(head),
        rows,
        line,
    })
}

/// Where each column of an aligned header starts: after two or more spaces.
fn column_starts(head: &str) -> Vec<usize> {
    let chars: Vec<char> = head.chars().collect();
    let mut starts = Vec::new();
    let mut spaces = 2;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            spaces += 1;
        } else {
            if spaces >= 2 {
                starts.push(i);
            }
            spaces = 0;
        }
    }
    starts
}

/// A procedure written as a table (`| Step | Action | Owner | Target time |`): each row's
/// action, and the row's other cells as `Header: value` lines. None unless an action column
/// exists and there are two rows or more.
#[must_use]
pub fn steps(table: &Table) -> Option<Vec<(String, Vec<String>, usize)>> {
    let action = (0..table.header.len()).find(|&i| {
        names(
            &table.header[i],
            &["action", "task", "activity", "what to do"],
        )
    })?;
    if table.rows.len() < 2 {
        return None;
    }
    let rows = table
        .rows
        .iter()
        .filter(|row| !cell(row, action).trim().is_empty())
        .map(|row| {
            let notes = (0..table.header.len())
                .filter(|&i| i != action && !is_ordinal(&table.header[i]))
                .filter(|&i| !words::is_placeholder(cell(row, i)))
                .map(|i| format!("{}: {}", table.header[i].trim(), cell(row, i).trim()))
                .collect();
            (cell(row, action).trim().to_owned(), notes, row.line)
        })
        .collect();
    Some(rows)
}

/// A column that only numbers the rows (`#`, `Step`, `No.`).
fn is_ordinal(header: &str) -> bool {
    let h = header.trim().to_lowercase();
    matches!(
        h.as_str(),
        "#" | "step" | "no" | "no." | "nr" | "order" | "seq" | "n"
    )
}

/// An escalation ladder: one row per level, with who is called and after how long
/// (`| Level | Who | Phone | Page after |`). Returns each level's delay and person.
#[must_use]
pub fn ladder(table: &Table) -> Option<Vec<(Option<Duration>, Person)>> {
    // Steps with who does them are a procedure, not whom to call.
    if steps(table).is_some() {
        return None;
    }
    let find = |any: &[&str]| (0..table.header.len()).find(|&i| names(&table.header[i], any));
    let level = find(&["level", "step", "order", "stage", "#"])?;
    // When a level is called; a response time is how fast it must answer, not when it is called.
    let after = (0..table.header.len()).find(|&i| {
        let h = &table.header[i];
        i != level
            && names(
                h,
                &["after", "time", "when", "within", "wait", "delay", "sla"],
            )
            && !names(h, &["response", "resolution", "resolve", "sla"])
    });
    let who = find(&[
        "who",
        "contact",
        "name",
        "role",
        "responsible",
        "assigned",
        "escalate to",
        "notify",
        "owner",
        "person",
    ])
    .filter(|&i| i != level && Some(i) != after)?;
    let phone = find(&["phone", "mobile", "cell", "tel"]);
    let email = find(&["email", "e-mail", "mail"]);
    let numbered = table.rows.iter().all(|r| {
        cell(r, level)
            .trim_start_matches(['L', 'l'])
            .trim()
            .parse::<u32>()
            .is_ok()
    });
    if table.rows.is_empty() || !numbered {
        return None;
    }
    let rows = table
        .rows
        .iter()
        .filter_map(|row| {
            let role = real(cell(row, who))?;
            let delay = after.and_then(|i| words::duration(cell(row, i)));
            let get = |i: Option<usize>| i.and_then(|i| real(cell(row, i)));
            Some((
                delay,
                Person {
                    role,
                    name: None,
                    phone: get(phone),
                    email: get(email),
                    line: row.line,
                },
            ))
        })
        .collect();
    Some(rows)
}

#[cfg(test)]
#[path = "tests/tables.rs"]
mod tests;
