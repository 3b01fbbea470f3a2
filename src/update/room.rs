//! The room in `update`. The writer journals a joined console's request with the requester's
//! Unix user as its actor, or refuses it with a reason and journals nothing; what only the
//! writer can know (a page's contacts and trigger, a step's script, a check's text) it fills in
//! from its own config. A joined console learns the answer to each of its requests.

use chrono::{DateTime, Utc};

use super::handover::commanders_call;
use super::{journaled, log, recovery, runbooks};
use crate::domain::event::{Event, Record};
use crate::msg::{Effect, Msg, Peer};
use crate::room::protocol::Reply;
use crate::state::{DialogKind, JournalState, Overlay, State};

/// Writer: a console joined as `actor`: it gets the records after `after`, and its arrival is
/// journaled.
pub fn hello(
    state: &mut State,
    conn: u64,
    actor: String,
    after: u64,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let mut effects = vec![Effect::Welcome {
        conn,
        actor: actor.clone(),
        after,
    }];
    effects.extend(presence(state, Event::RoomJoined, actor, now));
    effects
}

/// Whether the room's comings and goings are journaled: by the writer of an incident (after
/// its resolution too, while the team writes its review).
fn journals_room(state: &State) -> bool {
    state.incident.is_some() && state.journal == JournalState::Writable && !state.joined()
}

/// Writer: someone joined or left.
#[must_use]
pub fn presence(state: &State, event: Event, actor: String, now: DateTime<Utc>) -> Vec<Effect> {
    if !journals_room(state) {
        return Vec::new();
    }
    vec![Effect::AppendAs {
        at: now,
        event,
        actor,
    }]
}

/// Writer: the room opened; whoever the journal says was in it before is gone.
#[must_use]
pub fn opened(state: &State, now: DateTime<Utc>) -> Vec<Effect> {
    if !journals_room(state) {
        return Vec::new();
    }
    vec![Effect::Append {
        at: now,
        event: Event::RoomOpened,
    }]
}

/// Writer: a joined console asks for `event`.
pub fn requested(state: &mut State, peer: Peer, event: Event, now: DateTime<Utc>) -> Vec<Effect> {
    if let Some(seq) = peer
        .key
        .and_then(|key| journaled_before(state, &peer.actor, key))
    {
        return vec![Effect::Answer {
            conn: peer.conn,
            reply: Reply::Accepted { id: peer.id, seq },
        }];
    }
    match admissible(state, &peer, event, now) {
        Ok(event) => vec![Effect::AppendFor {
            at: now,
            event,
            peer,
        }],
        Err(reason) => vec![refused(&peer, reason)],
    }
}

/// The record of a request sent again after a failover, journaled by the last writer.
#[must_use]
pub fn journaled_before(state: &State, actor: &str, key: std::num::NonZeroU32) -> Option<u64> {
    let seq = *state.requests.get(&key)?;
    let record = state.record(seq)?;
    (record.actor == actor).then_some(seq)
}

fn refused(peer: &Peer, reason: String) -> Effect {
    tracing::info!(actor = %peer.actor, %reason, "room: request refused");
    Effect::Answer {
        conn: peer.conn,
        reply: Reply::Refused {
            id: peer.id,
            reason,
        },
    }
}

/// Writer: the journal holds a joined console's request. Its consequences are the writer's
/// (notifications, review file, drill), except a command to run: the requester runs that.
pub fn peer_journaled(
    state: &mut State,
    peer: Peer,
    record: Record,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let seq = record.seq;
    journaled(state, record.clone());
    super::handover::seen(state, &record);
    let mut effects = super::writer_consequences(state, &record, now);
    // The writer probes for the room: a recovery a joined console ran is watched closely here.
    if let Event::CommandFinished { started, .. } = &record.event
        && let Some(component) =
            super::runbooks::recovered_by(state, *started).and_then(|c| state.world.index(&c))
    {
        effects.push(Effect::FastProbe { component });
    }
    effects.push(Effect::Answer {
        conn: peer.conn,
        reply: Reply::Accepted { id: peer.id, seq },
    });
    effects
}

/// Writer: a joined console's request could not be written (the journal failed).
pub fn peer_failed(state: &mut State, peer: Peer, error: String) -> Vec<Effect> {
    super::journal_failed(state, error.clone());
    vec![refused(
        &peer,
        format!("the writer could not journal it: {error}"),
    )]
}

/// Joined console: the writer answered request `id`; the record, if journaled, came first.
pub fn answered(state: &mut State, result: Result<u64, String>) -> Vec<Effect> {
    match result {
        Ok(seq) => {
            let Some(record) = state.records.iter().rev().find(|r| r.seq == seq).cloned() else {
                return Vec::new();
            };
            if matches!(&state.ui.overlay, Some(Overlay::Dialog(d)) if d.pending) {
                state.ui.overlay = None;
                state.ui.flash = Some(format!(
                    "Recorded: {}",
                    crate::sanitize::one_line(&record.event.describe())
                ));
            }
            // A command this console asked to start runs here, as this console's user.
            let mut effects = runbooks::after_record(state, &record);
            effects.extend(recovery::after_record(state, &record));
            effects
        }
        Err(reason) => {
            let text = format!("The writing console refused: {reason}");
            log(state, text.clone(), true);
            // A review the writer did not save is not shown as saved.
            let saved = state.incident.as_ref().and_then(|i| i.review.clone());
            let now = state.now;
            if let Some(draft) = state.ui.review.as_mut()
                && saved.as_deref() != Some(draft.text.as_str())
            {
                draft.changed.get_or_insert(now);
            }
            if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
                dialog.pending = false;
                dialog.error = Some(text);
            }
            Vec::new()
        }
    }
}

/// Joined console: the room closed. The console finds who writes the incident now (or writes
/// it), as it is; a drill's console, once the drill is over, shows on read-only.
pub fn closed(state: &mut State, reason: &str) -> Vec<Effect> {
    if !state.joined() || state.writer_gone.is_some() {
        return Vec::new();
    }
    // After the resolution too: the team may still be writing the review (a drill's console
    // would start again to take over, and its exercise is over).
    let moved_on = reason == crate::room::protocol::NEW_INCIDENT;
    if state.incident_open() || (state.incident.is_some() && !state.is_drill() && !moved_on) {
        log(
            state,
            format!("The writing console went away ({reason}); finding who writes now"),
            true,
        );
        state.writer_gone = Some(reason.to_owned());
        let last = state.records.last().map_or(0, |r| r.seq);
        state.took_over_from = state
            .ui
            .presence
            .first()
            .map(|(actor, _)| (actor.clone(), last));
        state.ui.presence.clear();
        return vec![Effect::FindWriter];
    }
    state.console = crate::state::Console::Follow;
    state.journal = JournalState::ReadOnly(format!("the room closed ({reason}); shown read-only"));
    state.ui.flash = Some(format!("The room closed: {reason}"));
    log(state, format!("The room closed: {reason}"), true);
    Vec::new()
}

/// Joined console whose writer went away: `writer` writes the incident now, or (`None`) this
/// console does, resuming it as a restarted console would (what the last writer owed is
/// reconciled at the next tick).
pub fn writer_found(state: &mut State, writer: Option<String>) -> Vec<Effect> {
    state.writer_gone = None;
    let text = match writer {
        Some(writer) => format!("{writer} writes the incident now; you are in its room"),
        None => {
            state.console = crate::state::Console::Live;
            state.journal = JournalState::Writable;
            state.resumed = true;
            "This console writes the incident now: the last writer went away".to_owned()
        }
    };
    state.ui.flash = Some(text.clone());
    log(state, text, true);
    Vec::new()
}

/// True for the messages that answer a journal write this console asked for.
#[must_use]
pub fn answers_own_write(msg: &Msg) -> bool {
    matches!(msg, Msg::Answered { .. })
}

/// The event to journal for a request, or why not.
fn admissible(
    state: &State,
    peer: &Peer,
    event: Event,
    now: DateTime<Utc>,
) -> Result<Event, String> {
    let Some(incident) = state.incident.as_ref() else {
        return Err("no incident is open".into());
    };
    // After the resolution the team still writes the review, and only that.
    if !incident.is_open()
        && !matches!(
            event,
            Event::ReviewEditing { .. } | Event::ReviewSaved { .. }
        )
    {
        return Err("the incident is resolved: only its review can still be edited".into());
    }
    if let JournalState::ReadOnly(why) | JournalState::Failed(why) = &state.journal {
        return Err(format!("the writer cannot write its journal: {why}"));
    }
    match event {
        Event::NoteAdded { text, step: at } => {
            plain(&text, "note")?;
            if let Some((id, index)) = &at {
                step_of(state, id, *index)?;
            }
            Ok(Event::NoteAdded { text, step: at })
        }
        Event::UpdatePosted { text, template } => {
            plain(&text, "update")?;
            Ok(Event::UpdatePosted { text, template })
        }
        Event::ReviewEditing { editing } => {
            editor_free(incident, &peer.actor)?;
            Ok(Event::ReviewEditing { editing })
        }
        Event::ReviewSaved { text } => {
            editor_free(incident, &peer.actor)?;
            if text.len() > super::review::MAX_REVIEW {
                return Err(format!(
                    "the review is over {} KiB",
                    super::review::MAX_REVIEW / 1024
                ));
            }
            control(&text, &['\n'], "review")?;
            Ok(Event::ReviewSaved { text })
        }
        Event::StatusChanged { from, to } if from == incident.status => {
            Ok(Event::StatusChanged { from, to })
        }
        Event::StatusChanged { .. } => Err(format!("the status is {} now", incident.status)),
        Event::SeverityChanged { from, to } if from == incident.severity => {
            commanders_call(state, &peer.actor, "changes the severity", true)?;
            Ok(Event::SeverityChanged { from, to })
        }
        Event::SeverityChanged { .. } => Err(format!("the severity is {} now", incident.severity)),
        Event::RoleAssigned { role, person } => {
            plain(&person, "name")?;
            super::handover::may_take_command(state, &peer.actor, &role, now)?;
            if state.config.roles.contains(&role) {
                Ok(Event::RoleAssigned { role, person })
            } else {
                Err(format!("the service has no role `{role}`"))
            }
        }
        approval @ (Event::ApprovalRequested { .. }
        | Event::ApprovalGiven { .. }
        | Event::ApprovalWithdrawn { .. }) => {
            super::approval::admissible(state, &peer.actor, approval)
        }
        // The commander resolves from any console; what is still down is the writer's to say.
        Event::Resolved {
            summary, template, ..
        } => resolution(state, &peer.actor, summary, template),
        // Only the commander hands command over: a crafted request cannot take it.
        Event::HandedOver { to, .. } => {
            commanders_call(state, &peer.actor, "hands command over", true)?;
            super::handover::admissible(state, &to)?;
            Ok(Event::HandedOver {
                summary: super::handover::summary(state, now),
                to,
            })
        }
        Event::Acknowledged { level } => confirmed(state, DialogKind::ConfirmAck { level }, now),
        Event::Paged { level, again, .. } => {
            super::escalation::page_allowed(state, level, again)?;
            confirmed(state, DialogKind::ConfirmPage { level }, now)
        }
        Event::CommandFinished { started, .. } if !started_by(state, started, &peer.actor) => Err(
            format!("record {started} is not a command {} started", peer.actor),
        ),
        finished @ Event::CommandFinished { .. } => Ok(finished),
        other => {
            let event = runbook_event(state, other)?;
            approved_for(state, &event, &peer.actor)?;
            Ok(event)
        }
    }
}

/// A command that needs a second person's approval starts only with it.
fn approved_for(state: &State, event: &Event, actor: &str) -> Result<(), String> {
    use crate::domain::incident::Approved;
    let Some(target) = crate::domain::event::Approvable::of(event) else {
        return Ok(());
    };
    let needed = super::approval::needed(state, &target).is_some();
    let standing = state
        .incident
        .as_ref()
        .map_or(Approved::No, |i| i.approval_of(&target, actor));
    if needed && standing != Approved::Yes {
        return Err("it needs a second person's approval first".into());
    }
    Ok(())
}

/// A joined console's assignment, checked as the writer's own: the step and check exist, the
/// name is one line.
fn assignment(state: &State, assigned: Event) -> Result<Event, String> {
    if let Event::Assigned {
        runbook,
        step,
        check,
        to,
    } = &assigned
    {
        let s = step_of(state, runbook, *step)?;
        if let Some(check) = check.filter(|c| *c >= s.checks.len()) {
            return Err(format!("step {} has no check {}", step + 1, check + 1));
        }
        if let Some(to) = to {
            plain(to, "name")?;
            super::assignments::name_ok(to)?;
        }
    }
    Ok(assigned)
}

/// Step `index` of runbook `id`, or why there is none.
fn step_of<'a>(
    state: &'a State,
    id: &str,
    index: usize,
) -> Result<&'a crate::runbook::Step, String> {
    state
        .runbooks
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| format!("no runbook `{id}` here"))?
        .steps
        .get(index)
        .ok_or_else(|| format!("runbook `{id}` has no step {}", index + 1))
}

/// The resolution a joined console asks for, if its user is the commander.
fn resolution(
    state: &State,
    actor: &str,
    summary: Option<String>,
    template: Option<String>,
) -> Result<Event, String> {
    commanders_call(state, actor, "resolves the incident", true)?;
    if let Some(summary) = &summary {
        plain(summary, "resolution summary")?;
    }
    let not_recovered = crate::view::escalation::not_up(state)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    Ok(Event::Resolved {
        summary,
        not_recovered,
        template,
    })
}

/// A request about a runbook step or a recovery action, with what the writer knows filled in
/// (a check's text, a command's script, an action's name).
fn runbook_event(state: &State, event: Event) -> Result<Event, String> {
    match event {
        Event::StepMarked {
            runbook,
            step,
            state: mark,
        } => {
            step_of(state, &runbook, step)?;
            Ok(Event::StepMarked {
                runbook,
                step,
                state: mark,
            })
        }
        Event::StepVerified {
            runbook,
            step,
            verified,
            expect,
        } => {
            step_of(state, &runbook, step)?;
            Ok(Event::StepVerified {
                runbook,
                step,
                verified,
                expect,
            })
        }
        assigned @ Event::Assigned { .. } => assignment(state, assigned),
        Event::CheckTicked {
            runbook,
            step,
            check,
            ticked,
            ..
        } => {
            let text = step_of(state, &runbook, step)?
                .checks
                .get(check)
                .cloned()
                .ok_or_else(|| format!("step {} has no check {}", step + 1, check + 1))?;
            Ok(Event::CheckTicked {
                runbook,
                step,
                check,
                text,
                ticked,
            })
        }
        Event::StepStarted {
            runbook,
            step,
            command,
            ..
        } => {
            if let Some(running) = runbooks::already_running(state, &runbook, step) {
                return Err(running);
            }
            let script = step_of(state, &runbook, step)?
                .commands
                .get(command)
                .map(|c| c.script.clone())
                .ok_or_else(|| format!("step {} has no command {}", step + 1, command + 1))?;
            Ok(Event::StepStarted {
                runbook,
                step,
                command,
                script,
            })
        }
        Event::RecoveryStarted {
            component, action, ..
        } => {
            let name = state
                .config
                .components
                .iter()
                .find(|c| c.id == component)
                .and_then(|c| c.recovery.get(action))
                .map(|r| r.name.clone())
                .ok_or_else(|| format!("`{component}` has no recovery action {}", action + 1))?;
            Ok(Event::RecoveryStarted {
                component,
                action,
                name,
            })
        }
        other => Err(format!(
            "a joined console cannot ask for `{}`",
            other.kind()
        )),
    }
}

/// Nobody but `actor` has the review editor open.
fn editor_free(incident: &crate::domain::incident::Incident, actor: &str) -> Result<(), String> {
    match &incident.review_editor {
        Some(editor) if editor != actor => Err(format!("{editor} is editing the review")),
        _ => Ok(()),
    }
}

/// The writer's own page or acknowledgement of `level`, if that level is due.
fn confirmed(state: &State, kind: DialogKind, now: DateTime<Utc>) -> Result<Event, String> {
    match super::escalation::confirmed(state, kind, now)? {
        Some(Effect::Append { event, .. }) => Ok(event),
        _ => Err("nothing to do".into()),
    }
}

/// True when record `started` began a command of `actor` that has not finished.
fn started_by(state: &State, started: u64, actor: &str) -> bool {
    let began = state.records.iter().any(|r| {
        r.seq == started
            && r.actor == actor
            && matches!(
                r.event,
                Event::StepStarted { .. } | Event::RecoveryStarted { .. }
            )
    });
    let finished = state
        .records
        .iter()
        .any(|r| matches!(r.event, Event::CommandFinished { started: s, .. } if s == started));
    began && !finished
}

/// One line of text someone typed: not empty, no control characters.
fn plain(text: &str, what: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if text.chars().count() > super::MAX_INPUT {
        return Err(format!(
            "the {what} is over {} characters",
            super::MAX_INPUT
        ));
    }
    control(text, &[], what)
}

fn control(text: &str, allowed: &[char], what: &str) -> Result<(), String> {
    match text
        .chars()
        .find(|c| c.is_control() && !allowed.contains(c))
    {
        Some(c) => Err(format!(
            "the {what} holds a control character (U+{:04X}); nothing was journaled",
            c as u32
        )),
        None => Ok(()),
    }
}
