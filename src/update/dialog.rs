//! Dialogs: opening them, moving between their choices, and what confirming each one records.

use chrono::{DateTime, Utc};
use strum::IntoEnumIterator;

use super::open_dialog::open_dialog;
use super::{drill, escalation, recovery, runbooks};
use crate::domain::event::{Declaration, Event, Outage};
use crate::domain::incident::incident_id;
use crate::domain::{Role, Severity};
use crate::keymap::Action;
use crate::msg::Effect;
use crate::state::{DialogKind, JournalState, Overlay, Screen, State, status_choices};
use crate::view::escalation::not_up;

pub(super) fn open_declare(state: &mut State) {
    if let Some(incident) = state.incident.as_ref().filter(|i| i.is_open()) {
        state.ui.flash = Some(format!("Incident {} is already open", incident.id));
        return;
    }
    let worst = state
        .world
        .failing()
        .filter_map(|(id, h)| Some((h.state, state.config.component(id)?)))
        .min_by_key(|(health, c)| (*health, c.tier.rank()));
    let (title, severity) = match (super::alerts::suggestion(state), worst) {
        (Some(suggested), _) => suggested,
        (None, Some((health, c))) => (
            format!("{} {health}", c.name),
            state.config.default_severity(&c.tier),
        ),
        (None, None) => (String::new(), Severity::P2),
    };
    open_dialog(state, DialogKind::Declare, title, severity as usize);
}

pub(super) fn open_incident_dialog(state: &mut State, action: Action) {
    let Some(incident) = state.incident.as_ref().filter(|i| i.is_open()) else {
        state.ui.flash = Some("No incident is open. Press D to declare one.".into());
        return;
    };
    if let JournalState::ReadOnly(reason) | JournalState::Failed(reason) = &state.journal {
        state.ui.flash = Some(format!("The journal cannot be written: {reason}"));
        return;
    }
    let (kind, text, choice) = match action {
        Action::Severity => (
            DialogKind::Severity,
            String::new(),
            incident.severity as usize,
        ),
        Action::Status => {
            let current = status_choices()
                .iter()
                .position(|s| *s == incident.status)
                .unwrap_or(0);
            (DialogKind::Status, String::new(), (current + 1).min(2))
        }
        Action::Roles => (DialogKind::Roles, incident.roles.commander.clone(), 0),
        Action::Resolve => (DialogKind::Resolve, String::new(), 0),
        Action::Update => (DialogKind::Update, String::new(), 0),
        _ => (DialogKind::Note, String::new(), 0),
    };
    open_dialog(state, kind, text, choice);
}

pub(super) fn dialog_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay else {
        return Vec::new();
    };
    if dialog.pending {
        return Vec::new();
    }
    let choices = dialog.choices().len();
    match action {
        Action::Cancel => {
            if dialog.kind == DialogKind::Filter {
                state.ui.filter_mut().clear();
            }
            state.ui.overlay = None;
        }
        Action::NextChoice | Action::PrevChoice if choices > 0 => {
            dialog.choice = if action == Action::NextChoice {
                (dialog.choice + 1).min(choices - 1)
            } else {
                dialog.choice.saturating_sub(1)
            };
            match dialog.kind {
                DialogKind::Roles => refill_role(state),
                DialogKind::Update | DialogKind::Resolve => super::template::prefill(state, now),
                _ => {}
            }
        }
        Action::NextChoice => dialog.scroll += 1,
        Action::PrevChoice => dialog.scroll = dialog.scroll.saturating_sub(1),
        Action::Confirm => return submit(state, now),
        _ => {}
    }
    Vec::new()
}

/// The role at a choice of the roles dialog.
fn nth_role(state: &State, choice: usize) -> Role {
    state
        .config
        .roles
        .get(choice)
        .cloned()
        .unwrap_or_else(Role::commander)
}

fn refill_role(state: &mut State) {
    let Some(Overlay::Dialog(dialog)) = &state.ui.overlay else {
        return;
    };
    let role = nth_role(state, dialog.choice);
    let holder = state
        .incident
        .as_ref()
        .and_then(|i| i.roles.holder(&role))
        .unwrap_or_default()
        .to_owned();
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.field.set(&holder);
    }
}

fn submit(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(Overlay::Dialog(dialog)) = &state.ui.overlay else {
        return Vec::new();
    };
    let text = dialog.field.text.trim().to_owned();
    let choice = dialog.choice;
    let effect = match dialog.kind {
        DialogKind::Filter => {
            state.ui.overlay = None;
            return Vec::new();
        }
        DialogKind::ConfirmRun { .. } => return runbooks::confirmed(state, &text, now),
        DialogKind::ConfirmDone => return super::checklist::confirmed(state, now),
        DialogKind::RecoveryChoose => return recovery::chosen(state, choice, now),
        DialogKind::RecoveryConfirm => return recovery::confirmed(state, &text, now),
        DialogKind::Declare => declare(state, text, choice, now).map_err(String::from),
        DialogKind::Inject if text.is_empty() => Err("Type the message for the team first.".into()),
        DialogKind::Inject => return drill::message(state, text, now),
        DialogKind::EndDrill => return drill::end(state, now),
        DialogKind::ConfirmQuit => return super::quit::chosen(state, choice, now),
        DialogKind::RewriteJournal => return super::missing::confirmed(state),
        DialogKind::Silence => return super::silence::confirmed(state, choice, now),
        DialogKind::HandedOver => {
            state.ui.overlay = None;
            return Vec::new();
        }
        DialogKind::Handover => Ok(super::handover::chosen(state, &dialog.labels, choice, now)),
        DialogKind::Approve => super::approval::answered(state, choice, now),
        DialogKind::Assign => super::assignments::chosen(state, &text, choice)
            .map(|event| event.map(|event| Effect::Append { at: now, event })),
        DialogKind::ExpireSilences => return super::silence::expire(state),
        DialogKind::Resolve if !dialog.warned && !not_up(state).is_empty() => {
            let warning = still_down(state);
            if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
                dialog.warned = true;
                dialog.error = Some(warning);
            }
            return Vec::new();
        }
        DialogKind::SetState => match drill::set_by_facilitator(state, &text, choice, now) {
            Ok(effects) => return effects,
            Err(message) => Err(message),
        },
        kind @ (DialogKind::ConfirmPage { .. } | DialogKind::ConfirmAck { .. }) => {
            escalation::confirmed(state, kind, now)
        }
        kind => incident_event(state, kind, text, choice)
            .map_err(String::from)
            .and_then(|event| {
                let actor = &state.actor;
                let call = |act| super::handover::commanders_call(state, actor, act, false);
                match &event {
                    Some(Event::RoleAssigned { role, .. }) => {
                        super::handover::may_take_command(state, actor, role, now)
                    }
                    Some(Event::SeverityChanged { .. }) => call("changes the severity"),
                    Some(Event::Resolved { .. }) => call("resolves the incident"),
                    _ => Ok(()),
                }
                .map(|()| event)
            })
            .map(|event| event.map(|event| Effect::Append { at: now, event })),
    };
    let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay else {
        return Vec::new();
    };
    match effect {
        Ok(Some(effect)) => {
            dialog.pending = true;
            vec![effect]
        }
        Ok(None) => {
            state.ui.overlay = None;
            Vec::new()
        }
        Err(message) => {
            dialog.error = Some(message);
            Vec::new()
        }
    }
}

/// The warning before resolving with affected components not up.
fn still_down(state: &State) -> String {
    let named: Vec<String> = not_up(state)
        .into_iter()
        .map(|(id, health)| {
            let name = state.config.component(&id).map_or(id, |c| c.name.clone());
            let health = match health {
                crate::domain::Health::Down => "DOWN".to_owned(),
                other => other.to_string(),
            };
            format!("{name} still {health}")
        })
        .collect();
    format!(
        "{}. Enter again resolves with {} not recovered (journaled so); Esc keeps the incident open.",
        named.join(", "),
        if named.len() == 1 { "it" } else { "them" }
    )
}

fn declare(
    state: &State,
    title: String,
    choice: usize,
    now: DateTime<Utc>,
) -> Result<Option<Effect>, &'static str> {
    if title.is_empty() {
        return Err("Type a title for the incident.");
    }
    let severity = Severity::iter().nth(choice).unwrap_or(Severity::P2);
    let outages = state
        .world
        .failing()
        .map(|(id, h)| Outage {
            component: id.to_owned(),
            state: h.state,
            since: super::alerts::outage_since(state, id, h.since),
        })
        .collect();
    let drill = state.is_drill();
    // A drill that journals from its start declares in its own journal.
    let journal = state
        .drill()
        .and_then(|d| d.journal.clone())
        .filter(|_| crate::view::drill::undeclared_journal(state));
    let id = journal
        .clone()
        .unwrap_or_else(|| incident_id(now, &title, drill));
    let event = Event::Declared(Box::new(Declaration {
        id: id.clone(),
        title,
        severity,
        commander: state.actor.clone(),
        drill,
        outages,
        targets: super::budgets::targets(state),
        scenario: crate::view::drill::recorded_start(state),
        alerts: super::alerts::declared(state),
        format: Some(crate::journal::FORMAT),
    }));
    Ok(Some(match journal {
        Some(_) => Effect::Append { at: now, event },
        None => Effect::Declare { id, at: now, event },
    }))
}

fn incident_event(
    state: &State,
    kind: DialogKind,
    text: String,
    choice: usize,
) -> Result<Option<Event>, &'static str> {
    let Some(incident) = &state.incident else {
        return Ok(None);
    };
    Ok(match kind {
        DialogKind::Severity => {
            let to = Severity::iter().nth(choice).unwrap_or(incident.severity);
            (to != incident.severity).then_some(Event::SeverityChanged {
                from: incident.severity,
                to,
            })
        }
        DialogKind::Status => {
            let to = status_choices()[choice.min(2)];
            (to != incident.status).then_some(Event::StatusChanged {
                from: incident.status,
                to,
            })
        }
        DialogKind::Roles => {
            if text.is_empty() {
                return Err("Type who takes the role.");
            }
            let role = nth_role(state, choice);
            Some(Event::RoleAssigned { role, person: text })
        }
        DialogKind::Note => {
            if text.is_empty() {
                return Err("Type the note first.");
            }
            let step = state
                .ui
                .stepper
                .filter(|_| state.ui.screen == Screen::Runbooks)
                .map(|(rb, step)| (state.runbooks[rb].id.clone(), step));
            Some(Event::NoteAdded { text, step })
        }
        DialogKind::Update => {
            if text.is_empty() {
                return Err("Type the update for stakeholders first.");
            }
            Some(Event::UpdatePosted {
                text,
                template: super::template::chosen(state, kind, choice),
            })
        }
        DialogKind::Resolve => Some(Event::Resolved {
            summary: (!text.is_empty()).then_some(text),
            template: super::template::chosen(state, kind, choice),
            not_recovered: not_up(state).into_iter().map(|(id, _)| id).collect(),
        }),
        DialogKind::Declare
        | DialogKind::Filter
        | DialogKind::ConfirmRun { .. }
        | DialogKind::ConfirmDone
        | DialogKind::SetState
        | DialogKind::RecoveryChoose
        | DialogKind::RecoveryConfirm
        | DialogKind::Inject
        | DialogKind::ConfirmPage { .. }
        | DialogKind::ConfirmAck { .. }
        | DialogKind::Silence
        | DialogKind::ExpireSilences
        | DialogKind::Handover
        | DialogKind::HandedOver
        | DialogKind::Approve
        | DialogKind::Assign
        | DialogKind::EndDrill
        | DialogKind::ConfirmQuit
        | DialogKind::RewriteJournal => None,
    })
}
