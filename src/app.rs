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

/// How long a silence request waits for Alertmanager when its source sets no timeout.
const SILENCE_TIMEOUT: Duration = Duration::from_secs(10);
use crate::journal::Journal;
use crate::journal::store::Store;
use crate::journal::writer::{self as writer, Command};
use crate::msg::{Effect, Msg};
use crate::state::State;
use crate::ui::{self, View};
use crate::update::{self, update};

mod clock;
mod open;
mod screen;

pub use clock::Clock;
use open::spawn_follower;
pub use open::{Claim, Opened, actor, follow_as_viewer, resume, resume_claimed};
pub use screen::{TerminalGuard, restore_terminal};

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

struct Loop {
    /// Terminal events waiting for their turn.
    input: crate::input::Pipeline,
    /// Components probed every second after a recovery action; the incident's own silences.
    steering: crate::workers::probe::Steering,
    /// Cancel handles of the runbook commands running now.
    cancels: std::collections::BTreeMap<u64, tokio::sync::oneshot::Sender<()>>,
    tx: mpsc::Sender<Msg>,
    /// Sends notifications and recovery webhooks.
    client: reqwest::Client,
    /// The probes' clients (TLS verified and not), built once.
    probe_clients: crate::workers::probe::Clients,
    state: State,
    view: View,
    clock: Clock,
    store: Store,
    journal: std_mpsc::Sender<Command>,
    /// Writer: the room joined consoles connect to, once an incident is open.
    room: Option<crate::room::server::Room>,
    /// The room could not open (said once, not tried at every message).
    room_failed: bool,
    /// Joined console: the connection to the writer's room.
    room_client: Option<crate::room::client::Client>,
    /// Joined console: the writer left; this console starts again to take over.
    take_over: bool,
    /// The screen this console last told the room it shows.
    said_screen: Option<String>,
    quit: bool,
}

impl Loop {
    /// Hands one message to `update` and runs its effects; whether the screen must be drawn
    /// soon. A sample that leaves a component's face as it was waits for the next tick, which
    /// draws its latency and sparkline: 200 components every 10 s, or 500 queries, would
    /// otherwise draw the board ten times a second.
    fn dispatch(&mut self, msg: Msg) -> bool {
        let open = self.state.incident_open();
        if let Msg::RoomClosed(reason) = &msg
            && self.state.joined()
            && open
        {
            tracing::info!(%reason, "the room closed; taking the incident over");
            self.take_over = true;
            self.quit = true;
            return false;
        }
        if let (Msg::Tick, Some(room)) = (&msg, &self.room)
            && let Some(text) = room.keep()
        {
            self.tell(text);
        }
        // Every joined console gets the record before any answer it leads to.
        if let (Msg::Journaled(record) | Msg::PeerJournaled { record, .. }, Some(room)) =
            (&msg, &self.room)
        {
            room.broadcast(record);
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

    /// Tells the room which screen this console shows, when that changed.
    fn say_screen(&mut self) {
        let screen = self.state.ui.screen.to_string();
        if self.said_screen.as_deref() == Some(screen.as_str()) {
            return;
        }
        if let Some(room) = &self.room {
            room.screen(0, &self.state.actor, &screen);
        } else if let Some(client) = &self.room_client {
            client.screen(&screen);
        } else {
            return;
        }
        self.said_screen = Some(screen);
    }

    /// Says something about the room on screen (and in the log file) that no record tells.
    fn tell(&mut self, text: String) {
        tracing::warn!("{text}");
        self.state.ui.flash = Some(text.clone());
        update::log(&mut self.state, text, true);
    }

    /// Opens the room once this console writes an open incident.
    fn serve_room(&mut self) {
        if self.room.is_some()
            || self.room_failed
            || self.state.joined()
            || self.state.viewer().is_some()
        {
            return;
        }
        let Some(incident) = self.state.incident.as_ref().filter(|i| i.is_open()) else {
            return;
        };
        if self.state.journal != crate::state::JournalState::Writable {
            return;
        }
        let dir = self.store.dir(&incident.id);
        let (data, store) = self.store.folders();
        match crate::room::server::Room::serve(
            (data, store, &dir),
            self.state.config.room_group.clone(),
            self.tx.clone(),
        ) {
            Ok(room) => {
                tracing::info!(socket = %room.path().display(), "room open");
                self.room = Some(room);
                self.dispatch(Msg::RoomOpened);
            }
            Err(error) => {
                self.tell(format!(
                    "The room could not open in {}: {error}; others can only follow",
                    dir.display()
                ));
                self.room_failed = true;
            }
        }
    }

    /// A joined console's effects: journal writes go to the writer as requests, commands run
    /// here, and what only the writer does (sending, silences, the review file) is left to it.
    /// Returns the effect when `run` performs it.
    fn route(&mut self, effect: Effect) -> Option<Effect> {
        let Some(client) = self.room_client.as_mut() else {
            return Some(effect);
        };
        match effect {
            Effect::Append { event, .. } => {
                if !client.request(event) {
                    let result = Err("the writing console went away".to_owned());
                    self.dispatch(Msg::Answered { id: 0, result });
                }
                None
            }
            Effect::Declare { .. } => {
                let result =
                    Err("a joined console cannot declare: run your own `warroom`".to_owned());
                self.dispatch(Msg::Answered { id: 0, result });
                None
            }
            Effect::Send { .. }
            | Effect::Silence { .. }
            | Effect::FindSilence { .. }
            | Effect::ExpireSilence { .. }
            | Effect::WriteReview { .. }
            | Effect::FastProbe { .. }
            | Effect::AppendFor { .. }
            | Effect::AppendAs { .. } => None,
            effect => Some(effect),
        }
    }

    fn run(&mut self, effect: Effect) {
        let Some(effect) = self.route(effect) else {
            return;
        };
        if self.state.viewer().is_some()
            && !matches!(
                effect,
                Effect::Quit | Effect::Clock { .. } | Effect::Seek { .. }
            )
        {
            tracing::warn!(?effect, "a read-only console dropped an effect");
            return;
        }
        let writes = effect.writes_journal() || matches!(effect, Effect::AppendFor { .. });
        if !writes {
            self.perform(effect);
        } else if let Some(command) = self.journal_command(effect)
            && self.journal.send(command).is_err()
        {
            self.dispatch(Msg::JournalFailed("the journal writer stopped".into()));
        }
    }

    /// The journal writer's command for an effect that writes the journal.
    fn journal_command(&self, effect: Effect) -> Option<Command> {
        Some(match effect {
            Effect::Declare { id, at, event } => Command::Create {
                dir: self.store.dir(&id),
                at,
                actor: self.state.actor.clone(),
                event,
            },
            Effect::Append { at, event } => Command::Append {
                at,
                actor: self.state.actor.clone(),
                event,
                peer: None,
            },
            Effect::AppendAs { at, event, actor } => Command::Append {
                at,
                actor,
                event,
                peer: None,
            },
            Effect::AppendFor { at, event, peer } => Command::Append {
                at,
                actor: peer.actor.clone(),
                event,
                peer: Some(peer),
            },
            _ => return None,
        })
    }

    /// Performs an effect that is not a journal write.
    fn perform(&mut self, effect: Effect) {
        match effect {
            effect @ (Effect::Declare { .. }
            | Effect::Append { .. }
            | Effect::AppendAs { .. }
            | Effect::AppendFor { .. }) => {
                tracing::error!(?effect, "a journal write reached `perform`; dropped");
            }
            Effect::Quit => self.quit = true,
            Effect::Clock { paused, speed } => self.clock.set(paused, speed),
            Effect::Seek { to } => self.clock.seek(to),
            Effect::Answer { conn, reply } => {
                if let Some(room) = &self.room {
                    room.answer(conn, &reply);
                }
            }
            Effect::Welcome { conn, actor, after } => {
                if let Some(room) = &self.room {
                    let from = self.state.records.partition_point(|r| r.seq <= after);
                    room.welcome(conn, &actor, &self.state.records[from..]);
                }
            }
            Effect::Run {
                started,
                runbook,
                step,
                component,
                script,
                timeout,
            } => {
                self.spawn_run(started, &runbook, step, component, script, timeout);
            }
            Effect::WriteReview { text } => {
                if let Some(incident) = &self.state.incident {
                    let path = self.store.dir(&incident.id).join("review.md");
                    // Off the UI task: a slow disk never stalls the screen.
                    tokio::task::spawn_blocking(move || write_review(&path, &text));
                }
            }
            Effect::FastProbe { component } => {
                self.steering.fast.start(component, Duration::from_mins(1));
            }
            Effect::Recover {
                started,
                component,
                action,
            } => {
                self.spawn_recovery(started, component, action);
            }
            Effect::CancelRun { started } => {
                if let Some(cancel) = self.cancels.remove(&started) {
                    let _ = cancel.send(());
                }
            }
            effect @ (Effect::Silence { .. }
            | Effect::FindSilence { .. }
            | Effect::ExpireSilence { .. }) => {
                self.run_silence(effect);
            }
            Effect::Send {
                queued,
                channel,
                payload,
            } => {
                let (client, notify, tx) = (
                    self.client.clone(),
                    self.state.config.notify.clone(),
                    self.tx.clone(),
                );
                tokio::spawn(async move {
                    let result =
                        crate::workers::notify::deliver(&client, &notify, channel, payload).await;
                    let _ = tx.send(Msg::Delivered { queued, result }).await;
                });
            }
        }
    }

    /// Creates, looks up or expires a silence off the UI task.
    fn run_silence(&self, effect: Effect) {
        match effect {
            Effect::Silence {
                requested,
                source,
                body,
            } => self.ask_alertmanager(
                &source,
                move |client, endpoint| async move {
                    let result = crate::workers::silence::create(&client, &endpoint, &body).await;
                    Msg::Silenced { requested, result }
                },
                move |error| Msg::Silenced {
                    requested,
                    result: Err(error),
                },
            ),
            Effect::FindSilence {
                requested,
                source,
                sought,
            } => self.ask_alertmanager(
                &source,
                move |client, endpoint| async move {
                    let result = crate::workers::silence::find(&client, &endpoint, &sought).await;
                    Msg::SilenceFound { requested, result }
                },
                move |error| Msg::SilenceFound {
                    requested,
                    result: Err(error),
                },
            ),
            Effect::ExpireSilence { source, id } => {
                let again = id.clone();
                self.ask_alertmanager(
                    &source,
                    move |client, endpoint| async move {
                        let result = crate::workers::silence::expire(&client, &endpoint, &id).await;
                        Msg::SilenceExpired { id, result }
                    },
                    move |error| Msg::SilenceExpired {
                        id: again,
                        result: Err(error),
                    },
                );
            }
            _ => {}
        }
    }

    /// Runs one request to Alertmanager `source` off the UI task, bounded by the source's
    /// timeout; its answer comes back as the message `ask` makes, or `failed` says why not.
    fn ask_alertmanager<F, Fut>(
        &self,
        source: &str,
        ask: F,
        failed: impl FnOnce(String) -> Msg + Send + 'static,
    ) where
        F: FnOnce(reqwest::Client, crate::config::sources::Endpoint) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Msg> + Send,
    {
        let tx = self.tx.clone();
        let Some(endpoint) = self
            .state
            .config
            .sources
            .alertmanager
            .iter()
            .find(|e| e.name == source)
            .cloned()
        else {
            let error = format!("the config names no Alertmanager `{source}`");
            tokio::spawn(async move {
                let _ = tx.send(failed(error)).await;
            });
            return;
        };
        let client = self.probe_clients.for_tls(endpoint.tls_verify).clone();
        let timeout = endpoint.timeout.unwrap_or(SILENCE_TIMEOUT);
        let name = endpoint.name.clone();
        tokio::spawn(async move {
            let msg = match tokio::time::timeout(timeout, ask(client, endpoint)).await {
                Ok(msg) => msg,
                Err(_) => failed(format!(
                    "Alertmanager `{name}` did not answer within {} (it may still have acted: look there)",
                    humantime::format_duration(timeout)
                )),
            };
            let _ = tx.send(msg).await;
        });
    }

    /// The open incident's id (empty without one).
    fn incident_id(&self) -> String {
        self.state
            .incident
            .as_ref()
            .map(|i| i.id.clone())
            .unwrap_or_default()
    }

    fn spawn_recovery(&mut self, started: u64, component: usize, action: usize) {
        let c = &self.state.config.components[component];
        let Some(recovery) = c.recovery.get(action).cloned() else {
            return;
        };
        match recovery.kind {
            crate::config::RecoveryKind::Command(script) => {
                let id = c.id.clone();
                self.spawn_run(started, "recovery", action, id, script, recovery.timeout);
            }
            crate::config::RecoveryKind::Webhook(url) => {
                let incident = self.incident_id();
                let payload = serde_json::json!({ "incident": incident, "component": c.id, "action": recovery.name });
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let outcome = crate::workers::notify::post_action(
                        &client,
                        &url,
                        &payload,
                        recovery.timeout,
                    )
                    .await;
                    let _ = tx.send(Msg::RunFinished { started, outcome }).await;
                });
            }
        }
    }

    fn spawn_run(
        &mut self,
        started: u64,
        runbook: &str,
        step: usize,
        component: String,
        script: String,
        timeout: Duration,
    ) {
        let incident = self.incident_id();
        let env = [
            ("WARROOM_INCIDENT_ID", incident.clone()),
            ("WARROOM_COMPONENT", component),
            ("WARROOM_RUNBOOK", runbook.to_owned()),
            ("WARROOM_STEP", (step + 1).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let runs = self.store.dir(&incident).join("runs");
        let log = crate::journal::create_private_dir(&runs)
            .ok()
            .map(|()| runs.join(format!("{started}.log")));
        let cwd = self.state.config.runbook_workdir.clone();
        let job = crate::workers::process::Job {
            script,
            env,
            cwd,
            timeout,
            log,
        };
        let (cancel, cancelled) = tokio::sync::oneshot::channel();
        self.cancels.insert(started, cancel);
        let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(64);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let forward = tx.clone();
            let relay = tokio::spawn(async move {
                while let Some(chunk) = out_rx.recv().await {
                    let text = String::from_utf8_lossy(&chunk).into_owned();
                    if forward
                        .send(Msg::RunOutput { started, text })
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
            let outcome = crate::workers::process::run(job, out_tx, cancelled).await;
            let _ = relay.await;
            let _ = tx.send(Msg::RunFinished { started, outcome }).await;
        });
    }
}

/// Writes the saved review to `review.md` (the journal already holds it).
fn write_review(path: &std::path::Path, text: &str) {
    let written = crate::journal::open_private_file(path, false)
        .map_err(|e| e.to_string())
        .and_then(|mut f| {
            f.set_len(0)
                .and_then(|()| std::io::Write::write_all(&mut f, text.as_bytes()))
                .map_err(|e| e.to_string())
        });
    if let Err(error) = written {
        tracing::warn!(%error, "review.md not written");
    }
}

/// Starts one task per backup stream with a real source, reading it on its interval.
fn spawn_recovery_points(app: &Loop, now: &crate::workers::probe::Now) {
    for (index, component) in app.state.config.components.iter().enumerate() {
        for (stream, backup) in component.backups.iter().enumerate() {
            if matches!(
                backup.point.source,
                crate::config::notify::PointSource::Sim { .. }
            ) {
                continue;
            }
            let (client, tx, now, point) = (
                app.probe_clients.for_point(&backup.point.source).clone(),
                app.tx.clone(),
                std::sync::Arc::clone(now),
                backup.point.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let reading = crate::workers::notify::read_point(&client, &point, now()).await;
                    let msg = Msg::RecoveryPoint {
                        index,
                        stream,
                        reading,
                    };
                    if tx.send(msg).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(point.interval).await;
                }
            });
        }
    }
}

/// Starts the probes and recovery-point readers (none for a console that only shows).
fn spawn_probes(app: &Loop, tx: mpsc::Sender<Msg>) -> Vec<tokio::task::JoinHandle<()>> {
    if app.state.viewer().is_some() {
        return Vec::new();
    }
    let clock = app.clock.clone();
    let now: crate::workers::probe::Now = std::sync::Arc::new(move || clock.now());
    spawn_recovery_points(app, &now);
    let probes = app
        .state
        .config
        .components
        .iter()
        .enumerate()
        .map(|(i, c)| (i, c.probe.clone()))
        .collect();
    crate::workers::probe::spawn_steered(
        probes,
        (app.state.config.probe_concurrency, &app.probe_clients),
        now,
        tx,
        &app.steering,
    )
}

/// How often time is fed to `update`: once a second of drill time, at most four times a second
/// (a drill or replay at 10x still fires its injects within a quarter second of theirs).
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
        tx: mpsc::Sender<Msg>,
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
            room_failed: false,
            room_client: None,
            take_over: false,
            said_screen: None,
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
    let tx_probe = tx.clone();
    let mut app = Loop::start(options, journal, tx)?;
    let _probes = spawn_probes(&app, tx_probe);
    let mut guard = TerminalGuard::enter()?;
    let mut events = EventStream::new();
    let mut period = tick_period(&app.state);
    let mut tick = ticker(period);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    app.dispatch(Msg::Tick);
    let mut frame = Frame::default();
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
            _ = tick.tick() => {
                if app.dispatch(Msg::Tick) {
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
    drop(guard);
    Ok(if app.take_over {
        Ending::TakeOver
    } else {
        Ending::Quit
    })
}
