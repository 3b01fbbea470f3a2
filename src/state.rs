//! The whole state of the console: config, live world, the incident fold and the UI state.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, Utc};
use strum::{Display, EnumIter, IntoEnumIterator};

use crate::config::Config;
use crate::domain::Status;
use crate::domain::backup::Reading;
use crate::domain::event::Record;
use crate::domain::incident::Incident;
use crate::domain::world::{InjectEngine, World};
use crate::input::field::Field;
use crate::keymap::{Context, Keymap};
use crate::runbook::Runbook;

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

/// A console that only shows an incident: it never writes, runs or sends anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Tails a journal another console is writing.
    Follow,
    /// Plays a journal back on its own clock.
    Replay,
}

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

/// The screens that exist, in `Tab` order, with their number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter)]
pub enum Screen {
    Dashboard,
    Runbooks,
    Escalation,
    Timeline,
    Review,
    Drill,
}

impl Screen {
    /// The screen's number in the title tabs (SPEC section 4).
    #[must_use]
    pub fn number(self) -> u8 {
        match self {
            Self::Dashboard => 1,
            Self::Runbooks => 2,
            Self::Escalation => 3,
            Self::Timeline => 4,
            Self::Review => 5,
            Self::Drill => 6,
        }
    }

    fn index(self) -> usize {
        Self::iter().position(|s| s == self).unwrap_or(0)
    }

    /// The next (or previous) screen in `Tab` order; the drill screen only in a drill.
    #[must_use]
    pub fn cycle(self, forward: bool, drill: bool) -> Self {
        let all: Vec<Self> = Self::iter()
            .filter(|s| drill || *s != Self::Drill)
            .collect();
        let step = if forward { 1 } else { all.len() - 1 };
        all[(self.index() + step) % all.len()]
    }

    /// The key context of the screen.
    #[must_use]
    pub fn context(self) -> Context {
        match self {
            Self::Dashboard => Context::Dashboard,
            Self::Runbooks => Context::Runbooks,
            Self::Escalation => Context::Escalation,
            Self::Timeline => Context::Timeline,
            Self::Review => Context::Review,
            Self::Drill => Context::Drill,
        }
    }
}

/// The dialogs that take input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    Declare,
    Severity,
    Status,
    Roles,
    Note,
    Resolve,
    Filter,
    /// A stakeholder update (posted to chat when configured).
    Update,
    /// A free-text message from the facilitator to the team.
    Inject,
    /// "End the drill?"
    EndDrill,
    /// The facilitator sets a simulated component's state: its id, then the state.
    SetState,
    /// "Run this command?" for a step whose command asks for confirmation.
    ConfirmRun,
    /// "Mark it done with checks unticked?"
    ConfirmDone,
    /// Which recovery action of the selected component.
    RecoveryChoose,
    /// "Run this recovery action?" (typing the component id when the config asks for it).
    RecoveryConfirm,
    /// "Page this escalation level?" (index of the level).
    ConfirmPage {
        level: usize,
    },
    /// "Acknowledge this level?" when the acknowledge goes to `PagerDuty`.
    ConfirmAck {
        level: usize,
    },
    /// "Silence these alerts in Alertmanager?", listing the matchers; the choice is how long.
    Silence,
    /// "Expire the silences this incident created?" (offered on resolution).
    ExpireSilences,
    /// To whom in the room command goes.
    Handover,
    /// The summary of a handover this console's user gave or received (`Enter` closes it).
    HandedOver,
    /// Approve or refuse the request waiting longest.
    Approve,
}

/// An open dialog: its text field and its selected choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub kind: DialogKind,
    pub field: Field,
    pub choice: usize,
    /// Set while the dialog's event is being written; cleared by the journal's answer.
    pub pending: bool,
    pub error: Option<String>,
    /// Choice labels of dialogs whose choices come from the config (recovery actions).
    pub labels: Vec<String>,
    /// Whether a confirmation must be typed.
    pub text_wanted: bool,
    /// Lines of the prompt scrolled away (a prompt longer than the screen).
    pub scroll: usize,
    /// The text a template last put in the field: a field still holding it may take another.
    pub prefilled: String,
}

impl Dialog {
    /// The labels of the dialog's choices (empty when it has none).
    #[must_use]
    pub fn choices(&self) -> Vec<String> {
        match self.kind {
            DialogKind::Declare
            | DialogKind::Severity
            | DialogKind::Update
            | DialogKind::Resolve => self.labels.clone(),
            DialogKind::Status => status_choices().iter().map(ToString::to_string).collect(),
            DialogKind::Roles | DialogKind::Handover | DialogKind::Approve => self.labels.clone(),
            DialogKind::SetState => SET_STATES.iter().map(ToString::to_string).collect(),
            DialogKind::Note
            | DialogKind::Filter
            | DialogKind::Inject
            | DialogKind::EndDrill
            | DialogKind::ConfirmRun
            | DialogKind::ConfirmDone
            | DialogKind::ConfirmPage { .. }
            | DialogKind::ConfirmAck { .. }
            | DialogKind::RecoveryConfirm => Vec::new(),
            DialogKind::RecoveryChoose | DialogKind::Silence => self.labels.clone(),
            DialogKind::ExpireSilences | DialogKind::HandedOver => Vec::new(),
        }
    }

    /// Whether the dialog has a text field.
    #[must_use]
    pub fn has_text(&self) -> bool {
        match self.kind {
            DialogKind::Severity
            | DialogKind::Status
            | DialogKind::EndDrill
            | DialogKind::ConfirmRun
            | DialogKind::ConfirmDone
            | DialogKind::ConfirmPage { .. }
            | DialogKind::ConfirmAck { .. }
            | DialogKind::RecoveryChoose
            | DialogKind::Silence
            | DialogKind::ExpireSilences
            | DialogKind::Handover
            | DialogKind::HandedOver
            | DialogKind::Approve => false,
            DialogKind::RecoveryConfirm => self.text_wanted,
            _ => true,
        }
    }
}

/// The states the facilitator can set a component to.
pub const SET_STATES: [crate::domain::Health; 3] = [
    crate::domain::Health::Down,
    crate::domain::Health::Degraded,
    crate::domain::Health::Up,
];

/// The statuses a commander can set by hand (resolving has its own dialog).
#[must_use]
pub fn status_choices() -> [Status; 3] {
    [
        Status::Investigating,
        Status::Identified,
        Status::Monitoring,
    ]
}

/// What floats over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    /// Everything about one component (index in config order).
    Detail {
        index: usize,
        scroll: usize,
    },
    Palette {
        field: Field,
        selected: usize,
    },
    Dialog(Dialog),
}

/// The review in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDraft {
    pub text: String,
    pub editing: bool,
    /// When the text last changed without being saved.
    pub changed: Option<DateTime<Utc>>,
    /// Bumped when the text is replaced, so the editor widget reloads it.
    pub serial: u64,
}

/// Selection and filter of one screen's list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    pub selected: usize,
    pub filter: String,
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

/// The UI part of the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ui {
    pub screen: Screen,
    /// Who is in the room and on which screen (the writing console first), as it last said.
    pub presence: Vec<(String, String)>,
    pub overlay: Option<Overlay>,
    pub lists: [ListState; 6],
    /// The review being written: its text (unsaved edits included), whether the editor has the
    /// keys, and when it was last changed (for autosave).
    pub review: Option<ReviewDraft>,
    /// The runbook open in the stepper (index into `State::runbooks`) and its selected step.
    pub stepper: Option<(usize, usize)>,
    /// The filter of the stepper's steps (the runbook list keeps its own).
    pub step_filter: String,
    /// A run waiting for the commander's confirmation: (runbook index, step, command).
    pub confirm_run: Option<(usize, usize, usize)>,
    /// The recovery being chosen or confirmed: (component index, action index).
    pub recovery: Option<(usize, usize)>,
    /// A short message in the footer until the next action.
    pub flash: Option<String>,
}

impl Ui {
    /// The list state of a screen.
    #[must_use]
    pub fn list(&self, screen: Screen) -> &ListState {
        &self.lists[screen.index()]
    }

    pub fn list_mut(&mut self, screen: Screen) -> &mut ListState {
        &mut self.lists[screen.index()]
    }

    /// The filter `/` edits here: the stepper's steps when a runbook is open, else the screen's list.
    #[must_use]
    pub fn filter(&self) -> &str {
        if self.screen == Screen::Runbooks && self.stepper.is_some() {
            &self.step_filter
        } else {
            &self.list(self.screen).filter
        }
    }

    pub fn filter_mut(&mut self) -> &mut String {
        if self.screen == Screen::Runbooks && self.stepper.is_some() {
            &mut self.step_filter
        } else {
            &mut self.list_mut(self.screen).filter
        }
    }
}

/// True when `filter` is empty or any of `texts` contains it, ignoring case.
#[must_use]
pub fn matches_filter(filter: &str, texts: &[&str]) -> bool {
    let filter = filter.to_lowercase();
    filter.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(&filter))
}

/// What the board shows of one component (see `State::face`).
#[derive(Debug, PartialEq, Eq)]
pub struct Face {
    state: crate::domain::Health,
    since: DateTime<Utc>,
    last_known: bool,
    detail: Option<String>,
    reading: Option<String>,
}

/// Simulated backup streams are known from the start; real ones once their source is read.
fn initial_backups(component: &crate::config::Component, now: DateTime<Utc>) -> Vec<Reading> {
    component
        .backups
        .iter()
        .map(|b| match &b.point.source {
            crate::config::notify::PointSource::Sim { age } => Some(Ok(
                now - chrono::TimeDelta::from_std(*age).unwrap_or_default()
            )),
            _ => None,
        })
        .collect()
}

fn initial_world(config: &Config, now: DateTime<Utc>) -> World {
    let initial = config
        .components
        .iter()
        .map(|c| (c.id.clone(), c.probe.initial(), c.depends_on.clone()))
        .collect();
    World::new(initial, now)
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
    /// Which of `records` the timeline's filter matches (see `refresh_timeline`).
    pub timeline: crate::timeline::Index,
    pub journal: JournalState,
    /// Journal writes asked for and not answered yet; keys wait while there are any.
    pub writing: usize,
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

/// A component's recovery point from its streams' readings.
fn newest_copy(component: &crate::config::Component, readings: &[Reading]) -> Reading {
    let names: Vec<&str> = component.backups.iter().map(|b| b.name.as_str()).collect();
    crate::domain::backup::newest(&names, readings)
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
    /// Takes a backup stream's reading; the component's recovery point becomes the newest good
    /// copy of its streams (or, with none readable, why not).
    pub fn read_backup(&mut self, index: usize, stream: usize, reading: Reading) {
        let (Some(component), Some(readings)) = (
            self.config.components.get(index),
            self.backups.get_mut(index),
        ) else {
            return;
        };
        if let Some(slot) = readings.get_mut(stream) {
            *slot = reading;
        }
        self.recovery[index] = newest_copy(component, readings);
    }

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

    /// Each backup stream of a component with how it stands now against its frequency.
    #[must_use]
    pub fn streams(
        &self,
        index: usize,
    ) -> Vec<(&crate::config::Backup, crate::domain::backup::Freshness)> {
        let (Some(component), Some(readings)) =
            (self.config.components.get(index), self.backups.get(index))
        else {
            return Vec::new();
        };
        component
            .backups
            .iter()
            .zip(readings)
            .map(|(b, r)| (b, crate::domain::backup::freshness(r, b.every, self.now)))
            .collect()
    }

    /// The journal (or a drill inject) says the last good copy is `last_good`: the recovery point
    /// becomes it, and no stream shows a copy newer than it (those are lost, as it says).
    pub fn set_copy(&mut self, index: usize, last_good: DateTime<Utc>) {
        let Some(slot) = self.recovery.get_mut(index) else {
            return;
        };
        *slot = Some(Ok(last_good));
        for reading in self.backups.get_mut(index).into_iter().flatten() {
            if let Some(Ok(at)) = reading
                && *at > last_good
            {
                *at = last_good;
            }
        }
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
            timeline: crate::timeline::Index::default(),
            journal: JournalState::Writable,
            writing: 0,
            log: VecDeque::new(),
            ui: Ui {
                screen: Screen::Dashboard,
                presence: Vec::new(),
                overlay: None,
                lists: Default::default(),
                stepper: None,
                step_filter: String::new(),
                review: None,
                confirm_run: None,
                recovery: None,
                flash: None,
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

    /// Every component in its initial state at `now`.
    #[must_use]
    pub fn initial_world(&self, now: DateTime<Utc>) -> World {
        initial_world(&self.config, now)
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

    /// True if the component's probe is replaced by the scenario.
    #[must_use]
    pub fn simulated(&self, index: usize) -> bool {
        self.config
            .components
            .get(index)
            .is_some_and(|c| matches!(c.probe.check, crate::config::Check::Sim { .. }))
    }

    /// The key contexts in force, most specific first (`Any` last).
    #[must_use]
    pub fn key_contexts(&self) -> Vec<Context> {
        let mut contexts = self.focused_contexts();
        contexts.push(Context::Any);
        contexts
    }

    fn focused_contexts(&self) -> Vec<Context> {
        match &self.ui.overlay {
            Some(Overlay::Help { .. }) => vec![Context::Help],
            Some(Overlay::Detail { .. }) => vec![Context::Detail],
            Some(Overlay::Palette { .. }) => vec![Context::Palette],
            Some(Overlay::Dialog(_)) => vec![Context::Dialog],
            None if self.ui.review.as_ref().is_some_and(|r| r.editing)
                && self.ui.screen == Screen::Review =>
            {
                vec![Context::Editor]
            }
            None => vec![self.ui.screen.context(), Context::Global],
        }
    }

    /// The open dialog, if any.
    #[must_use]
    pub fn dialog(&self) -> Option<&Dialog> {
        match &self.ui.overlay {
            Some(Overlay::Dialog(d)) => Some(d),
            _ => None,
        }
    }

    /// The text field that has the keys, if an overlay has one.
    #[must_use]
    pub fn field(&self) -> Option<&Field> {
        match &self.ui.overlay {
            Some(Overlay::Dialog(d)) if d.has_text() => Some(&d.field),
            Some(Overlay::Palette { field, .. }) => Some(field),
            _ => None,
        }
    }

    /// The focused text field, to edit.
    pub fn field_mut(&mut self) -> Option<&mut Field> {
        match &mut self.ui.overlay {
            Some(Overlay::Dialog(d)) if d.has_text() => Some(&mut d.field),
            Some(Overlay::Palette { field, .. }) => Some(field),
            _ => None,
        }
    }

    /// What a new sample may change of a component that matters at once: its state, since when,
    /// why, and its value. A sample that leaves it as it was changes only its latency and
    /// sparkline, which the next tick draws (within a second). `None` while the component's
    /// detail view is open, which shows every sample as it comes.
    #[must_use]
    pub fn face(&self, index: usize) -> Option<Face> {
        let detail_open =
            matches!(self.ui.overlay, Some(Overlay::Detail { index: i, .. }) if i == index);
        if detail_open {
            return None;
        }
        let health = self.world.health.get(index)?;
        Some(Face {
            state: health.state,
            since: health.since,
            last_known: health.last_known,
            detail: health.detail.clone(),
            reading: health.reading.clone(),
        })
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

    /// Component indices in dashboard order (failing first, then by tier), after the filter.
    #[must_use]
    pub fn dashboard_rows(&self) -> Vec<usize> {
        let filter = &self.ui.list(Screen::Dashboard).filter;
        let mut rows: Vec<usize> = (0..self.config.components.len())
            .filter(|&i| {
                let c = &self.config.components[i];
                matches_filter(filter, &[&c.id, &c.name])
            })
            .collect();
        rows.sort_by_cached_key(|&i| {
            let impacted = self.world.root_cause(i).is_some();
            (
                self.world.health[i].state,
                impacted,
                self.config.components[i].tier.rank(),
                i,
            )
        });
        rows
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
