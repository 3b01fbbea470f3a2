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
pub mod ui;
pub mod store;
pub mod app;
pub mod cli;
pub mod workers;
pub mod commands;
