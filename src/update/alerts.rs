//! Alert intake: the alerts each Alertmanager holds, what a declaration takes from them (its
//! alerts, and outage starts as early as their `startsAt`), and the starts and ends an open
//! incident journals.

use chrono::{DateTime, Utc};

use crate::domain::Severity;
use crate::domain::alert::{Firing, TRACKED, calling};
use crate::domain::event::{AlertSeen, Event};
use crate::msg::Effect;
use crate::state::State;

/// The alerts Alertmanager `source` holds now; an open incident journals what changed among the
/// alerts it follows.
pub(super) fn received(
    state: &mut State,
    source: String,
    alerts: Vec<Firing>,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    state.alerts.insert(source.clone(), alerts);
    changes(state, &source)
        .into_iter()
        .map(|event| Effect::Append { at: now, event })
        .collect()
}

/// Whether this console journals alerts: a live, writable incident, no write in flight (the
/// next reading journals what this one would, so nothing is told twice), never a drill.
fn journals(state: &State) -> bool {
    state.journals_open_incident()
        && state.writing == 0
        && state.viewer().is_none()
        && !state.is_drill()
}

/// The alerts of `source` that resolved or began since the journal last told of them.
fn changes(state: &State, source: &str) -> Vec<Event> {
    let (Some(incident), Some(held)) = (&state.incident, state.alerts.get(source)) else {
        return Vec::new();
    };
    if !journals(state) {
        return Vec::new();
    }
    let followed: Vec<&AlertSeen> = incident
        .firing_alerts()
        .filter(|a| a.source == source)
        .collect();
    let mut events: Vec<Event> = followed
        .iter()
        .filter(|a| !held.iter().any(|h| h.fingerprint == a.fingerprint))
        .map(|a| Event::AlertResolved {
            source: source.to_owned(),
            fingerprint: a.fingerprint.clone(),
            name: a.name().to_owned(),
        })
        .collect();
    let room = TRACKED.saturating_sub(incident.firing_alerts().count());
    events.extend(
        held.iter()
            .filter(|h| h.followed() && !followed.iter().any(|a| a.fingerprint == h.fingerprint))
            .take(room)
            .map(|h| Event::AlertStarted(Box::new(seen(source, h)))),
    );
    events
}

/// An alert as the journal keeps it.
fn seen(source: &str, alert: &Firing) -> AlertSeen {
    AlertSeen {
        source: source.to_owned(),
        fingerprint: alert.fingerprint.clone(),
        labels: alert.labels.clone(),
        starts_at: alert.starts_at,
        summary: alert.summary.clone(),
    }
}

/// The alerts a declaration takes: those an incident follows (claimed, or critical), those a
/// component claims first, at most [`TRACKED`] (a storm of other alerts never crowds out the
/// incident's own); none in a drill, which never mixes real alerts into its score.
pub(super) fn declared(state: &State) -> Vec<AlertSeen> {
    if state.is_drill() {
        return Vec::new();
    }
    let followed = || {
        state.alerts.iter().flat_map(|(source, alerts)| {
            alerts
                .iter()
                .filter(|a| a.followed())
                .map(move |a| (source, a))
        })
    };
    let claimed = followed().filter(|(_, a)| !a.claimed_by.is_empty());
    let others = followed().filter(|(_, a)| a.claimed_by.is_empty());
    claimed
        .chain(others)
        .take(TRACKED)
        .map(|(source, a)| seen(source, a))
        .collect()
}

/// When a failing component's outage began: its first failed sample, or the start of the
/// alerts it claims when they began earlier (so MTTD counts from what monitoring saw).
pub(super) fn outage_since(state: &State, component: &str, since: DateTime<Utc>) -> DateTime<Utc> {
    state
        .world
        .index(component)
        .and_then(|index| crate::domain::alert::began(&state.alerts, index))
        .map_or(since, |began| began.min(since))
}

/// The title and severity a firing critical alert suggests for a declaration: its summary, and
/// the severity of the tier of the first component claiming it (the top tier's when none does).
pub(super) fn suggestion(state: &State) -> Option<(String, Severity)> {
    if state.is_drill() {
        return None;
    }
    let alert = calling(&state.alerts)?;
    let tier = alert
        .claimed_by
        .first()
        .and_then(|i| state.config.components.get(*i))
        .map(|c| &c.tier)
        .or_else(|| state.config.tiers.first().map(|t| &t.tier));
    let severity = tier.map_or(Severity::P1, |t| state.config.default_severity(t));
    Some((alert.title(), severity))
}
