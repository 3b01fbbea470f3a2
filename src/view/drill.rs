//! A running drill as the screens show it: its scorecard, and whether it journals undeclared.

use crate::domain::drill::{self, Scorecard};
use crate::domain::event::DrillStart;
use crate::state::State;

/// True while a drill that journals from its start runs and nobody has declared: what happens
/// is journaled all the same.
#[must_use]
pub fn undeclared_journal(state: &State) -> bool {
    state.incident.is_none()
        && state
            .drill()
            .is_some_and(|d| d.journal.is_some() && !d.ended)
}

/// The drill's scorecard at `now`: from the journal's `drill` record, or from the running
/// scenario before anything is declared.
#[must_use]
pub fn scorecard(state: &State) -> Option<Scorecard> {
    if let Some(card) = state
        .incident
        .as_ref()
        .and_then(|i| drill::score_recorded(i, &state.records, state.now))
    {
        return Some(card);
    }
    Some(drill::score(&recorded_start(state)?, None, &[], state.now))
}

/// What the running drill is scored against, and what it has done outside the journal, for the
/// declaration to record.
#[must_use]
pub fn recorded_start(state: &State) -> Option<DrillStart> {
    let drill = state.drill()?;
    let scenario = &drill.engine.scenario;
    Some(DrillStart {
        title: scenario.title.clone(),
        started: drill.engine.started,
        allow_commands: scenario.allow_commands,
        allow_notify: scenario.allow_notify,
        objectives: scenario.objectives.clone(),
        config: scenario.config.clone(),
        pager_failing: drill.pager_failing,
        kind: scenario.kind,
        format: None,
    })
}

/// The injects (indices into the scenario's) the drill screen's filter lets through.
#[must_use]
pub fn visible_injects(state: &State) -> Vec<usize> {
    let Some(drill) = state.drill() else {
        return Vec::new();
    };
    let filter = &state.ui.list(crate::state::Screen::Drill).filter;
    drill
        .engine
        .scenario
        .injects
        .iter()
        .enumerate()
        .filter(|(_, inject)| crate::state::matches_filter(filter, &[&inject.describe()]))
        .map(|(i, _)| i)
        .collect()
}

/// The inject selected on the drill screen, as an index into the scenario's.
#[must_use]
pub fn selected_inject(state: &State) -> Option<usize> {
    let selected = state.ui.list(crate::state::Screen::Drill).selected;
    visible_injects(state).get(selected).copied()
}

/// The components the facilitator may set (simulated ones) that `typed` picks: the one whose id
/// it is exactly, else those whose id or name holds it (case folded), in config order.
#[must_use]
pub fn settable(state: &State, typed: &str) -> Vec<usize> {
    let typed = typed.trim();
    let simulated = (0..state.config.components.len()).filter(|&i| state.simulated(i));
    if let Some(exact) = simulated
        .clone()
        .find(|&i| state.config.components[i].id == typed)
    {
        return vec![exact];
    }
    let folded = typed.to_lowercase();
    simulated
        .filter(|&i| {
            let c = &state.config.components[i];
            c.id.to_lowercase().contains(&folded) || c.name.to_lowercase().contains(&folded)
        })
        .collect()
}
