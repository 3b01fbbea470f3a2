//! Configuration: loading, validation with `file:line:col` diagnostics, and runtime types.

mod backup;
pub mod diag;
mod escalation;
pub mod file;
mod monitoring;
pub mod notify;
pub mod probe;
mod scenario;
pub mod schema;
pub mod sources;
pub mod spanned;
pub mod template;
pub mod tier;
pub mod tolerant;

pub use backup::{Backup, RECOVERY_POINT};
pub use escalation::{Escalation, Level};
pub use scenario::{parse_scenario, scenario_config};
pub use tier::TierPolicy;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::spanned::Spanned;

pub use diag::{Diagnostic, Invalid, Source};
use file::{ComponentFile, ConfigFile};

use crate::domain::{Severity, Tier};
use crate::keymap::{self, Action, Binding, Context, Key};
use crate::sanitize::sanitize;
pub use notify::{Notify, RecoveryPoint};
pub use probe::{Check, Probe};

/// A secret resolved from the environment. It prints as `[REDACTED]` and cannot be serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret from a literal value.
    #[must_use]
    pub fn new(value: &str) -> Self {
        Self(value.to_owned())
    }

    /// The secret value, for the one place that sends it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Recovery-time and recovery-point objectives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub rto: Duration,
    pub rpo: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub tier: Tier,
    pub rto: Option<Duration>,
    pub rpo: Option<Duration>,
    pub depends_on: Vec<String>,
    pub runbooks: Vec<String>,
    pub probe: Probe,
    /// Where its good copies are kept: the `recovery_point` (named "recovery point") and every
    /// `[[component.backup]]` stream. The RPO counts from the newest good copy of any.
    pub backups: Vec<Backup>,
    pub recovery: Vec<RecoveryAction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub role: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The secondary, shown beside this contact wherever it is to be called.
    pub backup: Option<String>,
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, as shown in messages.
    pub source: String,
    pub service: String,
    /// The service's tiers, most important first.
    pub tiers: Vec<TierPolicy>,
    pub components: Vec<Component>,
    pub contacts: Vec<Contact>,
    pub escalation: Vec<Escalation>,
    pub notify: Notify,
    pub theme: Option<String>,
    pub keys: Vec<Binding>,
    /// At most this many probes run at once.
    pub probe_concurrency: usize,
    /// Folders holding runbooks: `runbooks/` beside the config, then `[runbooks] paths`.
    pub runbook_dirs: Vec<PathBuf>,
    /// Where runbook commands run (`[runbooks] workdir`); `None`: where warroom was started.
    pub runbook_workdir: Option<PathBuf>,
    /// The review template's text and where it came from; `None`: the embedded default.
    pub review_template: Option<(String, String)>,
    /// `[safety] confirm_page`: `p` and a `PagerDuty` acknowledge ask before sending.
    pub confirm_page: bool,
    /// `[room] group`: the Unix group whose members may join besides the owner.
    pub room_group: Option<String>,
    /// `[safety] same_user_approval`: an approval may come from the user who asked.
    pub same_user_approval: bool,
    /// What each severity means to this team (`[severity.P1] meaning`), where the config says.
    pub severity_meanings: BTreeMap<Severity, String>,
    /// Message templates for the update and resolve dialogs (`[[template]]`).
    pub templates: Vec<template::MessageTemplate>,
    /// The incident roles, commander first (`roles`; default commander, scribe, comms).
    pub roles: Vec<crate::domain::Role>,
    /// Prometheus servers and Alertmanagers (`[sources.KIND.NAME]`).
    pub sources: sources::Sources,
}

/// Default bound on probes running at once.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// Reads the configured review template (relative to the config file).
fn review_template(
    src: &Source,
    template: Option<&Spanned<String>>,
    errors: &mut Vec<Diagnostic>,
) -> Option<(String, String)> {
    let template = template?;
    let path = Path::new(src.name)
        .parent()
        .unwrap_or(Path::new(""))
        .join(template.get_ref());
    match std::fs::read_to_string(&path) {
        Ok(text) => Some((path.display().to_string(), text)),
        Err(e) => {
            errors.push(src.at(
                template.span(),
                format!("cannot read review template `{}`: {e}", template.get_ref()),
            ));
            None
        }
    }
}

/// `runbooks/` beside the config file, then the configured paths (relative to the config file).
fn runbook_dirs(config_path: &str, paths: &[String]) -> Vec<PathBuf> {
    let base = Path::new(config_path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    std::iter::once(base.join("runbooks"))
        .chain(paths.iter().map(|p| base.join(p)))
        .collect()
}

impl Config {
    /// The contacts named by `ids`, each with role and phone, for people to read (raw: sanitise
    /// before display).
    #[must_use]
    pub fn who(&self, ids: &[String]) -> String {
        let names: Vec<String> = ids
            .iter()
            .map(|id| match self.contact(id) {
                Some(c) => {
                    let phone = |c: &Contact| {
                        c.phone
                            .as_deref()
                            .map(|p| format!(" {p}"))
                            .unwrap_or_default()
                    };
                    let backup = c
                        .backup
                        .as_deref()
                        .and_then(|b| self.contact(b))
                        .map(|b| format!(" (backup: {}{})", b.name, phone(b)))
                        .unwrap_or_default();
                    format!("{} ({}){}{backup}", c.name, c.role, phone(c))
                }
                None => id.clone(),
            })
            .collect();
        names.join(", ")
    }

    /// What a severity means: the team's definition, else the built-in one.
    #[must_use]
    pub fn meaning(&self, severity: Severity) -> String {
        self.severity_meanings
            .get(&severity)
            .cloned()
            .unwrap_or_else(|| severity.meaning().to_owned())
    }

    /// A component's RTO and RPO: its own, else its tier's.
    #[must_use]
    pub fn budget(&self, component: &Component) -> Budget {
        let tier = self.tier(&component.tier).map(|t| t.budget);
        Budget {
            rto: component
                .rto
                .or(tier.map(|b| b.rto))
                .unwrap_or(Duration::MAX),
            rpo: component
                .rpo
                .or(tier.map(|b| b.rpo))
                .unwrap_or(Duration::MAX),
        }
    }

    /// The policy of one of the service's tiers (kept in rank order).
    #[must_use]
    pub fn tier(&self, tier: &Tier) -> Option<&TierPolicy> {
        self.tiers.get(tier.rank()).filter(|t| &t.tier == tier)
    }

    /// The severity an incident on a component of `tier` starts at.
    #[must_use]
    pub fn default_severity(&self, tier: &Tier) -> Severity {
        self.tier(tier).map_or(Severity::P4, |t| t.severity)
    }

    /// The escalation policy of a severity, if the config has one.
    #[must_use]
    pub fn policy(&self, severity: Severity) -> Option<&Escalation> {
        self.escalation.iter().find(|e| e.severity == severity)
    }

    /// A contact by id.
    #[must_use]
    pub fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id == id)
    }
    /// A component by id.
    #[must_use]
    pub fn component(&self, id: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.id == id)
    }
}

/// A config file that exists in name only: missing or unreadable (exit code 2, like any config error).
#[derive(Debug, thiserror::Error)]
#[error("cannot read config {path}: {source}")]
pub struct Unreadable {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, anyhow::Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Unreadable {
        path: path.to_owned(),
        source,
    })?;
    Ok(parse(&path.display().to_string(), &text)?)
}

/// What a review export reads of a config file: the review template it names and the folders of
/// its runbooks (for their phases), without validating or resolving anything else (no secrets).
pub struct ReviewSources {
    pub template: Option<(String, String)>,
    pub runbook_dirs: Vec<PathBuf>,
}

/// Only the review template a config file names (relative to it) and its runbook folders.
pub fn load_review_template(path: &Path) -> Result<ReviewSources, anyhow::Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let name = path.display().to_string();
    let src = Source {
        name: &name,
        text: &text,
    };
    Ok(tolerant::parse(&src, |file: ConfigFile, errors| {
        ReviewSources {
            template: review_template(&src, file.review.template.as_ref(), errors),
            runbook_dirs: runbook_dirs(src.name, &file.runbooks.paths),
        }
    })?)
}

/// Parses and validates config text; `name` is used in diagnostics.
pub fn parse(name: &str, text: &str) -> Result<Config, Invalid> {
    let src = Source { name, text };
    tolerant::parse(&src, |file, errors| convert(&src, file, errors))
}

fn convert(src: &Source, file: ConfigFile, errors: &mut Vec<Diagnostic>) -> Config {
    check_components(src, &file.components, errors);
    let contact_ids: HashSet<&str> = file
        .contacts
        .iter()
        .map(|c| c.id.get_ref().as_str())
        .collect();
    for contact in &file.contacts {
        check_id(src, &contact.id, "contact", errors);
        if let Some(backup) = &contact.backup {
            let named = backup.get_ref();
            if named == contact.id.get_ref() || !contact_ids.contains(named.as_str()) {
                let hint = diag::hint(named, contact_ids.iter().copied());
                errors.push(src.at(
                    backup.span(),
                    format!("`backup` names `{named}`, which is not another contact{hint}"),
                ));
            }
        }
    }
    for policy in &file.escalation {
        escalation::check(src, policy, &contact_ids, errors);
    }
    escalation::check_coverage(src, &file.escalation, errors);
    let notify = file.notify;
    let tiers = tier::convert(src, file.tiers, errors);
    let sources = sources::convert(src, file.sources, errors);
    let mut components: Vec<Component> = file
        .components
        .into_iter()
        .map(|c| component(src, c, &tiers, &sources, errors))
        .collect();
    // The collect reuses the buffer of the parsed components, which are several times larger:
    // without this, 20,000 components would keep 32 MiB of it for the console's lifetime.
    components.shrink_to_fit();
    if file.safety.two_person == Some(true) {
        for action in components.iter_mut().flat_map(|c| c.recovery.iter_mut()) {
            action.approve = true;
        }
    }
    let probe_concurrency = match file.probes.concurrency {
        Some(n) if *n.get_ref() == 0 => {
            errors.push(src.at(n.span(), "`concurrency` must be 1 or more"));
            1
        }
        Some(n) => n.into_inner(),
        None => DEFAULT_CONCURRENCY,
    };
    Config {
        source: src.name.to_owned(),
        service: file.service.name,
        tiers,
        components,
        contacts: file.contacts.into_iter().map(contact).collect(),
        escalation: file
            .escalation
            .into_iter()
            .flat_map(escalation::convert)
            .collect(),
        notify: notify::convert(src, notify, errors),
        theme: file.ui.theme,
        review_template: review_template(src, file.review.template.as_ref(), errors),
        runbook_dirs: runbook_dirs(src.name, &file.runbooks.paths),
        runbook_workdir: file.runbooks.workdir.as_ref().map(|w| {
            Path::new(src.name)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
                .join(w)
        }),
        keys: key_overrides(src, &file.keys, errors),
        probe_concurrency,
        confirm_page: file.safety.confirm_page.unwrap_or(true),
        same_user_approval: file.safety.same_user_approval.unwrap_or(false),
        room_group: file.room.group.and_then(|g| {
            if g.get_ref().trim().is_empty() {
                errors.push(src.at(
                    g.span(),
                    "`group` names no group: give a Unix group or remove the line",
                ));
                None
            } else {
                Some(g.into_inner())
            }
        }),
        severity_meanings: file
            .severity
            .into_iter()
            .map(|(s, f)| (s, f.meaning))
            .collect(),
        templates: template::convert(src, file.templates, errors),
        roles: roles(src, file.roles, errors),
        sources,
    }
}

fn component(
    src: &Source,
    c: ComponentFile,
    tiers: &[TierPolicy],
    sources: &sources::Sources,
    errors: &mut Vec<Diagnostic>,
) -> Component {
    let span = c.probe.span();
    Component {
        tier: tier::resolve(src, tiers, &c.tier, errors),
        id: c.id.into_inner(),
        name: c.name,
        rto: c.rto.map(|d| d.0),
        rpo: c.rpo.map(|d| d.0),
        depends_on: c.depends_on.into_iter().map(Spanned::into_inner).collect(),
        runbooks: c.runbooks,
        probe: probe::convert(src, *c.probe.into_inner(), span, sources, errors),
        backups: backup::convert(src, c.recovery_point, c.backup, sources, errors),
        recovery: c
            .recovery
            .into_iter()
            .map(|r| recovery_action(src, r, errors))
            .collect(),
    }
}

/// The configured roles, commander first, each once.
fn roles(
    src: &Source,
    listed: Option<Spanned<Vec<String>>>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<crate::domain::Role> {
    use crate::domain::Role;
    let Some(listed) = listed else {
        return crate::domain::DEFAULT_ROLES
            .iter()
            .map(|r| Role::new(r))
            .collect();
    };
    let span = listed.span();
    let mut roles = vec![Role::commander()];
    for name in listed.into_inner() {
        let role = Role::new(&name);
        if role.as_str().is_empty() || (roles.contains(&role) && role != Role::commander()) {
            errors.push(src.at(
                span.clone(),
                format!("role `{}` is empty or listed twice", sanitize(&name)),
            ));
        } else if role != Role::commander() {
            roles.push(role);
        }
    }
    roles
}

/// What a recovery action does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryKind {
    /// A shell command, run like a runbook step's.
    Command(String),
    /// An HTTP POST of `{incident, component, action}` to a URL (a secret).
    Webhook(Secret),
}

/// A component's recovery action (`[[component.recovery]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryAction {
    pub name: String,
    pub kind: RecoveryKind,
    /// `true`: the component id must be typed to confirm; else Enter confirms.
    pub confirm_by_typing: bool,
    pub timeout: Duration,
    /// No second run of the same action before this has passed.
    pub cooldown: Duration,
    /// A second person must approve each run (`approve = true`, or `[safety] two_person`).
    pub approve: bool,
}

fn recovery_action(
    src: &Source,
    file: Spanned<file::RecoveryFile>,
    errors: &mut Vec<Diagnostic>,
) -> RecoveryAction {
    let span = file.span();
    let file = file.into_inner();
    let kind = match (file.command, file.webhook) {
        (Some(command), None) => RecoveryKind::Command(command),
        (None, Some(url)) => RecoveryKind::Webhook(secret(
            src,
            "recovery.webhook",
            &Spanned::new(span.clone(), url),
            errors,
        )),
        _ => {
            errors.push(src.at(
                span,
                format!(
                    "recovery action `{}` needs exactly one of `command` or `webhook`",
                    file.name
                ),
            ));
            RecoveryKind::Command(String::new())
        }
    };
    RecoveryAction {
        name: file.name,
        kind,
        confirm_by_typing: file.confirm == file::ConfirmFile::Type,
        timeout: file.timeout.map_or(Duration::from_mins(5), |d| d.0),
        cooldown: file.cooldown.map_or(Duration::from_mins(1), |d| d.0),
        approve: file.approve,
    }
}

fn contact(c: file::ContactFile) -> Contact {
    Contact {
        id: c.id.into_inner(),
        name: c.name,
        role: c.role,
        phone: c.phone,
        email: c.email,
        backup: c.backup.map(Spanned::into_inner),
    }
}

fn check_id(src: &Source, id: &Spanned<String>, what: &str, errors: &mut Vec<Diagnostic>) {
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

fn check_components(src: &Source, components: &[ComponentFile], errors: &mut Vec<Diagnostic>) {
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

/// Reports, at its span, every time that comes before a time listed above it;
/// `message(time, latest before it)` says what to do.
fn in_time_order<'a>(
    src: &Source,
    times: impl IntoIterator<Item = &'a Spanned<file::HumanDuration>>,
    message: impl Fn(Duration, Duration) -> String,
    errors: &mut Vec<Diagnostic>,
) {
    let mut latest = Duration::ZERO;
    for time in times {
        let at = time.get_ref().0;
        if at < latest {
            errors.push(src.at(time.span(), message(at, latest)));
        }
        latest = latest.max(at);
    }
}

/// Resolves `${VAR}` references in a secret value.
pub(crate) fn secret(
    src: &Source,
    key: &str,
    value: &Spanned<String>,
    errors: &mut Vec<Diagnostic>,
) -> Secret {
    let mut out = String::new();
    let mut rest = value.get_ref().as_str();
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            errors.push(src.at(
                value.span(),
                format!("`{key}` has an unclosed `${{` in its value"),
            ));
            return Secret(String::new());
        };
        let var = &rest[start + 2..start + len];
        match std::env::var(var) {
            Ok(v) => out.push_str(&v),
            Err(_) => errors.push(src.at(value.span(), format!("`{key}` refers to the environment variable `{var}`, which is not set; export {var} or remove the key"))),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    Secret(out)
}

type KeyTable = BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>;

fn key_overrides(src: &Source, keys: &KeyTable, errors: &mut Vec<Diagnostic>) -> Vec<Binding> {
    let mut out = Vec::new();
    for (context, table) in keys {
        let Ok(ctx) = context.get_ref().parse::<Context>() else {
            let names: Vec<String> = keymap::context_names().collect();
            errors.push(src.at(
                context.span(),
                unknown("key context", context.get_ref(), &names),
            ));
            continue;
        };
        for (key, action) in table {
            let parsed_key = key.get_ref().parse::<Key>();
            let parsed_action = action.get_ref().parse::<Action>();
            match (parsed_key, parsed_action) {
                (Err(e), _) => errors.push(src.at(key.span(), e)),
                (_, Err(_)) => {
                    let names: Vec<String> = keymap::action_names().collect();
                    errors.push(src.at(action.span(), unknown("action", action.get_ref(), &names)));
                }
                (Ok(key), Ok(action)) => out.push(Binding {
                    context: ctx,
                    key,
                    action,
                }),
            }
        }
    }
    out
}

fn unknown(what: &str, bad: &str, names: &[String]) -> String {
    let hint = diag::hint(bad, names.iter().map(String::as_str));
    format!(
        "unknown {what} `{bad}`{hint} (one of: {})",
        names.join(", ")
    )
}

/// Where the config comes from: `--config`, `./warroom.toml`, then the user config dir.
#[must_use]
pub fn discover(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_owned());
    }
    let local = PathBuf::from("warroom.toml");
    if local.is_file() {
        return Some(local);
    }
    directories::ProjectDirs::from("", "", "warroom")
        .map(|dirs| dirs.config_dir().join("config.toml"))
        .filter(|p| p.is_file())
}

#[cfg(test)]
mod tests;
