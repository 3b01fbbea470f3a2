//! The incident as a fold over its journal records.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::event::{AlertSeen, Declaration, DrillStart, Event, Record, Target};
use super::silence::Silence;
use super::{Severity, Status};

mod alerts;
mod escalation;
mod outages;
mod outbox;
mod room;
mod steps;

pub use super::text::{brief, clock, incident_id, since, time_of_day, time_of_day_ascii};
pub use escalation::Page;
pub use outages::OutageSpan;
pub use outbox::{Delivery, Outbound, attempts, backoff};
pub use room::{Approval, Approved, Roles};
pub use steps::{Assignment, StepNote, StepProgress, StepRun};

/// The state of one incident, rebuilt from its journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub status: Status,
    pub drill: bool,
    pub roles: Roles,
    pub affected: Vec<String>,
    /// How many notes were added (their texts are in the journal).
    pub notes: usize,
    /// The notes about runbook steps, shown under their step.
    pub step_notes: Vec<StepNote>,
    /// First failed sample among the outages known at declaration.
    pub detected: Option<DateTime<Utc>>,
    pub declared: DateTime<Utc>,
    /// When the status first reached monitoring.
    pub mitigated: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
    /// Components still failing when the incident was resolved (named by the resolution, or
    /// in an older journal, outages still open at it).
    pub not_recovered: Vec<String>,
    /// How many events the incident has seen.
    pub events: u64,
    /// Outage spans of the affected components, in the order they started.
    pub outages: Vec<OutageSpan>,
    /// Where each component's last outage span is in `outages`, so a transition touches one
    /// span, not every span (a flapping component over a long incident makes thousands).
    outage_at: BTreeMap<String, usize>,
    /// `affected` as a set, for the same reason.
    affected_set: std::collections::BTreeSet<String>,
    /// Where the unresolved alerts are in `alerts`, oldest first, by (source, fingerprint).
    open_alerts: BTreeMap<(String, String), std::collections::VecDeque<usize>>,
    /// Where each silence is in `silences`, by the sequence number of its request and by the
    /// Alertmanager id it was given.
    silence_at: BTreeMap<u64, usize>,
    silence_by_id: BTreeMap<String, usize>,
    /// When the escalation clock started: declaration, restarted by a severity raise.
    pub escalation_since: DateTime<Utc>,
    /// Highest escalation level acknowledged since the clock started, and when.
    pub acknowledged_level: Option<(usize, DateTime<Utc>)>,
    /// The first acknowledgement (the MTTA milestone).
    pub acknowledged: Option<DateTime<Utc>>,
    /// Pages asked for, oldest first.
    pub pages: Vec<Page>,
    /// Outages whose RTO breach is already journaled: (component, outage start).
    pub breaches: std::collections::BTreeSet<(String, DateTime<Utc>)>,
    /// The last stakeholder update (or the declaration), for the update cadence.
    pub last_update: DateTime<Utc>,
    /// Notifications by the sequence number of their `notify_queued` record.
    pub outbox: Vec<Outbound>,
    /// Runbook progress: runs and marks per (runbook id, step index).
    pub steps: BTreeMap<(String, usize), StepProgress>,
    /// Recovery actions run, oldest first: (component, action index, the run).
    pub recoveries: Vec<(String, usize, StepRun)>,
    /// The last saved post-incident review.
    pub review: Option<String>,
    /// Each component's objectives at declaration (empty in journals written before they were).
    pub targets: BTreeMap<String, Target>,
    /// The last good copies known per component, oldest first.
    pub copies: BTreeMap<String, Vec<DateTime<Utc>>>,
    /// The drill the incident belongs to: what it is scored against.
    pub scenario: Option<DrillStart>,
    /// A drill inject has made the pager fail.
    pub pager_failing: bool,
    /// Who is in the room besides the writing console, with how many consoles each.
    pub present: BTreeMap<String, usize>,
    /// When each person last left the room (gone from every console), while still gone.
    pub left: BTreeMap<String, DateTime<Utc>>,
    /// Who writes from the console that opened the room.
    pub room_host: Option<String>,
    /// Two-person approvals, by the sequence number of their request.
    pub approvals: BTreeMap<u64, Approval>,
    /// Who has the review editor open, in a room (one editor at a time).
    pub review_editor: Option<String>,
    /// The sequence number of the record that resolved the incident.
    pub resolved_by: Option<u64>,
    /// The Alertmanager alerts the incident follows, in the order it learned of them, each with
    /// when it resolved.
    pub alerts: Vec<(AlertSeen, Option<DateTime<Utc>>)>,
    /// The silences it asked for, oldest first.
    pub silences: Vec<Silence>,
}

/// Why a journal could not be folded into an incident.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("the journal is empty")]
    Empty,
    #[error("the first event is `{0}`, expected `declared`")]
    NotDeclared(&'static str),
}

impl Incident {
    /// Starts an incident from its first record, which must be a declaration.
    pub fn declare(record: &Record) -> Result<Self, FoldError> {
        let Event::Declared(declaration) = &record.event else {
            return Err(FoldError::NotDeclared(record.event.kind()));
        };
        let Declaration {
            id,
            title,
            severity,
            commander,
            drill,
            outages,
            targets,
            scenario,
            alerts,
            format: _,
        } = &**declaration;
        let copies = targets
            .iter()
            .filter_map(|t| Some((t.component.clone(), vec![t.last_good?])))
            .collect();
        Ok(Self {
            id: id.clone(),
            title: title.clone(),
            severity: *severity,
            status: Status::Investigating,
            drill: *drill,
            roles: Roles {
                commander: commander.clone(),
                ..Roles::default()
            },
            affected: outages.iter().map(|o| o.component.clone()).collect(),
            notes: 0,
            step_notes: Vec::new(),
            detected: outages
                .iter()
                .map(|o| o.since)
                .chain(alerts.iter().filter_map(|a| a.starts_at))
                .min(),
            declared: record.at,
            mitigated: None,
            resolved: None,
            not_recovered: Vec::new(),
            events: 1,
            outages: outages
                .iter()
                .map(|o| OutageSpan {
                    component: o.component.clone(),
                    start: o.since,
                    end: None,
                })
                .collect(),
            outage_at: outages
                .iter()
                .enumerate()
                .map(|(i, o)| (o.component.clone(), i))
                .collect(),
            affected_set: outages.iter().map(|o| o.component.clone()).collect(),
            open_alerts: alerts
                .iter()
                .enumerate()
                .fold(BTreeMap::new(), |mut open, (i, a)| {
                    open.entry((a.source.clone(), a.fingerprint.clone()))
                        .or_insert_with(std::collections::VecDeque::new)
                        .push_back(i);
                    open
                }),
            silence_at: BTreeMap::new(),
            silence_by_id: BTreeMap::new(),
            escalation_since: record.at,
            acknowledged_level: None,
            acknowledged: None,
            pages: Vec::new(),
            breaches: std::collections::BTreeSet::new(),
            last_update: record.at,
            outbox: Vec::new(),
            steps: BTreeMap::new(),
            recoveries: Vec::new(),
            review: None,
            targets: targets
                .iter()
                .map(|t| (t.component.clone(), t.clone()))
                .collect(),
            copies,
            pager_failing: scenario.as_ref().is_some_and(|s| s.pager_failing),
            present: BTreeMap::new(),
            left: BTreeMap::new(),
            room_host: None,
            approvals: BTreeMap::new(),
            review_editor: None,
            resolved_by: None,
            scenario: scenario.clone(),
            alerts: alerts.iter().map(|a| (a.clone(), None)).collect(),
            silences: Vec::new(),
        })
    }

    /// Folds a whole journal into the incident it describes. A drill's journal starts with the
    /// drill and what happened before anyone declared; the incident starts at its declaration.
    pub fn fold(records: &[Record]) -> Result<Self, FoldError> {
        let first = records.first().ok_or(FoldError::Empty)?;
        let start = match first.event {
            Event::Drill(_) => records
                .iter()
                .position(|r| matches!(r.event, Event::Declared { .. }))
                .ok_or(FoldError::NotDeclared(first.event.kind()))?,
            _ => 0,
        };
        let mut incident = Self::declare(&records[start])?;
        for record in &records[start + 1..] {
            incident.apply(record);
        }
        Ok(incident)
    }

    /// Applies one record that follows the declaration: what the incident itself holds here,
    /// each feature's records in its own sub-fold.
    pub fn apply(&mut self, record: &Record) {
        self.events += 1;
        match &record.event {
            Event::Declared { .. } | Event::ScenarioMessage { .. } | Event::DrillEnded { .. } => {}
            Event::Drill(start) => {
                self.scenario.get_or_insert_with(|| (**start).clone());
            }
            Event::Pager { failing } => self.pager_failing = *failing,
            Event::StatusChanged { to, .. } => self.set_status(*to, record.at),
            Event::NoteAdded { text, step } => self.add_note(record, text, step.as_ref()),
            Event::Resolved { not_recovered, .. } => {
                self.set_status(Status::Resolved, record.at);
                self.resolved_by = Some(record.seq);
                self.not_recovered.clone_from(not_recovered);
                if self.not_recovered.is_empty() {
                    self.not_recovered = self.still_failing();
                }
            }
            Event::ReviewSaved { text } => self.review = Some(text.clone()),
            Event::ComponentChanged { .. }
            | Event::RtoBreached { .. }
            | Event::RecoveryPoint { .. }
            | Event::Budgets { .. } => self.apply_outages(record),
            Event::SeverityChanged { .. }
            | Event::Acknowledged { .. }
            | Event::Paged { .. }
            | Event::UpdatePosted { .. } => self.apply_escalation(record),
            Event::NotifyQueued { .. }
            | Event::NotifySent { .. }
            | Event::NotifyHeld { .. }
            | Event::NotifyFailed { .. } => self.apply_outbox(record),
            Event::StepStarted { .. }
            | Event::CommandFinished { .. }
            | Event::StepMarked { .. }
            | Event::StepVerified { .. }
            | Event::CheckTicked { .. }
            | Event::Assigned { .. }
            | Event::RecoveryStarted { .. } => self.apply_step(record),
            Event::AlertStarted(_)
            | Event::AlertResolved { .. }
            | Event::SilenceRequested(_)
            | Event::SilenceCreated { .. }
            | Event::SilenceFailed { .. }
            | Event::SilenceExpired { .. }
            | Event::SilenceExpiryFailed { .. } => self.apply_alerts(record),
            Event::RoomOpened
            | Event::RoomJoined
            | Event::RoomLeft
            | Event::ReviewEditing { .. }
            | Event::HandedOver { .. }
            | Event::RoleAssigned { .. }
            | Event::ApprovalRequested { .. }
            | Event::ApprovalGiven { .. }
            | Event::ApprovalWithdrawn { .. } => self.apply_room(record),
        }
    }

    fn set_status(&mut self, status: Status, at: DateTime<Utc>) {
        self.status = status;
        if matches!(status, Status::Monitoring | Status::Resolved) && self.mitigated.is_none() {
            self.mitigated = Some(at);
        }
        if status == Status::Resolved {
            self.resolved = Some(at);
        }
    }

    /// Mean time to detect, for this incident: first failed sample to declaration.
    #[must_use]
    pub fn mttd(&self) -> Option<TimeDelta> {
        self.detected
            .map(|d| (self.declared - d).max(TimeDelta::zero()))
    }

    /// Time to acknowledge: declaration to the first acknowledgement.
    #[must_use]
    pub fn mtta(&self) -> Option<TimeDelta> {
        self.acknowledged
            .map(|a| (a - self.declared).max(TimeDelta::zero()))
    }

    /// Time to recover: first failure (or declaration) to resolution, when everything affected
    /// had recovered by then.
    #[must_use]
    pub fn mttr(&self) -> Option<TimeDelta> {
        self.time_to_resolve()
            .filter(|_| self.not_recovered.is_empty())
    }

    /// Time to resolve: first failure (or declaration) to resolution, recovered or not.
    #[must_use]
    pub fn time_to_resolve(&self) -> Option<TimeDelta> {
        let start = self.detected.unwrap_or(self.declared);
        self.resolved.map(|r| (r - start).max(TimeDelta::zero()))
    }

    /// `MTTD 2m10s · MTTA 45s · MTTR open` for display.
    #[must_use]
    pub fn metrics(&self) -> String {
        let show =
            |d: Option<TimeDelta>, missing: &str| d.map_or_else(|| missing.to_owned(), brief);
        format!(
            "MTTD {} · MTTA {} · MTTR {}",
            show(self.mttd(), "n/a"),
            show(self.mtta(), "not yet"),
            match (self.mttr(), self.resolved) {
                (None, Some(_)) => "none (not recovered)".to_owned(),
                (mttr, _) => show(mttr, "open"),
            }
        )
    }

    /// True while the incident has notifications to deliver: entries not sent yet, or (a crash
    /// right after resolving) a resolution whose notifications are not journaled though the
    /// incident notified before. A console resumes such an incident even once it is resolved.
    #[must_use]
    pub fn owes(&self) -> bool {
        let pending = self
            .outbox
            .iter()
            .any(|e| matches!(e.delivery, Delivery::Queued | Delivery::Failed { .. }));
        let settled = self.outbox.iter().map(|e| e.cause).max();
        pending || matches!((self.resolved_by, settled), (Some(r), Some(s)) if s < r)
    }

    /// True until the incident is resolved.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }

    /// Time since declaration, stopped at resolution.
    #[must_use]
    pub fn elapsed(&self, now: DateTime<Utc>) -> TimeDelta {
        (self.resolved.unwrap_or(now) - self.declared).max(TimeDelta::zero())
    }
}

#[cfg(test)]
pub(crate) mod tests;
