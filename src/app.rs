//! The loop: one task owns the terminal; keys, worker messages and a 1 Hz tick become `Msg`s;
//! `update` decides, the effects run, and the screen is drawn when something changed.

use std::io::{self, Stdout};
use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use crossterm::event::{Event as TermEvent, EventStream, KeyEvent, KeyEventKind};
use crossterm::{cursor, event, execute, terminal};
use futures_util::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use crate::domain::drill::DrillClock;
use crate::domain::event::Record;
use crate::domain::world::Scenario;
use crate::journal::{Journal, JournalError, Recovery};
use crate::keymap::Key;
use crate::msg::{Effect, Msg};
use crate::state::{JournalState, State, Viewer};
use crate::store::Store;
use crate::ui::{self, View};
use crate::update::{self, update};
use crate::workers::journal::{self as writer, Command};

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

/// The console's clock: wall time, or drill time that can be paused, sped up and moved.
/// Shared with the probe workers, which stamp their samples with it.
#[derive(Debug, Clone)]
pub struct Clock {
    epoch: Instant,
    drill: Arc<Mutex<DrillClock>>,
}

impl Clock {
    /// A clock starting now, or at `not_before` if that is later (an accelerated drill's journal
    /// can be ahead of the wall clock; time must never run backwards for it).
    #[must_use]
    pub fn new(speed: f64, not_before: Option<DateTime<Utc>>) -> Self {
        let start = not_before.map_or_else(Utc::now, |t| t.max(Utc::now()));
        Self::starting_at(start, speed)
    }

    /// A clock that shows `start` now (a replay starts at the journal's first record).
    #[must_use]
    pub fn starting_at(start: DateTime<Utc>, speed: f64) -> Self {
        Self {
            epoch: Instant::now(),
            drill: Arc::new(Mutex::new(DrillClock::new(start, speed, Duration::ZERO))),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut DrillClock, Duration) -> T) -> T {
        let wall = self.epoch.elapsed();
        let mut clock = self
            .drill
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut clock, wall)
    }

    /// The domain's `now`.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.with(|c, wall| c.now(wall))
    }

    fn set(&self, paused: bool, speed: f64) {
        self.with(|c, wall| {
            c.set_speed(speed, wall);
            c.set_paused(paused, wall);
        });
    }

    fn seek(&self, to: DateTime<Utc>) {
        self.with(|c, wall| c.seek(to, wall));
    }
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
}

/// Puts the terminal back as it was: on drop, on panic and on signals.
pub struct TerminalGuard {
    /// Never dropped: ratatui's own drop prints to stderr, which panics once the terminal is gone.
    /// `restore_terminal` shows the cursor instead.
    pub terminal: ManuallyDrop<Terminal<CrosstermBackend<Stdout>>>,
}

impl TerminalGuard {
    pub fn enter() -> anyhow::Result<Self> {
        terminal::enable_raw_mode()
            .context("cannot put the terminal in raw mode (is this a terminal?)")?;
        let mut stdout = io::stdout();
        execute!(
            stdout,
            terminal::EnterAlternateScreen,
            event::EnableBracketedPaste,
            cursor::Hide
        )?;
        let terminal = Terminal::new(CrosstermBackend::new(stdout))?;
        Ok(Self {
            terminal: ManuallyDrop::new(terminal),
        })
    }
}

/// Restores the terminal; safe to call more than once.
pub fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// What `resume` opened: the journal to write to, or the journal to follow.
#[derive(Default)]
pub struct Opened {
    pub journal: Option<Journal>,
    pub follow: Option<PathBuf>,
}

/// Opens the latest open incident of the store into the state: for writing, or, when another
/// console holds it, as a follower.
pub fn resume(store: &Store, state: &mut State) -> Opened {
    let Some(summary) = store.latest_open() else {
        return Opened::default();
    };
    let mut follow = None;
    let (journal, records) = match Journal::open(&summary.path) {
        Ok((journal, records, recovery)) => {
            note_recovery(state, &recovery);
            (Some(journal), records)
        }
        Err(JournalError::Locked { path }) => {
            follow_as_viewer(state, &path);
            follow = Some(path);
            (
                None,
                Journal::read(&summary.path)
                    .map(|s| s.records)
                    .unwrap_or_default(),
            )
        }
        Err(error) => {
            state.journal = JournalState::ReadOnly(error.to_string());
            (
                None,
                Journal::read(&summary.path)
                    .map(|s| s.records)
                    .unwrap_or_default(),
            )
        }
    };
    if let Err(error) = update::resume(state, records) {
        update::log(state, format!("{}: {error}", summary.path.display()), true);
        return Opened::default();
    }
    Opened { journal, follow }
}

/// Makes the console a follower of the journal at `path`: it shows, and never writes.
pub fn follow_as_viewer(state: &mut State, path: &std::path::Path) {
    state.viewer = Some(Viewer::Follow);
    state.journal = JournalState::ReadOnly(format!(
        "following {} read-only; the writing console makes the changes",
        path.display()
    ));
}

/// Tails a journal: every 200 ms, records past the last one seen go to the loop.
fn spawn_follower(path: PathBuf, mut last: u64, tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let mut size = 0;
        loop {
            let now_size = std::fs::metadata(&path).map_or(0, |m| m.len());
            if now_size != size {
                size = now_size;
                let records: Vec<Record> = Journal::read(&path)
                    .map(|scan| scan.records)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|r| r.seq > last)
                    .collect();
                if let Some(newest) = records.last() {
                    last = newest.seq;
                    if tx.send(Msg::Followed(records)).await.is_err() {
                        return;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
}

fn note_recovery(state: &mut State, recovery: &Recovery) {
    match recovery {
        Recovery::Clean => {}
        Recovery::TailRepaired { fault, copy, bytes } => {
            let text = format!(
                "Journal repaired: a torn tail at {fault} ({bytes} bytes) was moved to {}",
                copy.display()
            );
            tracing::warn!("{text}");
            update::log(state, text, true);
        }
        Recovery::ReadOnly { fault } => {
            let text = format!("journal damaged at {fault}; opened read-only and left untouched");
            tracing::error!("{text}");
            state.journal = JournalState::ReadOnly(text);
        }
    }
}

/// Who is at the keyboard: `$USER@host`.
#[must_use]
pub fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map_or_else(|_| "localhost".into(), |h| h.trim().to_owned());
    format!("{user}@{host}")
}

/// The login name of this process's user, from `/etc/passwd`.
fn user_from_passwd() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.get(2) == Some(&uid.as_str())).then(|| fields[0].to_owned())
    })
}

struct Loop {
    review_serial: u64,
    /// Components probed every second after a recovery action.
    fast: crate::workers::probe::FastProbes,
    /// Cancel handles of the runbook commands running now.
    cancels: std::collections::BTreeMap<u64, tokio::sync::oneshot::Sender<()>>,
    tx: mpsc::Sender<Msg>,
    client: reqwest::Client,
    state: State,
    view: View,
    clock: Clock,
    store: Store,
    journal: std_mpsc::Sender<Command>,
    text_serial: u64,
    quit: bool,
}

impl Loop {
    fn dispatch(&mut self, msg: Msg) {
        let effects = update(&mut self.state, msg, self.clock.now());
        for effect in effects {
            self.run(effect);
        }
        let review_serial = self.state.ui.review.as_ref().map_or(0, |r| r.serial);
        if review_serial != self.review_serial {
            self.review_serial = review_serial;
            let text = self
                .state
                .ui
                .review
                .as_ref()
                .map(|r| r.text.clone())
                .unwrap_or_default();
            self.view.set_editor(&text);
        }
        if self.state.ui.text_serial != self.text_serial {
            self.text_serial = self.state.ui.text_serial;
            self.view
                .set_input(self.state.input_text().unwrap_or_default());
        }
    }

    fn run(&mut self, effect: Effect) {
        let actor = self.state.actor.clone();
        if self.state.viewer.is_some()
            && !matches!(
                effect,
                Effect::Quit | Effect::Clock { .. } | Effect::Seek { .. }
            )
        {
            tracing::warn!(?effect, "a read-only console dropped an effect");
            return;
        }
        let command = match effect {
            Effect::Quit => {
                self.quit = true;
                return;
            }
            Effect::Clock { paused, speed } => {
                self.clock.set(paused, speed);
                return;
            }
            Effect::Seek { to } => {
                self.clock.seek(to);
                return;
            }
            Effect::Declare { id, at, event } => Command::Create {
                dir: self.store.dir(&id),
                at,
                actor,
                event,
            },
            Effect::Append { at, event } => Command::Append { at, actor, event },
            Effect::Run {
                started,
                runbook,
                step,
                component,
                script,
                timeout,
            } => {
                self.spawn_run(started, &runbook, step, component, script, timeout);
                return;
            }
            Effect::WriteReview { text } => {
                if let Some(incident) = &self.state.incident {
                    let path = self.store.dir(&incident.id).join("review.md");
                    let written = crate::journal::open_private_file(&path, false)
                        .map_err(|e| e.to_string())
                        .and_then(|f| f.set_len(0).map(|()| f).map_err(|e| e.to_string()))
                        .and_then(|mut f| {
                            std::io::Write::write_all(&mut f, text.as_bytes())
                                .map_err(|e| e.to_string())
                        });
                    if let Err(error) = written {
                        tracing::warn!(%error, "review.md not written");
                    }
                }
                return;
            }
            Effect::FastProbe { component } => {
                self.fast.start(component, Duration::from_mins(1));
                return;
            }
            Effect::Recover {
                started,
                component,
                action,
            } => {
                self.spawn_recovery(started, component, action);
                return;
            }
            Effect::CancelRun { started } => {
                if let Some(cancel) = self.cancels.remove(&started) {
                    let _ = cancel.send(());
                }
                return;
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
                return;
            }
        };
        if self.journal.send(command).is_err() {
            self.dispatch(Msg::JournalFailed("the journal writer stopped".into()));
        }
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

    fn on_terminal(&mut self, event: TermEvent) {
        match event {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            TermEvent::Paste(text)
                if self.state.key_contexts() == [crate::keymap::Context::Editor] =>
            {
                self.view.editor.insert_str(text);
                let text = self.view.editor.lines().join("\n");
                self.dispatch(Msg::ReviewEdited(text));
            }
            TermEvent::Paste(text) if self.state.input_text().is_some() => {
                self.view.input.insert_str(text.replace(['\n', '\r'], " "));
                self.dispatch(Msg::Input(self.view.input_text()));
            }
            TermEvent::Resize(..) => self.dispatch(Msg::Resize),
            _ => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        let editing = self.state.ui.review.as_ref().is_some_and(|r| r.editing)
            && self.state.key_contexts() == [crate::keymap::Context::Editor];
        if editing
            && self
                .state
                .keymap
                .lookup(&self.state.key_contexts(), Key::from(key))
                .is_none()
        {
            self.view.editor.input(key);
            let text = self.view.editor.lines().join("\n");
            self.dispatch(Msg::ReviewEdited(text));
            return;
        }
        if let Some(action) = self
            .state
            .keymap
            .lookup(&self.state.key_contexts(), Key::from(key))
        {
            self.dispatch(Msg::Action(action));
        } else if let Some(before) = self.state.input_text().map(str::to_owned) {
            let readline_kill = key.code == event::KeyCode::Char('u')
                && key.modifiers == event::KeyModifiers::CONTROL;
            if readline_kill {
                self.view.input.delete_line_by_head();
            } else {
                self.view.input.input(key);
            }
            let after = self.view.input_text();
            if after != before {
                self.dispatch(Msg::Input(after));
            }
        }
    }
}

/// Starts one task per component with a real recovery-point source, reading it on its interval.
fn spawn_recovery_points(app: &Loop, now: &crate::workers::probe::Now) {
    for (index, component) in app.state.config.components.iter().enumerate() {
        let Some(point) = component.recovery_point.clone() else {
            continue;
        };
        if matches!(point.source, crate::config::notify::PointSource::Sim { .. }) {
            continue;
        }
        let (client, tx, now) = (
            app.client.clone(),
            app.tx.clone(),
            std::sync::Arc::clone(now),
        );
        tokio::spawn(async move {
            loop {
                let reading = crate::workers::notify::read_point(&client, &point, now()).await;
                if tx
                    .send(Msg::RecoveryPoint { index, reading })
                    .await
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(point.interval).await;
            }
        });
    }
}

/// Starts the probes and recovery-point readers (none for a console that only shows).
fn spawn_probes(app: &Loop, tx: mpsc::Sender<Msg>) -> Vec<tokio::task::JoinHandle<()>> {
    if app.state.viewer.is_some() {
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
    crate::workers::probe::spawn_with_fast(
        probes,
        app.state.config.probe_concurrency,
        now,
        tx,
        &app.fast,
    )
}

/// How often time is fed to `update`: once a second of drill time, at most four times a second
/// (a drill or replay at 10x still fires its injects within a quarter second of theirs).
fn tick_period(state: &State) -> Duration {
    let clocked = state.drill.is_some() || state.player.is_some();
    let speed = if clocked { state.speed.max(1.0) } else { 1.0 };
    Duration::from_secs_f64(1.0 / speed).max(Duration::from_millis(250))
}

fn ticker(period: Duration) -> tokio::time::Interval {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    tick
}

/// Runs the console until the user quits, the terminal goes away, or SIGTERM/SIGHUP arrives.
pub async fn run(options: Options, journal: Option<Journal>) -> anyhow::Result<()> {
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let tx_probe = tx.clone();
    let mut app = Loop {
        review_serial: 0,
        fast: crate::workers::probe::FastProbes::default(),
        cancels: std::collections::BTreeMap::new(),
        tx: tx.clone(),
        client: crate::workers::probe::client_builder(true)
            .build()
            .unwrap_or_default(),
        journal: writer::spawn(journal, tx.clone()),
        clock: options.clock,
        state: options.state,
        view: options.view,
        store: options.store,
        text_serial: u64::MAX,
        quit: false,
    };
    if let Some(scenario) = options.scenario.filter(|_| app.state.viewer.is_none()) {
        update::drill::start(&mut app.state, scenario, app.clock.now());
    }
    if let Some(path) = options.follow {
        let last = app.state.records.last().map_or(0, |r| r.seq);
        spawn_follower(path, last, tx);
    }
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
                    app.on_terminal(event);
                    frame.now();
                }
                Some(Err(_)) | None => {
                    tracing::warn!("terminal input closed; exiting");
                    break;
                }
            },
            Some(msg) = rx.recv() => {
                app.dispatch(msg);
                frame.soon();
            }
            _ = tick.tick() => {
                app.dispatch(Msg::Tick);
                frame.soon();
            }
            () = tokio::time::sleep(frame.wait()), if frame.pending() => {}
            _ = sigterm.recv() => { tracing::info!("SIGTERM"); break; }
            _ = sighup.recv() => { tracing::info!("SIGHUP: terminal hung up"); break; }
        }
        for _ in 0..DRAIN_CAP {
            match rx.try_recv() {
                Ok(msg) => app.dispatch(msg),
                Err(_) => break,
            }
        }
        if tick_period(&app.state) != period {
            period = tick_period(&app.state);
            tick = ticker(period);
        }
    }
    drop(guard);
    Ok(())
}
