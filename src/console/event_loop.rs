//! The loop: one task owns the terminal; keys, worker messages and a 1 Hz tick become `Msg`s;
//! `update` decides, the effects run, and the screen is drawn when something changed.

use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use crossterm::event::EventStream;
use futures_util::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::domain::world::Scenario;
use crate::journal::Journal;
use crate::journal::store::Store;
use crate::journal::writer::{self as writer, Command};
use crate::msg::Msg;
use crate::state::State;
use crate::ui::{self, View};
use crate::update::{self, update};

use super::Clock;
use super::open::spawn_follower;
use super::terminal::TerminalGuard;

/// Most messages handled before the screen is drawn again.
const DRAIN_CAP: usize = 256;
/// Worker results are drawn at most this often; keys are drawn at once.
const FRAME_INTERVAL: Duration = Duration::from_millis(100);

/// When the next frame is drawn: at once after a key, coalesced after worker messages.
struct Frame {
    dirty: bool,
    urgent: bool,
    last: Instant,
}

impl Default for Frame {
    fn default() -> Self {
        Self {
            dirty: true,
            urgent: true,
            last: Instant::now(),
        }
    }
}

impl Frame {
    fn now(&mut self) {
        self.dirty = true;
        self.urgent = true;
    }

    fn soon(&mut self) {
        self.dirty = true;
    }

    fn pending(&self) -> bool {
        self.dirty
    }

    fn wait(&self) -> Duration {
        FRAME_INTERVAL.saturating_sub(self.last.elapsed())
    }

    fn due(&self) -> bool {
        self.dirty && (self.urgent || self.wait().is_zero())
    }

    fn drawn(&mut self) {
        self.dirty = false;
        self.urgent = false;
        self.last = Instant::now();
    }
}

/// A message that may leave the screen as it is: a sample that keeps a component's face, a tick
/// of a stopped clock.
enum Quiet {
    Face(usize, crate::state::Face),
    Stopped,
}

/// What the console runs on.
pub struct Options {
    pub state: State,
    pub scenario: Option<Scenario>,
    pub store: Store,
    pub view: View,
    pub clock: Clock,
    /// A journal another console writes, tailed read-only.
    pub follow: Option<PathBuf>,
    /// The room this console joined: the writer journals what it asks for.
    pub joined: Option<crate::room::client::Joined>,
}

/// When a writing console serves a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Serve {
    /// While its incident is open.
    WhileOpen,
    /// After the resolution too: it took over an incident whose room was open (the team may
    /// still be writing the review).
    AfterResolution,
    /// The room could not open (said once, not tried at every message).
    Failed,
}

pub(super) struct Loop {
    /// Terminal events waiting for their turn.
    pub(super) input: crate::input::Pipeline,
    /// Components probed every second after a recovery action; the incident's own silences.
    pub(super) steering: crate::workers::probe::Steering,
    /// Cancel handles of the runbook commands running now.
    pub(super) cancels: std::collections::BTreeMap<u64, tokio::sync::oneshot::Sender<()>>,
    pub(super) tx: mpsc::Sender<Msg>,
    /// Sends notifications and recovery webhooks.
    pub(super) client: reqwest::Client,
    /// The probes' clients (TLS verified and not), built once.
    pub(super) probe_clients: crate::workers::probe::Clients,
    pub(super) state: State,
    pub(super) view: View,
    pub(super) clock: Clock,
    pub(super) store: Store,
    pub(super) journal: std_mpsc::Sender<Command>,
    /// Writer: the room joined consoles connect to, once an incident is open.
    pub(super) room: Option<crate::room::server::Room>,
    /// When this console serves a room.
    pub(super) serve: Serve,
    /// Joined console: the connection to the writer's room.
    pub(super) room_client: Option<crate::room::client::Client>,
    /// Joined console: the writer left; this console starts again to take over (a drill).
    pub(super) take_over: bool,
    /// Joined console: the journal of the room it joined.
    pub(super) room_journal: Option<PathBuf>,
    /// Joined console: finding who writes now that the writer went away.
    pub(super) failover: Option<super::failover::Failover>,
    /// Where each try at finding the writer reports.
    pub(super) claims: mpsc::UnboundedSender<super::failover::Claimed>,
    /// The screen this console last told the room it shows.
    pub(super) said_screen: Option<String>,
    /// The probes and recovery-point readers running here (none in a joined console, which
    /// shows the writer's).
    pub(super) probes: Option<Vec<tokio::task::JoinHandle<()>>>,
    pub(super) quit: bool,
}

impl Loop {
    /// Hands one message to `update` and runs its effects; whether the screen must be drawn
    /// soon. A sample that leaves a component's face as it was waits for the next tick, which
    /// draws its latency and sparkline: 200 components every 10 s, or 500 queries, would
    /// otherwise draw the board ten times a second.
    pub(super) fn dispatch(&mut self, msg: Msg) -> bool {
        if let (Msg::Answered { id, .. }, Some(client)) = (&msg, self.room_client.as_mut()) {
            client.answered(*id);
        }
        if let (Msg::Tick, Some(room)) = (&msg, &self.room)
            && let Some(text) = room.keep()
        {
            self.tell(text);
        }
        // A new incident declared here gets its own room: the last one's consoles are told.
        if let (Msg::Journaled(record), Some(room)) = (&msg, &self.room)
            && record.seq == 1
            && matches!(record.event, crate::domain::event::Event::Declared(_))
        {
            room.close(crate::room::protocol::NEW_INCIDENT);
            self.room = None;
            self.serve = Serve::WhileOpen;
        }
        // Every joined console gets the record before any answer it leads to.
        if let (Msg::Journaled(record) | Msg::PeerJournaled { record, .. }, Some(room)) =
            (&msg, &self.room)
        {
            room.broadcast(record);
        }
        if let Some(room) = &self.room {
            self.relay(room, &msg);
        }
        let quiet = match &msg {
            Msg::Probed { index, .. } => self
                .state
                .face(*index)
                .map(|face| Quiet::Face(*index, face)),
            // A stopped drill or replay clock: a tick changes nothing on screen.
            Msg::Tick if self.state.paused => Some(Quiet::Stopped),
            _ => None,
        };
        // Silences change only through the journal; a tick also covers a resumed incident.
        let silences_may_change = matches!(msg, Msg::Journaled(_) | Msg::Tick);
        let effects = update(&mut self.state, msg, self.clock.now());
        let changed = !effects.is_empty()
            || match quiet {
                None => true,
                Some(Quiet::Face(index, face)) => self.state.face(index).as_ref() != Some(&face),
                Some(Quiet::Stopped) => !self.state.paused,
            };
        for effect in effects {
            self.run(effect);
        }
        self.serve_room();
        self.say_screen();
        self.view.sync(&self.state);
        if silences_may_change {
            let own = self
                .state
                .incident
                .as_ref()
                .map(crate::domain::incident::Incident::silence_ids);
            self.steering.own_silences.set(own.unwrap_or_default());
        }
        changed
    }

    /// Hands a worker's message to `update`. What people did (a record written here or by
    /// another console, the answer to a request) is drawn at once, like a key; the rest (samples,
    /// deliveries) within a frame interval.
    fn handle(&mut self, msg: Msg, frame: &mut Frame) {
        let people = matches!(
            msg,
            Msg::Journaled(_)
                | Msg::PeerJournaled { .. }
                | Msg::Followed(_)
                | Msg::Answered { .. }
                | Msg::RoomClosed(_)
                | Msg::WriterFound(_)
        );
        if self.dispatch(msg) {
            if people {
                frame.now();
            } else {
                frame.soon();
            }
        }
    }

    /// Hands waiting terminal events to `update`, in order, while no journal write is pending.
    /// Keys after a quit stay unread: they never act on the state left behind.
    fn release(&mut self) {
        while !self.quit
            && let Some(msg) = self.input.next(&self.state, &mut self.view)
        {
            self.dispatch(msg);
        }
    }
}

fn tick_period(state: &State) -> Duration {
    let clocked = state.drill().is_some() || state.player().is_some();
    let speed = if clocked { state.speed.max(1.0) } else { 1.0 };
    Duration::from_secs_f64(1.0 / speed).max(Duration::from_millis(250))
}

fn ticker(period: Duration) -> tokio::time::Interval {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    tick
}

impl Loop {
    /// The loop's state with its workers started: the journal writer, a drill's scenario, the
    /// tail of a followed journal or the connection to a joined room.
    fn start(
        options: Options,
        journal: Option<Journal>,
        (tx, claims): (
            mpsc::Sender<Msg>,
            mpsc::UnboundedSender<super::failover::Claimed>,
        ),
    ) -> anyhow::Result<Self> {
        let mut app = Loop {
            input: crate::input::Pipeline::default(),
            steering: crate::workers::probe::Steering::default(),
            cancels: std::collections::BTreeMap::new(),
            tx: tx.clone(),
            client: crate::workers::probe::client_builder(true)
                .build()
                .context("the HTTP client for notifications could not be built")?,
            probe_clients: crate::workers::probe::Clients::new()
                .context("the HTTP clients for probes could not be built")?,
            journal: writer::spawn(journal, tx.clone()),
            clock: options.clock,
            state: options.state,
            view: options.view,
            store: options.store,
            room: None,
            serve: Serve::WhileOpen,
            room_client: None,
            take_over: false,
            room_journal: options.joined.as_ref().map(|j| j.journal.clone()),
            failover: None,
            claims,
            said_screen: None,
            probes: None,
            quit: false,
        };
        if let Some(joined) = options.joined {
            app.room_client = Some(joined.start(tx.clone())?);
        }
        // A drill runs in the console that writes it; a joined console only shows it.
        if let Some(scenario) = options
            .scenario
            .filter(|_| app.state.viewer().is_none() && !app.state.joined())
        {
            update::drill::start(&mut app.state, scenario, app.clock.now());
        }
        if let Some(path) = options.follow {
            let last = app.state.records.last().map_or(0, |r| r.seq);
            spawn_follower(path, last, tx);
        }
        Ok(app)
    }
}

/// How a console ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The user quit, the terminal went away, or a signal came.
    Quit,
    /// A joined console whose writer left: it starts again to take the incident over.
    TakeOver,
}

/// Runs the console until the user quits, the terminal goes away, or SIGTERM/SIGHUP arrives.
pub async fn run(options: Options, journal: Option<Journal>) -> anyhow::Result<Ending> {
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let (claims_tx, mut claims) = mpsc::unbounded_channel();
    let mut app = Loop::start(options, journal, (tx, claims_tx))?;
    app.spawn_probes();
    let mut guard = TerminalGuard::enter()?;
    let mut events = EventStream::new();
    let mut period = tick_period(&app.state);
    let mut tick = ticker(period);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    app.dispatch(Msg::Tick);
    let mut frame = Frame::default();
    let mut log_failure_said = false;
    while !app.quit {
        if frame.due() {
            if guard
                .terminal
                .draw(|f| ui::render(f, &app.state, &app.view))
                .is_err()
            {
                tracing::warn!("the terminal went away; exiting");
                break;
            }
            frame.drawn();
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    app.input.push(event);
                    frame.now();
                }
                Some(Err(_)) | None => {
                    tracing::warn!("terminal input closed; exiting");
                    break;
                }
            },
            Some(msg) = rx.recv() => app.handle(msg, &mut frame),
            Some(claimed) = claims.recv() => {
                app.claimed(claimed);
                frame.now();
            }
            _ = tick.tick() => {
                if app.dispatch(Msg::Tick) {
                    frame.soon();
                }
                if let Some(why) = super::log::failure().filter(|_| !log_failure_said) {
                    log_failure_said = true;
                    app.dispatch(Msg::LogFailed(why.to_owned()));
                    frame.soon();
                }
            }
            () = tokio::time::sleep(frame.wait()), if frame.pending() => {}
            _ = sigterm.recv() => { tracing::info!("SIGTERM"); break; }
            _ = sighup.recv() => { tracing::info!("SIGHUP: terminal hung up"); break; }
        }
        app.release();
        for _ in 0..DRAIN_CAP {
            match rx.try_recv() {
                Ok(msg) => {
                    app.handle(msg, &mut frame);
                    app.release();
                }
                Err(_) => break,
            }
        }
        if tick_period(&app.state) != period {
            period = tick_period(&app.state);
            tick = ticker(period);
        }
    }
    if let Some(room) = &app.room {
        room.close("the writing console quit");
    }
    // Whatever the way out (quit, SIGTERM, SIGHUP, a lost terminal): nothing this console
    // started runs on, but the commands the commander chose to leave running.
    crate::workers::process::end_all();
    drop(guard);
    Ok(if app.take_over {
        Ending::TakeOver
    } else {
        Ending::Quit
    })
}
