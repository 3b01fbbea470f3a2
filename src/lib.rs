//! warroom: a terminal console for incidents and disaster-recovery drills.

pub mod config;
pub mod domain;
pub mod journal;
pub mod keymap;
pub mod sanitize;
pub mod demo;
pub mod msg;
pub mod state;
pub mod update;
