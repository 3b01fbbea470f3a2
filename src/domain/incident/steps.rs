//! Runbook progress as the journal tells it: each step's runs, marks, ticked checks and
//! verification, recovery actions run, and notes about steps.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Incident;
use crate::domain::event::{Event, Record, StepMark};

/// A note someone added about a runbook step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepNote {
    /// The runbook and step it is about.
    pub step: (String, usize),
    pub at: DateTime<Utc>,
    pub actor: String,
    pub text: String,
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

/// Who a step or check was given to, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub to: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What happened to one runbook step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepProgress {
    /// Who is on the step, if someone was given it.
    pub assigned: Option<Assignment>,
    /// Who is on each of its checks, by index.
    pub check_owners: BTreeMap<usize, Assignment>,
    pub runs: Vec<StepRun>,
    /// Ticked checks by index: who ticked each, and when.
    pub checks: BTreeMap<usize, (String, DateTime<Utc>)>,
    pub mark: Option<StepMark>,
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
        let marked = self.marked_at.filter(|_| self.mark == Some(StepMark::Done));
        run.max(marked)
    }
}

impl Incident {
    /// A note is counted; one about a runbook step is also kept for that step's screen (the
    /// others are read from the journal, so a long incident's notes are not held twice).
    pub(super) fn add_note(&mut self, record: &Record, text: &str, step: Option<&(String, usize)>) {
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

    /// A step or check given to someone, or taken back.
    fn assign(&mut self, record: &Record) {
        let Event::Assigned {
            runbook,
            step,
            check,
            to,
        } = &record.event
        else {
            return;
        };
        let progress = self.steps.entry((runbook.clone(), *step)).or_default();
        let given = to.as_ref().map(|to| Assignment {
            to: to.clone(),
            by: record.actor.clone(),
            at: record.at,
        });
        match (check, given) {
            (None, given) => progress.assigned = given,
            (Some(check), Some(given)) => {
                progress.check_owners.insert(*check, given);
            }
            (Some(check), None) => {
                progress.check_owners.remove(check);
            }
        }
    }

    pub(super) fn apply_step(&mut self, record: &Record) {
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
            Event::Assigned { .. } => self.assign(record),
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
}
