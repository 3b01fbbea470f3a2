//! The line every console shows while an approval request waits.

use crate::state::State;

/// The line every console shows while a request waits.
#[must_use]
pub fn banner(state: &State) -> Option<String> {
    let (_, approval) = state.incident.as_ref()?.pending_approval()?;
    if approval.requester == state.actor && !state.config.same_user_approval {
        return Some(format!(
            " WAITING FOR APPROVAL: {} · a second person in the room answers ",
            approval.what
        ));
    }
    let approve = state.key_name(crate::keymap::Action::Approve);
    Some(format!(
        " APPROVAL NEEDED: {} asks to {} · {approve} to answer ",
        approval.requester, approval.what
    ))
}
