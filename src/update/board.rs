//! The board: probe samples through hysteresis into component states, journaled transitions,
//! recovery points read, and simulated latency.

use chrono::{DateTime, Utc};

use super::{can_write, log};
use crate::config::Check;
use crate::domain::Health;
use crate::domain::event::Event;
use crate::domain::health::{Hysteresis, Sample};
use crate::domain::world::Transition;
use crate::msg::Effect;
use crate::state::State;

pub(super) fn transition_event(change: Transition) -> Event {
    Event::ComponentChanged {
        since: Some(change.since),
        component: change.component,
        from: change.from,
        to: change.to,
        detail: change.detail,
    }
}

/// Records what a probe found; a change of state is logged, and journaled during an incident.
pub(super) fn probed(
    state: &mut State,
    index: usize,
    sample: Sample,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let Some(component) = state.config.components.get(index) else {
        return Vec::new();
    };
    let rules = Hysteresis {
        fail_after: component.probe.fail_after,
        recover_after: component.probe.recover_after,
    };
    let Some(change) = state.world.observe(index, sample, rules) else {
        return Vec::new();
    };
    // Unknown to up is the console learning, not the component changing: a restart or a first
    // probe never journals it.
    let learned = change.from == Health::Unknown && change.to == Health::Up;
    let event = transition_event(change);
    log(state, event.describe(), false);
    if can_write(state) && !learned {
        vec![Effect::Append { at: now, event }]
    } else {
        Vec::new()
    }
}

/// A backup stream's reading: shown, and during an incident a newer newest good copy is
/// journaled, so the review measures the data at risk from the journal alone.
pub(super) fn recovery_point(
    state: &mut State,
    (index, stream): (usize, usize),
    reading: Result<DateTime<Utc>, String>,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    if index >= state.recovery.len() {
        return Vec::new();
    }
    state.read_backup(index, stream, Some(reading));
    let (Some(Ok(last_good)), Some(incident)) = (&state.recovery[index], state.incident.as_ref())
    else {
        return Vec::new();
    };
    let component = state.world.ids[index].clone();
    let known = incident.copies.get(&component).and_then(|c| c.last()) == Some(last_good);
    if known || !can_write(state) {
        return Vec::new();
    }
    vec![Effect::Append {
        at: now,
        event: Event::RecoveryPoint {
            component,
            last_good: *last_good,
            detail: None,
        },
    }]
}

/// Gives simulated components a plausible latency per tick while a scenario runs: steady when
/// up, slow when degraded, none when down.
pub(super) fn simulate_latency(state: &mut State, now: DateTime<Utc>) {
    let second = now.timestamp().unsigned_abs();
    for (i, component) in state.config.components.iter().enumerate() {
        if !matches!(component.probe.check, Check::Sim { .. }) {
            continue;
        }
        let health = &mut state.world.health[i];
        let base = 8 + ((i as u64 * 7919 + second * 104_729) % 30) as u32;
        let millis = match health.state {
            Health::Up => Some(base),
            Health::Degraded => Some(base * 25),
            Health::Down | Health::Unknown => None,
        };
        health.record_latency(millis, now);
    }
}
