//! A journal deleted or replaced under its console: JOURNAL MISSING, nothing more recorded, and
//! the offer to write it again at its path from the records the console holds.

use crate::msg::Effect;
use crate::state::{DialogKind, JournalState, Overlay, State};

/// Whether the journal went missing (deleted or replaced) under this console.
#[must_use]
fn missing(state: &State) -> bool {
    matches!(&state.journal, JournalState::Failed(why) if why.contains(crate::journal::MISSING))
}

/// Once a tick: with the journal missing and nothing else open, offer once to write it again.
pub(super) fn offer(state: &mut State) {
    if missing(state) && state.ui.overlay.is_none() && !state.ui.missing_offered {
        state.ui.missing_offered = true;
        super::open_dialog(state, DialogKind::RewriteJournal, String::new(), 0);
    }
}

/// Enter on the offer: write the journal again from what this console holds.
pub(super) fn confirmed(state: &mut State) -> Vec<Effect> {
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.pending = true;
    }
    vec![Effect::RewriteJournal]
}

/// The writer's answer: writable again, or still missing with why.
pub(super) fn rewritten(state: &mut State, result: Result<usize, String>) {
    if matches!(&state.ui.overlay, Some(Overlay::Dialog(d)) if d.kind == DialogKind::RewriteJournal)
    {
        state.ui.overlay = None;
    }
    let text = match result {
        Ok(count) => {
            state.journal = JournalState::Writable;
            format!(
                "The journal was written again from the {count} records this console holds; recording goes on."
            )
        }
        Err(error) => format!("The journal could not be written again: {error}"),
    };
    super::log(state, text.clone(), true);
    state.ui.flash = Some(text);
}
