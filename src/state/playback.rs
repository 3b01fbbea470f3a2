//! Playback: a running drill with its clock and injects, and a replay's player.

use chrono::{DateTime, Utc};

use super::{Console, State};
use crate::domain::event::Record;
use crate::domain::world::InjectEngine;

/// A drill in progress: its injects and what the facilitator set.
#[derive(Debug, Clone)]
pub struct Drill {
    pub engine: InjectEngine,
    /// Pages fail (an inject said so).
    pub pager_failing: bool,
    /// The facilitator ended the drill: no more injects.
    pub ended: bool,
    /// When simulated latencies were last sampled.
    pub sampled: Option<DateTime<Utc>>,
    /// The id of the journal the drill keeps from its start (a drill that does not loop), so a
    /// drill nobody declares still leaves its record.
    pub journal: Option<String>,
    /// The drill asked for its journal once (it is not asked again if that failed).
    pub journal_asked: bool,
}

/// A journal being played back.
#[derive(Debug, Clone, Default)]
pub struct Player {
    pub records: Vec<Record>,
    /// How many records are applied to the state.
    pub applied: usize,
}

impl State {
    /// The drill (or demo) scenario running in this console.
    #[must_use]
    pub fn drill(&self) -> Option<&Drill> {
        match &self.console {
            Console::Drill(drill) => Some(drill.as_ref()),
            _ => None,
        }
    }

    pub fn drill_mut(&mut self) -> Option<&mut Drill> {
        match &mut self.console {
            Console::Drill(drill) => Some(drill.as_mut()),
            _ => None,
        }
    }

    /// The journal a replay plays back.
    #[must_use]
    pub fn player(&self) -> Option<&Player> {
        match &self.console {
            Console::Replay(player) => Some(player),
            _ => None,
        }
    }

    pub fn player_mut(&mut self) -> Option<&mut Player> {
        match &mut self.console {
            Console::Replay(player) => Some(player),
            _ => None,
        }
    }
}
