//! The whole state of the console: config, live world, the incident fold and the UI state.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::domain::backup::Reading;
use crate::domain::event::Record;
use crate::domain::incident::Incident;
use crate::domain::world::World;
use crate::keymap::Keymap;
use crate::runbook::Runbook;

mod board;
mod playback;
mod ui;

pub use board::Face;
use board::{initial_backups, initial_world, newest_copy};
pub use playback::{Drill, Player};
pub use ui::{
    Dialog, DialogKind, ListState, Overlay, ReviewDraft, SET_STATES, Screen, Ui, matches_filter,
    status_choices,
};

/// How many live log lines are kept.
pub const LOG_CAP: usize = 200;

/// Whether the console runs for real or on a simulated scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    /// The embedded demo: a drill on simulated components.
    Demo,
    /// A drill from a scenario file.
    Drill,
}

/// What kind of console this is: what it probes or simulates, and whether it writes.
#[derive(Debug, Clone)]
pub enum Console {
    /// Probes the service and writes the journal.
    Live,
    /// Runs a scenario (the demo or a drill file) on simulated components and writes the journal.
    Drill(Box<Drill>),
    /// Tails a journal another console writes: it shows, and never writes, runs or sends.
    Follow,
    /// Joined to the room of another console, which journals what this one asks for; runs the
    /// commands it starts, and sends nothing itself.
    Joined,
    /// Plays a journal back on its own clock: it shows, and never writes, runs or sends.
    Replay(Player),
}

/// What only one person in the room does at a time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Once {
    /// Starting a runbook step's command (runbook id, step index).
    Step((String, usize)),
    /// Paging an escalation level.
    Page(usize),
    /// Ending the approval request journaled as this record (withdrawn or expired).
    Withdraw(u64),
}

/// A console that only shows an incident: it never writes, runs or sends anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Tails a journal another console is writing.
    Follow,
    /// Plays a journal back on its own clock.
    Replay,
}

/// A line of the live log: what happened while no incident was open, and console notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub text: String,
    pub alert: bool,
}

/// Whether the incident journal can be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalState {
    Writable,
    /// Damaged or locked by another writer: shown, never written.
    ReadOnly(String),
    /// A write or sync failed: nothing more is written.
    Failed(String),
}

/// Everything the console knows.
#[derive(Debug, Clone)]
pub struct State {
    pub config: Config,
    pub keymap: Keymap,
    pub mode: Mode,
    /// Who is at the keyboard (`$USER@host`).
    pub actor: String,
    pub world: World,
    /// The kind of console: live, a drill, a follower or a replay.
    pub console: Console,
    /// The drill clock: stopped, and how fast it runs (1x to 60x).
    pub paused: bool,
    pub speed: f64,
    pub incident: Option<Incident>,
    /// The alerts each Alertmanager source holds, as last read (live; an incident journals the
    /// ones it follows).
    pub alerts: std::collections::BTreeMap<String, Vec<crate::domain::alert::Firing>>,
    /// The open incident's journal, in order.
    pub records: Vec<Record>,
    /// The records journaled for joined consoles' requests, by request key: a request sent
    /// again after a failover is answered with its record instead of journaled twice.
    pub requests: std::collections::HashMap<std::num::NonZeroU32, u64>,
    /// Writer: step starts and pages sent to the journal and not yet written, with who asked
    /// (a second one in that instant is refused like one already done).
    pub once_in_flight: std::collections::BTreeMap<Once, String>,
    /// Joined console: the writer went away (why) and no console writes yet.
    pub writer_gone: Option<String>,
    /// The writer this console took the incident over from, in the room, and the last record
    /// it wrote: only the commands it had started by then were cut off (the others' consoles,
    /// and a console its user opens again, run theirs on and journal how they ended).
    pub took_over_from: Option<(String, u64)>,
    /// Which of `records` the timeline's filter matches (see `refresh_timeline`).
    pub timeline: crate::timeline::Index,
    pub journal: JournalState,
    /// Journal writes asked for and not answered yet; keys wait while there are any.
    pub writing: usize,
    /// Why the log file was turned off, once it was (the journal is not affected).
    pub log_off: Option<String>,
    pub log: VecDeque<LogLine>,
    pub ui: Ui,
    pub now: DateTime<Utc>,
    /// The last recovery-point reading per component (config order): the last good copy, or why
    /// it could not be read.
    pub recovery: Vec<Reading>,
    /// The last reading of each backup stream of each component (config order, stream order).
    pub backups: Vec<Vec<Reading>>,
    /// Outbox entries being delivered now (by queued sequence number).
    pub in_flight: BTreeSet<u64>,
    /// Breaches asked to be journaled in this run, so a slow journal never gets them twice.
    pub breaches_asked: BTreeSet<(String, DateTime<Utc>)>,
    /// Runbooks of the config, and the diagnostics of those that did not parse.
    pub runbooks: Vec<Runbook>,
    pub invalid_runbooks: Vec<crate::config::Diagnostic>,
    /// Commands running now, by the sequence number of their `step_started` record.
    pub live_runs: BTreeMap<u64, LiveRun>,
    /// Verifications asked to be journaled in this run: (runbook, step) and completion time.
    pub verify_asked: BTreeSet<((String, usize), DateTime<Utc>)>,
    /// Resumed from a journal: what it still owes is reconciled at the next tick.
    pub resumed: bool,
    /// `--dry-run`: commands are journaled as they would run, and not executed.
    pub dry_run: bool,
    /// The local time zone, for the review's local times.
    pub local_offset: chrono::FixedOffset,
}

/// Output lines kept per running command.
pub const OUTPUT_LINES: usize = 500;

/// A command running in this console.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveRun {
    /// The latest output lines (raw: sanitise before display).
    pub output: VecDeque<String>,
    /// True once it ended (its output stays visible).
    pub ended: bool,
}

/// The words of a run confirmation: what a command does, what a webhook does, what Enter does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunWords {
    pub runs: &'static str,
    pub posts: &'static str,
    /// `run`, or `record` in a dry run: "Enter runs it", "Type `db` and Enter to record it".
    pub verb: &'static str,
}

impl State {
    /// How a run confirmation says what happens. In a dry run (every drill) nothing is executed
    /// or sent, and the prompt says so.
    #[must_use]
    pub fn run_words(&self) -> RunWords {
        if self.dry_run {
            RunWords {
                runs: "would run (dry run: recorded, not executed)",
                posts: "would POST (dry run: recorded, not sent)",
                verb: "record",
            }
        } else {
            RunWords {
                runs: "runs",
                posts: "POSTs",
                verb: "run",
            }
        }
    }

    /// Where runbook commands and recovery actions run, as a confirmation names it.
    #[must_use]
    pub fn workdir(&self) -> String {
        self.config.runbook_workdir.as_ref().map_or_else(
            || "the directory warroom started in".to_owned(),
            |d| d.display().to_string(),
        )
    }

    /// A fresh console: no incident, every component in its initial state.
    #[must_use]
    pub fn new(config: Config, mode: Mode, actor: String, now: DateTime<Utc>) -> Self {
        let backups: Vec<Vec<Reading>> = config
            .components
            .iter()
            .map(|c| initial_backups(c, now))
            .collect();
        let recovery = config
            .components
            .iter()
            .zip(&backups)
            .map(|(c, readings)| newest_copy(c, readings))
            .collect();
        Self {
            keymap: Keymap::with_overrides(&config.keys),
            world: initial_world(&config, now),
            config,
            mode,
            actor,
            console: Console::Live,
            paused: false,
            speed: 1.0,
            incident: None,
            alerts: std::collections::BTreeMap::new(),
            records: Vec::new(),
            requests: std::collections::HashMap::new(),
            writer_gone: None,
            once_in_flight: std::collections::BTreeMap::new(),
            took_over_from: None,
            timeline: crate::timeline::Index::default(),
            journal: JournalState::Writable,
            writing: 0,
            log_off: None,
            log: VecDeque::new(),
            ui: Ui {
                screen: Screen::Dashboard,
                presence: Vec::new(),
                overlay: None,
                lists: Default::default(),
                stepper: None,
                step_scroll: None,
                step_filter: String::new(),
                review: None,
                confirm_run: None,
                recovery: None,
                flash: None,
                quitting: false,
                missing_offered: false,
            },
            recovery,
            backups,
            in_flight: BTreeSet::new(),
            breaches_asked: BTreeSet::new(),
            runbooks: Vec::new(),
            invalid_runbooks: Vec::new(),
            live_runs: BTreeMap::new(),
            verify_asked: BTreeSet::new(),
            resumed: false,
            dry_run: false,
            local_offset: chrono::FixedOffset::east_opt(0).expect("UTC"),
            now,
        }
    }

    /// Set for consoles that only show an incident (follow, replay).
    #[must_use]
    pub fn viewer(&self) -> Option<Viewer> {
        match self.console {
            Console::Follow => Some(Viewer::Follow),
            Console::Replay(_) => Some(Viewer::Replay),
            Console::Live | Console::Drill(_) | Console::Joined => None,
        }
    }

    /// The key bound to a screen-level action, for the texts that name one (`:` when only the
    /// palette reaches it).
    #[must_use]
    pub fn key_name(&self, action: crate::keymap::Action) -> String {
        let contexts = [self.ui.screen.context(), crate::keymap::Context::Global];
        self.keymap
            .key_for(&contexts, action)
            .map_or_else(|| ":".to_owned(), |k| k.to_string())
    }

    /// True for a console joined to another's room.
    #[must_use]
    pub fn joined(&self) -> bool {
        matches!(self.console, Console::Joined)
    }

    /// True while a journal write this console asked for has not been answered: keys wait.
    #[must_use]
    pub fn awaiting_journal(&self) -> bool {
        self.writing > 0
    }

    /// True in a drill or the demo (journaled as a drill, nothing real unless allowed).
    #[must_use]
    pub fn is_drill(&self) -> bool {
        matches!(self.mode, Mode::Demo | Mode::Drill)
            || self.incident.as_ref().is_some_and(|i| i.drill)
    }

    /// Pages fail because a drill inject said so: as the incident's journal records it, or as
    /// the running drill set it before anything was declared.
    #[must_use]
    pub fn pager_failing(&self) -> bool {
        match self.incident.as_ref().filter(|i| i.is_open()) {
            Some(incident) => incident.pager_failing,
            None => self.drill().is_some_and(|d| d.pager_failing),
        }
    }

    /// Notifications are journaled as recorded, not sent: a drill without `allow_notify` (as
    /// this console runs it, or, joined to another's, as its journal says).
    #[must_use]
    pub fn holds_notifications(&self) -> bool {
        match self.drill() {
            Some(drill) => !drill.engine.scenario.allow_notify,
            None => {
                self.joined()
                    && self
                        .incident
                        .as_ref()
                        .and_then(|i| i.scenario.as_ref())
                        .is_some_and(|s| !s.allow_notify)
            }
        }
    }

    /// Whether an incident is open (declared and not resolved).
    #[must_use]
    pub fn incident_open(&self) -> bool {
        self.incident
            .as_ref()
            .is_some_and(crate::domain::incident::Incident::is_open)
    }

    /// Whether this console can journal for an open incident: one is open and the journal is
    /// writable.
    #[must_use]
    pub fn journals_open_incident(&self) -> bool {
        self.incident_open() && self.journal == JournalState::Writable
    }

    /// A request for approval by `requester` is this console's user's own, which they may not
    /// approve themself (no `[safety] same_user_approval`, not a drill's facilitator): they may
    /// withdraw it.
    #[must_use]
    pub fn withdraws(&self, requester: &str) -> bool {
        requester == self.actor && !self.config.same_user_approval && self.drill().is_none()
    }

    /// The record numbered `seq`, if this console holds it (records are in `seq` order).
    #[must_use]
    pub fn record(&self, seq: u64) -> Option<&Record> {
        let at = self.records.binary_search_by_key(&seq, |r| r.seq).ok()?;
        self.records.get(at)
    }

    /// Live log lines in timeline order (newest first), after the timeline's filter.
    #[must_use]
    pub fn log_rows(&self) -> Vec<&LogLine> {
        let filter = &self.ui.list(Screen::Timeline).filter;
        self.log
            .iter()
            .rev()
            .filter(|l| matches_filter(filter, &[&l.text]))
            .collect()
    }

    /// The name of the journal the console shows: the incident's id, or the drill's while
    /// nobody has declared; `None` without a journal.
    #[must_use]
    pub fn journal_name(&self) -> Option<String> {
        match &self.incident {
            Some(incident) => Some(incident.id.clone()),
            None => {
                crate::domain::drill::recorded(&self.records).map(crate::domain::drill::journal_id)
            }
        }
    }

    /// How many rows the timeline screen shows: journal records, or live log lines without one.
    #[must_use]
    pub fn timeline_len(&self) -> usize {
        if self.journal_name().is_some() {
            self.timeline_index().len()
        } else {
            self.log_rows().len()
        }
    }

    /// Brings the timeline's index up to the records and its filter (after every message).
    pub fn refresh_timeline(&mut self) {
        let filter = &self.ui.lists[Screen::Timeline.index()].filter;
        self.timeline.refresh(&self.records, filter);
    }

    /// The timeline's index of the records as they are: the kept one when it is up to date
    /// (always, after `update`), else one made now.
    #[must_use]
    pub fn timeline_index(&self) -> std::borrow::Cow<'_, crate::timeline::Index> {
        let filter = &self.ui.list(Screen::Timeline).filter;
        if self.timeline.is_of(&self.records, filter) {
            return std::borrow::Cow::Borrowed(&self.timeline);
        }
        let mut index = self.timeline.clone();
        index.refresh(&self.records, filter);
        std::borrow::Cow::Owned(index)
    }
}
