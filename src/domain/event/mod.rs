//! Journal events: everything that can happen to an incident.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Health, Role, Severity, Status};

mod describe;

/// A component that was failing when the incident was declared, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    pub component: String,
    pub state: Health,
    pub since: DateTime<Utc>,
}

/// A component's recovery objectives when the incident was declared, and its last good copy
/// then: the review is computed from the journal, needing neither the config nor its secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub component: String,
    pub name: String,
    pub rto_secs: u64,
    pub rpo_secs: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_good: Option<DateTime<Utc>>,
}

/// An Alertmanager alert an incident follows, as it was when the incident learned of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSeen {
    /// The Alertmanager source (`[sources.alertmanager.NAME]`).
    pub source: String,
    pub fingerprint: String,
    pub labels: std::collections::BTreeMap<String, String>,
    /// When Alertmanager says it began: the outage start it gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

impl AlertSeen {
    /// Its `alertname` label (`alert` without one).
    #[must_use]
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("alert", String::as_str)
    }
}

/// What a drill is scored against, and what it had done outside the journal when it was declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillStart {
    pub title: String,
    /// When the drill clock started.
    #[serde(with = "millis")]
    pub started: DateTime<Utc>,
    pub allow_commands: bool,
    pub allow_notify: bool,
    pub objectives: Vec<super::objective::Objective>,
    /// The service config the drill ran on (absent: the embedded demo service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// An inject had made the pager fail before the declaration.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pager_failing: bool,
    /// Tabletop, walkthrough or simulation (`exercise` in the journal: `kind` names the event).
    #[serde(default, rename = "exercise")]
    pub kind: super::objective::DrillKind,
    /// The journal's format, on a drill journal's first record (absent: format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
}

/// When budgets are recorded (journals before targets were part of the declaration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Milestone {
    Declared,
    Resolved,
}

/// How the commander marks a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StepMark {
    Done,
    Skipped,
    Failed,
}

/// Where a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    Pagerduty,
    Slack,
    Webhook,
}

/// One component's budgets at a milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetEntry {
    pub component: String,
    /// Outage time so far (or achieved, at resolution), when the component had an outage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_secs: Option<u64>,
    pub rto_secs: u64,
    /// Time since the last good copy, when a recovery point is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure_secs: Option<u64>,
    pub rpo_secs: u64,
}

/// A silence asked of Alertmanager for one alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SilenceRequest {
    pub source: String,
    pub fingerprint: String,
    pub name: String,
    pub matchers: Vec<super::silence::Matcher>,
    pub ends_at: DateTime<Utc>,
    pub comment: String,
}

/// What a declaration records: the incident's first event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub commander: String,
    #[serde(default)]
    pub drill: bool,
    #[serde(default)]
    pub outages: Vec<Outage>,
    /// Every component's objectives (absent in journals written before they were recorded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// The drill the incident belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<DrillStart>,
    /// The Alertmanager alerts firing at declaration that the incident follows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<AlertSeen>,
    /// The journal's format, on a journal's first record (absent: format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<u32>,
}

impl Declaration {
    /// A declaration of a real incident with nothing known yet: no outages, objectives, drill
    /// or alerts (set them with struct update syntax).
    #[must_use]
    pub fn new(id: &str, title: &str, severity: Severity, commander: &str) -> Self {
        Self {
            id: id.into(),
            title: title.into(),
            severity,
            commander: commander.into(),
            drill: false,
            outages: Vec::new(),
            targets: Vec::new(),
            scenario: None,
            alerts: Vec::new(),
            format: Some(crate::journal::FORMAT),
        }
    }
}

/// One thing that happened; the payload of a journal record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// The incident was opened. Boxed, as the other large and rare events are, so that a
    /// record of any kind stays small: a long incident holds 100,000 of them.
    Declared(Box<Declaration>),
    SeverityChanged {
        from: Severity,
        to: Severity,
    },
    StatusChanged {
        from: Status,
        to: Status,
    },
    RoleAssigned {
        role: Role,
        person: String,
    },
    NoteAdded {
        text: String,
        /// The runbook step the note is about, if any: (runbook id, step index).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<(String, usize)>,
    },
    /// A component changed state while the incident was open.
    ComponentChanged {
        component: String,
        from: Health,
        to: Health,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
        /// When the new state began (the first sample of the run), if not the record's time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<DateTime<Utc>>,
    },
    /// The due escalation level was acknowledged (and every level before it).
    Acknowledged {
        level: usize,
    },
    /// An escalation level was paged; its contacts are named for the record. When `PagerDuty` is
    /// configured the record carries its trigger (without the routing key): the page and its
    /// outbox entry are one record, so no crash can keep one without the other.
    Paged {
        level: usize,
        contacts: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pagerduty: Option<serde_json::Value>,
        /// Paged again on purpose: the asker was told the level was paged within the minute.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        again: bool,
    },
    /// A component's recovery-time objective was exceeded during this outage.
    RtoBreached {
        component: String,
        outage_start: DateTime<Utc>,
        target_secs: u64,
    },
    /// Recovery points and elapsed outage times known at declaration or at resolution.
    Budgets {
        milestone: Milestone,
        entries: Vec<BudgetEntry>,
    },
    /// A stakeholder update typed by the commander.
    UpdatePosted {
        text: String,
        /// The message template it started from, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template: Option<String>,
    },
    /// A notification waits in the outbox; its identity is this record's sequence number.
    NotifyQueued {
        channel: Channel,
        payload: serde_json::Value,
        /// The record it follows from (absent in older journals).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<u64>,
    },
    /// The notification queued at `queued` was delivered.
    NotifySent {
        queued: u64,
    },
    /// A delivery attempt failed; it is retried later.
    NotifyFailed {
        queued: u64,
        attempt: u32,
        error: String,
    },
    /// A runbook step's command was started; its identity is this record's sequence number.
    StepStarted {
        runbook: String,
        step: usize,
        command: usize,
        script: String,
    },
    /// The command started at `started` ended.
    CommandFinished {
        started: u64,
        /// `exit 0`, `exit 3`, `timed out`, `cancelled`, `killed by a signal`, `not started: …`.
        outcome: String,
        succeeded: bool,
        duration_ms: u64,
        /// The last output (raw: sanitise before display).
        tail: String,
        /// Output bytes beyond the saved cap.
        dropped: u64,
    },
    /// The commander marked a step.
    StepMarked {
        runbook: String,
        step: usize,
        state: StepMark,
    },
    /// A component's recovery action was started; it ends with `command_finished`.
    RecoveryStarted {
        component: String,
        action: usize,
        name: String,
    },
    /// A manual check (`- [ ]` item) of a step was ticked, or the tick taken back.
    CheckTicked {
        runbook: String,
        step: usize,
        /// The check's index in the step, and its text as the runbook had it.
        check: usize,
        text: String,
        ticked: bool,
    },
    /// A runbook step, or one of its checks, was given to someone (`to`), or taken back (`to`
    /// absent): who is on what.
    Assigned {
        runbook: String,
        step: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        check: Option<usize>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    /// A step's expectation was checked after the step: met in time, or not.
    StepVerified {
        runbook: String,
        step: usize,
        verified: bool,
        expect: String,
    },
    /// The post-incident review was saved (by hand or by autosave).
    ReviewSaved {
        text: String,
    },
    /// A drill began: what it is scored against (journals that did not carry it in `declared`).
    Drill(Box<DrillStart>),
    /// A new last good copy of a component's data became known (read from its source, or set by
    /// a drill inject).
    RecoveryPoint {
        component: String,
        #[serde(with = "millis")]
        last_good: DateTime<Utc>,
        /// What the drill said of it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// The facilitator ended a drill nobody had declared: what it scored.
    DrillEnded {
        summary: String,
    },
    /// A drill inject made the pager fail, or work again.
    Pager {
        failing: bool,
    },
    /// A notification was recorded and deliberately not sent (a drill without `allow_notify`).
    NotifyHeld {
        queued: u64,
    },
    /// A message from the drill or demo scenario to the team.
    ScenarioMessage {
        text: String,
    },
    /// The writing console opened the room (joined consoles connect to it); nobody else is in.
    RoomOpened,
    /// The record's actor joined the room from a console.
    RoomJoined,
    /// The record's actor left the room (one console of theirs).
    RoomLeft,
    /// The record's actor handed command to `to`, with a summary of where things stand.
    HandedOver {
        to: String,
        summary: String,
    },
    /// The record's actor opened (or left) the review editor: one editor at a time in a room.
    ReviewEditing {
        editing: bool,
    },
    /// The record's actor asks a second person to approve running `target` (`what` says it).
    ApprovalRequested {
        target: Approvable,
        what: String,
    },
    /// The record's actor approved (or refused) the request journaled as record `request`;
    /// `same_user` when they are the user who asked (`[safety] same_user_approval`, or the
    /// facilitator of a drill).
    ApprovalGiven {
        request: u64,
        approved: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        same_user: bool,
    },
    /// The request journaled as record `request` ends unanswered: withdrawn by the record's
    /// actor (who asked), or `expired` after `[safety] approval_timeout`.
    ApprovalWithdrawn {
        request: u64,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        expired: bool,
    },
    /// An alert the incident follows began firing in Alertmanager.
    AlertStarted(Box<AlertSeen>),
    /// An alert the incident followed is no longer in Alertmanager.
    AlertResolved {
        source: String,
        fingerprint: String,
        name: String,
    },
    /// A silence was asked of Alertmanager for one alert; its identity is this record's sequence
    /// number. Journaled before the request is sent, so no silence exists that the journal does
    /// not tell of.
    SilenceRequested(Box<SilenceRequest>),
    /// Alertmanager created the silence requested at `requested`.
    SilenceCreated {
        requested: u64,
        id: String,
    },
    /// The silence requested at `requested` was not created; it is not retried.
    SilenceFailed {
        requested: u64,
        error: String,
    },
    /// Silence `id` was expired on request.
    SilenceExpired {
        id: String,
    },
    /// Expiring silence `id` failed: it still holds.
    SilenceExpiryFailed {
        id: String,
        error: String,
    },
    Resolved {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        summary: Option<String>,
        /// Affected components not up at resolution: the commander resolved knowing it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        not_recovered: Vec<String>,
        /// The message template it started from, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template: Option<String>,
    },
}

impl Event {
    /// The snake-case kind name stored in the journal.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Declared { .. } => "declared",
            Self::SeverityChanged { .. } => "severity_changed",
            Self::StatusChanged { .. } => "status_changed",
            Self::RoleAssigned { .. } => "role_assigned",
            Self::NoteAdded { .. } => "note_added",
            Self::ComponentChanged { .. } => "component_changed",
            Self::Acknowledged { .. } => "acknowledged",
            Self::Paged { .. } => "paged",
            Self::RtoBreached { .. } => "rto_breached",
            Self::Budgets { .. } => "budgets",
            Self::UpdatePosted { .. } => "update_posted",
            Self::NotifyQueued { .. } => "notify_queued",
            Self::NotifySent { .. } => "notify_sent",
            Self::NotifyFailed { .. } => "notify_failed",
            Self::StepStarted { .. } => "step_started",
            Self::CommandFinished { .. } => "command_finished",
            Self::StepMarked { .. } => "step_marked",
            Self::StepVerified { .. } => "step_verified",
            Self::CheckTicked { .. } => "check_ticked",
            Self::Assigned { .. } => "assigned",
            Self::RecoveryStarted { .. } => "recovery_started",
            Self::ReviewSaved { .. } => "review_saved",
            Self::ScenarioMessage { .. } => "scenario_message",
            Self::Drill(_) => "drill",
            Self::RecoveryPoint { .. } => "recovery_point",
            Self::Pager { .. } => "pager",
            Self::RoomOpened => "room_opened",
            Self::RoomJoined => "room_joined",
            Self::RoomLeft => "room_left",
            Self::HandedOver { .. } => "handed_over",
            Self::ReviewEditing { .. } => "review_editing",
            Self::ApprovalRequested { .. } => "approval_requested",
            Self::ApprovalGiven { .. } => "approval_given",
            Self::ApprovalWithdrawn { .. } => "approval_withdrawn",
            Self::DrillEnded { .. } => "drill_ended",
            Self::NotifyHeld { .. } => "notify_held",
            Self::AlertStarted(_) => "alert_started",
            Self::AlertResolved { .. } => "alert_resolved",
            Self::SilenceRequested(_) => "silence_requested",
            Self::SilenceCreated { .. } => "silence_created",
            Self::SilenceFailed { .. } => "silence_failed",
            Self::SilenceExpired { .. } => "silence_expired",
            Self::SilenceExpiryFailed { .. } => "silence_expiry_failed",
            Self::Resolved { .. } => "resolved",
        }
    }
}

/// What a two-person approval is for: a runbook step's command or a recovery action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Approvable {
    Step {
        runbook: String,
        step: usize,
        command: usize,
    },
    Recovery {
        component: String,
        action: usize,
    },
}

impl Approvable {
    /// What a command's start runs, as an approval names it.
    #[must_use]
    pub fn of(event: &Event) -> Option<Self> {
        match event {
            Event::StepStarted {
                runbook,
                step,
                command,
                ..
            } => Some(Self::Step {
                runbook: runbook.clone(),
                step: *step,
                command: *command,
            }),
            Event::RecoveryStarted {
                component, action, ..
            } => Some(Self::Recovery {
                component: component.clone(),
                action: *action,
            }),
            _ => None,
        }
    }
}

mod record;
pub use record::Record;
use record::millis;

#[cfg(test)]
mod tests;
