//! Incident command: budgets journaled at milestones and on breach, escalation acknowledgements
//! and pages, stakeholder updates, and the notification outbox.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

use super::{log, open_dialog};
use crate::config::Escalation;
use crate::domain::Severity;
use crate::domain::budget;
use crate::domain::escalation::{self, Level, Standing};
use crate::domain::event::{Channel, Event, Record, Target};
use crate::domain::incident::{Delivery, Incident, Outbound};
use crate::msg::Effect;
use crate::state::{DialogKind, JournalState, State};

/// How long to wait before retrying a failed delivery, by attempts so far.
#[must_use]
pub fn backoff(attempts: u32) -> Duration {
    let secs = match attempts {
        0 | 1 => 5,
        2 => 15,
        3 => 60,
        _ => 300,
    };
    Duration::from_secs(secs)
}

fn writable(state: &State) -> bool {
    state.journal == JournalState::Writable && state.incident.is_some()
}

fn append(now: DateTime<Utc>, event: Event) -> Effect {
    Effect::Append { at: now, event }
}

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
        policy.repeat_last,
        incident.escalation_since,
        acked,
        state.now,
    );
    Some((policy, standing))
}

/// When the next stakeholder update is due, if the policy has a cadence.
#[must_use]
pub fn update_due(state: &State) -> Option<DateTime<Utc>> {
    let incident = state.incident.as_ref().filter(|i| i.is_open())?;
    let every = state.config.policy(incident.severity)?.update_every?;
    Some(escalation::update_due(incident.last_update, every))
}

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

fn pagerduty(
    incident: &Incident,
    action: &str,
    level: usize,
    contacts: &[String],
) -> serde_json::Value {
    let mut body = json!({ "event_action": action, "dedup_key": dedup_key(incident, level) });
    if action == "trigger" {
        body["payload"] = json!({
            "summary": format!("[{}] {} (escalation level {})", incident.severity, incident.title, level + 1),
            "source": "warroom",
            "severity": pagerduty_severity(incident.severity),
            "custom_details": {
                "incident_id": incident.id,
                "status": incident.status.to_string(),
                "commander": incident.roles.commander,
                "level": level + 1,
                "contacts": contacts,
                "affected": incident.affected,
                "drill": incident.drill,
            },
        });
    }
    body
}

/// Whether a channel is configured.
fn configured(state: &State, channel: Channel) -> bool {
    let notify = &state.config.notify;
    match channel {
        Channel::Pagerduty => notify.pagerduty.is_some(),
        Channel::Slack => notify.slack.is_some(),
        Channel::Webhook => notify.webhook.is_some(),
    }
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

/// `PagerDuty` follow-ups (`acknowledge`, `resolve`) for every level paged before `record`, up to
/// `up_to`.
fn pagerduty_follow_up(
    incident: &Incident,
    record: &Record,
    action: &str,
    up_to: usize,
) -> Vec<(Channel, serde_json::Value)> {
    let mut levels: Vec<usize> = incident
        .pages
        .iter()
        .filter(|(level, at, _)| *level <= up_to && *at <= record.at)
        .map(|(level, _, _)| *level)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
        .into_iter()
        .map(|level| {
            let payload = pagerduty(incident, action, level, &[]);
            (Channel::Pagerduty, payload)
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
    implied.retain(|(channel, _)| configured(state, *channel));
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

fn due_for_delivery(entry: &Outbound, now: DateTime<Utc>) -> bool {
    match &entry.delivery {
        Delivery::Queued => true,
        Delivery::Failed { attempts, at, .. } => {
            *at + TimeDelta::from_std(backoff(*attempts)).unwrap_or_default() <= now
        }
        Delivery::Sent { .. } | Delivery::Held { .. } => false,
    }
}

/// Once a second: journal new RTO breaches, and deliver what the outbox holds.
pub fn tick(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    if !writable(state) {
        return Vec::new();
    }
    let mut effects = breaches(state, now);
    let Some(incident) = &state.incident else {
        return effects;
    };
    let due: Vec<(u64, Channel, serde_json::Value)> = incident
        .outbox
        .iter()
        .filter(|e| !state.in_flight.contains(&e.queued) && due_for_delivery(e, now))
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

fn breaches(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
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
        .and_then(|i| i.outbox.iter().find(|o| o.queued == queued))
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

/// The due level, whether it is acknowledged, and its contacts; or, for the footer, why none is.
fn due_level(state: &State) -> Result<(usize, bool, Vec<String>), String> {
    match standing(state) {
        Some((
            policy,
            Standing {
                due: Some(level),
                acknowledged,
                ..
            },
        )) => Ok((level, acknowledged, policy.levels[level].notify.clone())),
        Some(_) => Err("No escalation level is due yet".into()),
        None => Err(no_policy(state)),
    }
}

fn refuse(state: &mut State, message: String) -> Vec<Effect> {
    state.ui.flash = Some(message);
    Vec::new()
}

/// `a`: acknowledges the due level; asks first when the acknowledge goes to `PagerDuty`.
pub fn acknowledge(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    match due_level(state) {
        Ok((level, false, _)) if state.config.confirm_page && acknowledge_pages(state, level) => {
            open_dialog(state, DialogKind::ConfirmAck { level }, String::new(), 0);
            Vec::new()
        }
        Ok((level, false, _)) => vec![append(now, Event::Acknowledged { level })],
        Ok((level, true, _)) => refuse(
            state,
            format!("Level {} is already acknowledged", level + 1),
        ),
        Err(message) => refuse(state, message),
    }
}

/// True when acknowledging `level` sends a `PagerDuty` acknowledge (a level up to it was paged).
fn acknowledge_pages(state: &State, level: usize) -> bool {
    state.config.notify.pagerduty.is_some()
        && state
            .incident
            .as_ref()
            .is_some_and(|i| i.pages.iter().any(|(l, _, _)| *l <= level))
}

fn no_policy(state: &State) -> String {
    match &state.incident {
        Some(i) if i.is_open() => format!(
            "No escalation policy for {} in {}",
            i.severity, state.config.source
        ),
        _ => "No incident is open. Press D to declare one.".into(),
    }
}

/// `p`: pages the due level, after a confirmation unless `[safety] confirm_page = false`.
pub fn page(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    match due_level(state) {
        Ok((level, _, _)) if state.config.confirm_page => {
            open_dialog(state, DialogKind::ConfirmPage { level }, String::new(), 0);
            Vec::new()
        }
        Ok((level, _, contacts)) => vec![append(now, paged(state, level, contacts))],
        Err(message) => refuse(state, message),
    }
}

/// The page of `level`, carrying its `PagerDuty` trigger when `PagerDuty` is configured.
fn paged(state: &State, level: usize, contacts: Vec<String>) -> Event {
    let pagerduty = state
        .config
        .notify
        .pagerduty
        .as_ref()
        .zip(state.incident.as_ref())
        .map(|(_, incident)| pagerduty(incident, "trigger", level, &contacts));
    Event::Paged {
        level,
        contacts,
        pagerduty,
    }
}

/// The confirmed page or acknowledge of `level`, if that level is still the one due.
pub fn confirmed(
    state: &State,
    kind: DialogKind,
    now: DateTime<Utc>,
) -> Result<Option<Effect>, String> {
    let (due, acknowledged, contacts) = due_level(state)?;
    match kind {
        DialogKind::ConfirmPage { level } if level == due => {
            Ok(Some(append(now, paged(state, level, contacts))))
        }
        DialogKind::ConfirmAck { level } if level == due && !acknowledged => {
            Ok(Some(append(now, Event::Acknowledged { level })))
        }
        _ => Err(format!(
            "Level {} is due now and the situation changed: Esc, then look again",
            due + 1
        )),
    }
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
    format!(
        "{verb} level {}: {people} — {}. Enter sends, Esc does not.",
        level + 1,
        channel_words(state)
    )
}
