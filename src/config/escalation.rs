//! Escalation policies: ordered levels of contacts per severity, one policy for several
//! severities where a plan writes it so, and every severity covered once any policy is written.

use std::collections::HashSet;
use std::time::Duration;

use super::spanned::Spanned;

use super::diag::{self, Diagnostic, Source};
use super::duration::in_time_order;
use super::file::EscalationFile;
use crate::domain::Severity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub after: Duration,
    pub notify: Vec<String>,
}

/// The escalation policy of one severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalation {
    pub severity: Severity,
    pub levels: Vec<Level>,
    pub repeat_last: bool,
    pub update_every: Option<Duration>,
    pub after_ack: crate::domain::escalation::AfterAck,
}

/// A policy as written: one for each severity it names.
pub fn convert(e: EscalationFile) -> Vec<Escalation> {
    let levels: Vec<Level> = e
        .levels
        .into_iter()
        .map(|l| Level {
            after: l.after.into_inner().0,
            notify: l.notify.into_iter().map(Spanned::into_inner).collect(),
        })
        .collect();
    e.severity
        .get_ref()
        .list()
        .into_iter()
        .map(|severity| Escalation {
            severity,
            levels: levels.clone(),
            repeat_last: e.repeat_last,
            update_every: e.update_every.map(|d| d.0),
            after_ack: e.after_ack.unwrap_or_default(),
        })
        .collect()
}

/// Once any policy is written, every severity needs exactly one.
pub fn check_coverage(src: &Source, policies: &[EscalationFile], errors: &mut Vec<Diagnostic>) {
    use strum::IntoEnumIterator;
    let Some(first) = policies.first() else {
        return;
    };
    let mut seen: Vec<Severity> = Vec::new();
    for policy in policies {
        let named = policy.severity.get_ref().list();
        if named.is_empty() {
            errors.push(src.at(
                policy.severity.span(),
                "an escalation policy names no severity; write severity = \"P1\" or [\"P1\", \"P2\"]",
            ));
        }
        for severity in named {
            if seen.contains(&severity) {
                errors.push(src.at(
                    policy.severity.span(),
                    format!("a second escalation policy for {severity}; keep one per severity"),
                ));
            }
            seen.push(severity);
        }
    }
    let missing: Vec<String> = Severity::iter()
        .filter(|s| !seen.contains(s))
        .map(|s| s.to_string())
        .collect();
    if !missing.is_empty() {
        errors.push(src.at(
            first.severity.span(),
            format!(
                "no escalation policy for {}; add an [[escalation]] for every severity",
                missing.join(", ")
            ),
        ));
    }
}

/// A policy's levels: some, in time order, naming known contacts.
pub fn check(
    src: &Source,
    policy: &EscalationFile,
    contacts: &HashSet<&str>,
    errors: &mut Vec<Diagnostic>,
) {
    if policy.levels.is_empty() {
        errors.push(src.at(
            policy.severity.span(),
            format!("escalation for {} has no levels", policy.severity.get_ref()),
        ));
    }
    in_time_order(
        src,
        policy.levels.iter().map(|l| &l.after),
        |after, previous| {
            format!(
                "level after `{}` comes before the previous level's `{}`; order levels by time",
                humantime::format_duration(after),
                humantime::format_duration(previous)
            )
        },
        errors,
    );
    for level in &policy.levels {
        for who in &level.notify {
            if !contacts.contains(who.get_ref().as_str()) {
                let hint = diag::hint(who.get_ref(), contacts.iter().copied());
                errors.push(src.at(
                    who.span(),
                    format!("`notify` names unknown contact `{}`{hint}", who.get_ref()),
                ));
            }
        }
    }
}
