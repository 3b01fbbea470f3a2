//! One at a time across the room: a step's start or a level's page sent to the journal is "in
//! flight" until its record is applied, so a second one asked for in that instant (by this
//! console or for another in the room) is refused like one already done.

use crate::domain::event::Event;
use crate::msg::{Effect, Msg};
use crate::state::{Once, State};

/// What a message settles of the writes in flight.
pub enum Settled {
    /// That one was written.
    One(Once),
    /// A write failed: none is in flight any more.
    All,
}

/// The thing `event` does that only one may do at a time.
#[must_use]
pub fn once(event: &Event) -> Option<Once> {
    match event {
        Event::StepStarted { runbook, step, .. } => Some(Once::Step((runbook.clone(), *step))),
        Event::Paged { level, .. } => Some(Once::Page(*level)),
        Event::ApprovalWithdrawn { request, .. } => Some(Once::Withdraw(*request)),
        _ => None,
    }
}

/// What `msg` settles.
#[must_use]
pub fn settled(msg: &Msg) -> Option<Settled> {
    match msg {
        Msg::Journaled(record) | Msg::PeerJournaled { record, .. } => {
            once(&record.event).map(Settled::One)
        }
        Msg::JournalFailed(_) | Msg::PeerJournalFailed { .. } => Some(Settled::All),
        _ => None,
    }
}

/// Writer: keeps `state.once_in_flight` as journal writes go out (by this console or for a peer)
/// and come back.
pub fn track(state: &mut State, settled: Option<Settled>, effects: &[Effect]) {
    match settled {
        Some(Settled::One(key)) => {
            state.once_in_flight.remove(&key);
        }
        Some(Settled::All) => state.once_in_flight.clear(),
        None => {}
    }
    if !state.journals_open_incident() || state.joined() {
        return;
    }
    for effect in effects {
        let (event, actor) = match effect {
            Effect::Append { event, .. } => (event, &state.actor),
            Effect::AppendFor { event, peer, .. } => (event, &peer.actor),
            _ => continue,
        };
        if let Some(key) = once(event) {
            let actor = actor.clone();
            state.once_in_flight.insert(key, actor);
        }
    }
}
