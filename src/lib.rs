//! warroom: a terminal console for incidents and disaster-recovery drills.

pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod files;
pub mod import;
pub mod input;
pub mod journal;
pub mod keymap;
pub mod markdown;
pub mod msg;
pub mod review;
pub mod room;
pub mod runbook;
pub mod sanitize;
pub mod state;
pub mod timeline;
pub mod ui;
pub mod update;
pub mod view;
pub mod workers;
