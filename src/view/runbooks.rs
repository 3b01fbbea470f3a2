//! The runbooks as the screens show them: list order, the steps a filter shows, and where each
//! step stands.

use crate::domain::event::StepMark;
use crate::state::{Screen, State};

/// Where a step stands, for the stepper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepStatus {
    Pending,
    Running,
    /// Started before warroom died; whether it finished is unknown. Never re-run by itself.
    Interrupted,
    /// Left running when a console quit (the commander chose so); its outcome is unknown.
    LeftRunning,
    /// The last run ended: its outcome and whether it succeeded.
    Ran {
        outcome: String,
        succeeded: bool,
    },
    Marked(StepMark),
}

/// The id of the component selected on the dashboard: runbooks linked to it are suggested.
fn selected_component(state: &State) -> Option<&str> {
    let &index = state
        .dashboard_rows()
        .get(state.ui.list(Screen::Dashboard).selected)?;
    Some(&state.config.components[index].id)
}

/// Runbook indices in list order, each with whether it is suggested (linked to the component
/// selected on the dashboard); the suggested ones first.
#[must_use]
pub fn ordered(state: &State) -> Vec<(usize, bool)> {
    let selected = selected_component(state);
    let mut order: Vec<(usize, bool)> = (0..state.runbooks.len())
        .map(|i| {
            let linked =
                selected.is_some_and(|id| state.runbooks[i].components.iter().any(|c| c == id));
            (i, linked)
        })
        .collect();
    order.retain(|&(i, _)| {
        let rb = &state.runbooks[i];
        crate::state::matches_filter(
            &state.ui.list(Screen::Runbooks).filter,
            &[&rb.title, &rb.id, &rb.components.join(" ")],
        )
    });
    order.sort_by_key(|&(i, linked)| (!linked, state.runbooks[i].title.clone()));
    order
}

/// The steps of runbook `rb` the stepper's filter lets through.
#[must_use]
pub fn visible_steps(state: &State, rb: usize) -> Vec<usize> {
    state.runbooks[rb]
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            crate::state::matches_filter(&state.ui.step_filter, &[&s.title, &s.text()])
        })
        .map(|(i, _)| i)
        .collect()
}

/// The status of one step of a runbook.
#[must_use]
pub fn status(state: &State, runbook: &str, step: usize) -> StepStatus {
    let Some(progress) = state
        .incident
        .as_ref()
        .and_then(|i| i.steps.get(&(runbook.to_owned(), step)))
    else {
        return StepStatus::Pending;
    };
    if let Some(mark) = progress.mark {
        return StepStatus::Marked(mark);
    }
    match progress.runs.last() {
        None => StepStatus::Pending,
        Some(run) => match &run.finished {
            Some((outcome, false, _)) if outcome == INTERRUPTED => StepStatus::Interrupted,
            Some((outcome, false, _)) if outcome == LEFT_RUNNING => StepStatus::LeftRunning,
            Some((outcome, succeeded, _)) => StepStatus::Ran {
                outcome: outcome.clone(),
                succeeded: *succeeded,
            },
            None => match state.live_runs.get(&run.started) {
                Some(live) if !live.ended => StepStatus::Running,
                // Started by someone else in the room (it runs in their console), or shown
                // by a console that runs nothing: running until its end is journaled.
                None if state.viewer().is_some() || !started_here(state, run.started) => {
                    StepStatus::Running
                }
                _ => StepStatus::Interrupted,
            },
        },
    }
}

/// Whether the run started by record `started` was started by this console's user.
fn started_here(state: &State, started: u64) -> bool {
    state.record(started).is_none_or(|r| r.actor == state.actor)
}

/// Whether a step's expectation is being watched, met or missed, for the stepper.
#[must_use]
pub fn verification(state: &State, runbook: &str, step: usize) -> Option<Option<bool>> {
    let progress = state
        .incident
        .as_ref()?
        .steps
        .get(&(runbook.to_owned(), step))?;
    progress.completed_at()?;
    Some(progress.verified)
}

/// The outcome journaled for a command the commander left running at quit.
pub const LEFT_RUNNING: &str =
    "left running when the console quit: warroom no longer follows it; its outcome is unknown";

/// The outcome journaled for a command that a crash cut off.
pub const INTERRUPTED: &str =
    "interrupted: warroom stopped while it ran; its outcome is unknown and it is not run again";

/// Whether a runbook command (runbook, step, command) destroys: the pattern it matches, and the
/// word to type to run it anyway (the runbook's first component, else its id).
#[must_use]
pub fn danger(state: &State, (rb, step, cmd): (usize, usize, usize)) -> Option<(&str, &str)> {
    let runbook = state.runbooks.get(rb)?;
    let command = runbook.steps.get(step)?.commands.get(cmd)?;
    let pattern = crate::runbook::destructive::matched(&command.script, &state.config.destructive)?;
    let word = runbook.components.first().unwrap_or(&runbook.id);
    Some((pattern, word))
}
