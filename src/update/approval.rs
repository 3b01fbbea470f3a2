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

/// Tells the person who asked for an approval its answer, and by whom, when it is journaled.
pub fn answer_seen(state: &mut State, record: &crate::domain::event::Record) {
    let (request, answer) = match &record.event {
        Event::ApprovalGiven {
            request, approved, ..
        } => (request, Some(*approved)),
        Event::ApprovalWithdrawn {
            request,
            expired: true,
        } => (request, None),
        _ => return,
    };
    let Some(asked) = state
        .incident
        .as_ref()
        .and_then(|i| i.approvals.get(request))
        .filter(|a| a.requester == state.actor)
        .filter(|_| answer.is_none() || record.actor != state.actor)
    else {
        return;
    };
    let run = state.key_name(crate::keymap::Action::Run);
    let text = match answer {
        Some(true) => format!(
            "{} approved your request to {}: press {run} to run it",
            record.actor, asked.what
        ),
        Some(false) => format!("{} refused your request to {}", record.actor, asked.what),
        None => format!(
            "Your request to {} expired unanswered: press {run} to ask again",
            asked.what
        ),
    };
    state.ui.flash = Some(text.clone());
    super::log(state, text, true);
}

/// `A`: answer the request waiting longest.
pub fn open(state: &mut State) {
    let Some((_, approval)) = state.incident.as_ref().and_then(|i| i.pending_approval()) else {
        state.ui.flash = Some("Nothing is waiting for approval".into());
        return;
    };
    let labels = if state.withdraws(&approval.requester) {
        vec!["Withdraw my request".to_owned(), "Keep waiting".to_owned()]
    } else {
        vec![
            format!("Approve: {} asks to {}", approval.requester, approval.what),
            "Refuse".to_owned(),
        ]
    };
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

/// Writer: the requests that waited `[safety] approval_timeout` unanswered expire (journaled;
/// the asker may ask again).
#[must_use]
pub fn expire(state: &State, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(incident) = state
        .incident
        .as_ref()
        .filter(|_| state.journals_open_incident())
    else {
        return Vec::new();
    };
    let timeout = chrono::TimeDelta::from_std(state.config.approval_timeout)
        .unwrap_or(chrono::TimeDelta::MAX);
    incident
        .approvals
        .iter()
        .filter(|(seq, a)| {
            a.waiting()
                && !state
                    .once_in_flight
                    .contains_key(&crate::state::Once::Withdraw(**seq))
                && state.record(**seq).is_some_and(|r| now - r.at >= timeout)
        })
        .map(|(seq, _)| Effect::Append {
            at: now,
            event: Event::ApprovalWithdrawn {
                request: *seq,
                expired: true,
            },
        })
        .collect()
}

/// Whether `actor` may end request `request` (only who asked withdraws it; only the writer's
/// clock expires it).
///
/// # Errors
/// Why not.
pub fn may_withdraw(state: &State, actor: &str, request: u64, expired: bool) -> Result<(), String> {
    let approval = state
        .incident
        .as_ref()
        .and_then(|i| i.approvals.get(&request))
        .filter(|a| a.waiting())
        .ok_or_else(|| format!("request #{request} is not waiting for approval"))?;
    if expired {
        return Err("only the writing console's clock expires a request".into());
    }
    if approval.requester != actor {
        return Err(format!(
            "only {} withdraws their request",
            approval.requester
        ));
    }
    Ok(())
}

/// Writer: a joined console's request about an approval (`actor` asks, answers or withdraws),
/// as the writer journals it, or why not.
///
/// # Errors
/// Why the request is refused.
pub fn admissible(state: &State, actor: &str, event: Event) -> Result<Event, String> {
    match event {
        Event::ApprovalRequested { target, .. } => {
            if let Some(asked) = asked_already(state, &target) {
                return Err(asked);
            }
            let what = needed(state, &target).ok_or("that needs no approval here")?;
            Ok(Event::ApprovalRequested { target, what })
        }
        Event::ApprovalGiven {
            request, approved, ..
        } => {
            let requester = state
                .incident
                .as_ref()
                .and_then(|i| i.pending_approval())
                .filter(|(seq, _)| *seq == request)
                .map(|(_, a)| a.requester.clone())
                .ok_or_else(|| format!("request #{request} is not waiting for approval"))?;
            let same_user = may_answer(state, actor, &requester, false)?;
            Ok(Event::ApprovalGiven {
                request,
                approved,
                same_user,
            })
        }
        Event::ApprovalWithdrawn { request, expired } => {
            may_withdraw(state, actor, request, expired)?;
            Ok(Event::ApprovalWithdrawn { request, expired })
        }
        other => Err(format!("not an approval: {}", other.kind())),
    }
}

/// Enter in the approval dialog: approve (choice 0) or refuse; for the person who asked,
/// withdraw it (choice 0) or keep waiting.
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
    if state.withdraws(&requester) {
        return Ok((choice == 0).then_some(Effect::Append {
            at: now,
            event: Event::ApprovalWithdrawn {
                request,
                expired: false,
            },
        }));
    }
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
