//! The review as this console knows it: the template's context, and whether the text being edited
//! differs from its last save.

use crate::domain::incident::Incident;
use crate::review::Context;
use crate::state::State;

/// The review template's context for `incident`, from this console's journal, config and
/// runbooks, at its clock and local offset.
#[must_use]
pub fn context(state: &State, incident: &Incident) -> Context {
    crate::review::context(
        incident,
        &state.records,
        Some(&state.config),
        &state.runbooks,
        state.now,
        state.local_offset,
    )
}

/// Whether the text differs from the last save.
#[must_use]
pub fn unsaved(state: &State) -> bool {
    state
        .ui
        .review
        .as_ref()
        .is_some_and(|r| r.changed.is_some())
}
