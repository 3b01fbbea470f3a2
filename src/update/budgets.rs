//! RTO budgets: every component's objectives as the declaration records them, and a breach
//! journaled once when an outage outlives its RTO.

use chrono::{DateTime, Utc};

use super::log;
use super::outbox::{append, writable};
use crate::domain::budget;
use crate::domain::event::{Event, Target};
use crate::msg::Effect;
use crate::state::State;

/// Every component's objectives and last good copy now, as the declaration records them.
#[must_use]
pub fn targets(state: &State) -> Vec<Target> {
    state
        .config
        .components
        .iter()
        .enumerate()
        .map(|(index, component)| {
            let budget = state.config.budget(component);
            Target {
                component: component.id.clone(),
                name: component.name.clone(),
                rto_secs: budget.rto.as_secs(),
                rpo_secs: budget.rpo.as_secs(),
                last_good: match state.recovery.get(index) {
                    Some(Some(Ok(last))) => Some(*last),
                    _ => None,
                },
            }
        })
        .collect()
}

/// Once a second: journal each RTO breach not journaled yet.
pub fn tick(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    if !writable(state) {
        return Vec::new();
    }
    let Some(incident) = state.incident.as_ref().filter(|i| i.is_open()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for outage in &incident.outages {
        let key = (outage.component.clone(), outage.start);
        if incident.breaches.contains(&key) || state.breaches_asked.contains(&key) {
            continue;
        }
        let Some(component) = state.config.component(&outage.component) else {
            continue;
        };
        let target = state.config.budget(component).rto;
        if budget::rto(outage.start, outage.end, target, now).level == budget::Level::Breach {
            found.push((key, target));
        }
    }
    found
        .into_iter()
        .map(|((component, outage_start), target)| {
            state
                .breaches_asked
                .insert((component.clone(), outage_start));
            log(state, format!("{component} breached its RTO"), true);
            append(
                now,
                Event::RtoBreached {
                    component,
                    outage_start,
                    target_secs: target.as_secs(),
                },
            )
        })
        .collect()
}
