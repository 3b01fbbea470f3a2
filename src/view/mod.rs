//! What the screens show that `update` decides with too: prompts, banners and queries on the
//! state, in one place both read, so `ui/` never reaches into `update/`.

pub mod approval;
pub mod assignments;
pub mod checklist;
pub mod drill;
pub mod escalation;
pub mod handover;
pub mod palette;
pub mod recovery;
pub mod review;
pub mod runbooks;
pub mod silence;

/// A journal record in words, a notification named by what it is where the incident knows it.
#[must_use]
pub fn describe(state: &crate::state::State, record: &crate::domain::event::Record) -> String {
    match &state.incident {
        Some(incident) => incident.describe(record),
        None => record.event.describe(),
    }
}
