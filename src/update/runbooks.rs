//! The runbook stepper: open a runbook, run a step's command (after confirmation when it asks),
//! mark steps, cancel a run. Every action is journaled; running is an explicit keystroke only.

use chrono::{DateTime, Utc};

use crate::domain::event::{Event, Record, StepMark};
use crate::keymap::{Action, Context};
use crate::msg::{Effect, Msg};
use crate::runbook::OnFail;
use crate::state::Once;
use crate::state::{DialogKind, JournalState, LiveRun, OUTPUT_LINES, Overlay, Screen, State};
use crate::view::runbooks::{INTERRUPTED, StepStatus, danger, ordered, status, visible_steps};
use crate::workers::process::{Ending, Outcome};

/// Moves the stepper's selection onto a step the filter shows, if it is on a hidden one.
pub fn keep_visible(state: &mut State) {
    let Some((rb, step)) = state.ui.stepper else {
        return;
    };
    let visible = visible_steps(state, rb);
    if !visible.contains(&step)
        && let Some(&first) = visible.first()
    {
        state.ui.stepper = Some((rb, first));
    }
}

fn selected(state: &State) -> Option<(usize, usize)> {
    match state.ui.stepper {
        Some(open) => Some(open),
        None => ordered(state)
            .get(state.ui.list(Screen::Runbooks).selected)
            .map(|&(i, _)| (i, 0)),
    }
}

/// Keys on the Runbooks screen; `None` when the action is not the stepper's.
pub fn screen_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Option<Vec<Effect>> {
    match (action, state.ui.stepper) {
        (Action::Confirm, None) => {
            state.ui.step_filter.clear();
            state.ui.stepper = selected(state);
            Some(Vec::new())
        }
        (Action::Cancel, Some(_)) if !state.ui.step_filter.is_empty() => {
            state.ui.step_filter.clear();
            Some(Vec::new())
        }
        (Action::Cancel, Some(_)) => {
            state.ui.stepper = None;
            Some(Vec::new())
        }
        (
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown,
            Some((rb, step)),
        ) => {
            let visible = visible_steps(state, rb);
            let at = visible.iter().position(|&s| s == step).unwrap_or(0);
            let last = visible.len().saturating_sub(1);
            let at = match action {
                Action::Up => at.saturating_sub(1),
                Action::Down => (at + 1).min(last),
                Action::PageUp => at.saturating_sub(10),
                Action::PageDown => (at + 10).min(last),
                Action::Top => 0,
                _ => last,
            };
            let step = visible.get(at).copied().unwrap_or(step);
            state.ui.stepper = Some((rb, step));
            state.ui.step_scroll = None;
            Some(Vec::new())
        }
        (action, Some((rb, step)))
            if on_a_step(action) && !visible_steps(state, rb).contains(&step) =>
        {
            state.ui.flash = Some("No step matches the filter; Esc clears it".into());
            Some(Vec::new())
        }
        (Action::ScrollDown | Action::ScrollUp, Some(open)) => {
            scroll(state, open, action == Action::ScrollDown);
            Some(Vec::new())
        }
        (Action::Run, Some((rb, step))) => Some(request_run(state, rb, step, now)),
        (Action::MarkDone | Action::MarkSkipped | Action::MarkFailed, Some((rb, step))) => {
            Some(mark(state, rb, step, action, now))
        }
        (Action::CancelRun, Some((rb, step))) => Some(cancel(state, rb, step)),
        (Action::Assign, Some((rb, step))) => {
            if writable(state) {
                super::assignments::open(state, rb, step);
            }
            Some(Vec::new())
        }
        (Action::TickCheck | Action::UntickCheck, Some((rb, step))) => Some(if writable(state) {
            super::checklist::tick(state, rb, step, action == Action::TickCheck, now)
        } else {
            Vec::new()
        }),
        (action, None) if on_a_step(action) => {
            state.ui.flash = Some("Open a runbook first (Enter)".into());
            Some(Vec::new())
        }
        _ => None,
    }
}

/// Lines a scroll key moves the step's text by.
const SCROLL: u16 = 10;

/// Scrolls the open step's text (the screen keeps the last lines in view).
fn scroll(state: &mut State, open: (usize, usize), down: bool) {
    let offset = match state.ui.step_scroll {
        Some((at, offset)) if at == open => offset,
        _ => 0,
    };
    let offset = if down {
        offset.saturating_add(SCROLL)
    } else {
        offset.saturating_sub(SCROLL)
    };
    state.ui.step_scroll = Some((open, offset));
}

/// An action on the selected step: the Runbooks screen's own (`Action::info`).
fn on_a_step(action: Action) -> bool {
    action.info().context == Context::Runbooks
}

fn writable(state: &mut State) -> bool {
    let open = state.incident_open();
    if !open {
        state.ui.flash =
            Some("Declare an incident first (D): runbook progress is journaled with it".into());
        return false;
    }
    if let JournalState::ReadOnly(reason) | JournalState::Failed(reason) = &state.journal {
        state.ui.flash = Some(format!("The journal cannot be written: {reason}"));
        return false;
    }
    true
}

/// The first earlier step whose command failed with `on_fail = "stop"` and that nobody marked.
fn blocker(state: &State, rb: usize, step: usize) -> Option<usize> {
    let runbook = &state.runbooks[rb];
    (0..step).find(|&earlier| {
        let stops = runbook.steps[earlier]
            .commands
            .iter()
            .any(|c| c.on_fail == OnFail::Stop);
        stops
            && matches!(
                status(state, &runbook.id, earlier),
                StepStatus::Ran {
                    succeeded: false,
                    ..
                }
            )
    })
}

fn next_command(state: &State, rb: usize, step: usize) -> Option<usize> {
    let runbook = &state.runbooks[rb];
    let count = runbook.steps.get(step)?.commands.len();
    if count == 0 {
        return None;
    }
    let succeeded = state
        .incident
        .as_ref()
        .and_then(|i| i.steps.get(&(runbook.id.clone(), step)))
        .map(|p| {
            p.runs
                .iter()
                .filter(|r| r.finished.as_ref().is_some_and(|f| f.1))
                .map(|r| r.command)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    Some(
        (0..count)
            .find(|c| !succeeded.contains(c))
            .unwrap_or(count - 1),
    )
}

fn request_run(state: &mut State, rb: usize, step: usize, now: DateTime<Utc>) -> Vec<Effect> {
    state.ui.flash = None;
    if !writable(state) {
        return Vec::new();
    }
    let id = state.runbooks[rb].id.clone();
    if let Some(running) = already_running(state, &id, step) {
        state.ui.flash = Some(format!("{running} (c cancels it)"));
        return Vec::new();
    }
    if let Some(earlier) = blocker(state, rb, step) {
        state.ui.flash = Some(format!(
            "Step {} failed and blocks the steps after it: mark it (d, s or f) first",
            earlier + 1
        ));
        return Vec::new();
    }
    let Some(command) = next_command(state, rb, step) else {
        state.ui.flash = Some("This step has no command; mark it with d, s or f".into());
        return Vec::new();
    };
    let target = crate::domain::event::Approvable::Step {
        runbook: id,
        step,
        command,
    };
    if let Some(effects) = super::approval::gate(state, target, now) {
        return effects;
    }
    let destructive = danger(state, (rb, step, command)).is_some();
    if destructive || state.runbooks[rb].steps[step].commands[command].confirm {
        state.ui.confirm_run = Some((rb, step, command));
        let kind = DialogKind::ConfirmRun { destructive };
        super::open_dialog(state, kind, String::new(), 0);
        return Vec::new();
    }
    start(state, rb, step, command, now)
}

/// Why a step cannot be started now: its command runs (or is being started) already, said with
/// who started it and when, across the room.
#[must_use]
pub fn already_running(state: &State, runbook: &str, step: usize) -> Option<String> {
    let key = (runbook.to_owned(), step);
    if let Some(actor) = state.once_in_flight.get(&Once::Step(key.clone())) {
        return Some(format!(
            "Step {} of {runbook} is being started by {actor} this moment",
            step + 1
        ));
    }
    let incident = state.incident.as_ref()?;
    let run = incident
        .steps
        .get(&key)?
        .runs
        .iter()
        .find(|r| r.finished.is_none())?;
    let by = state
        .record(run.started)
        .map_or("someone", |r| r.actor.as_str());
    Some(format!(
        "Step {} of {runbook} is already running: started by {by} at {}",
        step + 1,
        run.at.format("%H:%M:%SZ")
    ))
}

/// Journals the start of a command; it runs once the start is durable.
#[must_use]
pub fn start(
    state: &State,
    rb: usize,
    step: usize,
    command: usize,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    let runbook = &state.runbooks[rb];
    let script = runbook.steps[step].commands[command].script.clone();
    vec![Effect::Append {
        at: now,
        event: Event::StepStarted {
            runbook: runbook.id.clone(),
            step,
            command,
            script,
        },
    }]
}

fn mark(
    state: &mut State,
    rb: usize,
    step: usize,
    action: Action,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    if !writable(state) {
        return Vec::new();
    }
    if action == Action::MarkDone
        && let Some(effects) = super::checklist::ask_before_done(state, rb, step)
    {
        return effects;
    }
    let mark = match action {
        Action::MarkDone => StepMark::Done,
        Action::MarkSkipped => StepMark::Skipped,
        _ => StepMark::Failed,
    };
    let runbook = state.runbooks[rb].id.clone();
    vec![Effect::Append {
        at: now,
        event: Event::StepMarked {
            runbook,
            step,
            state: mark,
        },
    }]
}

fn cancel(state: &mut State, rb: usize, step: usize) -> Vec<Effect> {
    let id = state.runbooks[rb].id.clone();
    let running = state
        .incident
        .as_ref()
        .and_then(|i| i.steps.get(&(id, step)))
        .and_then(|p| p.runs.last())
        .map(|r| r.started);
    match running.filter(|s| state.live_runs.get(s).is_some_and(|r| !r.ended)) {
        Some(started) => vec![Effect::CancelRun { started }],
        None => {
            state.ui.flash = Some("No command of this step is running".into());
            Vec::new()
        }
    }
}

/// After a `step_started` record is durable: run it.
#[must_use]
pub fn after_record(state: &mut State, record: &Record) -> Vec<Effect> {
    let Event::StepStarted {
        runbook,
        step,
        command,
        ..
    } = &record.event
    else {
        return Vec::new();
    };
    let Some(rb) = state.runbooks.iter().find(|r| &r.id == runbook) else {
        return Vec::new();
    };
    let Some(cmd) = rb.steps.get(*step).and_then(|s| s.commands.get(*command)) else {
        return Vec::new();
    };
    if state.dry_run {
        return vec![dry_run_finished(
            record,
            format!("would run: {}", cmd.script.trim_end()),
        )];
    }
    let effect = Effect::Run {
        started: record.seq,
        runbook: runbook.clone(),
        step: *step,
        component: rb.components.first().cloned().unwrap_or_default(),
        shell: cmd.shell.clone(),
        script: cmd.script.clone(),
        timeout: cmd.timeout,
    };
    state.live_runs.insert(record.seq, LiveRun::default());
    vec![effect]
}

/// What a dry run journals instead of running a command: that it was not executed.
#[must_use]
pub fn dry_run_finished(record: &Record, tail: String) -> Effect {
    let event = Event::CommandFinished {
        started: record.seq,
        outcome: "dry run: not executed".to_owned(),
        succeeded: true,
        duration_ms: 0,
        tail,
        dropped: 0,
    };
    Effect::Append {
        at: record.at,
        event,
    }
}

/// Output from a running command.
pub fn output(state: &mut State, started: u64, text: &str) {
    let Some(run) = state.live_runs.get_mut(&started) else {
        return;
    };
    for line in text.lines() {
        if run.output.len() == OUTPUT_LINES {
            run.output.pop_front();
        }
        run.output.push_back(line.to_owned());
    }
}

fn describe(ending: &Ending) -> String {
    match ending {
        Ending::Exited(code) => format!("exit {code}"),
        Ending::Signalled => "killed by a signal".to_owned(),
        Ending::TimedOut => "timed out".to_owned(),
        Ending::Cancelled => "cancelled".to_owned(),
        Ending::NotStarted(why) => format!("not started: {why}"),
    }
}

/// A command ended: journal its outcome.
pub fn finished(
    state: &mut State,
    started: u64,
    outcome: Outcome,
    now: DateTime<Utc>,
) -> Vec<Effect> {
    if let Some(run) = state.live_runs.get_mut(&started) {
        run.ended = true;
    }
    if state.journal != JournalState::Writable {
        return Vec::new();
    }
    let recovered = recovered_by(state, started).and_then(|c| state.world.index(&c));
    let said = describe(&outcome.ending);
    if let Some(index) = recovered {
        state.ui.flash = Some(after_recovery(state, index, &said));
    }
    let event = Event::CommandFinished {
        started,
        outcome: said,
        succeeded: outcome.succeeded(),
        duration_ms: u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX),
        tail: outcome.tail,
        dropped: outcome.dropped,
    };
    let mut effects = vec![Effect::Append { at: now, event }];
    effects.extend(recovered.map(|component| Effect::FastProbe { component }));
    effects
}

/// What the console says once a recovery command ends: its outcome and where the component
/// stands (`exit 0: Web still DOWN, re-probing`): an exit 0 is not a recovery.
fn after_recovery(state: &State, index: usize, outcome: &str) -> String {
    let name = &state.config.components[index].name;
    match state.world.health[index].state {
        crate::domain::Health::Up => format!("{outcome}: {name} is up"),
        crate::domain::Health::Down => format!("{outcome}: {name} still DOWN, re-probing"),
        other => format!("{outcome}: {name} still {other}, re-probing"),
    }
}

/// The component the command started at `started` brings back: a recovery action's component,
/// or the `recovers` of a runbook step's command.
#[must_use]
pub fn recovered_by(state: &State, started: u64) -> Option<String> {
    let incident = state.incident.as_ref()?;
    if let Some((component, _, _)) = incident
        .recoveries
        .iter()
        .find(|(_, _, r)| r.started == started)
    {
        return Some(component.clone());
    }
    let ((runbook, step), run) = incident
        .steps
        .iter()
        .find_map(|(key, p)| Some((key, p.runs.iter().find(|r| r.started == started)?)))?;
    let rb = state.runbooks.iter().find(|r| &r.id == runbook)?;
    rb.steps
        .get(*step)?
        .commands
        .get(run.command)?
        .recovers
        .clone()
}

/// What a resumed console journals of the commands a crash cut off: interrupted, outcome unknown.
/// They are never run again (a command may not be safe to run twice).
#[must_use]
pub fn interrupted(state: &State, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    let steps = incident.steps.values().flat_map(|p| p.runs.iter());
    let recoveries = incident.recoveries.iter().map(|(_, _, run)| run);
    steps
        .chain(recoveries)
        .filter(|run| run.finished.is_none() && !state.live_runs.contains_key(&run.started))
        // Taken over in the room: the other consoles' commands run on there.
        .filter(|run| {
            state.took_over_from.as_ref().is_none_or(|(writer, last)| {
                run.started <= *last && state.record(run.started).is_none_or(|r| &r.actor == writer)
            })
        })
        .map(|run| Effect::Append {
            at: now,
            event: Event::CommandFinished {
                started: run.started,
                outcome: INTERRUPTED.into(),
                succeeded: false,
                duration_ms: u64::try_from((now - run.at).num_milliseconds()).unwrap_or(0),
                tail: String::new(),
                dropped: 0,
            },
        })
        .collect()
}

/// The confirmation dialog's answer.
/// The answer to the run confirmation: a command that destroys runs only once its word is typed.
pub fn confirmed(state: &mut State, typed: &str, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(run) = state.ui.confirm_run else {
        state.ui.overlay = None;
        return Vec::new();
    };
    if let Some((_, word)) = danger(state, run)
        && typed.trim() != word
    {
        let error = format!("Type `{word}` exactly to run it");
        if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
            dialog.error = Some(error);
        }
        return Vec::new();
    }
    state.ui.overlay = None;
    state.ui.confirm_run = None;
    let (rb, step, command) = run;
    start(state, rb, step, command, now)
}

/// Once a second: a completed step with an `expect` is verified when its component reaches the
/// state in time, and marked not verified when the time runs out.
pub fn verify(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    if state.journal != JournalState::Writable {
        return Vec::new();
    }
    let Some(incident) = state.incident.as_ref().filter(|i| i.is_open()) else {
        return Vec::new();
    };
    let mut verdicts = Vec::new();
    for runbook in &state.runbooks {
        for (step, s) in runbook.steps.iter().enumerate() {
            let Some(expect) = &s.expect else { continue };
            let key = (runbook.id.clone(), step);
            let Some(progress) = incident.steps.get(&key) else {
                continue;
            };
            let Some(done) = progress.completed_at() else {
                continue;
            };
            if progress.verified.is_some() || state.verify_asked.contains(&(key.clone(), done)) {
                continue;
            }
            // Verified by a change: the component reached the state once the step's work began
            // (a component that was in that state all along verifies nothing).
            let began = progress
                .runs
                .first()
                .map(|r| r.at)
                .or(progress.marked_at)
                .unwrap_or(done);
            let reached = state.world.index(&expect.component).is_some_and(|i| {
                let health = &state.world.health[i];
                health.state == expect.state && health.since >= began
            });
            let expired =
                now >= done + chrono::TimeDelta::from_std(expect.within).unwrap_or_default();
            if reached || expired {
                verdicts.push((key, done, reached, expect.to_string()));
            }
        }
    }
    verdicts
        .into_iter()
        .map(|((runbook, step), done, verified, expect)| {
            state.verify_asked.insert(((runbook.clone(), step), done));
            Effect::Append {
                at: now,
                event: Event::StepVerified {
                    runbook,
                    step,
                    verified,
                    expect,
                },
            }
        })
        .collect()
}

/// Routes the runner's messages.
pub fn on_msg(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    match msg {
        Msg::RunOutput { started, text } => {
            output(state, started, &text);
            Vec::new()
        }
        Msg::RunFinished { started, outcome } => finished(state, started, outcome, now),
        _ => Vec::new(),
    }
}
