//! The checks of a runbook step, and the confirmation that lists those not ticked.

use crate::state::State;

/// The checks of a step not ticked yet, by index.
#[must_use]
pub fn unticked(state: &State, rb: usize, step: usize) -> Vec<usize> {
    let runbook = &state.runbooks[rb];
    let ticked = state
        .incident
        .as_ref()
        .and_then(|i| i.steps.get(&(runbook.id.clone(), step)))
        .map(|p| &p.checks);
    (0..runbook.steps[step].checks.len())
        .filter(|c| !ticked.is_some_and(|t| t.contains_key(c)))
        .collect()
}

/// The prompt of the confirmation: which checks are not ticked.
#[must_use]
pub fn prompt(state: &State) -> String {
    let Some((rb, step)) = state.ui.stepper else {
        return String::new();
    };
    let checks = &state.runbooks[rb].steps[step].checks;
    let open = unticked(state, rb, step);
    let list: Vec<String> = open.iter().map(|&c| format!("[ ] {}", checks[c])).collect();
    format!(
        "{} of {} checks of this step are not ticked:\n{}\nEnter marks the step done anyway, Esc does not.",
        open.len(),
        checks.len(),
        list.join("\n")
    )
}
