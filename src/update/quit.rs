//! Quitting while commands run: the commander chooses to stop them (their process groups are
//! ended and the cancellation journaled) or to leave them running (journaled so, and warroom no
//! longer follows them); the console leaves once those records are durable.

use chrono::{DateTime, Utc};

use super::open_dialog::open_dialog;
use crate::domain::event::Event;
use crate::msg::Effect;
use crate::state::{DialogKind, JournalState, Overlay, State};
use crate::view::runbooks::LEFT_RUNNING;

/// The commands this console runs now, by their `step_started` (or recovery) record.
fn running(state: &State) -> Vec<u64> {
    state
        .live_runs
        .iter()
        .filter(|(_, run)| !run.ended)
        .map(|(started, _)| *started)
        .collect()
}

/// `q`: quits at once when nothing runs here, else asks what becomes of what runs.
pub(super) fn asked(state: &mut State) -> Vec<Effect> {
    if matches!(&state.ui.overlay, Some(Overlay::Dialog(d)) if d.kind == DialogKind::ConfirmQuit)
        || state.ui.quitting
    {
        return Vec::new();
    }
    if running(state).is_empty() {
        return vec![Effect::Quit];
    }
    open_dialog(state, DialogKind::ConfirmQuit, String::new(), 0);
    Vec::new()
}

/// The answer: stop the commands, or leave them running; the console quits once that is
/// journaled.
pub(super) fn chosen(state: &mut State, choice: usize, now: DateTime<Utc>) -> Vec<Effect> {
    state.ui.overlay = None;
    state.ui.quitting = true;
    let runs = running(state);
    if choice == 0 {
        state.ui.flash = Some("Stopping the running commands, then quitting…".into());
        return runs
            .into_iter()
            .map(|started| Effect::CancelRun { started })
            .collect();
    }
    state.ui.flash = Some("Leaving the running commands, then quitting…".into());
    let writable = state.journal == JournalState::Writable;
    let mut effects = vec![Effect::LeaveRunning];
    for started in runs {
        if let Some(run) = state.live_runs.get_mut(&started) {
            run.ended = true;
        }
        if writable {
            let at = state
                .records
                .iter()
                .rev()
                .find(|r| r.seq == started)
                .map_or(now, |r| r.at);
            effects.push(Effect::Append {
                at: now,
                event: Event::CommandFinished {
                    started,
                    outcome: LEFT_RUNNING.into(),
                    succeeded: false,
                    duration_ms: u64::try_from((now - at).num_milliseconds()).unwrap_or(0),
                    tail: String::new(),
                    dropped: 0,
                },
            });
        }
    }
    effects
}

/// Once quitting: quit when nothing runs here any more and every journal write is answered.
pub(super) fn when_ready(state: &mut State) -> Option<Effect> {
    (state.ui.quitting && state.writing == 0 && running(state).is_empty()).then(|| {
        state.ui.quitting = false;
        Effect::Quit
    })
}
