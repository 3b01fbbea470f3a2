//! The text of the handover dialog.

use crate::domain::event::Event;
use crate::state::State;

/// The text of the handover dialog: the latest handover in the journal.
#[must_use]
pub fn prompt(state: &State) -> String {
    let latest = state.records.iter().rev().find_map(|r| match &r.event {
        Event::HandedOver { to, summary } => Some((r.actor.as_str(), to.as_str(), summary)),
        _ => None,
    });
    match latest {
        Some((from, to, summary)) => {
            format!("{from} handed command to {to} at this point:\n\n{summary}\nEnter closes.")
        }
        None => String::new(),
    }
}
