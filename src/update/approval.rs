//! Two-person approval: a runbook command marked `approve=true`, or a recovery action with
//! `approve = true` (every one with `[safety] two_person = true`), runs only after a second
//! person in the room approved it. The request and the answer are journaled with both actors;
//! the person who asked then runs it, once.

use chrono::{DateTime, Utc};

use super::open_dialog::open_dialog;
use crate::domain::event::{Approvable, Event};
use crate::domain::incident::Approved;
use crate::msg::Effect;
use crate::state::{DialogKind, Overlay, State};

/// What running `target` does, when it needs a second person's approval.
#[must_use]
pub fn needed(state: &State, target: &Approvable) -> Option<String> {
    match target {
        Approvable::Step {
            runbook,
            step,
            command,
        } => {
            let rb = state.runbooks.iter().find(|r| &r.id == runbook)?;
            let cmd = rb.steps.get(*step)?.commands.get(*command)?;
            let first = cmd.script.lines().next().unwrap_or_default();
            cmd.approve
                .then(|| format!("run {runbook} step {}: {first}", step + 1))
        }
        Approvable::Recovery { component, action } => {
            let recovery = state.config.component(component)?.recovery.get(*action)?;
            recovery
                .approve
                .then(|| format!("run recovery action {} on {component}", recovery.name))
        }
    }
}

/// Before `target` runs: `None` when it may (no approval needed, or approved for this
/// console's user); else what to do instead (ask for approval, or wait for it).
pub fn gate(state: &mut State, target: Approvable, now: DateTime<Utc>) -> Option<Vec<Effect>> {
    let what = needed(state, &target)?;
    let standing = state
        .incident
        .as_ref()
        .map_or(Approved::No, |i| i.approval_of(&target, &state.actor));
    let approve = state.key_name(crate::keymap::Action::Approve);
    match standing {
        Approved::Yes => None,
        Approved::Waiting => {
            state.ui.overlay = None;
            state.ui.flash = Some(format!(
                "Waiting for a second person to approve (they press {approve})"
            ));
            Some(Vec::new())
        }
        Approved::No if asked_already(state, &target).is_some() => {
            state.ui.overlay = None;
            state.ui.flash = asked_already(state, &target);
            Some(Vec::new())
        }
        Approved::No => {
            state.ui.overlay = None;
            state.ui.flash = Some(format!(
                "This needs a second person: asked for approval (another person in the room presses {approve})"
            ));
            Some(vec![Effect::Append {
                at: now,
                event: Event::ApprovalRequested { target, what },
            }])
        }
    }
}

/// Someone in the room asked to run `target` and waits for an answer: one request is enough.
#[must_use]
pub fn asked_already(state: &State, target: &Approvable) -> Option<String> {
    let by = state.incident.as_ref()?.asked_for(target)?;
    Some(format!(
        "{by} asked for approval of this already: it waits for a second person"
    ))
}

/// `A`: answer the request waiting longest.
pub fn open(state: &mut State) {
    let Some((_, approval)) = state.incident.as_ref().and_then(|i| i.pending_approval()) else {
        state.ui.flash = Some("Nothing is waiting for approval".into());
        return;
    };
    let labels = vec![format!("Approve: {}", approval.what), "Refuse".to_owned()];
    open_dialog(state, DialogKind::Approve, String::new(), 0);
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.labels = labels;
    }
}

/// Whether `approver` may answer a request of `requester`: a different person, or the same
/// where `[safety] same_user_approval` allows it or the approver facilitates the drill.
/// `Ok(same_user)`, or why not.
pub fn may_answer(
    state: &State,
    approver: &str,
    requester: &str,
    facilitator: bool,
) -> Result<bool, String> {
    let same = approver == requester;
    if same && !state.config.same_user_approval && !facilitator {
        return Err(format!(
            "{approver} asked for it: a second person must approve (or set [safety] same_user_approval = true for a shared account)"
        ));
    }
    Ok(same)
}

/// Enter in the approval dialog: approve (choice 0) or refuse.
pub fn answered(
    state: &mut State,
    choice: usize,
    now: DateTime<Utc>,
) -> Result<Option<Effect>, String> {
    let (request, requester) = state
        .incident
        .as_ref()
        .and_then(|i| i.pending_approval())
        .map(|(seq, a)| (seq, a.requester.clone()))
        .ok_or("The request was answered meanwhile")?;
    let facilitator = state.drill().is_some();
    let same_user = may_answer(state, &state.actor, &requester, facilitator)?;
    Ok(Some(Effect::Append {
        at: now,
        event: Event::ApprovalGiven {
            request,
            approved: choice == 0,
            same_user,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_user_approves_only_where_the_config_or_a_drill_allows() {
        let mut state = crate::demo::showcase(Utc::now());
        let refused = may_answer(&state, "dana@jump-1", "dana@jump-1", false).unwrap_err();
        assert!(
            refused.contains("a second person must approve"),
            "{refused}"
        );
        assert_eq!(
            may_answer(&state, "sam@jump-1", "dana@jump-1", false),
            Ok(false)
        );
        assert_eq!(
            may_answer(&state, "dana@jump-1", "dana@jump-1", true),
            Ok(true),
            "the facilitator of a drill"
        );
        state.config.same_user_approval = true;
        assert_eq!(
            may_answer(&state, "dana@jump-1", "dana@jump-1", false),
            Ok(true),
            "a shared account, said in the journal"
        );
    }
}
