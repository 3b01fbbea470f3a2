//! The incident as a fold over its journal records.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::event::{Event, Record};
use super::{Role, Severity, Status};

/// A note someone added to the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The runbook step it is about, if any.
    pub step: Option<(String, usize)>,
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
}

impl Roles {
    /// Who holds `role`, if anyone.
    #[must_use]
    pub fn holder(&self, role: Role) -> Option<&str> {
        match role {
            Role::Commander => Some(&self.commander),
            Role::Scribe => self.scribe.as_deref(),
            Role::Comms => self.comms.as_deref(),
        }
    }

    fn assign(&mut self, role: Role, person: &str) {
        match role {
            Role::Commander => self.commander = person.to_owned(),
            Role::Scribe => self.scribe = Some(person.to_owned()),
            Role::Comms => self.comms = Some(person.to_owned()),
        }
    }
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
    pub notes: Vec<Note>,
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
        let Event::Declared {
            id,
            title,
            severity,
            commander,
            drill,
            outages,
        } = &record.event
        else {
            return Err(FoldError::NotDeclared(record.event.kind()));
        };
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
            notes: Vec::new(),
            detected: outages.iter().map(|o| o.since).min(),
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
        })
    }

    /// Folds a whole journal into the incident it describes.
    pub fn fold(records: &[Record]) -> Result<Self, FoldError> {
        let (first, rest) = records.split_first().ok_or(FoldError::Empty)?;
        let mut incident = Self::declare(first)?;
        for record in rest {
            incident.apply(record);
        }
        Ok(incident)
    }

    /// Applies one record that follows the declaration.
    pub fn apply(&mut self, record: &Record) {
        self.events += 1;
        match &record.event {
            Event::Declared { .. } | Event::ScenarioMessage { .. } | Event::Drill { .. } => {}
            Event::SeverityChanged { from, to } => {
                self.severity = *to;
                if to < from {
                    self.escalation_since = record.at;
                    self.acknowledged_level = None;
                }
            }
            Event::StatusChanged { to, .. } => self.set_status(*to, record.at),
            Event::RoleAssigned { role, person } => self.roles.assign(*role, person),
            Event::NoteAdded { text, step } => self.notes.push(Note {
                step: step.clone(),
                at: record.at,
                actor: record.actor.clone(),
                text: text.clone(),
            }),
            Event::ComponentChanged {
                component,
                to,
                since,
                ..
            } => {
                self.component_changed(component, to.is_failing(), since.unwrap_or(record.at));
            }
            Event::Resolved { .. } => self.set_status(Status::Resolved, record.at),
            Event::Acknowledged { level } => {
                self.acknowledged_level = Some((*level, record.at));
                self.acknowledged.get_or_insert(record.at);
            }
            Event::Paged {
                level,
                contacts,
                pagerduty,
            } => {
                self.pages.push((*level, record.at, contacts.clone()));
                if let Some(payload) = pagerduty {
                    self.outbox.push(Outbound {
                        queued: record.seq,
                        channel: super::event::Channel::Pagerduty,
                        payload: payload.clone(),
                        delivery: Delivery::Queued,
                    });
                }
            }
            Event::RtoBreached {
                component,
                outage_start,
                ..
            } => {
                self.breaches.push((component.clone(), *outage_start));
            }
            Event::Budgets { .. } => {}
            Event::UpdatePosted { .. } => self.last_update = record.at,
            Event::ReviewSaved { text } => self.review = Some(text.clone()),
            Event::NotifyQueued { channel, payload } => self.outbox.push(Outbound {
                queued: record.seq,
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
            | Event::RecoveryStarted { .. } => {
                self.apply_step(record);
            }
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
            }
            Event::RecoveryStarted {
                component, action, ..
            } => {
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

/// Formats a duration as `HH:MM:SS` (or `Nd HH:MM:SS` past a day).
#[must_use]
pub fn clock(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    if days > 0 {
        format!("{days}d {hms}")
    } else {
        hms
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
mod tests {
    use super::*;
    use crate::domain::Health;
    use crate::domain::event::Outage;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + TimeDelta::minutes(min)
    }

    fn record(seq: u64, min: i64, event: Event) -> Record {
        Record {
            seq,
            at: at(min),
            actor: "ic@host".into(),
            event,
        }
    }

    #[test]
    fn fold_tracks_milestones_roles_and_notes() {
        let records = vec![
            record(
                1,
                5,
                Event::Declared {
                    id: "x".into(),
                    title: "DB down".into(),
                    severity: Severity::P2,
                    commander: "ic@host".into(),
                    drill: false,
                    outages: vec![Outage {
                        component: "db".into(),
                        state: Health::Down,
                        since: at(2),
                    }],
                },
            ),
            record(
                2,
                6,
                Event::SeverityChanged {
                    from: Severity::P2,
                    to: Severity::P1,
                },
            ),
            record(
                3,
                7,
                Event::NoteAdded {
                    text: "failover started".into(),
                    step: None,
                },
            ),
            record(
                4,
                8,
                Event::RoleAssigned {
                    role: Role::Scribe,
                    person: "sam".into(),
                },
            ),
            record(
                5,
                9,
                Event::ComponentChanged {
                    component: "api".into(),
                    from: Health::Up,
                    to: Health::Down,
                    detail: None,
                    since: Some(at(8)),
                },
            ),
            record(
                6,
                20,
                Event::StatusChanged {
                    from: Status::Investigating,
                    to: Status::Monitoring,
                },
            ),
            record(7, 30, Event::Resolved { summary: None }),
        ];
        let incident = Incident::fold(&records).unwrap();
        assert_eq!(incident.severity, Severity::P1);
        assert_eq!(incident.detected, Some(at(2)));
        assert_eq!(incident.mitigated, Some(at(20)));
        assert_eq!(incident.resolved, Some(at(30)));
        assert_eq!(incident.affected, ["db", "api"]);
        assert_eq!(
            incident.outage("api").unwrap().start,
            at(8),
            "the outage starts at its first failed sample"
        );
        assert_eq!(incident.outage("db").unwrap().end, None);
        assert_eq!(incident.roles.scribe.as_deref(), Some("sam"));
        assert_eq!(incident.notes[0].text, "failover started");
        assert_eq!(incident.elapsed(at(90)), TimeDelta::minutes(25));
        assert_eq!(incident.mttd(), Some(TimeDelta::minutes(3)));
        assert_eq!(incident.mttr(), Some(TimeDelta::minutes(28)));
        assert_eq!(
            incident.metrics(),
            "MTTD 3m00s · MTTA not yet · MTTR 28m00s"
        );
        assert!(!incident.is_open());
    }

    #[test]
    fn fold_rejects_a_journal_that_does_not_start_with_a_declaration() {
        let records = vec![record(
            1,
            0,
            Event::NoteAdded {
                text: "hi".into(),
                step: None,
            },
        )];
        assert_eq!(
            Incident::fold(&records),
            Err(FoldError::NotDeclared("note_added"))
        );
        assert_eq!(Incident::fold(&[]), Err(FoldError::Empty));
    }

    #[test]
    fn ids_are_dated_slugs() {
        assert_eq!(
            incident_id(at(0), "Primary DB down!", false),
            "20261122-0300-primary-db-down"
        );
        assert_eq!(
            incident_id(at(0), "火事 🔥", false),
            "20261122-0300-incident"
        );
        assert_eq!(
            incident_id(
                at(0),
                "Checkout payments failing: primary database down",
                false
            ),
            "20261122-0300-checkout-payments-failing"
        );
        assert_eq!(
            incident_id(at(0), &"x".repeat(300), false).len(),
            14 + SLUG_MAX
        );
        let drill = incident_id(at(0), &"x".repeat(300), true);
        assert!(drill.starts_with("DRILL-20261122-0300-"));
        assert_eq!(drill.len(), 14 + SLUG_MAX);
    }

    #[test]
    fn clocks_format_durations() {
        assert_eq!(clock(TimeDelta::seconds(3725)), "01:02:05");
        assert_eq!(clock(TimeDelta::seconds(90_061)), "1d 01:01:01");
        assert_eq!(brief(TimeDelta::seconds(75)), "1m15s");
    }
}
