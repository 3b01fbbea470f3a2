//! Configuration: loading, validation with `file:line:col` diagnostics, and runtime types.

mod backup;
mod components;
mod convert;
pub mod diag;
mod duration;
mod escalation;
pub mod file;
mod load;
mod monitoring;
pub mod notify;
pub mod probe;
mod recovery;
mod scenario;
pub mod schema;
pub mod sources;
pub mod spanned;
pub mod template;
pub mod tier;
pub mod tolerant;

pub use backup::{Backup, RECOVERY_POINT};
pub use escalation::{Escalation, Level};
pub use load::{ReviewSources, Unreadable, discover, load, load_review_template, parse};
pub use recovery::{RecoveryAction, RecoveryKind};
pub use scenario::{parse_scenario, scenario_config};
pub use tier::TierPolicy;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::spanned::Spanned;

pub use diag::{Diagnostic, Invalid, Source};

use crate::domain::{Severity, Tier};
use crate::keymap::Binding;
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

impl Component {
    /// Every copy it knows of is simulated (`source = { kind = "sim" }`, as an imported kit
    /// writes until someone points it at the real backups): outside a drill or the demo its RPO
    /// is not a measurement and is never shown or reviewed as a breach.
    #[must_use]
    pub fn copies_simulated(&self) -> bool {
        !self.backups.is_empty()
            && self
                .backups
                .iter()
                .all(|b| matches!(b.point.source, notify::PointSource::Sim { .. }))
    }
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
    /// Where runbook commands run (`[runbooks] workdir`, else the config's folder); `None`:
    /// where warroom was started.
    pub runbook_workdir: Option<PathBuf>,
    /// The config file's folder: relative paths in the config start there, and recovery actions
    /// run there. `None` for a config in the folder warroom was started from.
    pub dir: Option<PathBuf>,
    /// The review template's text and where it came from; `None`: the embedded default.
    pub review_template: Option<(String, String)>,
    /// `[safety] confirm_page`: `p` and a `PagerDuty` acknowledge ask before sending.
    pub confirm_page: bool,
    /// `[room] group`: the Unix group whose members may join besides the owner.
    pub room_group: Option<String>,
    /// `[safety] same_user_approval`: an approval may come from the user who asked.
    pub same_user_approval: bool,
    /// `[safety] approval_timeout`: how long a request for approval waits (default 10 minutes).
    pub approval_timeout: Duration,
    /// `[safety] destructive`: the team's own patterns of commands that destroy.
    pub destructive: Vec<crate::runbook::destructive::Pattern>,
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

#[cfg(test)]
mod tests;
