//! Planned against actual: each phase of the runbooks worked, its window against when its steps
//! were first touched and settled.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::cell;
use crate::domain::incident::{Incident, clock};

/// One phase of a runbook worked in the incident: its window against when its steps ran.
#[derive(Debug, Serialize)]
pub(super) struct PhaseRow {
    runbook: String,
    phase: String,
    planned: String,
    actual: String,
    result: String,
}

/// The phases with a window of every runbook with a step worked in the incident.
pub(super) fn phases(incident: &Incident, runbooks: &[crate::runbook::Runbook]) -> Vec<PhaseRow> {
    let offset = |at: DateTime<Utc>| {
        crate::runbook::phase::short((at - incident.declared).to_std().unwrap_or_default())
    };
    let mut rows = Vec::new();
    for runbook in runbooks {
        let progress = |step: usize| incident.steps.get(&(runbook.id.clone(), step));
        if !(0..runbook.steps.len()).any(|i| progress(i).is_some()) {
            continue;
        }
        for (index, phase) in runbook.phases.iter().enumerate() {
            let Some(window) = phase.window else {
                continue;
            };
            let steps: Vec<usize> = (0..runbook.steps.len())
                .filter(|&i| runbook.steps[i].phase == Some(index))
                .collect();
            let began = steps
                .iter()
                .filter_map(|&i| first_touch(progress(i)?))
                .min();
            let ended: Option<Vec<DateTime<Utc>>> = steps
                .iter()
                .map(|&i| progress(i).and_then(settled_at))
                .collect();
            let ended = ended.and_then(|e| e.into_iter().max());
            let deadline = window
                .to
                .map(|to| incident.declared + TimeDelta::from_std(to).unwrap_or_default());
            let (actual, result) = match (began, ended) {
                (None, _) => ("not started".to_owned(), "not done".to_owned()),
                (Some(b), None) => (format!("{}–", offset(b)), "not finished".to_owned()),
                (Some(b), Some(e)) => (
                    format!("{}–{}", offset(b), offset(e)),
                    match deadline {
                        Some(d) if e > d => format!("late by {}", clock(e - d)),
                        _ => "met".to_owned(),
                    },
                ),
            };
            rows.push(PhaseRow {
                runbook: cell(&runbook.title),
                phase: cell(&phase.title),
                planned: window.to_string(),
                actual,
                result,
            });
        }
    }
    rows
}

/// When work on a step began: its first run, check tick or mark.
fn first_touch(p: &crate::domain::incident::StepProgress) -> Option<DateTime<Utc>> {
    let run = p.runs.iter().map(|r| r.at).min();
    let tick = p.checks.values().map(|(_, at)| *at).min();
    [run, tick, p.marked_at].into_iter().flatten().min()
}

/// When a step was settled: done (by a run or a mark) or marked skipped or failed.
fn settled_at(p: &crate::domain::incident::StepProgress) -> Option<DateTime<Utc>> {
    p.completed_at().or(p.marked_at)
}
