//! Which alerts a silence would take and which silences hold, and the confirmations that list them.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::domain::event::AlertSeen;
use crate::domain::silence::{comment, matchers};
use crate::state::{DialogKind, State};

/// The followed alerts a silence would take now: firing in the last reading of a configured
/// source, silenced neither by this incident nor by anyone else.
#[must_use]
pub fn unsilenced(state: &State, now: DateTime<Utc>) -> Vec<&AlertSeen> {
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    incident
        .firing_alerts()
        .filter(|a| {
            state.alerts.get(&a.source).is_some_and(|held| {
                held.iter()
                    .any(|h| h.fingerprint == a.fingerprint && !h.silenced)
            })
        })
        .filter(|a| {
            !incident
                .silences
                .iter()
                .any(|s| s.source == a.source && s.fingerprint == a.fingerprint && s.covers(now))
        })
        .collect()
}

/// The silences of the incident that hold now: (source, id).
#[must_use]
pub fn active(state: &State) -> Vec<(String, String)> {
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    incident
        .silences
        .iter()
        .filter(|s| s.ends_at > state.now)
        .filter_map(|s| Some((s.source.clone(), s.active_id()?.to_owned())))
        .collect()
}

/// The confirmation's text, raw: every silence with its matchers, who creates it and the comment.
#[must_use]
pub fn prompt(state: &State, kind: DialogKind) -> String {
    if kind == DialogKind::ExpireSilences {
        let active = active(state);
        let ids: Vec<&str> = active.iter().map(|(_, id)| id.as_str()).collect();
        let (holds, them, alerts, end) = if ids.len() == 1 {
            ("holds", "it", "its alert reaches", "its end")
        } else {
            ("hold", "them", "their alerts reach", "their end")
        };
        return format!(
            "The incident created {} that still {holds}: {}.\nEnter expires {them} now, so {alerts} people again; Esc keeps {them} to {end}.",
            silences(ids.len()),
            ids.join(", ")
        );
    }
    let alerts = unsilenced(state, state.now);
    let mut text = format!(
        "{}, one per alert, each taking exactly that alert's labels; created by {}, comment \"{}\":\n",
        silences(alerts.len()),
        state.actor,
        incident_comment(state)
    );
    for alert in &alerts {
        let lines: Vec<String> = matchers(&alert.labels)
            .iter()
            .map(crate::domain::silence::Matcher::line)
            .collect();
        let _ = writeln!(text, "  `{}`: {}", alert.source, lines.join(", "));
    }
    text.push_str(if alerts.len() == 1 {
        "Enter creates it for the time chosen, Esc does not."
    } else {
        "Enter creates them for the time chosen, Esc does not."
    });
    text
}

/// `1 silence`, `3 silences`.
#[must_use]
pub fn silences(n: usize) -> String {
    if n == 1 {
        "1 silence".to_owned()
    } else {
        format!("{n} silences")
    }
}

#[must_use]
pub fn incident_comment(state: &State) -> String {
    state
        .incident
        .as_ref()
        .map(|i| comment(&i.id, &i.title))
        .unwrap_or_default()
}
