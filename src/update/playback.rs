//! Replay: the recorded journal applied up to the replay clock, and seeking within it.

use chrono::{DateTime, Utc};

use super::Origin;
use crate::msg::Effect;
use crate::state::{Console, State};

/// Replay: applies every record up to `now`; at the end of the journal the clock stops.
pub fn play(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(mut player) = state.player_mut().map(std::mem::take) else {
        return Vec::new();
    };
    while let Some(record) = player.records.get(player.applied).filter(|r| r.at <= now) {
        let record = record.clone();
        player.applied += 1;
        super::apply(state, record, Origin::Shown);
    }
    let at_end = player.applied == player.records.len();
    state.console = Console::Replay(player);
    if at_end && !state.paused {
        state.paused = true;
        state.ui.flash = Some("End of the journal: [ goes back, space plays on".into());
        return vec![Effect::Clock {
            paused: true,
            speed: state.speed,
        }];
    }
    Vec::new()
}

/// Replay: moves to `to` (within the journal), rebuilding the state from the start if needed.
pub(super) fn seek(state: &mut State, to: DateTime<Utc>) -> Vec<Effect> {
    let Some((first, last)) = state
        .player()
        .and_then(|p| Some((p.records.first()?.at, p.records.last()?.at)))
    else {
        return Vec::new();
    };
    let to = to.clamp(first, last);
    if to < state.now {
        if let Some(player) = state.player_mut() {
            player.applied = 0;
        }
        state.incident = None;
        state.records.clear();
        state.world = state.initial_world(first);
    }
    state.now = to;
    state.ui.flash = Some(format!("Replay at {}", to.format("%H:%M:%SZ")));
    let mut effects = vec![Effect::Seek { to }];
    effects.extend(play(state, to));
    effects
}
