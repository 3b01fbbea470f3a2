//! Silences from the console: the incident's firing alerts silenced in Alertmanager after a
//! confirmation that lists every matcher; each silence journaled before it is asked for, its
//! answer journaled, nothing retried; the silences expired on resolution when the commander says.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::event::{Event, Record, SilenceRequest};
use crate::domain::silence::{HOURS, Sought, Standing, body, matchers};
use crate::msg::Effect;
use crate::sanitize::one_line;
use crate::state::{DialogKind, JournalState, Overlay, State};
use crate::view::silence::{active, incident_comment, silences, unsilenced};

/// The silence action: refused (with why) or the confirmation listing what it would silence.
pub(super) fn open(state: &mut State, now: DateTime<Utc>) {
    let refusal = match &state.incident {
        _ if state.is_drill() => Some("A drill never silences real alerts.".to_owned()),
        None => Some("No incident is open: silences are for an incident's alerts.".to_owned()),
        Some(i) if !i.is_open() => Some(format!("Incident {} is resolved.", i.id)),
        Some(_) => match &state.journal {
            JournalState::ReadOnly(reason) | JournalState::Failed(reason) => {
                Some(format!("The journal cannot be written: {reason}"))
            }
            JournalState::Writable if unsilenced(state, now).is_empty() => {
                Some("No alert of this incident is firing unsilenced in Alertmanager.".to_owned())
            }
            JournalState::Writable => None,
        },
    };
    if let Some(refusal) = refusal {
        state.ui.flash = Some(refusal);
        return;
    }
    super::open_dialog(state, DialogKind::Silence, String::new(), 1);
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.labels = HOURS
            .iter()
            .map(|h| match h {
                1 => "for 1 hour".to_owned(),
                h => format!("for {h} hours"),
            })
            .collect();
    }
}

/// The confirmed silence: one request journaled per alert (the requests follow the records).
pub(super) fn confirmed(state: &mut State, choice: usize, now: DateTime<Utc>) -> Vec<Effect> {
    let hours = HOURS.get(choice).copied().unwrap_or(HOURS[1]);
    let ends_at = now + TimeDelta::hours(hours);
    let note = incident_comment(state);
    let effects: Vec<Effect> = unsilenced(state, now)
        .into_iter()
        .map(|alert| Effect::Append {
            at: now,
            event: Event::SilenceRequested(Box::new(SilenceRequest {
                source: alert.source.clone(),
                fingerprint: alert.fingerprint.clone(),
                name: alert.name().to_owned(),
                matchers: matchers(&alert.labels),
                ends_at,
                comment: note.clone(),
            })),
        })
        .collect();
    match &mut state.ui.overlay {
        Some(Overlay::Dialog(dialog)) if !effects.is_empty() => dialog.pending = true,
        _ => state.ui.overlay = None,
    }
    effects
}

/// After a record: a journaled silence request is sent; a resolution with silences still
/// holding offers to expire them.
pub(super) fn after_record(state: &mut State, record: &Record) -> Vec<Effect> {
    match &record.event {
        Event::SilenceRequested(request) => vec![Effect::Silence {
            requested: record.seq,
            source: request.source.clone(),
            body: body(
                &request.matchers,
                (record.at, request.ends_at),
                &record.actor,
                &request.comment,
            ),
        }],
        Event::Resolved { .. } if !active(state).is_empty() => {
            super::open_dialog(state, DialogKind::ExpireSilences, String::new(), 0);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Alertmanager's answer to a silence request, journaled either way and never retried.
pub(super) fn answered(
    state: &mut State,
    requested: u64,
    result: Result<String, String>,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let name = state
        .records
        .iter()
        .find(|r| r.seq == requested)
        .and_then(|r| match &r.event {
            Event::SilenceRequested(request) => Some(request.name.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let event = match result {
        Ok(id) => {
            state.ui.flash = Some(format!(
                "Silenced {}: silence {}",
                one_line(&name),
                one_line(&id)
            ));
            Event::SilenceCreated { requested, id }
        }
        Err(error) => {
            state.ui.flash = Some(format!(
                "Silence of {} NOT created: {}. Nothing is retried; M asks again.",
                one_line(&name),
                one_line(&error)
            ));
            Event::SilenceFailed { requested, error }
        }
    };
    vec![Effect::Append { at: now, event }]
}

/// After a resume: the silences asked for whose answer the journal lacks (warroom stopped
/// between the request and its answer), to be looked up in Alertmanager, never asked again.
pub(super) fn unanswered(state: &State) -> Vec<Effect> {
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    incident
        .silences
        .iter()
        .filter(|s| s.standing == Standing::Requested)
        .filter_map(|s| {
            let record = state.records.iter().find(|r| r.seq == s.requested)?;
            let Event::SilenceRequested(request) = &record.event else {
                return None;
            };
            let SilenceRequest {
                source,
                matchers,
                ends_at,
                comment,
                ..
            } = &**request;
            Some(Effect::FindSilence {
                requested: s.requested,
                source: source.clone(),
                sought: Sought {
                    matchers: matchers.clone(),
                    created_by: record.actor.clone(),
                    comment: comment.clone(),
                    ends_at: *ends_at,
                },
            })
        })
        .collect()
}

/// What Alertmanager holds of a silence whose answer a crash lost: journaled as created (with
/// the id found) or failed (it never arrived); when Alertmanager cannot be asked, nothing is
/// journaled and the commander is told to look.
pub(super) fn found(
    state: &mut State,
    requested: u64,
    result: Result<Option<String>, String>,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let still_unanswered = state.incident.as_ref().is_some_and(|i| {
        i.silences
            .iter()
            .any(|s| s.requested == requested && s.standing == Standing::Requested)
    });
    if !still_unanswered {
        return Vec::new();
    }
    let event = match result {
        Ok(Some(id)) => {
            state.ui.flash = Some(format!(
                "Silence #{requested} was created before warroom stopped: silence {}",
                one_line(&id)
            ));
            Event::SilenceCreated { requested, id }
        }
        Ok(None) => {
            state.ui.flash = Some(format!(
                "Silence #{requested} was never created (warroom stopped first). M asks again."
            ));
            Event::SilenceFailed {
                requested,
                error: LOST.to_owned(),
            }
        }
        Err(error) => {
            state.ui.flash = Some(format!(
                "Silence #{requested}: warroom stopped before Alertmanager answered, and it cannot be asked now ({}). Look in Alertmanager; nothing is retried.",
                one_line(&error)
            ));
            return Vec::new();
        }
    };
    vec![Effect::Append { at: now, event }]
}

/// Why a silence whose answer a crash lost, and that Alertmanager does not hold, failed.
pub const LOST: &str = "warroom stopped before Alertmanager answered, and Alertmanager holds no such silence: it was never created (not retried; M asks again)";

/// The commander chose to expire the incident's silences.
pub(super) fn expire(state: &mut State) -> Vec<Effect> {
    state.ui.overlay = None;
    let active = active(state);
    state.ui.flash = Some(format!("Expiring {}…", silences(active.len())));
    active
        .into_iter()
        .map(|(source, id)| Effect::ExpireSilence { source, id })
        .collect()
}

/// Alertmanager's answer to an expiry, journaled either way.
pub(super) fn expired(
    state: &mut State,
    id: String,
    result: Result<(), String>,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let event = match result {
        Ok(()) => {
            state.ui.flash = Some(format!("Silence {} expired", one_line(&id)));
            Event::SilenceExpired { id }
        }
        Err(error) => {
            state.ui.flash = Some(format!(
                "Silence {} NOT expired: {}. It ends on its own, or expire it in Alertmanager.",
                one_line(&id),
                one_line(&error)
            ));
            Event::SilenceExpiryFailed { id, error }
        }
    };
    vec![Effect::Append { at: now, event }]
}
