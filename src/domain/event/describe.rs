//! How each event reads in the timeline, the review and `incident show`: one line of words.

use super::{Declaration, DrillStart, Event};

impl Event {
    /// Descriptions of recovery points, budgets and the pager.
    fn describe_data(&self) -> String {
        match self {
            Self::RecoveryPoint {
                component,
                last_good,
                detail,
            } => {
                let detail = detail
                    .as_ref()
                    .map_or_else(String::new, |d| format!(" ({d})"));
                format!(
                    "{component} last good copy {}{detail}",
                    last_good.format("%H:%M:%SZ")
                )
            }
            Self::RoomOpened => "The room opened: other consoles may join".to_owned(),
            Self::RoomJoined => "Joined the room".to_owned(),
            Self::RoomLeft => "Left the room".to_owned(),
            Self::HandedOver { to, .. } => format!("Handed command over to {to}"),
            Self::ReviewEditing { editing: true } => "Started editing the review".to_owned(),
            Self::ReviewEditing { editing: false } => "Stopped editing the review".to_owned(),
            Self::ApprovalRequested { what, .. } => format!("Asked for approval: {what}"),
            Self::ApprovalWithdrawn {
                request,
                expired: true,
            } => format!("Request #{request} expired unanswered"),
            Self::ApprovalWithdrawn { request, .. } => format!("Withdrew request #{request}"),
            Self::ApprovalGiven {
                request,
                approved,
                same_user,
            } => format!(
                "{} request #{request}{}",
                if *approved { "Approved" } else { "Refused" },
                if *same_user {
                    " (by the user who asked)"
                } else {
                    ""
                }
            ),
            Self::Pager { failing: true } => "The pager is failing (drill inject)".to_owned(),
            Self::Pager { failing: false } => "The pager works again (drill inject)".to_owned(),
            Self::DrillEnded { summary } => format!("Drill ended, never declared: {summary}"),
            Self::RtoBreached {
                component,
                target_secs,
                ..
            } => {
                format!(
                    "{component} breached its RTO of {}",
                    crate::domain::text::brief(chrono::TimeDelta::seconds(*target_secs as i64))
                )
            }
            Self::Budgets { milestone, entries } => format!(
                "Budgets recorded at {milestone} for {} components",
                entries.len()
            ),
            _ => String::new(),
        }
    }

    /// Descriptions of Alertmanager alerts and silences.
    fn describe_alerts(&self) -> String {
        match self {
            Self::AlertStarted(alert) => {
                let severity = alert
                    .labels
                    .get("severity")
                    .map_or_else(String::new, |s| format!(" ({s})"));
                match &alert.summary {
                    Some(summary) => format!("Alert {} fired{severity}: {summary}", alert.name()),
                    None => format!("Alert {} fired{severity}", alert.name()),
                }
            }
            Self::AlertResolved { name, .. } => format!("Alert {name} resolved"),
            Self::SilenceRequested(request) => format!(
                "Silence of {} asked of Alertmanager `{}` until {}",
                request.name,
                request.source,
                request.ends_at.format("%H:%M:%SZ")
            ),
            Self::SilenceCreated { requested, id } => {
                format!("Silence #{requested} created: {id}")
            }
            Self::SilenceFailed { requested, error } => {
                format!("Silence #{requested} NOT created: {error}")
            }
            Self::SilenceExpired { id } => format!("Silence {id} expired"),
            Self::SilenceExpiryFailed { id, error } => {
                format!("Silence {id} NOT expired: {error}")
            }
            _ => String::new(),
        }
    }

    /// Descriptions of runbook and recovery work.
    fn describe_work(&self) -> String {
        match self {
            Self::StepStarted {
                runbook,
                step,
                script,
                ..
            } => {
                format!(
                    "{runbook} step {}: running {}",
                    step + 1,
                    script.lines().next().unwrap_or_default()
                )
            }
            Self::CommandFinished {
                started,
                outcome,
                duration_ms,
                ..
            } => {
                format!(
                    "command #{started} ended: {outcome} after {:.1}s",
                    *duration_ms as f64 / 1000.0
                )
            }
            Self::StepMarked {
                runbook,
                step,
                state,
            } => format!("{runbook} step {} marked {state}", step + 1),
            Self::RecoveryStarted {
                component, name, ..
            } => format!("Recovery of {component}: {name}"),
            Self::Assigned {
                runbook,
                step,
                check,
                to,
            } => {
                let what = match check {
                    Some(check) => format!("{runbook} step {} check {}", step + 1, check + 1),
                    None => format!("{runbook} step {}", step + 1),
                };
                match to {
                    Some(to) => format!("{what} given to {to}"),
                    None => format!("{what} taken back: nobody is on it"),
                }
            }
            Self::CheckTicked {
                runbook,
                step,
                text,
                ticked,
                ..
            } => {
                let verb = if *ticked { "ticked" } else { "unticked" };
                format!("{runbook} step {} check {verb}: {text}", step + 1)
            }
            Self::StepVerified {
                runbook,
                step,
                verified,
                expect,
            } => {
                let verdict = if *verified {
                    "verified"
                } else {
                    "NOT verified"
                };
                format!("{runbook} step {} {verdict}: {expect}", step + 1)
            }
            _ => String::new(),
        }
    }

    /// Escalation, notifications and the resolution.
    fn describe_command(&self) -> String {
        match self {
            Self::NotifyHeld { queued } => {
                format!("notification #{queued} recorded, not sent (drill)")
            }
            Self::Acknowledged { level } => format!("Escalation level {} acknowledged", level + 1),
            Self::Paged {
                level,
                contacts,
                pagerduty: None,
                ..
            } => format!("Paged level {}: {}", level + 1, contacts.join(", ")),
            Self::Paged {
                level, contacts, ..
            } => format!(
                "Level {} page queued for PagerDuty: {}",
                level + 1,
                contacts.join(", ")
            ),
            Self::UpdatePosted { text, template } => {
                format!("Update{}: {text}", from_template(template.as_deref()))
            }
            Self::ReviewSaved { text } => format!("Review saved ({} lines)", text.lines().count()),
            Self::NotifyQueued { channel, .. } => format!("{channel} notification queued"),
            Self::NotifySent { queued } => format!("notification #{queued} sent"),
            Self::NotifyFailed {
                queued,
                attempt,
                error,
            } => format!("notification #{queued} failed (attempt {attempt}): {error}"),
            Self::Resolved {
                summary,
                template,
                not_recovered,
            } => {
                let mut text = format!("Resolved{}", from_template(template.as_deref()));
                if let Some(summary) = summary {
                    text = format!("{text}: {summary}");
                }
                if !not_recovered.is_empty() {
                    text = format!("{text} (not recovered: {})", not_recovered.join(", "));
                }
                text
            }
            _ => String::new(),
        }
    }

    /// One human-readable line describing the event (raw: sanitise before display).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Declared(declaration) => {
                let Declaration {
                    title,
                    severity,
                    drill,
                    ..
                } = &**declaration;
                let drill = if *drill { " (drill)" } else { "" };
                format!("Declared {severity}{drill}: {title}")
            }
            Self::SeverityChanged { from, to } => format!("Severity {from} → {to}"),
            Self::StatusChanged { from, to } => format!("Status {from} → {to}"),
            Self::RoleAssigned { role, person } => format!("{role} is now {person}"),
            Self::NoteAdded { text, step: None } => format!("Note: {text}"),
            Self::NoteAdded {
                text,
                step: Some((runbook, step)),
            } => format!("Note on {runbook} step {}: {text}", step + 1),
            Self::ComponentChanged {
                component,
                from,
                to,
                detail,
                ..
            } => match detail {
                Some(detail) => format!("{component} {from} → {to} ({detail})"),
                None => format!("{component} {from} → {to}"),
            },
            Self::ScenarioMessage { text } => format!("Scenario: {text}"),
            Self::Drill(start) => {
                let DrillStart {
                    title,
                    allow_commands,
                    allow_notify,
                    objectives,
                    ..
                } = &**start;
                let commands = if *allow_commands { "run" } else { "dry-run" };
                let notify = if *allow_notify {
                    "sent"
                } else {
                    "recorded, not sent"
                };
                format!(
                    "Drill: {title} ({} objectives; commands {commands}, notifications {notify})",
                    objectives.len()
                )
            }
            Self::RecoveryPoint { .. }
            | Self::Pager { .. }
            | Self::RoomOpened
            | Self::RoomJoined
            | Self::RoomLeft
            | Self::HandedOver { .. }
            | Self::ApprovalRequested { .. }
            | Self::ApprovalGiven { .. }
            | Self::ApprovalWithdrawn { .. }
            | Self::ReviewEditing { .. }
            | Self::DrillEnded { .. }
            | Self::RtoBreached { .. }
            | Self::Budgets { .. } => self.describe_data(),
            Self::StepStarted { .. }
            | Self::CommandFinished { .. }
            | Self::StepMarked { .. }
            | Self::RecoveryStarted { .. }
            | Self::CheckTicked { .. }
            | Self::Assigned { .. }
            | Self::StepVerified { .. } => self.describe_work(),
            Self::AlertStarted(_)
            | Self::AlertResolved { .. }
            | Self::SilenceRequested(_)
            | Self::SilenceCreated { .. }
            | Self::SilenceFailed { .. }
            | Self::SilenceExpired { .. }
            | Self::SilenceExpiryFailed { .. } => self.describe_alerts(),
            Self::NotifyHeld { .. }
            | Self::Acknowledged { .. }
            | Self::Paged { .. }
            | Self::UpdatePosted { .. }
            | Self::ReviewSaved { .. }
            | Self::NotifyQueued { .. }
            | Self::NotifySent { .. }
            | Self::NotifyFailed { .. }
            | Self::Resolved { .. } => self.describe_command(),
        }
    }
}

/// ` (template "Critical incident")` after an event made from a message template.
fn from_template(template: Option<&str>) -> String {
    template
        .map(|t| format!(" (template \"{t}\")"))
        .unwrap_or_default()
}
