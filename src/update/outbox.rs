//! The notification outbox: what a durable record owes the configured channels (chat lines,
//! `PagerDuty` triggers and follow-ups), queued in the journal, delivered, retried with backoff, and
//! reconciled after a crash so nothing is sent twice or lost.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::log;
use crate::domain::Severity;
use crate::domain::event::{Channel, Event, Record};
use crate::domain::incident::{Delivery, Incident, Outbound};
use crate::msg::Effect;
use crate::state::{JournalState, State};

pub(super) fn writable(state: &State) -> bool {
    state.journal == JournalState::Writable && state.incident.is_some()
}

pub(super) fn append(now: DateTime<Utc>, event: Event) -> Effect {
    Effect::Append { at: now, event }
}

fn pagerduty_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::P1 => "critical",
        Severity::P2 => "error",
        Severity::P3 => "warning",
        Severity::P4 => "info",
    }
}

/// The dedup key of a level's page: the incident and the level, so a resend never pages twice.
#[must_use]
pub fn dedup_key(incident: &Incident, level: usize) -> String {
    format!("warroom-{}-L{}", incident.id, level + 1)
}

/// A `PagerDuty` follow-up (`acknowledge`, `resolve`) of a level's page: its dedup key alone.
fn pagerduty_follow(incident: &Incident, action: &str, level: usize) -> serde_json::Value {
    json!({ "event_action": action, "dedup_key": dedup_key(incident, level) })
}

/// A `PagerDuty` Events v2 trigger for a level's page, as `PagerDuty` documents it: the payload's
/// `source` and `component` are the affected component (the first the incident lists), `group`
/// the service, `class` its state, `timestamp` when it was paged; `custom_details` carry the
/// incident, its severity and runbooks; `client`, `client_url` and `links` where configured.
pub(super) fn pagerduty_trigger(
    state: &State,
    incident: &Incident,
    (level, contacts): (usize, &[String]),
    now: DateTime<Utc>,
) -> serde_json::Value {
    let config = &state.config;
    let affected = incident.affected.first();
    let component = affected.and_then(|id| config.component(id));
    let class = affected
        .and_then(|id| state.world.index(id))
        .map(|index| &state.world.health[index])
        .filter(|h| h.state.is_failing())
        .map_or_else(|| "incident".to_owned(), |h| h.state.to_string());
    let runbooks: Vec<&str> = state
        .runbooks
        .iter()
        .filter(|rb| rb.components.iter().any(|c| incident.affected.contains(c)))
        .map(|rb| rb.id.as_str())
        .collect();
    let mut payload = json!({
        "summary": format!("[{}] {} (escalation level {})", incident.severity, incident.title, level + 1),
        "source": affected.map_or(config.service.as_str(), String::as_str),
        "severity": pagerduty_severity(incident.severity),
        "timestamp": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "group": config.service,
        "class": class,
        "custom_details": {
            "incident_id": incident.id,
            "severity": incident.severity.to_string(),
            "runbook": runbooks,
            "status": incident.status.to_string(),
            "commander": incident.roles.commander,
            "level": level + 1,
            "contacts": contacts,
            "affected": incident.affected,
            "drill": incident.drill,
        },
    });
    if let Some(component) = component {
        payload["component"] = json!(component.name);
    }
    let mut body = json!({
        "event_action": "trigger",
        "dedup_key": dedup_key(incident, level),
        "payload": payload,
    });
    let pagerduty = config.notify.pagerduty.as_ref();
    if let Some(url) = pagerduty.and_then(|p| p.client_url.as_ref()) {
        body["client"] = json!("warroom");
        body["client_url"] = json!(url);
    }
    let links = pagerduty.map(|p| p.links.as_slice()).unwrap_or_default();
    if !links.is_empty() {
        body["links"] = links
            .iter()
            .map(|(href, text)| json!({ "href": href, "text": text }))
            .collect();
    }
    body
}

/// The chat line for an event that stakeholders hear about, if it is one.
fn chat_line(incident: &Incident, event: &Event) -> Option<String> {
    let head = format!("[{}] {}", incident.severity, incident.title);
    match event {
        Event::Declared { .. } => Some(format!(
            "{head}: incident declared, commander {}",
            incident.roles.commander
        )),
        Event::SeverityChanged { from, to } => Some(format!("{head}: severity {from} → {to}")),
        Event::StatusChanged { to, .. } => Some(format!("{head}: status {to}")),
        Event::UpdatePosted { text, .. } => Some(format!("{head}: {text}")),
        // Every change of commander is announced.
        Event::HandedOver { to, .. } => Some(format!("{head}: {to} is the commander now")),
        Event::RoleAssigned { role, person } if role.as_str() == crate::domain::Role::COMMANDER => {
            Some(format!("{head}: {person} is the commander now"))
        }
        Event::Resolved { summary, .. } => Some(format!(
            "{head}: resolved{}",
            summary
                .as_ref()
                .map(|s| format!(" — {s}"))
                .unwrap_or_default()
        )),
        _ => None,
    }
}

/// The pages of each level paged before `record`, up to level `up_to`: one per level (its
/// first), lowest level first.
fn paged_before<'a>(
    incident: &'a Incident,
    record: &Record,
    up_to: usize,
) -> Vec<&'a crate::domain::incident::Page> {
    let mut pages: Vec<_> = incident
        .pages
        .iter()
        .filter(|page| page.level <= up_to && page.at <= record.at)
        .collect();
    pages.sort_by_key(|page| page.level);
    pages.dedup_by_key(|page| page.level);
    pages
}

/// `PagerDuty` follow-ups (`acknowledge`, `resolve`) for every level paged before `record`, up to
/// `up_to`.
fn pagerduty_follow_up(
    incident: &Incident,
    record: &Record,
    action: &str,
    up_to: usize,
) -> Vec<(Channel, serde_json::Value)> {
    paged_before(incident, record, up_to)
        .into_iter()
        .map(|page| {
            let payload = pagerduty_follow(incident, action, page.level);
            (Channel::Pagerduty, payload)
        })
        .collect()
}

/// After a severity change: each level paged so far triggered again with the same dedup key, so
/// `PagerDuty`'s alert takes the new severity.
fn severity_retriggers(
    state: &State,
    incident: &Incident,
    record: &Record,
) -> Vec<(Channel, serde_json::Value)> {
    paged_before(incident, record, usize::MAX)
        .into_iter()
        .map(|page| {
            let page = (page.level, page.contacts.as_slice());
            let trigger = pagerduty_trigger(state, incident, page, record.at);
            (Channel::Pagerduty, trigger)
        })
        .collect()
}

/// The notifications a durable record implies on the configured channels: chat lines to Slack
/// and the webhook, `PagerDuty` follow-ups.
fn implied(
    state: &State,
    incident: &Incident,
    record: &Record,
) -> Vec<(Channel, serde_json::Value)> {
    let mut implied = match &record.event {
        Event::Resolved { .. } => pagerduty_follow_up(incident, record, "resolve", usize::MAX),
        Event::Acknowledged { level } => {
            pagerduty_follow_up(incident, record, "acknowledge", *level)
        }
        Event::SeverityChanged { .. } => severity_retriggers(state, incident, record),
        _ => Vec::new(),
    };
    if let Some(text) = chat_line(incident, &record.event) {
        implied.push((Channel::Slack, json!({ "text": text })));
        let record_json = serde_json::to_value(record).unwrap_or_default();
        implied.push((
            Channel::Webhook,
            json!({ "incident": incident.id, "event": record_json }),
        ));
    }
    implied.retain(|(channel, _)| state.config.notify.owes(*channel));
    implied
}

/// Whether an outbox entry is the notification `payload` on `channel` (a `PagerDuty` event is
/// known by its dedup key and action; a chat line by its channel).
fn same_notice(entry: &Outbound, channel: Channel, payload: &serde_json::Value) -> bool {
    entry.channel == channel
        && (channel != Channel::Pagerduty
            || (entry.payload["dedup_key"] == payload["dedup_key"]
                && entry.payload["event_action"] == payload["event_action"]))
}

/// The notifications `record` implies that the outbox does not hold yet, as journal effects:
/// all of them live, and after a crash between the record and its notifications, those lost.
fn owed(state: &State, incident: &Incident, record: &Record, now: DateTime<Utc>) -> Vec<Effect> {
    implied(state, incident, record)
        .into_iter()
        .filter(|(channel, payload)| {
            !incident
                .outbox
                .iter()
                .any(|e| e.cause == record.seq && same_notice(e, *channel, payload))
        })
        .map(|(channel, payload)| {
            let cause = Some(record.seq);
            append(
                now,
                Event::NotifyQueued {
                    channel,
                    payload,
                    cause,
                },
            )
        })
        .collect()
}

/// What follows an event once it is durable: notifications.
#[must_use]
pub fn after_record(state: &State, record: &Record, now: DateTime<Utc>) -> Vec<Effect> {
    match state.incident.as_ref().filter(|_| writable(state)) {
        Some(incident) => owed(state, incident, record, now),
        None => Vec::new(),
    }
}

/// After a resume: the notifications owed by the last record with notifications journaled (a
/// crash may have cut its batch) and the records after it. Notifications are asked for in
/// journal order, so a crash can only lose those of the last records; a record is never notified
/// twice (its entries name it as their cause).
#[must_use]
pub fn reconcile(state: &State, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(incident) = state.incident.as_ref().filter(|_| writable(state)) else {
        return Vec::new();
    };
    let settled = incident.outbox.iter().map(|e| e.cause).max().unwrap_or(0);
    state
        .records
        .iter()
        .filter(|r| r.seq >= settled)
        .flat_map(|r| owed(state, incident, r, now))
        .collect()
}

/// Whether an entry is due: queued, past its retry time, or left unsent by a console without the
/// channel's secrets when this one has them (a new writer sends it at once).
fn due_for_delivery(state: &State, entry: &Outbound, now: DateTime<Utc>) -> bool {
    match &entry.delivery {
        Delivery::Queued => true,
        Delivery::Failed { error, .. }
            if error.starts_with(crate::config::notify::NOT_SENT_HERE)
                && state.config.notify.sends(entry.channel) =>
        {
            true
        }
        Delivery::Failed { .. } => entry.retry_at().is_some_and(|at| at <= now),
        Delivery::Sent { .. } | Delivery::Held { .. } => false,
    }
}

/// Once a second: deliver what the outbox holds and is due.
pub fn tick(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    if !writable(state) {
        return Vec::new();
    }
    let mut effects = Vec::new();
    let Some(incident) = &state.incident else {
        return effects;
    };
    let due: Vec<(u64, Channel, serde_json::Value)> = incident
        .outbox
        .iter()
        .filter(|e| !state.in_flight.contains(&e.queued) && due_for_delivery(state, e, now))
        .map(|e| (e.queued, e.channel, e.payload.clone()))
        .collect();
    let pager_failing = state.pager_failing();
    for (queued, channel, payload) in due {
        state.in_flight.insert(queued);
        if pager_failing && channel == Channel::Pagerduty {
            let error = "the pager is failing (drill inject)".to_owned();
            effects.extend(delivered(state, queued, Err(error), now));
        } else if state.holds_notifications() {
            effects.push(append(now, Event::NotifyHeld { queued }));
        } else {
            effects.push(Effect::Send {
                queued,
                channel,
                payload,
            });
        }
    }
    effects
}

/// The result of a delivery attempt, journaled.
pub fn delivered(
    state: &mut State,
    queued: u64,
    result: Result<(), String>,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    state.in_flight.remove(&queued);
    if !writable(state) {
        return Vec::new();
    }
    let attempts = state
        .incident
        .as_ref()
        .and_then(|i| i.outbound(queued))
        .map_or(0, |o| match &o.delivery {
            Delivery::Failed { attempts, .. } => *attempts,
            _ => 0,
        });
    match result {
        Ok(()) => vec![append(now, Event::NotifySent { queued })],
        Err(error) => {
            log(
                state,
                format!("notification #{queued} failed: {error}; retrying"),
                true,
            );
            vec![append(
                now,
                Event::NotifyFailed {
                    queued,
                    attempt: attempts + 1,
                    error,
                },
            )]
        }
    }
}
