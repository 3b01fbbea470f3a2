//! Who is on what: a runbook step, or one of its checks, given to someone (journaled with who
//! gave it and when), or taken back.

use crate::domain::event::Event;
use crate::state::{DialogKind, Overlay, State};

use super::open_dialog::open_dialog;

/// `@` on an open step: asks what to give (the step or one of its checks) and to whom.
pub fn open(state: &mut State, rb: usize, step: usize) {
    let owner = crate::view::assignments::owner(state, &state.runbooks[rb].id, step, None)
        .map(|a| a.to.clone())
        .unwrap_or_default();
    let s = &state.runbooks[rb].steps[step];
    let labels = std::iter::once(format!("step {}: {}", step + 1, s.title))
        .chain(
            s.checks
                .iter()
                .enumerate()
                .map(|(n, check)| format!("check {}: {check}", n + 1)),
        )
        .collect();
    open_dialog(state, DialogKind::Assign, owner, 0);
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.labels = labels;
    }
}

/// The assignment the dialog asks for: the chosen step or check to the person typed (nobody:
/// taken back); `None` when nothing would change.
///
/// # Errors
/// Why the name cannot be taken.
pub fn chosen(state: &State, person: &str, choice: usize) -> Result<Option<Event>, String> {
    let Some((rb, step)) = state.ui.stepper else {
        return Ok(None);
    };
    let runbook = state.runbooks[rb].id.clone();
    let check = choice.checked_sub(1);
    let to = Some(person.trim().to_owned()).filter(|p| !p.is_empty());
    if let Some(to) = &to {
        name_ok(to)?;
    }
    let now = crate::view::assignments::owner(state, &runbook, step, check).map(|a| &a.to);
    if now == to.as_ref() {
        return Ok(None);
    }
    Ok(Some(Event::Assigned {
        runbook,
        step,
        check,
        to,
    }))
}

/// Longest name a task is given to.
pub const MAX_NAME: usize = 80;

/// A name someone is given a task by: one line of text, not too long.
///
/// # Errors
/// What is wrong with it.
pub fn name_ok(name: &str) -> Result<(), String> {
    if name.chars().any(char::is_control) {
        return Err("a name is one line of plain text".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!("a name is at most {MAX_NAME} characters"));
    }
    Ok(())
}
