//! A step's manual checks (`- [ ]` items): ticked in the stepper, journaled with who and when;
//! marking a step done with checks unticked asks first.

use chrono::{DateTime, Utc};

use super::open_dialog;
use crate::domain::event::{Event, StepMark};
use crate::msg::Effect;
use crate::state::{DialogKind, State};
use crate::view::checklist::unticked;

/// `space` ticks the step's first unticked check; `Backspace` takes back the last tick.
pub fn tick(
    state: &mut State,
    rb: usize,
    step: usize,
    ticked: bool,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let checks = &state.runbooks[rb].steps[step].checks;
    if checks.is_empty() {
        state.ui.flash = Some("This step has no checks".into());
        return Vec::new();
    }
    let open = unticked(state, rb, step);
    let check = if ticked {
        open.first().copied()
    } else {
        (0..checks.len()).rev().find(|c| !open.contains(c))
    };
    let Some(check) = check else {
        state.ui.flash = Some(if ticked {
            "Every check of this step is ticked".into()
        } else {
            "No check of this step is ticked".into()
        });
        return Vec::new();
    };
    let event = Event::CheckTicked {
        runbook: state.runbooks[rb].id.clone(),
        step,
        check,
        text: checks[check].clone(),
        ticked,
    };
    vec![Effect::Append { at: now, event }]
}

/// Marking a step done: asks first while checks are unticked; `None` when it need not ask.
pub fn ask_before_done(state: &mut State, rb: usize, step: usize) -> Option<Vec<Effect>> {
    if unticked(state, rb, step).is_empty() {
        return None;
    }
    open_dialog(state, DialogKind::ConfirmDone, String::new(), 0);
    Some(Vec::new())
}

/// The answer: the step marked done, its checks as they are.
pub fn confirmed(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    state.ui.overlay = None;
    let Some((rb, step)) = state.ui.stepper else {
        return Vec::new();
    };
    let event = Event::StepMarked {
        runbook: state.runbooks[rb].id.clone(),
        step,
        state: StepMark::Done,
    };
    vec![Effect::Append { at: now, event }]
}
