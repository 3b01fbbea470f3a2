//! Drills: the objectives a scenario sets, the scorecard measured from the journal, and the drill
//! clock the facilitator pauses and speeds up. Pure: time comes in as an argument.

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::event::{DrillStart, Event, Record, StepMark};
use super::incident::{Incident, brief};
use super::objective::{DrillKind, Objective};

impl Objective {
    /// The objective as a line of the scorecard.
    #[must_use]
    pub fn describe(&self) -> String {
        let span = |secs: &u64| brief(TimeDelta::seconds(*secs as i64));
        match self {
            Self::Declared { within_secs } => format!("Declared within {}", span(within_secs)),
            Self::Severity { severity } => format!("Severity {severity} chosen"),
            Self::Runbook { runbook } => format!("Runbook {runbook} used"),
            Self::Acknowledged { level, within_secs } => format!(
                "Level {} acknowledged within {}",
                level + 1,
                span(within_secs)
            ),
            Self::RtoMet {
                component,
                rto_secs,
            } => format!("{component} back within its RTO of {}", span(rto_secs)),
            Self::RpoMet {
                component,
                rpo_secs,
            } => format!(
                "{component} data at risk within its RPO of {}",
                span(rpo_secs)
            ),
            Self::ResolvedWithin { within_secs } => {
                format!("Resolved within {}", span(within_secs))
            }
            Self::UpdateWithin { within_secs } => {
                format!("Stakeholder update within {}", span(within_secs))
            }
            Self::RoleAssigned { role } => format!("A {role} assigned"),
            Self::ChecksDone { runbook, .. } => format!("Every check of runbook {runbook} ticked"),
        }
    }
}

/// How an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
pub enum Verdict {
    #[strum(serialize = "met")]
    Met,
    #[strum(serialize = "MISSED")]
    Missed,
    #[strum(serialize = "open")]
    Open,
}

/// One objective, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    pub objective: Objective,
    pub verdict: Verdict,
    /// What was measured: `after 2m10s`, `never`, `P2 only`.
    pub measured: String,
}

/// What a drill achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scorecard {
    pub title: String,
    pub kind: DrillKind,
    pub objectives: Vec<Scored>,
    /// `MTTD 1m · MTTA 30s · MTTR 12m`, or why there are none.
    pub metrics: String,
    /// One line per escalation level paged or acknowledged.
    pub escalation: Vec<String>,
    /// Steps done, skipped and failed, and commands run.
    pub steps: String,
    /// True once the incident is resolved: every objective is decided.
    pub finished: bool,
}

impl Scorecard {
    /// `3 of 5 objectives met`.
    #[must_use]
    pub fn summary(&self) -> String {
        let met = self
            .objectives
            .iter()
            .filter(|s| s.verdict == Verdict::Met)
            .count();
        format!("{met} of {} objectives met", self.objectives.len())
    }

    /// The scorecard as a Markdown section.
    #[must_use]
    pub fn to_markdown(&self) -> String {
        let mut out = format!("## Drill scorecard: {} ({})\n\n", self.title, self.kind);
        let _ = writeln!(out, "{}.\n", self.summary());
        out.push_str("| Objective | Result | Measured |\n|---|---|---|\n");
        for s in &self.objectives {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                s.objective.describe(),
                s.verdict,
                s.measured
            );
        }
        let _ = writeln!(out, "\n- {}", self.metrics);
        for line in &self.escalation {
            let _ = writeln!(out, "- {line}");
        }
        let _ = writeln!(out, "- {}", self.steps);
        out
    }
}

/// The id of the journal a drill keeps from its start: its start time and title.
#[must_use]
pub fn journal_id(start: &DrillStart) -> String {
    super::incident::incident_id(start.started, &start.title, true)
}

/// How far into a journal its drill can be: first (a drill journaled from its start), in the
/// declaration, or (older journals) in the batch of records that followed the declaration.
const DRILL_WITHIN: usize = 8;

/// The drill a journal records: its first record, in its declaration, or (older journals) its
/// `drill` event just after. Looks at the journal's start only, so a real incident's journal of
/// any length costs the same.
#[must_use]
pub fn recorded(records: &[Record]) -> Option<&DrillStart> {
    records
        .iter()
        .take(DRILL_WITHIN)
        .find_map(|r| match &r.event {
            Event::Declared(declaration) => declaration.scenario.as_ref(),
            Event::Drill(start) => Some(&**start),
            _ => None,
        })
}

fn since(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    brief((to - from).max(TimeDelta::zero()))
}

/// The scorecard of an incident whose journal records a drill; `None` for a real incident.
#[must_use]
pub fn score_recorded(
    incident: &Incident,
    records: &[Record],
    now: DateTime<Utc>,
) -> Option<Scorecard> {
    let start = recorded(records)?;
    // A resolved drill's scorecard is as it stood at resolution, however late it is read.
    let now = incident.resolved.unwrap_or(now);
    Some(score(start, Some(incident), records, now))
}

/// Scores a drill from its journal at `now` (an open objective may still be met). Without a
/// declaration, every objective is judged as not achieved once its time has passed.
#[must_use]
pub fn score(
    start: &DrillStart,
    incident: Option<&Incident>,
    records: &[Record],
    now: DateTime<Utc>,
) -> Scorecard {
    let finished = finished(incident, records);
    let scored = start
        .objectives
        .iter()
        .map(|o| judge(o, incident, records, start.started, now))
        .collect();
    let (metrics, escalation, steps) = match incident {
        Some(i) => (i.metrics(), escalation_lines(i, records), step_line(i)),
        None => (
            "No incident was declared".to_owned(),
            Vec::new(),
            "No runbook steps".to_owned(),
        ),
    };
    Scorecard {
        title: start.title.clone(),
        kind: start.kind,
        objectives: scored,
        metrics,
        escalation,
        steps,
        finished,
    }
}

/// True once every objective is decided: the incident resolved, or the drill ended undeclared.
fn finished(incident: Option<&Incident>, records: &[Record]) -> bool {
    match incident {
        Some(i) => !i.is_open(),
        None => records
            .iter()
            .any(|r| matches!(r.event, Event::DrillEnded { .. })),
    }
}

fn verdict(met: bool) -> Verdict {
    if met { Verdict::Met } else { Verdict::Missed }
}

/// An objective with a deadline: met when `done` came in time, missed past the deadline.
fn against_deadline(
    from: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
    within: TimeDelta,
    now: DateTime<Utc>,
    finished: bool,
) -> (Verdict, String) {
    match done {
        Some(at) => (
            verdict(at - from <= within),
            format!("after {}", since(from, at)),
        ),
        None if finished || now - from > within => (Verdict::Missed, "not done".into()),
        None => (Verdict::Open, format!("{} so far", since(from, now))),
    }
}

/// When the first record whose event `matches` was written.
fn first_at(records: &[Record], matches: impl Fn(&Event) -> bool) -> Option<DateTime<Utc>> {
    records.iter().find(|r| matches(&r.event)).map(|r| r.at)
}

fn judge(
    objective: &Objective,
    incident: Option<&Incident>,
    records: &[Record],
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Scored {
    let finished = finished(incident, records);
    let secs = |s: &u64| TimeDelta::seconds(*s as i64);
    let (verdict, measured) = match (objective, incident) {
        (Objective::Declared { within_secs }, _) => {
            let from = incident.and_then(|i| i.detected).unwrap_or(started);
            against_deadline(
                from,
                incident.map(|i| i.declared),
                secs(within_secs),
                now,
                finished,
            )
        }
        (Objective::Acknowledged { level, within_secs }, Some(i)) => {
            let acked = first_at(
                records,
                |e| matches!(e, Event::Acknowledged { level: l } if l >= level),
            );
            against_deadline(i.declared, acked, secs(within_secs), now, finished)
        }
        (Objective::Severity { severity }, Some(i)) => {
            let reached = first_at(records, |e| match e {
                Event::Declared(declaration) => declaration.severity == *severity,
                Event::SeverityChanged { to, .. } => to == severity,
                _ => false,
            });
            match reached {
                Some(at) if at == i.declared => (Verdict::Met, "at declaration".into()),
                Some(at) => (Verdict::Met, format!("after {}", since(i.declared, at))),
                None if finished => (Verdict::Missed, format!("{} chosen", i.severity)),
                None => (Verdict::Open, format!("{} so far", i.severity)),
            }
        }
        (Objective::Runbook { runbook }, Some(i)) => {
            let used = first_at(
                records,
                |e| matches!(e, Event::StepStarted { runbook: rb, .. } | Event::StepMarked { runbook: rb, .. } if rb == runbook),
            );
            match used {
                Some(at) => (Verdict::Met, format!("after {}", since(i.declared, at))),
                None if finished => (Verdict::Missed, "not used".into()),
                None => (Verdict::Open, "not used yet".into()),
            }
        }
        (
            Objective::RtoMet {
                component,
                rto_secs,
            },
            Some(i),
        ) => match i.outage(component) {
            Some(outage) => {
                let end = outage.end.unwrap_or(now);
                let took = end - outage.start;
                let text = format!("down {}", brief(took.max(TimeDelta::zero())));
                match outage.end {
                    _ if !super::budget::within(
                        took,
                        std::time::Duration::from_secs(*rto_secs),
                    ) =>
                    {
                        (Verdict::Missed, text)
                    }
                    Some(_) => (Verdict::Met, text),
                    None if finished => (Verdict::Missed, format!("{text}, still failing")),
                    None => (Verdict::Open, format!("{text} so far")),
                }
            }
            None => (Verdict::Met, "no outage recorded".into()),
        },
        (
            Objective::RpoMet { .. }
            | Objective::ResolvedWithin { .. }
            | Objective::UpdateWithin { .. }
            | Objective::RoleAssigned { .. }
            | Objective::ChecksDone { .. },
            Some(i),
        ) => judge_recovery_and_comms(objective, i, records, started, now, finished),
        (_, None) if finished => (Verdict::Missed, "no incident declared".into()),
        (_, None) => (Verdict::Open, "no incident declared".into()),
    };
    Scored {
        objective: objective.clone(),
        verdict,
        measured,
    }
}

/// The objectives on data, resolution, updates and roles.
fn judge_recovery_and_comms(
    objective: &Objective,
    i: &Incident,
    records: &[Record],
    started: DateTime<Utc>,
    now: DateTime<Utc>,
    finished: bool,
) -> (Verdict, String) {
    let secs = |s: &u64| TimeDelta::seconds(*s as i64);
    match objective {
        Objective::RpoMet {
            component,
            rpo_secs,
        } => match (i.outage(component), i.data_at_risk(component)) {
            (None, _) => (Verdict::Met, "no outage recorded".into()),
            (Some(_), Some(at_risk)) => (
                verdict(super::budget::within(
                    at_risk,
                    std::time::Duration::from_secs(*rpo_secs),
                )),
                format!("data at risk {}", brief(at_risk)),
            ),
            (Some(_), None) if finished => (Verdict::Missed, "no good copy known".into()),
            (Some(_), None) => (Verdict::Open, "no good copy known yet".into()),
        },
        Objective::ResolvedWithin { within_secs } => {
            let from = i.detected.unwrap_or(started);
            against_deadline(from, i.resolved, secs(within_secs), now, finished)
        }
        Objective::UpdateWithin { within_secs } => {
            let posted = first_at(records, |e| matches!(e, Event::UpdatePosted { .. }));
            against_deadline(i.declared, posted, secs(within_secs), now, finished)
        }
        Objective::RoleAssigned { role } => {
            let assigned = first_at(
                records,
                |e| matches!(e, Event::RoleAssigned { role: r, .. } if r == role),
            );
            match assigned {
                Some(at) => (Verdict::Met, format!("after {}", since(i.declared, at))),
                None if finished => (Verdict::Missed, "never assigned".into()),
                None => (Verdict::Open, "not yet".into()),
            }
        }
        Objective::ChecksDone { runbook, checks } => {
            let ticked = ticked_checks(records, runbook);
            let done = checks.iter().filter(|c| ticked.contains(c)).count();
            let text = format!("{done} of {} checks ticked", checks.len());
            match done == checks.len() {
                true => (Verdict::Met, text),
                false if finished => (Verdict::Missed, text),
                false => (Verdict::Open, text),
            }
        }
        _ => (Verdict::Open, String::new()),
    }
}

/// The checks of a runbook ticked now (a later untick withdraws one): (step, check).
fn ticked_checks(records: &[Record], runbook: &str) -> std::collections::BTreeSet<(usize, usize)> {
    let mut ticked = std::collections::BTreeSet::new();
    for r in records {
        if let Event::CheckTicked {
            runbook: rb,
            step,
            check,
            ticked: on,
            ..
        } = &r.event
            && rb == runbook
        {
            if *on {
                ticked.insert((*step, *check));
            } else {
                ticked.remove(&(*step, *check));
            }
        }
    }
    ticked
}

fn escalation_lines(incident: &Incident, records: &[Record]) -> Vec<String> {
    let mut lines = Vec::new();
    for r in records {
        let line = match &r.event {
            Event::Paged { level, .. } => format!(
                "Level {} paged after {}",
                level + 1,
                since(incident.declared, r.at)
            ),
            Event::Acknowledged { level } => format!(
                "Level {} acknowledged after {}",
                level + 1,
                since(incident.declared, r.at)
            ),
            _ => continue,
        };
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push("No escalation level was paged or acknowledged".into());
    }
    lines
}

/// Steps done (marked done, or unmarked with a command that succeeded), skipped and failed.
fn step_line(incident: &Incident) -> String {
    let count = |mark: StepMark| {
        incident
            .steps
            .values()
            .filter(|p| p.mark == Some(mark))
            .count()
    };
    let done = incident
        .steps
        .values()
        .filter(|p| p.mark.is_none_or(|m| m == StepMark::Done) && p.completed_at().is_some())
        .count();
    let runs: usize = incident.steps.values().map(|p| p.runs.len()).sum();
    format!(
        "Steps: {done} done, {} skipped, {} failed · commands: {runs} · recovery actions: {}",
        count(StepMark::Skipped),
        count(StepMark::Failed),
        incident.recoveries.len()
    )
}

/// Speeds the facilitator can choose, slowest first.
pub const SPEEDS: [f64; 8] = [1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0];

/// The next speed up (or down) from `speed`, within 1x to 60x.
#[must_use]
pub fn next_speed(speed: f64, faster: bool) -> f64 {
    if faster {
        SPEEDS.iter().copied().find(|&s| s > speed).unwrap_or(60.0)
    } else {
        SPEEDS
            .iter()
            .rev()
            .copied()
            .find(|&s| s < speed)
            .unwrap_or(1.0)
    }
}

/// Drill time from wall time: it can be paused, resumed, sped up and moved.
/// `wall` is the time since the process's own epoch, passed in so tests can drive it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrillClock {
    wall: Duration,
    at: DateTime<Utc>,
    speed: f64,
    paused: bool,
}

impl DrillClock {
    /// A running clock that shows `at` at wall time `wall`.
    #[must_use]
    pub fn new(at: DateTime<Utc>, speed: f64, wall: Duration) -> Self {
        Self {
            wall,
            at,
            speed,
            paused: false,
        }
    }

    /// Drill time at wall time `wall`.
    #[must_use]
    pub fn now(&self, wall: Duration) -> DateTime<Utc> {
        if self.paused {
            return self.at;
        }
        let elapsed = wall.saturating_sub(self.wall).as_secs_f64() * self.speed;
        self.at + TimeDelta::milliseconds((elapsed * 1000.0) as i64)
    }

    fn anchor(&mut self, wall: Duration) {
        self.at = self.now(wall);
        self.wall = wall;
    }

    pub fn set_paused(&mut self, paused: bool, wall: Duration) {
        self.anchor(wall);
        self.paused = paused;
    }

    pub fn set_speed(&mut self, speed: f64, wall: Duration) {
        self.anchor(wall);
        self.speed = speed.clamp(1.0, 60.0);
    }

    /// Moves drill time to `to` (replay seeks).
    pub fn seek(&mut self, to: DateTime<Utc>, wall: Duration) {
        self.wall = wall;
        self.at = to;
    }

    #[must_use]
    pub fn paused(&self) -> bool {
        self.paused
    }

    #[must_use]
    pub fn speed(&self) -> f64 {
        self.speed
    }
}

#[cfg(test)]
mod tests;
