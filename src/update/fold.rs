//! Records into the state: the one projection every durable record goes through (written,
//! resumed, followed or replayed), what a resumed journal still owes, and what a record this
//! console wrote leads to.

use chrono::{DateTime, Utc};

use super::{drill, log, outbox, review, runbooks, silence};
use crate::domain::event::{Event, Record};
use crate::domain::incident::{FoldError, Incident};
use crate::msg::Effect;
use crate::sanitize::one_line;
use crate::state::{JournalState, Overlay, State};

/// Starts a new incident state from a journal that is being resumed.
pub fn resume(state: &mut State, records: Vec<Record>) -> Result<(), FoldError> {
    match Incident::fold(&records) {
        Err(FoldError::NotDeclared("drill")) => {} // a drill nobody has declared yet
        Err(error) => return Err(error),
        Ok(_) => {}
    }
    for record in records {
        apply(state, record, Origin::Resumed);
    }
    state.resumed = true;
    Ok(())
}

/// What a resumed journal still owes, at the first tick: notifications a crash kept from the
/// outbox, commands it cut off (journaled as interrupted, never run again), the review file, in
/// a drill the simulated recoveries that successful actions earned, and the silences asked for
/// whose answer it lost (looked up, never asked again).
pub(super) fn reconcile(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    if state.journal != JournalState::Writable {
        return Vec::new();
    }
    let mut effects = outbox::reconcile(state, now);
    effects.extend(runbooks::interrupted(state, now));
    effects.extend(review::rewrite(state));
    effects.extend(drill::reconcile(state, now));
    effects.extend(silence::unanswered(state));
    effects
}

/// Where a durable record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// This console wrote it: the world it tells of is the probes' own.
    Written,
    /// Read back when resuming: states are last known until fresh samples.
    Resumed,
    /// Shown by a console that does not probe (follow, replay).
    Shown,
}

/// The one projection of a durable record: into the incident, the world the console shows and
/// the recovery points known. False, with a line on the live log, if it cannot be applied.
pub fn apply(state: &mut State, record: Record, origin: Origin) -> bool {
    if origin != Origin::Written {
        state.world.take(&record, origin == Origin::Resumed);
    }
    for (component, last_good) in copies_told(&record) {
        if let Some(index) = state.world.index(&component) {
            state.set_copy(index, last_good);
        }
    }
    fold(state, record)
}

/// The last good copies a record tells of: (component, when).
fn copies_told(record: &Record) -> Vec<(String, DateTime<Utc>)> {
    match &record.event {
        Event::Declared(declaration) => declaration
            .targets
            .iter()
            .filter_map(|t| Some((t.component.clone(), t.last_good?)))
            .collect(),
        Event::RecoveryPoint {
            component,
            last_good,
            ..
        } => vec![(component.clone(), *last_good)],
        _ => Vec::new(),
    }
}

/// What the writer does after a record, whoever asked for it: notifications, the review file,
/// the drill's bookkeeping, silences.
pub(super) fn writer_consequences(
    state: &mut State,
    record: &Record,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let mut effects = outbox::after_record(state, record, now);
    effects.extend(review::after_record(state, record, now));
    effects.extend(drill::after_record(state, record, now));
    effects.extend(silence::after_record(state, record));
    effects
}

pub(super) fn journaled(state: &mut State, record: Record) {
    let line = record.event.describe();
    let declared = matches!(record.event, Event::Declared { .. } | Event::Drill(_));
    if !apply(state, record, Origin::Written) {
        return;
    }
    if declared {
        state.journal = JournalState::Writable;
    }
    if matches!(&state.ui.overlay, Some(Overlay::Dialog(d)) if d.pending) {
        state.ui.overlay = None;
        state.ui.flash = Some(format!("Recorded: {}", one_line(&line)));
    }
}

/// Folds a durable record into the incident (a declaration starts a new one).
pub(super) fn fold(state: &mut State, record: Record) -> bool {
    if let Event::Declared { .. } = record.event {
        // A drill's journal keeps what happened before the declaration; a new journal starts afresh.
        let preamble = state.incident.is_none()
            && state
                .records
                .first()
                .is_some_and(|r| matches!(r.event, Event::Drill(_)));
        match Incident::declare(&record) {
            Ok(incident) => state.incident = Some(incident),
            Err(e) => {
                log(state, format!("Journal record not applied: {e}"), true);
                return false;
            }
        }
        if !preamble {
            state.records.clear();
            state.requests.clear();
        }
    } else if let Some(incident) = &mut state.incident {
        incident.apply(&record);
    }
    if let Some(key) = record.request {
        state.requests.insert(key, record.seq);
    }
    state.records.push(record);
    true
}

pub(super) fn journal_failed(state: &mut State, error: String) {
    if state.incident.is_some() || !state.records.is_empty() {
        state.journal = JournalState::Failed(error.clone());
    } else if let Some(drill) = state.drill_mut().filter(|d| d.journal.is_some()) {
        // The drill's journal could not be opened: it runs on, journaled from its declaration.
        drill.journal = None;
    }
    log(state, format!("Not recorded: {error}"), true);
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.pending = false;
        dialog.error = Some(format!("Not recorded: {error}"));
    }
}
