//! `update`: the pure heart of the console. No I/O; time comes in as an argument.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::domain::event::{Event, Record};
use crate::msg::{Effect, Msg};
use crate::state::{JournalState, LOG_CAP, LogLine, State, Viewer};

use board::{probed, recovery_point, simulate_latency};
use dialog::{dialog_action, open_declare, open_incident_dialog};
pub use fold::{Origin, apply, resume};
use fold::{journal_failed, journaled, reconcile, writer_consequences};
use keys::{field_changed, on_action, on_key, paste};
pub use open_dialog::open_dialog;

pub use crate::input::field::MAX_INPUT;
pub(super) const PAGE: usize = 10;

/// Applies one message at time `now` and returns the I/O it asks for. Counts the journal writes
/// asked for and answered, so keys wait for the state those writes lead to.
pub fn update(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    let answered =
        matches!(msg, Msg::Journaled(_) | Msg::JournalFailed(_)) || room::answers_own_write(&msg);
    let settled = once::settled(&msg);
    let effects = step(state, msg, now);
    once::track(state, settled, &effects);
    if answered {
        state.writing = state.writing.saturating_sub(1);
    }
    if state.viewer().is_none() {
        state.writing += effects.iter().filter(|e| e.writes_journal()).count();
    }
    let mut effects = effects;
    effects.extend(quit::when_ready(state));
    state.refresh_timeline();
    effects
}

fn step(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    state.now = now;
    match msg {
        Msg::Tick => match state.viewer() {
            Some(Viewer::Replay) => playback::play(state, now),
            Some(Viewer::Follow) => Vec::new(),
            // The writer keeps the clocks that journal (escalation, budgets, the outbox); every
            // console saves its own review text.
            None if state.joined() => review::autosave(state, now),
            None => tick(state, now),
        },
        Msg::Followed(records) => {
            let newest = records.last().map(|r| r.at);
            for record in records {
                handover::seen(state, &record);
                let saved = matches!(record.event, Event::ReviewSaved { .. });
                apply(state, record, Origin::Shown);
                if saved {
                    review::show_latest(state);
                }
            }
            // A follower keeps pace with the writer's clock (an accelerated drill runs ahead).
            match newest {
                Some(to) if to > now => vec![Effect::Seek { to }],
                _ => Vec::new(),
            }
        }
        Msg::Key(key) => on_key(state, key, now),
        Msg::Paste(text) => {
            paste(state, &text);
            Vec::new()
        }
        Msg::Action(action) => on_action(state, action, now),
        Msg::Input(text) => {
            if let Some(field) = state.field_mut() {
                field.set(&text);
                field_changed(state);
            }
            Vec::new()
        }
        Msg::Journaled(record) => {
            journaled(state, record.clone());
            handover::seen(state, &record);
            // A command this console asked for runs here; the rest is the writer's.
            let mut effects = runbooks::after_record(state, &record);
            effects.extend(recovery::after_record(state, &record));
            effects.extend(writer_consequences(state, &record, now));
            effects
        }
        Msg::Requested { peer, event } => room::requested(state, peer, event, now),
        Msg::PeerJournaled { peer, record } => room::peer_journaled(state, peer, record, now),
        Msg::PeerJournalFailed { peer, error } => room::peer_failed(state, peer, error),
        Msg::Answered { result, .. } => room::answered(state, result),
        Msg::RoomClosed(reason) => room::closed(state, &reason),
        Msg::WriterFound(writer) => room::writer_found(state, writer),
        Msg::RoomHello { conn, actor, after } => room::hello(state, conn, actor, after, now),
        Msg::RoomLeft { actor, .. } => room::presence(state, Event::RoomLeft, actor, now),
        Msg::RoomOpened => room::opened(state, now),
        Msg::Presence(people) => {
            state.ui.presence = people;
            Vec::new()
        }
        Msg::JournalFailed(error) => {
            journal_failed(state, error);
            Vec::new()
        }
        Msg::JournalRewritten(result) => {
            missing::rewritten(state, result);
            Vec::new()
        }
        Msg::Probed { index, sample } => probed(state, index, sample, now),
        Msg::Relayed(reading) => relayed(state, reading, now),
        Msg::Alerts { source, alerts } => alerts::received(state, source, alerts, now),
        Msg::Silenced { requested, result } => silence::answered(state, requested, result, now),
        Msg::SilenceFound { requested, result } => silence::found(state, requested, result, now),
        Msg::SilenceExpired { id, result } => silence::expired(state, id, result, now),
        Msg::RecoveryPoint {
            index,
            stream,
            reading,
        } => recovery_point(state, (index, stream), reading, now),
        Msg::Delivered { queued, result } => outbox::delivered(state, queued, result, now),
        msg @ (Msg::RunOutput { .. } | Msg::RunFinished { .. }) => {
            runbooks::on_msg(state, msg, now)
        }
        Msg::ReviewEdited(text) => {
            review::edited(state, text, now);
            Vec::new()
        }
        Msg::Resize => Vec::new(),
        Msg::LogFailed(why) => {
            let text = format!(
                "The log file cannot be written ({why}): logging is off. The incident journal is not affected."
            );
            log(state, text.clone(), true);
            state.ui.flash = Some(text);
            state.log_off = Some(why);
            Vec::new()
        }
    }
}

/// Joined console: the writer's reading, taken as this console's own probe's would be (a
/// component this console's config does not list is not shown).
fn relayed(
    state: &mut State,
    reading: crate::room::protocol::Reading,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    use crate::room::protocol::Reading;
    let index = state.world.index(reading.about().0);
    match (reading, index) {
        (_, None) => Vec::new(),
        (_, Some(_)) if !state.joined() => Vec::new(),
        (Reading::Sample { sample, .. }, Some(index)) => probed(state, index, sample, now),
        (
            Reading::Point {
                stream, reading, ..
            },
            Some(index),
        ) => recovery_point(state, (index, stream), reading, now),
    }
}

/// Runs `update` and confirms every journal effect in memory, as if the journal had accepted it.
/// For scripted sessions (screenshots, tests), never for the live console.
pub fn play(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    let effects = update(state, msg, now);
    let mut pending: VecDeque<Effect> = effects.iter().cloned().collect();
    while let Some(effect) = pending.pop_front() {
        if let Some(record) = as_record(state, effect) {
            pending.extend(update(state, Msg::Journaled(record), now));
        }
    }
    effects
}

/// The record the journal would write for an effect, if it is a journal write (scripted
/// sessions and tests stand in for the journal with this).
#[must_use]
pub fn as_record(state: &State, effect: Effect) -> Option<Record> {
    let (seq, at, event) = match effect {
        Effect::Declare { at, event, .. } => (1, at, event),
        Effect::Append { at, event } => (state.records.len() as u64 + 1, at, event),
        _ => return None,
    };
    Some(Record {
        seq,
        at,
        // A scripted drill runs at the wall clock's pace: its records carry both, equal.
        wall: state.is_drill().then(|| Box::new(at)),
        actor: state.actor.clone(),
        request: None,
        event,
    })
}

/// Adds a line to the live log, dropping the oldest past the cap.
pub fn log(state: &mut State, text: String, alert: bool) {
    if state.log.len() == LOG_CAP {
        state.log.pop_front();
    }
    state.log.push_back(LogLine {
        at: state.now,
        text,
        alert,
    });
}

pub(super) fn can_write(state: &State) -> bool {
    state.viewer().is_none()
        && state.journal == JournalState::Writable
        && match &state.incident {
            Some(incident) => incident.is_open(),
            None => crate::view::drill::undeclared_journal(state),
        }
}

fn tick(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    missing::offer(state);
    // Simulated components report a latency every two seconds of drill time, however often the
    // clock ticks (a real probe's default interval is ten).
    if let Some(drill) = state.drill_mut().filter(|d| {
        d.sampled
            .is_none_or(|t| now - t >= chrono::TimeDelta::seconds(2))
    }) {
        drill.sampled = Some(now);
        simulate_latency(state, now);
    }
    let mut effects = if std::mem::take(&mut state.resumed) && state.viewer().is_none() {
        reconcile(state, now)
    } else {
        Vec::new()
    };
    effects.extend(drill::tick(state, now));
    effects.extend(budgets::tick(state, now));
    effects.extend(outbox::tick(state, now));
    effects.extend(runbooks::verify(state, now));
    effects.extend(review::autosave(state, now));
    effects.extend(approval::expire(state, now));
    effects
}

mod alerts;
pub mod approval;
pub mod assignments;
mod board;
pub mod budgets;
pub mod checklist;
mod dialog;
pub mod drill;
pub mod escalation;
mod fold;
pub mod handover;
mod keys;
mod missing;
mod once;
mod open_dialog;
pub mod outbox;
mod playback;
mod quit;
pub mod recovery;
pub mod review;
pub mod room;
pub mod runbooks;
pub mod silence;
pub mod template;
#[cfg(test)]
mod tests;
