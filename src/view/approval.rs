//! The line every console shows while an approval request waits.

use crate::state::State;

/// What the approver reads before answering: who asks, and exactly what would run (the whole
/// script of a runbook command, the recovery action's command or webhook).
#[must_use]
pub fn prompt(state: &State) -> String {
    use crate::domain::event::Approvable;
    let Some((_, approval)) = state.incident.as_ref().and_then(|i| i.pending_approval()) else {
        return "The request was answered meanwhile.".to_owned();
    };
    let exactly = match &approval.target {
        Approvable::Step {
            runbook,
            step,
            command,
        } => state
            .runbooks
            .iter()
            .find(|r| &r.id == runbook)
            .and_then(|r| r.steps.get(*step)?.commands.get(*command))
            .map(|c| c.script.clone()),
        Approvable::Recovery { component, action } => state
            .config
            .component(component)
            .and_then(|c| c.recovery.get(*action))
            .map(|r| super::recovery::what_it_does(state, r)),
    };
    if state.withdraws(&approval.requester) {
        return format!(
            "You asked a second person to approve this and nobody has answered yet (it expires {} after it was asked):\n{}",
            crate::domain::text::brief(
                chrono::TimeDelta::from_std(state.config.approval_timeout).unwrap_or_default()
            ),
            approval.what
        );
    }
    format!(
        "{} asks a second person to approve this before it runs (journaled with both names):\n{}\n{}",
        approval.requester,
        approval.what,
        exactly.unwrap_or_default()
    )
}

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
