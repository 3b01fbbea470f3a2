//! The incident as a fold over its journal records.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::event::{AlertSeen, Approvable, Declaration, DrillStart, Event, Record, Target};
use super::silence::{Silence, Standing};
use super::{Role, Severity, Status};

/// A note someone added about a runbook step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepNote {
    /// The runbook and step it is about.
    pub step: (String, usize),
    pub at: DateTime<Utc>,
    pub actor: String,
    pub text: String,
}

/// Who holds the incident roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub commander: String,
    pub scribe: Option<String>,
    pub comms: Option<String>,
    /// The roles a config adds ("technical lead"), by name, once someone holds them.
    pub others: std::collections::BTreeMap<String, String>,
}

impl Roles {
    /// Who holds `role`, if anyone.
    #[must_use]
    pub fn holder(&self, role: &Role) -> Option<&str> {
        match role.as_str() {
            Role::COMMANDER => Some(&self.commander),
            "scribe" => self.scribe.as_deref(),
            "comms" => self.comms.as_deref(),
            other => self.others.get(other).map(String::as_str),
        }
    }

    fn assign(&mut self, role: &Role, person: &str) {
        let person = person.to_owned();
        match role.as_str() {
            Role::COMMANDER => self.commander = person,
            "scribe" => self.scribe = Some(person),
            "comms" => self.comms = Some(person),
            other => {
                self.others.insert(other.to_owned(), person);
            }
        }
    }

    /// The roles `person` holds: `["commander", "scribe"]`.
    #[must_use]
    pub fn held_by(&self, person: &str) -> Vec<String> {
        let mut held = Vec::new();
        if self.commander == person {
            held.push(Role::COMMANDER.to_owned());
        }
        for (role, holder) in [("scribe", &self.scribe), ("comms", &self.comms)] {
            if holder.as_deref() == Some(person) {
                held.push(role.to_owned());
            }
        }
        held.extend(
            self.others
                .iter()
                .filter(|(_, holder)| *holder == person)
                .map(|(role, _)| role.clone()),
        );
        held
    }

    /// `IC dana · scribe sam · comms unassigned · technical lead lee`.
    #[must_use]
    pub fn describe(&self) -> String {
        let optional = |o: &Option<String>| o.clone().unwrap_or_else(|| "unassigned".into());
        let mut text = format!(
            "IC {} · scribe {} · comms {}",
            self.commander,
            optional(&self.scribe),
            optional(&self.comms)
        );
        for (role, person) in &self.others {
            text.push_str(" · ");
            text.push_str(role);
            text.push(' ');
            text.push_str(person);
        }
        text
    }
}

/// A two-person approval: who asked to run what, and the verdict of the second person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub requester: String,
    pub target: Approvable,
    pub what: String,
    /// Who answered, and whether they approved.
    pub verdict: Option<(String, bool)>,
    /// A run of the target has used the approval.
    pub used: bool,
}

/// Where a request to run something stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approved {
    /// Approved and not yet used.
    Yes,
    /// Asked, not yet answered.
    Waiting,
    /// Never asked, refused, or used up.
    No,
}

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
    /// How many events the incident has seen.
    pub events: u64,
    /// Outage spans of the affected components, in the order they started.
    pub outages: Vec<OutageSpan>,
    /// When the escalation clock started: declaration, restarted by a severity raise.
    pub escalation_since: DateTime<Utc>,
    /// Highest escalation level acknowledged since the clock started, and when.
    pub acknowledged_level: Option<(usize, DateTime<Utc>)>,
    /// The first acknowledgement (the MTTA milestone).
    pub acknowledged: Option<DateTime<Utc>>,
    /// Pages sent, oldest first: level, time, contacts.
    pub pages: Vec<(usize, DateTime<Utc>, Vec<String>)>,
    /// Outages whose RTO breach is already journaled: (component, outage start).
    pub breaches: Vec<(String, DateTime<Utc>)>,
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

/// One run of a step's command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRun {
    /// Sequence number of the `step_started` record.
    pub started: u64,
    pub at: DateTime<Utc>,
    pub command: usize,
    /// `(outcome, succeeded, tail)` once it ended; `None` while running or if warroom died.
    pub finished: Option<(String, bool, String)>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
}

/// What happened to one runbook step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepProgress {
    pub runs: Vec<StepRun>,
    /// Ticked checks by index: who ticked each, and when.
    pub checks: BTreeMap<usize, (String, DateTime<Utc>)>,
    pub mark: Option<super::event::StepMark>,
    pub marked_at: Option<DateTime<Utc>>,
    /// Whether the step's expectation was met, once checked.
    pub verified: Option<bool>,
}

impl StepProgress {
    /// When the step was last completed (a successful run or a `done` mark), if it was.
    #[must_use]
    pub fn completed_at(&self) -> Option<DateTime<Utc>> {
        let run = self
            .runs
            .iter()
            .rev()
            .find(|r| r.finished.as_ref().is_some_and(|f| f.1))
            .and_then(|r| r.finished_at);
        let marked = self
            .marked_at
            .filter(|_| self.mark == Some(super::event::StepMark::Done));
        run.max(marked)
    }
}

/// One stretch of time a component was failing during the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageSpan {
    pub component: String,
    /// The first failed sample.
    pub start: DateTime<Utc>,
    /// The first good sample of the recovery, once recovered.
    pub end: Option<DateTime<Utc>>,
}

/// Where a notification stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Queued,
    Failed {
        attempts: u32,
        error: String,
        at: DateTime<Utc>,
    },
    Sent {
        at: DateTime<Utc>,
    },
    /// Recorded and not sent: a drill without `allow_notify`.
    Held {
        at: DateTime<Utc>,
    },
}

/// A notification in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub queued: u64,
    /// The record it follows from (a page: its own record).
    pub cause: u64,
    pub channel: super::event::Channel,
    pub payload: serde_json::Value,
    pub delivery: Delivery,
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
            events: 1,
            outages: outages
                .iter()
                .map(|o| OutageSpan {
                    component: o.component.clone(),
                    start: o.since,
                    end: None,
                })
                .collect(),
            escalation_since: record.at,
            acknowledged_level: None,
            acknowledged: None,
            pages: Vec::new(),
            breaches: Vec::new(),
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

    /// How many consoles are in the room: the writer's and every joined one.
    #[must_use]
    pub fn room_size(&self) -> usize {
        1 + self.present.values().sum::<usize>()
    }

    /// The people in the room, the writing console's first; empty when nobody joined.
    #[must_use]
    pub fn people(&self) -> Vec<&str> {
        if self.present.is_empty() {
            return Vec::new();
        }
        let host = self.room_host.as_deref();
        host.into_iter()
            .chain(
                self.present
                    .keys()
                    .map(String::as_str)
                    .filter(|p| Some(*p) != host),
            )
            .collect()
    }

    /// The request waiting longest for a second person, if any.
    #[must_use]
    pub fn pending_approval(&self) -> Option<(u64, &Approval)> {
        self.approvals
            .iter()
            .find(|(_, a)| a.verdict.is_none())
            .map(|(seq, a)| (*seq, a))
    }

    /// Where `requester`'s latest unused request to run `target` stands.
    #[must_use]
    pub fn approval_of(&self, target: &Approvable, requester: &str) -> Approved {
        let latest = self
            .approvals
            .values()
            .rev()
            .find(|a| &a.target == target && a.requester == requester && !a.used);
        match latest.map(|a| &a.verdict) {
            Some(None) => Approved::Waiting,
            Some(Some((_, true))) => Approved::Yes,
            _ => Approved::No,
        }
    }

    /// A request for approval, or its answer.
    fn apply_approval(&mut self, record: &Record) {
        match &record.event {
            Event::ApprovalRequested { target, what } => {
                let approval = Approval {
                    requester: record.actor.clone(),
                    target: target.clone(),
                    what: what.clone(),
                    verdict: None,
                    used: false,
                };
                self.approvals.insert(record.seq, approval);
            }
            Event::ApprovalGiven {
                request, approved, ..
            } => {
                if let Some(approval) = self.approvals.get_mut(request) {
                    approval
                        .verdict
                        .get_or_insert((record.actor.clone(), *approved));
                }
            }
            _ => {}
        }
    }

    /// A command's start uses up its starter's approval of it.
    fn use_approval(&mut self, record: &Record) {
        let Some(target) = Approvable::of(&record.event) else {
            return;
        };
        let actor = &record.actor;
        if let Some(approval) = self.approvals.values_mut().rev().find(|a| {
            a.target == target
                && &a.requester == actor
                && !a.used
                && matches!(a.verdict, Some((_, true)))
        }) {
            approval.used = true;
        }
    }

    /// Who is in the room, as its opening, joins and leaves tell.
    fn apply_room(&mut self, record: &Record) {
        let who = &record.actor;
        match record.event {
            Event::RoomOpened => {
                self.present.clear();
                self.room_host = Some(who.clone());
                self.review_editor = None;
            }
            Event::RoomJoined => *self.present.entry(who.clone()).or_default() += 1,
            Event::ReviewEditing { editing: true } => self.review_editor = Some(who.clone()),
            Event::ReviewEditing { editing: false } => {
                if self.review_editor.as_ref() == Some(who) {
                    self.review_editor = None;
                }
            }
            _ => {
                if let Some(count) = self.present.get_mut(who) {
                    *count -= 1;
                    if *count == 0 {
                        self.present.remove(who);
                        if self.review_editor.as_ref() == Some(who) {
                            self.review_editor = None;
                        }
                    }
                }
            }
        }
    }

    /// A note is counted; one about a runbook step is also kept for that step's screen (the
    /// others are read from the journal, so a long incident's notes are not held twice).
    fn add_note(&mut self, record: &Record, text: &str, step: Option<&(String, usize)>) {
        self.notes += 1;
        if let Some(step) = step {
            self.step_notes.push(StepNote {
                step: step.clone(),
                at: record.at,
                actor: record.actor.clone(),
                text: text.to_owned(),
            });
        }
    }

    /// Applies one record that follows the declaration.
    pub fn apply(&mut self, record: &Record) {
        self.events += 1;
        match &record.event {
            Event::Declared { .. } | Event::ScenarioMessage { .. } | Event::DrillEnded { .. } => {}
            Event::Drill(start) => {
                self.scenario.get_or_insert_with(|| (**start).clone());
            }
            Event::RecoveryPoint { .. } | Event::Budgets { .. } => self.apply_copies(record),
            Event::Pager { failing } => self.pager_failing = *failing,
            Event::RoomOpened
            | Event::RoomJoined
            | Event::RoomLeft
            | Event::ReviewEditing { .. } => self.apply_room(record),
            Event::HandedOver { to, .. } => self.roles.commander.clone_from(to),
            Event::ApprovalRequested { .. } | Event::ApprovalGiven { .. } => {
                self.apply_approval(record);
            }
            Event::SeverityChanged { from, to } => {
                self.severity = *to;
                if to < from {
                    self.escalation_since = record.at;
                    self.acknowledged_level = None;
                }
            }
            Event::StatusChanged { to, .. } => self.set_status(*to, record.at),
            Event::RoleAssigned { role, person } => self.roles.assign(role, person),
            Event::NoteAdded { text, step } => self.add_note(record, text, step.as_ref()),
            Event::ComponentChanged {
                component,
                to,
                since,
                ..
            } => {
                self.component_changed(component, to.is_failing(), since.unwrap_or(record.at));
            }
            Event::Resolved { .. } => {
                self.set_status(Status::Resolved, record.at);
                self.resolved_by = Some(record.seq);
            }
            Event::Acknowledged { level } => {
                self.acknowledged_level = Some((*level, record.at));
                self.acknowledged.get_or_insert(record.at);
            }
            Event::Paged { .. } => self.paged(record),
            Event::RtoBreached {
                component,
                outage_start,
                ..
            } => {
                self.breaches.push((component.clone(), *outage_start));
            }
            Event::UpdatePosted { .. } => self.last_update = record.at,
            Event::ReviewSaved { text } => self.review = Some(text.clone()),
            Event::NotifyQueued {
                channel,
                payload,
                cause,
            } => self.outbox.push(Outbound {
                queued: record.seq,
                // An older journal's entry follows from a record before it.
                cause: cause.unwrap_or(record.seq.saturating_sub(1)),
                channel: *channel,
                payload: payload.clone(),
                delivery: Delivery::Queued,
            }),
            Event::NotifySent { queued } => self.deliver(*queued, Delivery::Sent { at: record.at }),
            Event::NotifyHeld { queued } => self.deliver(*queued, Delivery::Held { at: record.at }),
            Event::StepStarted { .. }
            | Event::CommandFinished { .. }
            | Event::StepMarked { .. }
            | Event::StepVerified { .. }
            | Event::CheckTicked { .. }
            | Event::RecoveryStarted { .. } => {
                self.apply_step(record);
            }
            Event::AlertStarted(_)
            | Event::AlertResolved { .. }
            | Event::SilenceRequested(_)
            | Event::SilenceCreated { .. }
            | Event::SilenceFailed { .. }
            | Event::SilenceExpired { .. }
            | Event::SilenceExpiryFailed { .. } => self.apply_alerts(record),
            Event::NotifyFailed {
                queued,
                attempt,
                error,
            } => {
                let failed = Delivery::Failed {
                    attempts: *attempt,
                    error: error.clone(),
                    at: record.at,
                };
                self.deliver(*queued, failed);
            }
        }
    }

    fn apply_copies(&mut self, record: &Record) {
        match &record.event {
            Event::RecoveryPoint {
                component,
                last_good,
                ..
            } => {
                // "The last good copy is X": copies thought good after X were not.
                let copies = self.copies.entry(component.clone()).or_default();
                copies.retain(|c| c < last_good);
                copies.push(*last_good);
            }
            Event::Budgets { entries, .. } => {
                // Journals from before recovery points were records: the copy an exposure implies.
                for entry in entries {
                    if let Some(secs) = entry.exposure_secs {
                        let copy = record.at - TimeDelta::seconds(secs as i64);
                        let copies = self.copies.entry(entry.component.clone()).or_default();
                        if !copies.contains(&copy) {
                            copies.push(copy);
                            copies.sort();
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn apply_step(&mut self, record: &Record) {
        match &record.event {
            Event::StepStarted {
                runbook,
                step,
                command,
                ..
            } => {
                let run = StepRun {
                    started: record.seq,
                    at: record.at,
                    command: *command,
                    finished: None,
                    finished_at: None,
                };
                self.steps
                    .entry((runbook.clone(), *step))
                    .or_default()
                    .runs
                    .push(run);
                self.use_approval(record);
            }
            Event::RecoveryStarted {
                component, action, ..
            } => {
                self.use_approval(record);
                let run = StepRun {
                    started: record.seq,
                    at: record.at,
                    command: *action,
                    finished: None,
                    finished_at: None,
                };
                self.recoveries.push((component.clone(), *action, run));
            }
            Event::CommandFinished {
                started,
                outcome,
                succeeded,
                tail,
                ..
            } => {
                let recoveries = self.recoveries.iter_mut().map(|(_, _, r)| r);
                let run = self
                    .steps
                    .values_mut()
                    .flat_map(|p| p.runs.iter_mut())
                    .chain(recoveries)
                    .find(|r| r.started == *started);
                if let Some(run) = run {
                    run.finished = Some((outcome.clone(), *succeeded, tail.clone()));
                    run.finished_at = Some(record.at);
                }
            }
            Event::StepMarked {
                runbook,
                step,
                state,
            } => {
                let progress = self.steps.entry((runbook.clone(), *step)).or_default();
                progress.mark = Some(*state);
                progress.marked_at = Some(record.at);
            }
            Event::CheckTicked {
                runbook,
                step,
                check,
                ticked,
                ..
            } => {
                let checks = &mut self
                    .steps
                    .entry((runbook.clone(), *step))
                    .or_default()
                    .checks;
                if *ticked {
                    checks.insert(*check, (record.actor.clone(), record.at));
                } else {
                    checks.remove(check);
                }
            }
            Event::StepVerified {
                runbook,
                step,
                verified,
                ..
            } => {
                self.steps
                    .entry((runbook.clone(), *step))
                    .or_default()
                    .verified = Some(*verified);
            }
            _ => {}
        }
    }

    fn paged(&mut self, record: &Record) {
        let Event::Paged {
            level,
            contacts,
            pagerduty,
        } = &record.event
        else {
            return;
        };
        self.pages.push((*level, record.at, contacts.clone()));
        if let Some(payload) = pagerduty {
            self.outbox.push(Outbound {
                queued: record.seq,
                cause: record.seq,
                channel: super::event::Channel::Pagerduty,
                payload: payload.clone(),
                delivery: Delivery::Queued,
            });
        }
    }

    fn apply_alerts(&mut self, record: &Record) {
        match &record.event {
            Event::AlertStarted(alert) => {
                self.detected = self.detected.into_iter().chain(alert.starts_at).min();
                self.alerts.push(((**alert).clone(), None));
            }
            Event::AlertResolved {
                source,
                fingerprint,
                ..
            } => {
                if let Some((_, resolved)) = self.alerts.iter_mut().find(|(a, resolved)| {
                    resolved.is_none() && a.source == *source && a.fingerprint == *fingerprint
                }) {
                    *resolved = Some(record.at);
                }
            }
            Event::SilenceRequested(request) => self.silences.push(Silence {
                requested: record.seq,
                source: request.source.clone(),
                fingerprint: request.fingerprint.clone(),
                ends_at: request.ends_at,
                standing: Standing::Requested,
            }),
            Event::SilenceCreated { requested, id } => {
                self.silence_answered(*requested, Standing::Active { id: id.clone() });
            }
            Event::SilenceFailed { requested, error } => {
                let failed = Standing::Failed {
                    error: error.clone(),
                };
                self.silence_answered(*requested, failed);
            }
            Event::SilenceExpired { id } => self.silence_expired(id, None),
            Event::SilenceExpiryFailed { id, error } => self.silence_expired(id, Some(error)),
            _ => {}
        }
    }

    fn silence_answered(&mut self, requested: u64, standing: Standing) {
        if let Some(silence) = self.silences.iter_mut().find(|s| s.requested == requested) {
            silence.standing = standing;
        }
    }

    fn silence_expired(&mut self, id: &str, error: Option<&String>) {
        if let Some(silence) = self.silences.iter_mut().find(|s| s.active_id() == Some(id)) {
            silence.standing = match error {
                None => Standing::Expired { id: id.to_owned() },
                Some(error) => Standing::ExpiryFailed {
                    id: id.to_owned(),
                    error: error.clone(),
                },
            };
        }
    }

    /// The ids of the Alertmanager silences the incident created that may still hold.
    #[must_use]
    pub fn silence_ids(&self) -> std::collections::BTreeSet<String> {
        self.silences
            .iter()
            .filter_map(|s| s.active_id().map(str::to_owned))
            .collect()
    }

    /// The followed alerts still firing.
    pub fn firing_alerts(&self) -> impl Iterator<Item = &AlertSeen> {
        self.alerts
            .iter()
            .filter(|(_, resolved)| resolved.is_none())
            .map(|(a, _)| a)
    }

    fn component_changed(&mut self, component: &str, failing: bool, since: DateTime<Utc>) {
        if failing && !self.affected.iter().any(|c| c == component) {
            self.affected.push(component.to_owned());
        }
        let open = self
            .outages
            .iter_mut()
            .find(|o| o.component == component && o.end.is_none());
        match (failing, open) {
            (true, None) => self.outages.push(OutageSpan {
                component: component.to_owned(),
                start: since,
                end: None,
            }),
            (false, Some(span)) => span.end = Some(since),
            _ => {}
        }
    }

    fn deliver(&mut self, queued: u64, delivery: Delivery) {
        if let Some(entry) = self.outbox.iter_mut().find(|o| o.queued == queued)
            && !matches!(entry.delivery, Delivery::Sent { .. })
        {
            entry.delivery = delivery;
        }
    }

    /// The current or last outage of a component during the incident.
    #[must_use]
    pub fn outage(&self, component: &str) -> Option<&OutageSpan> {
        self.outages.iter().rev().find(|o| o.component == component)
    }

    /// The time since a component's last good copy made at or before `at`; zero when the only
    /// copies known came after it; `None` when no copy is known.
    #[must_use]
    pub fn copy_gap(&self, component: &str, at: DateTime<Utc>) -> Option<TimeDelta> {
        let copies = self.copies.get(component).filter(|c| !c.is_empty())?;
        Some(
            copies
                .iter()
                .rev()
                .find(|c| **c <= at)
                .map_or(TimeDelta::zero(), |c| at - *c),
        )
    }

    /// The data a component's outage put at risk: its start minus the last good copy before it.
    #[must_use]
    pub fn data_at_risk(&self, component: &str) -> Option<TimeDelta> {
        self.copy_gap(component, self.outage(component)?.start)
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

    /// Time to recover: first failure (or declaration) to resolution.
    #[must_use]
    pub fn mttr(&self) -> Option<TimeDelta> {
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
            show(self.mttr(), "open")
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

/// Longest slug in an incident id, so the id fits beside the screen tabs at 80 columns.
const SLUG_MAX: usize = 26;

/// Makes an incident id `YYYYMMDD-HHMM-slug` (a drill's `DRILL-YYYYMMDD-HHMM-slug`) from the
/// declaration time and title; a long slug is cut at a word boundary.
#[must_use]
pub fn incident_id(at: DateTime<Utc>, title: &str, drill: bool) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let prefix = if drill { "DRILL-" } else { "" };
    let max = SLUG_MAX - prefix.len();
    if slug.len() > max {
        let cut = slug[..=max]
            .rfind('-')
            .filter(|&i| i > max / 2)
            .unwrap_or(max);
        slug.truncate(cut);
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "incident" } else { slug };
    format!("{prefix}{}-{slug}", at.format("%Y%m%d-%H%M"))
}

/// The wall-clock time of day, `03:01:26`.
#[must_use]
pub fn time_of_day(at: &impl chrono::Timelike) -> String {
    time_of_day_ascii(at)
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// The wall-clock time of day as the eight ASCII bytes of `03:01:26`, made by hand (chrono's
/// `format` reads its pattern again for every call): reviews, timelines and `incident show`
/// write one per record.
#[must_use]
pub fn time_of_day_ascii(at: &impl chrono::Timelike) -> [u8; 8] {
    let two = |n: u32| [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8];
    let ([h1, h2], [m1, m2], [s1, s2]) = (two(at.hour()), two(at.minute()), two(at.second()));
    [h1, h2, b':', m1, m2, b':', s1, s2]
}

fn hms(hours: impl std::fmt::Display, minutes: u32, seconds: u32) -> String {
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}

/// Formats a duration as `HH:MM:SS` (or `Nd HH:MM:SS` past a day).
#[must_use]
pub fn clock(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = hms(rest / 3600, (rest % 3600 / 60) as u32, (rest % 60) as u32);
    if days > 0 {
        format!("{days}d {hms}")
    } else {
        hms
    }
}

/// How long a component has been in its state, as the board shows it: to the second while it
/// fails (an outage is watched closely) and for its first minute; a healthy one past that in
/// whole minutes, so a board where nothing happens changes a row once a minute, not every second.
#[must_use]
pub fn since(delta: TimeDelta, failing: bool) -> String {
    let secs = delta.num_seconds().max(0);
    match secs {
        60..3600 if !failing => format!("{}m", secs / 60),
        _ => brief(delta),
    }
}

/// Formats a duration briefly, for "since" columns: `45s`, `12m`, `3h05m`, `2d04h`.
#[must_use]
pub fn brief(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{:02}h", secs / 86_400, secs % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests;
