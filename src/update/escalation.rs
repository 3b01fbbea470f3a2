//! Escalation: paging the level due and acknowledging it, each after a confirmation that names
//! the people and the channel, and refused with the reason when nothing is due.

use chrono::{DateTime, Utc};

use super::open_dialog;
use super::outbox::{append, pagerduty_trigger};
use crate::domain::escalation::Standing;
use crate::domain::event::{Channel, Event};
use crate::msg::Effect;
use crate::state::{DialogKind, State};
use crate::view::escalation::standing;

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
    state.config.notify.owes(Channel::Pagerduty)
        && state
            .incident
            .as_ref()
            .is_some_and(|i| i.pages.iter().any(|page| page.level <= level))
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

/// Whether `level` may be paged now: not while a page of it is on its way to the journal, and
/// within a minute of the last page of it only when the asker was told (`again`).
///
/// # Errors
/// Who paged it, and when.
pub fn page_allowed(state: &State, level: usize, again: bool) -> Result<(), String> {
    if let Some(by) = state.once_in_flight.get(&crate::state::Once::Page(level)) {
        return Err(format!(
            "Level {} is being paged by {by} this moment",
            level + 1
        ));
    }
    match crate::view::escalation::recent_page(state, level) {
        Some((by, ago)) if !again => Err(format!(
            "Level {} was paged by {by} {ago} s ago: press p to page it again",
            level + 1
        )),
        _ => Ok(()),
    }
}

/// `p`: pages the due level, after a confirmation unless `[safety] confirm_page = false` (a
/// level paged within the minute is always asked about).
pub fn page(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    let due = due_level(state);
    if let Ok((level, _, _)) = &due
        && let Err(busy) = page_allowed(state, *level, true)
    {
        return refuse(state, busy);
    }
    let again = due
        .as_ref()
        .is_ok_and(|(level, _, _)| crate::view::escalation::recent_page(state, *level).is_some());
    match due {
        Ok((level, _, _)) if state.config.confirm_page || again => {
            open_dialog(state, DialogKind::ConfirmPage { level }, String::new(), 0);
            Vec::new()
        }
        Ok((level, _, contacts)) => vec![append(now, paged(state, level, contacts, now))],
        Err(message) => refuse(state, message),
    }
}

/// The page of `level`, carrying its `PagerDuty` trigger when `PagerDuty` is configured.
fn paged(state: &State, level: usize, contacts: Vec<String>, now: DateTime<Utc>) -> Event {
    let pagerduty = state
        .incident
        .as_ref()
        .filter(|_| state.config.notify.owes(Channel::Pagerduty))
        .map(|incident| pagerduty_trigger(state, incident, (level, &contacts), now));
    Event::Paged {
        level,
        contacts,
        pagerduty,
        again: crate::view::escalation::recent_page(state, level).is_some(),
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
            Ok(Some(append(now, paged(state, level, contacts, now))))
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
