//! Recovery actions (`[[component.recovery]]`): `r` on the dashboard, a confirmation as the config
//! asks (Enter, or typing the component id), a cooldown, and a fast re-probe afterwards.

use chrono::{DateTime, TimeDelta, Utc};

use super::open_dialog;
use crate::domain::event::{Event, Record};
use crate::msg::Effect;
use crate::state::{DialogKind, LiveRun, Overlay, Screen, State};

/// `r`: the selected component's recovery actions.
pub fn open(state: &mut State) -> Vec<Effect> {
    let Some(&index) = state
        .dashboard_rows()
        .get(state.ui.list(Screen::Dashboard).selected)
    else {
        return Vec::new();
    };
    let component = &state.config.components[index];
    if component.recovery.is_empty() {
        state.ui.flash = Some(format!(
            "{} has no recovery actions in {}",
            component.name, state.config.source
        ));
        return Vec::new();
    }
    if !state.journals_open_incident() {
        state.ui.flash =
            Some("Declare an incident first (D): recovery actions are journaled with it".into());
        return Vec::new();
    }
    let labels: Vec<String> = component.recovery.iter().map(|a| a.name.clone()).collect();
    state.ui.recovery = Some((index, 0));
    open_dialog(state, DialogKind::RecoveryChoose, String::new(), 0);
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.labels = labels;
    }
    Vec::new()
}

fn cooling(state: &State, component: &str, action: usize, now: DateTime<Utc>) -> Option<TimeDelta> {
    let index = state.world.index(component)?;
    let cooldown = TimeDelta::from_std(
        state.config.components[index]
            .recovery
            .get(action)?
            .cooldown,
    )
    .ok()?;
    let last = state
        .incident
        .as_ref()?
        .recoveries
        .iter()
        .rev()
        .find(|(c, a, _)| c == component && *a == action)?;
    let left = last.2.at + cooldown - now;
    (left > TimeDelta::zero()).then_some(left)
}

/// Enter in the choose dialog: on to the confirmation.
pub fn chosen(state: &mut State, choice: usize, now: DateTime<Utc>) -> Vec<Effect> {
    let Some((index, _)) = state.ui.recovery else {
        return Vec::new();
    };
    let component = state.config.components[index].clone();
    if let Some(left) = cooling(state, &component.id, choice, now) {
        state.ui.overlay = None;
        state.ui.flash = Some(format!(
            "{} ran moments ago; cooldown {} left",
            component.recovery[choice].name,
            crate::domain::incident::brief(left)
        ));
        return Vec::new();
    }
    let target = crate::domain::event::Approvable::Recovery {
        component: component.id.clone(),
        action: choice,
    };
    if let Some(effects) = super::approval::gate(state, target, now) {
        return effects;
    }
    state.ui.recovery = Some((index, choice));
    open_dialog(state, DialogKind::RecoveryConfirm, String::new(), 0);
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.text_wanted = component.recovery[choice].confirm_by_typing;
    }
    Vec::new()
}

/// Enter in the confirmation: start it, if the id was typed when that is asked.
pub fn confirmed(state: &mut State, typed: &str, now: DateTime<Utc>) -> Vec<Effect> {
    let Some((index, action)) = state.ui.recovery else {
        return Vec::new();
    };
    let component = &state.config.components[index];
    let recovery = &component.recovery[action];
    if recovery.confirm_by_typing && typed != component.id {
        if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
            dialog.error = Some(format!("Type `{}` exactly to run it", component.id));
        }
        return Vec::new();
    }
    let event = Event::RecoveryStarted {
        component: component.id.clone(),
        action,
        name: recovery.name.clone(),
    };
    state.ui.overlay = None;
    state.ui.recovery = None;
    vec![Effect::Append { at: now, event }]
}

/// After a `recovery_started` record is durable: run it.
pub fn after_record(state: &mut State, record: &Record) -> Vec<Effect> {
    let Event::RecoveryStarted {
        component, action, ..
    } = &record.event
    else {
        return Vec::new();
    };
    let Some(index) = state.world.index(component) else {
        return Vec::new();
    };
    if state.dry_run {
        return vec![super::runbooks::dry_run_finished(record, String::new())];
    }
    state.live_runs.insert(record.seq, LiveRun::default());
    vec![Effect::Recover {
        started: record.seq,
        component: index,
        action: *action,
    }]
}
