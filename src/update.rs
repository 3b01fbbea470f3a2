//! `update`: the pure heart of the console. No I/O; time comes in as an argument.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::config::Check;
use crate::domain::Health;
use crate::domain::event::{Event, Record};
use crate::domain::health::{Hysteresis, Sample};
use crate::domain::incident::{FoldError, Incident};
use crate::domain::world::Transition;
use crate::input::field::{Field, is_text};
use crate::keymap::{Action, Context, Key};
use crate::msg::{Effect, Msg};
use crate::sanitize::one_line;
use crate::state::{DialogKind, JournalState, LOG_CAP, LogLine, Overlay, Screen, State, Viewer};

use crate::view::palette;
pub use dialog::open_dialog;
use dialog::{dialog_action, open_declare, open_incident_dialog};

pub use crate::input::field::MAX_INPUT;
const PAGE: usize = 10;

/// Applies one message at time `now` and returns the I/O it asks for. Counts the journal writes
/// asked for and answered, so keys wait for the state those writes lead to.
pub fn update(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    let answered =
        matches!(msg, Msg::Journaled(_) | Msg::JournalFailed(_)) || room::answers_own_write(&msg);
    let effects = step(state, msg, now);
    if answered {
        state.writing = state.writing.saturating_sub(1);
    }
    if state.viewer().is_none() {
        state.writing += effects.iter().filter(|e| e.writes_journal()).count();
    }
    state.refresh_timeline();
    effects
}

fn step(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    state.now = now;
    match msg {
        Msg::Tick => match state.viewer() {
            Some(Viewer::Replay) => drill::play(state, now),
            Some(Viewer::Follow) => Vec::new(),
            // The writer keeps the clocks that journal (escalation, budgets, the outbox).
            None if state.joined() => Vec::new(),
            None => tick(state, now),
        },
        Msg::Followed(records) => {
            let newest = records.last().map(|r| r.at);
            for record in records {
                handover::seen(state, &record);
                apply(state, record, Origin::Shown);
            }
            // A follower keeps pace with the writer's clock (an accelerated drill runs ahead).
            match newest {
                Some(to) if to > now => vec![Effect::Seek { to }],
                _ => Vec::new(),
            }
        }
        Msg::Key(key) => on_key(state, key, now),
        Msg::Paste(text) => {
            paste(state, &text);
            Vec::new()
        }
        Msg::Action(action) => on_action(state, action, now),
        Msg::Input(text) => {
            if let Some(field) = state.field_mut() {
                field.set(&text);
                field_changed(state);
            }
            Vec::new()
        }
        Msg::Journaled(record) => {
            journaled(state, record.clone());
            handover::seen(state, &record);
            // A command this console asked for runs here; the rest is the writer's.
            let mut effects = runbooks::after_record(state, &record);
            effects.extend(recovery::after_record(state, &record));
            effects.extend(writer_consequences(state, &record, now));
            effects
        }
        Msg::Requested { peer, event } => room::requested(state, peer, event, now),
        Msg::PeerJournaled { peer, record } => room::peer_journaled(state, peer, record, now),
        Msg::PeerJournalFailed { peer, error } => room::peer_failed(state, peer, error),
        Msg::Answered { result, .. } => room::answered(state, result),
        // The loop restarts a joined console whose room closed on an open incident, to take
        // it over; a resolved one is shown on, read-only.
        Msg::RoomClosed(reason) => {
            room::closed(state, &reason);
            Vec::new()
        }
        Msg::RoomHello { conn, actor, after } => room::hello(state, conn, actor, after, now),
        Msg::RoomLeft { actor, .. } => room::presence(state, Event::RoomLeft, actor, now),
        Msg::RoomOpened => room::opened(state, now),
        Msg::Presence(people) => {
            state.ui.presence = people;
            Vec::new()
        }
        Msg::JournalFailed(error) => {
            journal_failed(state, error);
            Vec::new()
        }
        Msg::Probed { index, sample } => probed(state, index, sample, now),
        Msg::Alerts { source, alerts } => alerts::received(state, source, alerts, now),
        Msg::Silenced { requested, result } => silence::answered(state, requested, result, now),
        Msg::SilenceFound { requested, result } => silence::found(state, requested, result, now),
        Msg::SilenceExpired { id, result } => silence::expired(state, id, result, now),
        Msg::RecoveryPoint {
            index,
            stream,
            reading,
        } => recovery_point(state, (index, stream), reading, now),
        Msg::Delivered { queued, result } => outbox::delivered(state, queued, result, now),
        msg @ (Msg::RunOutput { .. } | Msg::RunFinished { .. }) => {
            runbooks::on_msg(state, msg, now)
        }
        Msg::ReviewEdited(text) => {
            review::edited(state, text, now);
            Vec::new()
        }
        Msg::Resize => Vec::new(),
    }
}

/// Runs `update` and confirms every journal effect in memory, as if the journal had accepted it.
/// For scripted sessions (screenshots, tests), never for the live console.
pub fn play(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    let effects = update(state, msg, now);
    let mut pending: VecDeque<Effect> = effects.iter().cloned().collect();
    while let Some(effect) = pending.pop_front() {
        if let Some(record) = as_record(state, effect) {
            pending.extend(update(state, Msg::Journaled(record), now));
        }
    }
    effects
}

/// The record the journal would write for an effect, if it is a journal write (scripted
/// sessions and tests stand in for the journal with this).
#[must_use]
pub fn as_record(state: &State, effect: Effect) -> Option<Record> {
    let (seq, at, event) = match effect {
        Effect::Declare { at, event, .. } => (1, at, event),
        Effect::Append { at, event } => (state.records.len() as u64 + 1, at, event),
        _ => return None,
    };
    Some(Record {
        seq,
        at,
        actor: state.actor.clone(),
        event,
    })
}

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
fn reconcile(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
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

/// Adds a line to the live log, dropping the oldest past the cap.
pub fn log(state: &mut State, text: String, alert: bool) {
    if state.log.len() == LOG_CAP {
        state.log.pop_front();
    }
    state.log.push_back(LogLine {
        at: state.now,
        text,
        alert,
    });
}

fn can_write(state: &State) -> bool {
    state.viewer().is_none()
        && state.journal == JournalState::Writable
        && match &state.incident {
            Some(incident) => incident.is_open(),
            None => crate::view::drill::undeclared_journal(state),
        }
}

fn transition_event(change: Transition) -> Event {
    Event::ComponentChanged {
        since: Some(change.since),
        component: change.component,
        from: change.from,
        to: change.to,
        detail: change.detail,
    }
}

/// Records what a probe found; a change of state is logged, and journaled during an incident.
fn probed(state: &mut State, index: usize, sample: Sample, now: DateTime<Utc>) -> Vec<Effect> {
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
    let event = transition_event(change);
    log(state, event.describe(), false);
    if can_write(state) {
        vec![Effect::Append { at: now, event }]
    } else {
        Vec::new()
    }
}

/// A backup stream's reading: shown, and during an incident a newer newest good copy is
/// journaled, so the review measures the data at risk from the journal alone.
fn recovery_point(
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
fn simulate_latency(state: &mut State, now: DateTime<Utc>) {
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

fn tick(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    // Simulated components report a latency every two seconds of drill time, however often the
    // clock ticks (a real probe's default interval is ten).
    if let Some(drill) = state.drill_mut().filter(|d| {
        d.sampled
            .is_none_or(|t| now - t >= chrono::TimeDelta::seconds(2))
    }) {
        drill.sampled = Some(now);
        simulate_latency(state, now);
    }
    let mut effects = if std::mem::take(&mut state.resumed) && state.viewer().is_none() {
        reconcile(state, now)
    } else {
        Vec::new()
    };
    effects.extend(drill::tick(state, now));
    effects.extend(budgets::tick(state, now));
    effects.extend(outbox::tick(state, now));
    effects.extend(runbooks::verify(state, now));
    effects.extend(review::autosave(state, now));
    effects
}

/// A key: text for the focused field when it types or edits, else the action bound to it.
fn on_key(state: &mut State, key: Key, now: DateTime<Utc>) -> Vec<Effect> {
    let bound = state.keymap.lookup(&state.key_contexts(), key);
    let typing = state.field().is_some() && (is_text(key) || bound.is_none());
    if typing {
        if state.field_mut().is_some_and(|f| f.edit(key)) {
            field_changed(state);
        } else {
            unbound(state, key);
        }
        return Vec::new();
    }
    match bound {
        Some(action) => on_action(state, action, now),
        None => {
            unbound(state, key);
            Vec::new()
        }
    }
}

/// A key with no binding here does nothing, and says so.
fn unbound(state: &mut State, key: Key) {
    let help = state
        .keymap
        .key_for(&[Context::Global], Action::Help)
        .map_or_else(String::new, |k| format!(" ({k} lists the keys)"));
    state.ui.flash = Some(format!("{key} does nothing here{help}"));
}

/// A paste goes to the focused field as text, and nowhere else.
fn paste(state: &mut State, text: &str) {
    match state.field_mut() {
        Some(field) => {
            field.insert(text);
            field_changed(state);
        }
        None => state.ui.flash = Some("Paste ignored: no text field is open".into()),
    }
}

/// What follows a change of the focused field's text.
fn field_changed(state: &mut State) {
    let filter = match &mut state.ui.overlay {
        Some(Overlay::Palette { selected, .. }) => {
            *selected = 0;
            None
        }
        Some(Overlay::Dialog(dialog)) => {
            dialog.error = None;
            (dialog.kind == DialogKind::Filter).then(|| dialog.field.text.clone())
        }
        _ => None,
    };
    if let Some(text) = filter {
        *state.ui.filter_mut() = text;
        state.ui.list_mut(state.ui.screen).selected = 0;
        runbooks::keep_visible(state);
    }
}

fn on_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    if action == Action::Quit {
        return vec![Effect::Quit];
    }
    match &state.ui.overlay {
        Some(Overlay::Help { .. } | Overlay::Detail { .. }) => {
            panel_action(state, action);
            Vec::new()
        }
        Some(Overlay::Palette { .. }) => palette_action(state, action, now),
        Some(Overlay::Dialog(_)) => dialog_action(state, action, now),
        None => screen_action(state, action, now),
    }
}

/// Keys in a read-only panel (help, component detail): scroll or close.
fn panel_action(state: &mut State, action: Action) {
    let Some(Overlay::Help { scroll } | Overlay::Detail { scroll, .. }) = &mut state.ui.overlay
    else {
        return;
    };
    match action {
        Action::Down => *scroll += 1,
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Cancel | Action::Help => state.ui.overlay = None,
        _ => {}
    }
}

fn palette_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(Overlay::Palette { field, .. }) = &state.ui.overlay else {
        return Vec::new();
    };
    let matches = palette::matches(state, &field.text);
    let Some(Overlay::Palette { selected, .. }) = &mut state.ui.overlay else {
        return Vec::new();
    };
    match action {
        Action::Down => *selected = (*selected + 1).min(matches.len().saturating_sub(1)),
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Cancel => state.ui.overlay = None,
        Action::Confirm => {
            let chosen = matches.get(*selected).map(|e| e.action);
            state.ui.overlay = None;
            if let Some(chosen) = chosen {
                return on_action(state, chosen, now);
            }
        }
        _ => {}
    }
    Vec::new()
}

fn screen_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    if state.viewer().is_some() && action.mutates() {
        state.ui.flash = Some(match state.viewer() {
            Some(Viewer::Replay) => "Replay only shows the incident; nothing can be changed".into(),
            _ => "Following read-only: the writing console makes the changes".into(),
        });
        return Vec::new();
    }
    if state.ui.screen == Screen::Review
        && let Some(effects) = review::action(state, action, now)
    {
        return effects;
    }
    if state.ui.screen == Screen::Runbooks
        && let Some(effects) = runbooks::screen_action(state, action, now)
    {
        return effects;
    }
    state.ui.flash = None;
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Help => state.ui.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Palette => {
            state.ui.overlay = Some(Overlay::Palette {
                field: Field::default(),
                selected: 0,
            });
        }
        Action::Filter => match state.ui.screen {
            Screen::Review | Screen::Drill => {
                state.ui.flash = Some(format!(
                    "No filter here: the {} screen has no list",
                    state.ui.screen
                ));
            }
            _ => {
                let text = state.ui.filter().to_owned();
                open_dialog(state, DialogKind::Filter, text, 0);
            }
        },
        Action::Cancel => state.ui.filter_mut().clear(),
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => {
            move_selection(state, action);
        }
        Action::NextScreen | Action::PrevScreen => {
            let drill = state.is_drill();
            state.ui.screen = state.ui.screen.cycle(action == Action::NextScreen, drill);
            if state.ui.screen == Screen::Review {
                review::show(state);
            }
        }
        Action::Dashboard => state.ui.screen = Screen::Dashboard,
        Action::Timeline => state.ui.screen = Screen::Timeline,
        Action::Escalation => state.ui.screen = Screen::Escalation,
        Action::Runbooks => state.ui.screen = Screen::Runbooks,
        Action::Run
        | Action::MarkDone
        | Action::MarkSkipped
        | Action::MarkFailed
        | Action::TickCheck
        | Action::UntickCheck
        | Action::CancelRun => {}
        Action::Recover => return recovery::open(state),
        Action::Review => {
            state.ui.screen = Screen::Review;
            review::show(state);
        }
        Action::Edit | Action::Save | Action::Regenerate => {}
        Action::Acknowledge => return escalation::acknowledge(state, now),
        Action::Page => return escalation::page(state, now),
        Action::Declare => open_declare(state),
        Action::Silence => silence::open(state, now),
        Action::Handover => handover::open(state),
        Action::Approve => approval::open(state),
        Action::Severity
        | Action::Status
        | Action::Roles
        | Action::Note
        | Action::Resolve
        | Action::Update => {
            open_incident_dialog(state, action);
        }
        Action::Confirm => open_detail(state),
        Action::NextChoice | Action::PrevChoice => {}
        Action::Drill
        | Action::Pause
        | Action::Faster
        | Action::Slower
        | Action::SeekBack
        | Action::SeekForward
        | Action::FireInject
        | Action::InjectMessage
        | Action::SetState
        | Action::EndDrill => return drill::action(state, action, now),
    }
    Vec::new()
}

fn open_detail(state: &mut State) {
    if state.ui.screen != Screen::Dashboard {
        return;
    }
    let selected = state.ui.list(Screen::Dashboard).selected;
    if let Some(&index) = state.dashboard_rows().get(selected) {
        state.ui.overlay = Some(Overlay::Detail { index, scroll: 0 });
    }
}

fn move_selection(state: &mut State, action: Action) {
    let len = match state.ui.screen {
        Screen::Dashboard => state.dashboard_rows().len(),
        Screen::Timeline => state.timeline_len(),
        Screen::Escalation => 0,
        Screen::Runbooks => crate::view::runbooks::ordered(state).len(),
        Screen::Review => 0,
        Screen::Drill => state.drill().map_or(0, |d| d.engine.scenario.injects.len()),
    };
    let last = len.saturating_sub(1);
    let list = state.ui.list_mut(state.ui.screen);
    list.selected = match action {
        Action::Up => list.selected.saturating_sub(1),
        Action::Down => list.selected + 1,
        Action::PageUp => list.selected.saturating_sub(PAGE),
        Action::PageDown => list.selected + PAGE,
        Action::Top => 0,
        _ => last,
    }
    .min(last);
}

/// What the writer does after a record, whoever asked for it: notifications, the review file,
/// the drill's bookkeeping, silences.
fn writer_consequences(state: &mut State, record: &Record, now: DateTime<Utc>) -> Vec<Effect> {
    let mut effects = outbox::after_record(state, record, now);
    effects.extend(review::after_record(state, record, now));
    effects.extend(drill::after_record(state, record, now));
    effects.extend(silence::after_record(state, record));
    effects
}

fn journaled(state: &mut State, record: Record) {
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
fn fold(state: &mut State, record: Record) -> bool {
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
        }
    } else if let Some(incident) = &mut state.incident {
        incident.apply(&record);
    }
    state.records.push(record);
    true
}

fn journal_failed(state: &mut State, error: String) {
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

mod alerts;
pub mod approval;
pub mod budgets;
pub mod checklist;
mod dialog;
pub mod drill;
pub mod escalation;
pub mod handover;
pub mod outbox;
pub mod recovery;
pub mod review;
pub mod room;
pub mod runbooks;
pub mod silence;
pub mod template;
#[cfg(test)]
mod tests;
