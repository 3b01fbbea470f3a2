//! Where the incident stands against its escalation policy, and what a page or acknowledge
//! confirmation says: read by the screens and by update alike.

use chrono::{DateTime, Utc};

use crate::config::Escalation;
use crate::domain::escalation::{self, Level, Standing};
use crate::domain::event::Event;
use crate::state::{DialogKind, State};

/// The policy for the incident's severity and where the incident stands against it.
#[must_use]
pub fn standing(state: &State) -> Option<(&Escalation, Standing)> {
    let incident = state.incident.as_ref().filter(|i| i.is_open())?;
    let policy = state.config.policy(incident.severity)?;
    let levels: Vec<Level> = policy
        .levels
        .iter()
        .map(|l| Level {
            after: l.after,
            notify: l.notify.clone(),
        })
        .collect();
    let acked = incident.acknowledged_level.map(|(level, _)| level);
    let standing = escalation::standing(
        &levels,
        (policy.repeat_last, policy.after_ack),
        incident.escalation_since,
        acked,
        state.now,
    );
    Some((policy, standing))
}

/// The incident's affected components failing now (down or degraded), with their state.
#[must_use]
pub fn not_up(state: &State) -> Vec<(String, crate::domain::Health)> {
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    state
        .world
        .failing()
        .filter(|(id, _)| incident.affected.iter().any(|a| a == id))
        .map(|(id, health)| (id.to_owned(), health.state))
        .collect()
}

/// When the next stakeholder update is due, if the policy has a cadence.
#[must_use]
pub fn update_due(state: &State) -> Option<DateTime<Utc>> {
    let incident = state.incident.as_ref().filter(|i| i.is_open())?;
    let every = state.config.policy(incident.severity)?.update_every?;
    Some(escalation::update_due(incident.last_update, every))
}

/// Where a page or acknowledge goes, in words.
fn channel_words(state: &State) -> &'static str {
    if state.holds_notifications() {
        "recorded in the drill's journal, not sent (drill)"
    } else if state.config.notify.pagerduty.is_some() {
        "sent to PagerDuty"
    } else {
        "recorded in the journal only (no PagerDuty configured)"
    }
}

/// What the page or acknowledge confirmation says: the level, the people and the channel.
#[must_use]
pub fn confirm_prompt(state: &State, kind: DialogKind) -> String {
    let (verb, level) = match kind {
        DialogKind::ConfirmPage { level } => ("Page", level),
        DialogKind::ConfirmAck { level } => ("Acknowledge", level),
        _ => return String::new(),
    };
    let people = standing(state)
        .and_then(|(policy, _)| policy.levels.get(level))
        .map(|l| state.config.who(&l.notify))
        .unwrap_or_default();
    let again = match kind {
        DialogKind::ConfirmPage { .. } => recent_page(state, level)
            .map(|(by, ago)| format!("Paged by {by} {ago} s ago: page again? ")),
        _ => None,
    };
    format!(
        "{}{verb} level {}: {people} — {}. Enter sends, Esc does not.",
        again.unwrap_or_default(),
        level + 1,
        channel_words(state)
    )
}

/// How long after a page of a level a second one is asked about (`paged by X 12 s ago`).
pub const PAGE_AGAIN_WITHIN_SECS: i64 = 60;

/// Who paged `level` within the last minute and how many seconds ago (the records are read
/// from the newest back to a minute ago, never further).
#[must_use]
pub fn recent_page(state: &State, level: usize) -> Option<(String, i64)> {
    let since = state.now - chrono::TimeDelta::seconds(PAGE_AGAIN_WITHIN_SECS);
    state
        .records
        .iter()
        .rev()
        .take_while(|r| r.at >= since)
        .find(|r| matches!(r.event, Event::Paged { level: l, .. } if l == level))
        .map(|r| (r.actor.clone(), (state.now - r.at).num_seconds().max(0)))
}
