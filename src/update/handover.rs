//! Handing command over: the commander role moves to someone in the room with a summary of
//! where things stand, drawn from the journal (status, impact, budgets, what is running, the
//! escalation owed, the next update due). Both people see it; the journal keeps it.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::open_dialog::open_dialog;
use crate::domain::budget;
use crate::domain::event::{Event, Record};
use crate::domain::incident::{brief, time_of_day};
use crate::msg::Effect;
use crate::state::{DialogKind, Overlay, State};

/// `H`: asks to whom command goes, among the people in the room.
pub fn open(state: &mut State) {
    let Some(incident) = state.incident.as_ref().filter(|i| i.is_open()) else {
        state.ui.flash = Some("No incident is open. Press D to declare one.".into());
        return;
    };
    let commander = incident.roles.commander.clone();
    if let Err(why) = commanders_call(state, &state.actor, "hands command over", false) {
        state.ui.flash = Some(format!("{why}: ask them to hand over"));
        return;
    }
    let people = candidates(state, &commander);
    if people.is_empty() {
        state.ui.flash = Some(
            "Nobody else is in the room to take command (they join with `warroom join`)".into(),
        );
        return;
    }
    open_dialog(state, DialogKind::Handover, String::new(), 0);
    if let Some(Overlay::Dialog(dialog)) = &mut state.ui.overlay {
        dialog.labels = people;
    }
}

/// The people in the room who could take command: everyone but the commander.
fn candidates(state: &State, commander: &str) -> Vec<String> {
    state.incident.as_ref().map_or_else(Vec::new, |i| {
        i.people()
            .into_iter()
            .filter(|p| *p != commander)
            .map(str::to_owned)
            .collect()
    })
}

/// The handover to the person at `choice` of the dialog.
#[must_use]
pub fn chosen(
    state: &State,
    labels: &[String],
    choice: usize,
    now: DateTime<Utc>,
) -> Option<Effect> {
    let to = labels.get(choice)?.clone();
    Some(Effect::Append {
        at: now,
        event: Event::HandedOver {
            to,
            summary: summary(state, now),
        },
    })
}

/// Whether `to` may take command now: someone in the room who is not the commander.
pub fn admissible(state: &State, to: &str) -> Result<(), String> {
    let commander = state
        .incident
        .as_ref()
        .map_or("", |i| i.roles.commander.as_str());
    if candidates(state, commander).iter().any(|p| p == to) {
        Ok(())
    } else {
        Err(format!("{to} is not in the room, or already commands"))
    }
}

/// Where things stand, for the person taking command.
#[must_use]
pub fn summary(state: &State, now: DateTime<Utc>) -> String {
    let Some(incident) = &state.incident else {
        return String::new();
    };
    let mut out = format!(
        "{} {}, {}, {} since declared.\n",
        incident.severity,
        incident.title,
        incident.status,
        brief(now - incident.declared)
    );
    let open: Vec<_> = incident
        .outages
        .iter()
        .filter(|o| o.end.is_none())
        .collect();
    if open.is_empty() {
        out.push_str("Impact: no component is failing now.\n");
    }
    for outage in open {
        let name = state
            .config
            .component(&outage.component)
            .map_or(outage.component.as_str(), |c| c.name.as_str());
        let _ = write!(
            out,
            "Impact: {name} failing for {}",
            brief(now - outage.start)
        );
        if let Some(component) = state.config.component(&outage.component) {
            let rto = budget::rto(outage.start, None, state.config.budget(component).rto, now);
            let _ = write!(
                out,
                "; RTO {:.0}% used, runs out {}Z",
                rto.fraction * 100.0,
                time_of_day(&rto.breach_at)
            );
        }
        out.push_str(".\n");
    }
    for started in running(&state.records) {
        let _ = writeln!(
            out,
            "Running: {} (since {}Z, {}).",
            started.event.describe(),
            time_of_day(&started.at),
            started.actor
        );
    }
    match crate::view::escalation::standing(state) {
        Some((_, standing)) => match standing.due {
            Some(level) if !standing.acknowledged => {
                let _ = writeln!(
                    out,
                    "Escalation: level {} is due and NOT acknowledged.",
                    level + 1
                );
            }
            Some(level) => {
                let _ = writeln!(out, "Escalation: level {} acknowledged.", level + 1);
            }
            None => out.push_str("Escalation: no level due yet.\n"),
        },
        None => out.push_str("Escalation: no policy for this severity.\n"),
    }
    if let Some(due) = crate::view::escalation::update_due(state) {
        let _ = writeln!(out, "Next stakeholder update due {}Z.", time_of_day(&due));
    }
    out
}

/// The commands started and not finished.
fn running(records: &[Record]) -> Vec<&Record> {
    records
        .iter()
        .filter(|r| matches!(r.event, Event::StepStarted { .. } | Event::RecoveryStarted { .. }))
        .filter(|started| {
            !records.iter().any(
                |r| matches!(r.event, Event::CommandFinished { started: s, .. } if s == started.seq),
            )
        })
        .collect()
}

/// What only the commander does: `act` by `actor` (resolve, change the severity, hand
/// over), from any console. `in_room`: asked from a joined console, or the writer's own console
/// with a room around it; a console alone acts for whoever commands (a scribe at the keyboard).
///
/// # Errors
/// Who commands.
pub fn commanders_call(state: &State, actor: &str, act: &str, in_room: bool) -> Result<(), String> {
    let Some(incident) = state.incident.as_ref() else {
        return Ok(());
    };
    let commander = &incident.roles.commander;
    if actor == commander || !(in_room || incident.room_size() > 1) {
        Ok(())
    } else {
        Err(format!("only the commander ({commander}) {act}"))
    }
}

/// How long a commander must have been gone from the room before someone takes the role
/// without their handover.
pub const ABSENT_FOR_MINUTES: i64 = 5;

/// Whether `actor` may give the commander role to `person`: the commander may; anyone else only
/// when the commander is not in the room and left it 5 minutes ago (else they hand over, `H`).
///
/// # Errors
/// Who holds the role and what to do.
pub fn may_take_command(
    state: &State,
    actor: &str,
    role: &crate::domain::Role,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let Some(incident) = state.incident.as_ref() else {
        return Ok(());
    };
    let commander = &incident.roles.commander;
    if role.as_str() != crate::domain::Role::COMMANDER || actor == commander {
        return Ok(());
    }
    let here =
        incident.present.contains_key(commander) || incident.room_host.as_ref() == Some(commander);
    if here {
        return Err(format!(
            "{commander} is the commander and in the room: ask them to hand over ({})",
            state.key_name(crate::keymap::Action::Handover)
        ));
    }
    let wait = chrono::TimeDelta::minutes(ABSENT_FOR_MINUTES);
    match incident.left.get(commander) {
        Some(left) if now - *left < wait => Err(format!(
            "{commander} left the room at {}: the role may be taken without them from {}",
            left.format("%H:%M:%SZ"),
            (*left + wait).format("%H:%M:%SZ")
        )),
        _ => Ok(()),
    }
}

/// A record arrived: the giver and the taker of a handover each see its summary; the asker of
/// an approval its answer.
pub fn seen(state: &mut State, record: &Record) {
    super::approval::answer_seen(state, record);
    let Event::HandedOver { to, .. } = &record.event else {
        return;
    };
    if state.actor == record.actor || state.actor == *to {
        open_dialog(state, DialogKind::HandedOver, String::new(), 0);
    }
}
