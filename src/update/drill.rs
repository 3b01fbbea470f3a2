//! Drills and read-only consoles: injects as drill time passes, the facilitator's controls
//! (pause, speed, fire an inject, a message, end), simulated recoveries, and the journal
//! playback that replay and follow share.

use chrono::{DateTime, TimeDelta, Utc};

use super::board::transition_event;
use super::playback::seek;
use super::{can_write, log, open_dialog};
use crate::domain::Health;
use crate::domain::drill::{self, journal_id, next_speed};
use crate::domain::event::{Event, Record, StepMark};
use crate::domain::world::{Inject, InjectAction, Told, told};
use crate::keymap::Action;
use crate::msg::Effect;
use crate::state::{Console, DialogKind, Drill, Screen, State, Viewer};
use crate::view::drill::{recorded_start, scorecard};

/// How far `[` and `]` move a replay.
const SEEK: TimeDelta = TimeDelta::minutes(1);

/// Starts a scenario at `now`; a resumed drill continues from its recorded start, with the
/// injects already past marked as fired and the simulated components as the journal left them.
pub fn start(state: &mut State, scenario: crate::domain::world::Scenario, now: DateTime<Utc>) {
    let recorded = drill::recorded(&state.records).map(|d| d.started);
    state.dry_run |= !scenario.allow_commands;
    let mut engine = crate::domain::world::InjectEngine::new(scenario, recorded.unwrap_or(now));
    // The pager and the recovery points as the journal left them (resume projected them).
    let pager_failing = state.incident.as_ref().is_some_and(|i| i.pager_failing);
    if recorded.is_some() {
        // The injects already past have fired; simulated components are as the journal says.
        engine.due(now);
        let changes: Vec<Told> = state.records.iter().flat_map(told).collect();
        for (component, to, detail, since) in changes {
            if state
                .world
                .index(&component)
                .is_some_and(|i| state.simulated(i))
            {
                state.world.set(&component, to, detail, since);
            }
        }
    }
    let journal = match state.records.first().map(|r| &r.event) {
        Some(Event::Drill(start)) => Some(journal_id(start)),
        _ => None,
    };
    let ended = state
        .records
        .iter()
        .any(|r| matches!(r.event, Event::DrillEnded { .. }));
    state.console = Console::Drill(Box::new(Drill {
        engine,
        pager_failing,
        ended,
        sampled: None,
        journal_asked: journal.is_some(),
        journal,
    }));
}

/// A drill that does not loop opens its journal at its first tick, with what it is scored on.
fn open_journal(state: &mut State, now: DateTime<Utc>) -> Option<Effect> {
    let drill = state.drill()?;
    let fresh = !drill.journal_asked
        && !drill.ended
        && drill.engine.scenario.repeat_every.is_none()
        && state.viewer().is_none()
        && state.incident.is_none()
        && state.records.is_empty()
        && state.journal == crate::state::JournalState::Writable;
    if !fresh {
        return None;
    }
    let start = recorded_start(state)?;
    let id = journal_id(&start);
    let drill = state.drill_mut()?;
    drill.journal = Some(id.clone());
    drill.journal_asked = true;
    Some(Effect::Declare {
        id,
        at: now,
        event: Event::Drill(Box::new(crate::domain::event::DrillStart {
            format: Some(crate::journal::FORMAT),
            ..start
        })),
    })
}

/// Once a tick: the drill's journal opened, then the injects that came due, applied and journaled.
pub fn tick(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    let opened = open_journal(state, now);
    let due = match state.drill_mut() {
        Some(drill) if !drill.ended => drill.engine.due(now),
        _ => Vec::new(),
    };
    if !due.is_empty() {
        follow_next_inject(state);
    }
    let applied = due.into_iter().flat_map(|inject| apply(state, inject, now));
    opened
        .into_iter()
        .chain(applied.collect::<Vec<_>>())
        .collect()
}

/// Once the selected inject has fired, the selection moves on to the next one to come.
fn follow_next_inject(state: &mut State) {
    let Some(engine) = state.drill().map(|d| &d.engine) else {
        return;
    };
    let visible = crate::view::drill::visible_injects(state);
    let selected = state.ui.list(Screen::Drill).selected;
    if visible
        .get(selected)
        .is_none_or(|&i| engine.fired_at(i).is_none())
    {
        return;
    }
    if let Some(next) = visible.iter().position(|&i| engine.fired_at(i).is_none()) {
        state.ui.list_mut(Screen::Drill).selected = next;
    }
}

/// Applies one inject to the world; the journal effects when the drill is journaled.
fn apply(state: &mut State, inject: Inject, now: DateTime<Utc>) -> Vec<Effect> {
    let events = match inject.action {
        InjectAction::Set {
            component,
            state: health,
            cascade,
        } => set_state(state, &component, health, inject.message, cascade, now),
        action => apply_other(state, action, inject.message, now)
            .into_iter()
            .collect(),
    };
    logged(state, events, now)
}

/// Drill events on the live log, and journaled when the drill is.
fn logged(state: &mut State, events: Vec<Event>, now: DateTime<Utc>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for event in events {
        log(state, event.describe(), false);
        if can_write(state) {
            effects.push(Effect::Append { at: now, event });
        }
    }
    effects
}

/// Sets a component's state (with `cascade`, what depends on it and is not failing already, too):
/// its transitions.
fn set_state(
    state: &mut State,
    component: &str,
    health: Health,
    detail: Option<String>,
    cascade: bool,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let Some(index) = state.world.index(component) else {
        return Vec::new();
    };
    let mut changes: Vec<_> = state
        .world
        .set(component, health, detail, now)
        .into_iter()
        .collect();
    if cascade {
        // A dependent already failing keeps its own trouble (and it outlasts the root's recovery).
        let dependents: Vec<usize> = state
            .world
            .all_dependents(index)
            .into_iter()
            .filter(|&i| !state.world.health[i].state.is_failing())
            .collect();
        for i in dependents {
            let id = state.world.ids[i].clone();
            let detail = format!("{health} with {component} (cascade)");
            changes.extend(state.world.set(&id, health, Some(detail), now));
        }
    }
    changes.into_iter().map(transition_event).collect()
}

/// Applies an inject that is not a state change: a recovery point, the pager, a message.
fn apply_other(
    state: &mut State,
    action: InjectAction,
    message: Option<String>,
    now: DateTime<Utc>,
) -> Option<Event> {
    Some(match action {
        InjectAction::Set { .. } => return None,
        InjectAction::RecoveryPoint { component, age } => {
            let index = state.world.index(&component)?;
            let last_good = now - TimeDelta::from_std(age).unwrap_or_default();
            state.set_copy(index, last_good);
            Event::RecoveryPoint {
                component,
                last_good,
                detail: message,
            }
        }
        InjectAction::Pager { failing } => {
            if let Some(drill) = state.drill_mut() {
                drill.pager_failing = failing;
            }
            Event::Pager { failing }
        }
        InjectAction::Message => Event::ScenarioMessage {
            text: message.unwrap_or_default(),
        },
    })
}

/// After a record is durable: a recovery that worked on a simulated component brings it (and what failed with it) back.
pub fn after_record(state: &mut State, record: &Record, now: DateTime<Utc>) -> Vec<Effect> {
    match &record.event {
        Event::CommandFinished {
            started,
            succeeded: true,
            ..
        } if state.drill().is_some() => simulated_recovery(state, *started, now),
        Event::StepMarked {
            runbook,
            step,
            state: StepMark::Done,
        } => match expected_back(state, runbook, *step) {
            Some(component) => back_by_step(state, &component, now),
            None => Vec::new(),
        },
        Event::Resolved { .. } => finish(state),
        _ => Vec::new(),
    }
}

/// After a resume: the simulated recoveries that successful recovery actions earned and a crash
/// kept from being journaled.
pub fn reconcile(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    if state.drill().is_none() {
        return Vec::new();
    }
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    let steps = incident.steps.values().flat_map(|p| p.runs.iter());
    let runs = steps.chain(incident.recoveries.iter().map(|(_, _, run)| run));
    let earned: Vec<u64> = runs
        .filter(|run| {
            let (Some((_, true, _)), Some(finished)) = (&run.finished, run.finished_at) else {
                return false;
            };
            let Some(component) = super::runbooks::recovered_by(state, run.started) else {
                return false;
            };
            !state.records.iter().any(|r| {
                r.at >= finished
                    && matches!(&r.event, Event::ComponentChanged { component: c, .. } if *c == component)
            })
        })
        .map(|run| run.started)
        .collect();
    let mut effects: Vec<Effect> = earned
        .into_iter()
        .flat_map(|started| simulated_recovery(state, started, now))
        .collect();
    effects.extend(expectations_owed(state, now));
    effects
}

/// Steps marked done whose expectation a crash kept from bringing their component back.
fn expectations_owed(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    let owed: Vec<String> = incident
        .steps
        .iter()
        .filter(|(_, p)| p.mark == Some(StepMark::Done))
        .filter_map(|((runbook, step), p)| {
            let component = expected_back(state, runbook, *step)?;
            let marked = p.marked_at?;
            let changed = state.records.iter().any(|r| {
                r.at >= marked
                    && matches!(&r.event, Event::ComponentChanged { component: c, .. } if *c == component)
            });
            (!changed).then_some(component)
        })
        .collect();
    owed.iter()
        .flat_map(|component| back_by_step(state, component, now))
        .collect()
}

/// The component a completed runbook step brings back in a drill whose scenario lets a step's
/// `expect` do so: the simulated component it expects up.
fn expected_back(state: &State, runbook: &str, step: usize) -> Option<String> {
    if !state.drill()?.engine.scenario.expect_recovers {
        return None;
    }
    let rb = state.runbooks.iter().find(|r| r.id == runbook)?;
    let expect = rb.steps.get(step)?.expect.as_ref()?;
    (expect.state == Health::Up).then(|| expect.component.clone())
}

/// The runbook step whose command started at `started`.
fn step_of_run(state: &State, started: u64) -> Option<(String, usize)> {
    state.incident.as_ref()?.steps.iter().find_map(|(key, p)| {
        p.runs
            .iter()
            .any(|r| r.started == started)
            .then(|| key.clone())
    })
}

fn back_by_step(state: &mut State, component: &str, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(index) = state
        .world
        .index(component)
        .filter(|&i| state.simulated(i) && state.world.health[i].state.is_failing())
    else {
        return Vec::new();
    };
    bring_back(
        state,
        index,
        "the step's expectation met (simulated)".to_owned(),
        now,
    )
}

fn simulated_recovery(state: &mut State, started: u64, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(component) = super::runbooks::recovered_by(state, started) else {
        return match step_of_run(state, started)
            .and_then(|(runbook, step)| expected_back(state, &runbook, step))
        {
            Some(component) => back_by_step(state, &component, now),
            None => Vec::new(),
        };
    };
    let Some(index) = state
        .world
        .index(&component)
        .filter(|&i| state.simulated(i))
    else {
        return Vec::new();
    };
    let root = match step_of_run(state, started) {
        Some((runbook, step)) => format!("{runbook} step {} worked (simulated)", step + 1),
        None => "recovery action worked (simulated)".to_owned(),
    };
    bring_back(state, index, root, now)
}

/// A simulated component back up, with what it caused: its transitions as journal effects.
fn bring_back(state: &mut State, index: usize, root: String, now: DateTime<Utc>) -> Vec<Effect> {
    let component = state.world.ids[index].clone();
    // What it caused: dependents failing because of it that began failing once it was; one that
    // was failing before it (its own trouble) stays as it is.
    let root_since = state.world.health[index].since;
    let chained: Vec<usize> = state
        .world
        .all_dependents(index)
        .into_iter()
        .filter(|&i| {
            state.simulated(i)
                && state.world.root_cause(i) == Some(index)
                && state.world.health[i].since >= root_since
        })
        .collect();
    let mut events = Vec::new();
    for i in std::iter::once(index).chain(chained) {
        let id = state.world.ids[i].clone();
        let detail = if i == index {
            root.clone()
        } else {
            format!("back with {component} (simulated)")
        };
        events.extend(
            state
                .world
                .set(&id, Health::Up, Some(detail), now)
                .map(transition_event),
        );
    }
    logged(state, events, now)
}

/// The facilitator's and the replay's keys; where they do not apply, the footer says why.
pub fn action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    let clocked = state.drill().is_some() || state.viewer() == Some(Viewer::Replay);
    match action {
        Action::Drill if state.is_drill() => {
            state.ui.screen = Screen::Drill;
            Vec::new()
        }
        Action::Pause | Action::Faster | Action::Slower if clocked => {
            if action == Action::Pause {
                state.paused = !state.paused;
            } else {
                state.speed = next_speed(state.speed, action == Action::Faster);
            }
            let verb = if state.paused { "paused" } else { "running" };
            state.ui.flash = Some(format!("Clock {verb} at {}x", state.speed));
            vec![Effect::Clock {
                paused: state.paused,
                speed: state.speed,
            }]
        }
        Action::SeekBack | Action::SeekForward if state.viewer() == Some(Viewer::Replay) => {
            let to = if action == Action::SeekBack {
                now - SEEK
            } else {
                now + SEEK
            };
            seek(state, to)
        }
        Action::FireInject if state.ui.screen == Screen::Drill => fire_selected(state, now),
        Action::InjectMessage if state.ui.screen == Screen::Drill && writable_drill(state) => {
            open_dialog(state, DialogKind::Inject, String::new(), 0);
            Vec::new()
        }
        Action::SetState if state.ui.screen == Screen::Drill && writable_drill(state) => {
            open_dialog(state, DialogKind::SetState, String::new(), 0);
            Vec::new()
        }
        Action::EndDrill if state.ui.screen == Screen::Drill && writable_drill(state) => {
            open_dialog(state, DialogKind::EndDrill, String::new(), 0);
            Vec::new()
        }
        _ => {
            state.ui.flash = Some(match state.viewer() {
                Some(_) => "This console only shows the incident".into(),
                None => "Only in a drill (warroom drill, warroom demo) or a replay".into(),
            });
            Vec::new()
        }
    }
}

fn writable_drill(state: &mut State) -> bool {
    let ok = state.drill().is_some_and(|d| !d.ended) && state.viewer().is_none();
    if !ok {
        state.ui.flash = Some("The drill has ended".into());
    }
    ok
}

fn fire_selected(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    if !writable_drill(state) {
        return Vec::new();
    }
    let Some(selected) = crate::view::drill::selected_inject(state) else {
        state.ui.flash = Some("No inject matches the filter; Esc clears it".into());
        return Vec::new();
    };
    let Some(inject) = state.drill_mut().and_then(|d| d.engine.fire(selected, now)) else {
        state.ui.flash = Some("That inject has already fired".into());
        return Vec::new();
    };
    state.ui.flash = Some(format!("Fired: {}", inject.describe()));
    apply(state, inject, now).into_iter().collect()
}

/// The facilitator sets a simulated component's state, journaled like an inject; `Err` names
/// what was wrong with the id.
pub fn set_by_facilitator(
    state: &mut State,
    id: &str,
    choice: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Effect>, String> {
    let index = match crate::view::drill::settable(state, id)[..] {
        [index] => index,
        [] if state.world.index(id.trim()).is_some() => {
            return Err(format!(
                "`{id}` keeps its real probe in this drill; only simulated components can be set"
            ));
        }
        [] => {
            let hint = crate::config::diag::hint(id, state.world.ids.iter().map(String::as_str));
            return Err(format!("No component `{id}`{hint}"));
        }
        ref many => {
            let ids: Vec<&str> = many
                .iter()
                .map(|&i| state.config.components[i].id.as_str())
                .collect();
            return Err(format!(
                "`{id}` matches {}: type more of one",
                ids.join(", ")
            ));
        }
    };
    let id = state.config.components[index].id.clone();
    let id = id.as_str();
    let health = crate::state::SET_STATES[choice.min(2)];
    state.ui.overlay = None;
    let detail = "set by the facilitator".to_owned();
    // Up brings back what the component caused, as a recovery would.
    let effects = if health == Health::Up && state.world.health[index].state.is_failing() {
        bring_back(state, index, detail, now)
    } else {
        let events = set_state(state, id, health, Some(detail), false, now);
        logged(state, events, now)
    };
    if effects.is_empty() {
        state.ui.flash = Some(format!("{id} is already {health}"));
    }
    Ok(effects)
}

/// The facilitator's free-text message, delivered at once.
pub fn message(state: &mut State, text: String, now: DateTime<Utc>) -> Vec<Effect> {
    state.ui.overlay = None;
    let inject = Inject {
        at: std::time::Duration::ZERO,
        action: InjectAction::Message,
        message: Some(text),
    };
    apply(state, inject, now).into_iter().collect()
}

/// Resolving a drill's incident ends a drill that does not loop (the demo loops on).
fn finish(state: &mut State) -> Vec<Effect> {
    let Some(drill) = state
        .drill_mut()
        .filter(|d| !d.ended && d.engine.scenario.repeat_every.is_none())
    else {
        return Vec::new();
    };
    drill.ended = true;
    state.paused = true;
    vec![Effect::Clock {
        paused: true,
        speed: state.speed,
    }]
}

/// Ends the drill: no more injects, the clock stops, an open incident is resolved.
pub fn end(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    state.ui.overlay = None;
    let writable = can_write(state);
    let summary = scorecard(state).map(|card| card.summary());
    if let Some(drill) = state.drill_mut() {
        drill.ended = true;
    }
    state.paused = true;
    state.ui.flash = Some("Drill ended: the scorecard is final".into());
    let mut effects = vec![Effect::Clock {
        paused: true,
        speed: state.speed,
    }];
    let event = match (&state.incident, summary) {
        (Some(_), _) => Event::Resolved {
            summary: Some("Drill ended by the facilitator".into()),
            template: None,
            not_recovered: crate::view::escalation::not_up(state)
                .into_iter()
                .map(|(id, _)| id)
                .collect(),
        },
        (None, Some(summary)) => Event::DrillEnded { summary },
        (None, None) => return effects,
    };
    if writable {
        effects.push(Effect::Append { at: now, event });
    }
    effects
}

#[cfg(test)]
mod tests;
