//! Whether the review being edited differs from its last save.

use crate::state::State;

/// Whether the text differs from the last save.
#[must_use]
pub fn unsaved(state: &State) -> bool {
    state
        .ui
        .review
        .as_ref()
        .is_some_and(|r| r.changed.is_some())
}
