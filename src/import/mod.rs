//! `warroom import PLAN.md`: a disaster-recovery plan in Markdown, read into a kit (config,
//! runbooks, one drill per scenario, review template) with a report of what each part of the
//! plan became and what needs a human. Reading is pure: [`import`] takes the plan's text and
//! returns the files; the command writes them.

mod backups;
mod components;
mod dependencies;
mod drills;
mod escalation;
mod graph;
mod html;
mod kit;
mod literal;
mod literal_runbooks;
mod naming;
mod outline;
mod procedures;
mod service;
mod steps;
mod tables;
mod tiers;
mod words;

#[cfg(test)]
#[path = "tests/hostile.rs"]
mod hostile;

use std::collections::BTreeMap;
use std::time::Duration;

use crate::domain::Severity;
pub use kit::{report_text, write};

/// One line of the report: where in the plan, and what it became or what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: usize,
    pub text: String,
}

/// What the import made of the plan.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub plan: String,
    /// What each part of the plan became, in plan order.
    pub made: Vec<Entry>,
    /// What a person should look at.
    pub human: Vec<Entry>,
    /// Lines of sections whose whole content one element took (a runbook).
    pub covered: Vec<usize>,
}

impl Report {
    fn made(&mut self, line: usize, text: impl Into<String>) {
        self.made.push(Entry {
            line,
            text: text.into(),
        });
    }

    fn human(&mut self, line: usize, text: impl Into<String>) {
        self.human.push(Entry {
            line,
            text: text.into(),
        });
    }
}

/// A tier as the plan gives it.
#[derive(Debug, Clone)]
struct TierDraft {
    name: String,
    rank: usize,
    rto: Option<Duration>,
    rpo: Option<Duration>,
    /// Why a target the plan does not give has the value it has (`rto`, the reason).
    assumed: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone)]
struct BackupDraft {
    name: String,
    every: Duration,
    line: usize,
}

#[derive(Debug, Clone)]
struct ComponentDraft {
    id: String,
    name: String,
    tier: Option<String>,
    rto: Option<Duration>,
    rpo: Option<Duration>,
    /// Names (or ids) of what it depends on, resolved once every component is known.
    depends_on: Vec<String>,
    runbooks: Vec<String>,
    backups: Vec<BackupDraft>,
    /// Where in the plan it comes from, for the config's comment.
    origin: String,
    line: usize,
    /// Targets it was given that the plan does not give it, and why, for `# assumed:` comments.
    assumed: Vec<String>,
}

#[derive(Debug, Clone)]
struct ContactDraft {
    id: String,
    name: String,
    role: String,
    phone: Option<String>,
    email: Option<String>,
    line: usize,
}

impl ContactDraft {
    /// A vendor's or provider's support desk (`Supabase Support`, `support@…`), not the team.
    fn is_vendor(&self) -> bool {
        let words = [&self.role, &self.name];
        words
            .iter()
            .any(|w| words::mentions(w, &["support", "vendor", "provider", "supplier"]))
            || self
                .email
                .as_deref()
                .is_some_and(|e| e.starts_with("support@") || e.starts_with("help@"))
    }

    /// A role the plan names with no one to call: no name (the role stands in), phone or email.
    fn is_placeholder(&self) -> bool {
        self.name == self.role && self.phone.is_none() && self.email.is_none()
    }
}

#[derive(Debug, Clone)]
struct EscalationDraft {
    severities: Vec<Severity>,
    levels: Vec<(Duration, Vec<String>)>,
    line: usize,
    /// What the plan does not give and was assumed (a level's time), for `# assumed:` comments.
    assumed: Vec<String>,
}

#[derive(Debug, Clone)]
struct TemplateDraft {
    name: String,
    text: String,
}

/// Everything read from the plan, before it is written as files.
#[derive(Debug, Default)]
struct Draft {
    service: String,
    tiers: Vec<TierDraft>,
    components: Vec<ComponentDraft>,
    contacts: Vec<ContactDraft>,
    escalation: Vec<EscalationDraft>,
    severities: BTreeMap<Severity, String>,
    roles: Vec<String>,
    templates: Vec<TemplateDraft>,
    /// The plan's review process: its heading and the items to write up.
    review: Option<(String, Vec<String>)>,
    runbooks: Vec<steps::RunbookDraft>,
    /// Backup schedules no component claimed yet: section title, stream.
    backups: Vec<(String, BackupDraft)>,
    /// Targets the plan gives the whole service (`**RTO**: 4 hours`), with their lines.
    service_targets: ServiceTargets,
    /// What the plan's title says it recovers (`Database Disaster Recovery for RoleRabbit`).
    subject: Option<String>,
    /// `A --> B` edges of the plan's diagrams, by node label.
    edges: Vec<(String, String, usize)>,
    report: Report,
    /// The ids given so far, and components by name and id: a plan of 100,000 rows is read in
    /// time linear in its size.
    ids: Ids,
}

/// The whole service's RTO and RPO as the plan gives them, each with its line.
#[derive(Debug, Default)]
struct ServiceTargets {
    rto: Option<(Duration, usize)>,
    rpo: Option<(Duration, usize)>,
}

/// Ids taken, by kind, and where each component is by its name and id.
#[derive(Debug, Default)]
struct Ids {
    components: std::collections::HashSet<String>,
    contacts: std::collections::HashSet<String>,
    runbooks: std::collections::HashSet<String>,
    /// `name:<lower-case name>` and `id:<id>` to the component's index.
    component_at: std::collections::HashMap<String, usize>,
    /// A contact's lower-case role to its index.
    contact_at: std::collections::HashMap<String, usize>,
}

/// A kit made from a plan: relative paths and texts, and the report.
#[derive(Debug)]
pub struct Kit {
    pub files: Vec<(String, String)>,
    pub report: Report,
}

/// Why a plan gave no kit.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unusable(pub String);

/// Reads a plan. `name` is how the plan is named in the report and the kit's comments.
pub fn import(name: &str, text: &str) -> Result<Kit, Unusable> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = crate::sanitize::sanitize(&text).into_owned();
    if text.contains('\0') || text.trim().is_empty() {
        return Err(Unusable(format!("{name} is empty")));
    }
    let root = outline::parse(&text);
    let mut draft = Draft {
        report: Report {
            plan: name.to_owned(),
            ..Report::default()
        },
        ..Draft::default()
    };
    draft.service = naming::name(&root, name);
    draft.subject = naming::subject(&root, &draft.service);
    service::read(&root, &mut draft);
    procedures::read(&root, &mut draft);
    service::settle(&mut draft);
    let usable = !draft.components.is_empty()
        || !draft.runbooks.is_empty()
        || !draft.escalation.is_empty()
        || !draft.severities.is_empty()
        || !draft.contacts.is_empty();
    if !usable {
        return Err(Unusable(format!(
            "{name} names no component, service or system with a recovery target, no diagram, \
             no procedure, no escalation, severity or contact: nothing to use. A plan warroom can \
             read has a table such as `| Component | RTO | RPO | Priority |`, a list of RTO/RPO \
             tiers, procedures or scenarios under headings (see README \"Importing a plan\")"
        )));
    }
    if draft.components.is_empty() {
        // An ops guide of procedures: its runbooks are the kit; what to watch is a human's.
        draft.report.human.push(Entry {
            line: 0,
            text: "the plan names no component to watch: the kit holds what it gives \
                   (runbooks, escalation, severities, contacts); add [[component]] entries (with their \
                   RTO and RPO) by hand"
                .into(),
        });
    }
    let placeholders: Vec<&str> = draft
        .contacts
        .iter()
        .filter(|c| c.is_placeholder())
        .map(|c| c.role.as_str())
        .collect();
    if !placeholders.is_empty() {
        let text = format!(
            "{} contact(s) with no person, phone or email in the plan (placeholders): {}; fill \
             them in before an incident",
            placeholders.len(),
            placeholders.join(", ")
        );
        draft.report.human(0, text);
    }
    drills::settle(&mut draft);
    service::unused_sections(&root, &mut draft.report);
    draft.report.made.sort_by_key(|e| e.line);
    draft.report.human.sort_by_key(|e| e.line);
    let files = kit::files(&draft);
    Ok(Kit {
        files,
        report: draft.report,
    })
}

/// A runbook of a kit made in a unit test: each step's title and number of commands.
#[cfg(test)]
pub(crate) fn runbook_steps(kit: &Kit, path: &str) -> Vec<(String, usize)> {
    let (path, text) = kit
        .files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("the kit has no {path}"));
    let rb = crate::runbook::parse(path, text).expect("the runbook parses");
    rb.steps
        .iter()
        .map(|s| (s.title.clone(), s.commands.len()))
        .collect()
}

/// A plan imported in a unit test, with its kit's config text.
#[cfg(test)]
pub(crate) fn imported(plan: &str) -> (Kit, String) {
    let kit = import("p.md", plan).expect("the plan gives a kit");
    let config = kit
        .files
        .iter()
        .find(|(p, _)| p == "warroom.toml")
        .map(|(_, text)| text.clone())
        .unwrap_or_default();
    (kit, config)
}
