//! What the screens show that `update` decides with too: prompts, banners and queries on the
//! state, in one place both read, so `ui/` never reaches into `update/`.

pub mod approval;
pub mod checklist;
pub mod drill;
pub mod escalation;
pub mod handover;
pub mod palette;
pub mod recovery;
pub mod review;
pub mod runbooks;
pub mod silence;
