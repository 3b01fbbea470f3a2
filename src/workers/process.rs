//! The command runner: `sh -c` (or the script's shell) in its own process group, context in the
//! environment, a deadline (SIGTERM to the group, SIGKILL after a grace), output streamed back in
//! bounded pieces and saved (capped) to a file, and cancel. A grandchild holding the pipe cannot
//! hang it. What a command leaves running when it exits normally (`nohup daemon &`, a double
//! fork) is the user's and outlives it; its group is ended on timeout, cancel and quit.
//!
//! Every live process group (steps and probes) is registered here, so the console ends them all
//! when it exits, whatever the way out (quit, SIGTERM, SIGHUP, a lost terminal).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, oneshot};

/// Output kept in the saved log file; the rest is counted as dropped.
pub const SAVED_CAP: usize = 1024 * 1024;
/// Time between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(3);
/// Bytes of output kept for the journal's tail.
pub const TAIL: usize = 2048;

/// What to run.
#[derive(Debug, Clone)]
pub struct Job {
    /// The program that runs the script with `-c` (`sh`, `bash`, `zsh`, ...).
    pub shell: String,
    pub script: String,
    /// Context passed as environment variables, never spliced into the script.
    pub env: BTreeMap<String, String>,
    pub cwd: Option<PathBuf>,
    pub timeout: Duration,
    /// Where the output is saved (capped), if anywhere.
    pub log: Option<PathBuf>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    /// Killed by a signal (after a timeout or a cancel, or from outside).
    Signalled,
    TimedOut,
    Cancelled,
    /// It could not be started.
    NotStarted(String),
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ending: Ending,
    pub duration: Duration,
    /// The last bytes of output (lossy UTF-8, raw: sanitise before display).
    pub tail: String,
    /// Output bytes not saved to the log file.
    pub dropped: u64,
    pub total: u64,
}

impl Outcome {
    /// True for a clean exit 0.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.ending == Ending::Exited(0)
    }
}

/// What a registered process group is: a step's command or a probe's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Step,
    Probe,
}

/// The process groups running now.
static GROUPS: std::sync::Mutex<BTreeMap<i32, Group>> = std::sync::Mutex::new(BTreeMap::new());

fn groups() -> std::sync::MutexGuard<'static, BTreeMap<i32, Group>> {
    GROUPS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Registers a running process group, to be ended when the console exits.
pub fn register(pid: Option<u32>, kind: Group) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        groups().insert(pid, kind);
    }
}

/// Forgets a process group: its command ended (what it left running is the user's).
pub fn forget(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        groups().remove(&pid);
    }
}

/// Forgets the steps' process groups: the commander chose to leave them running at quit.
pub fn leave_steps() {
    groups().retain(|_, kind| *kind != Group::Step);
}

/// Ends every registered process group (SIGKILL). Called once, as the console exits.
pub fn end_all() {
    let mut groups = groups();
    for pid in groups.keys() {
        let _ = killpg(Pid::from_raw(*pid), Signal::SIGKILL);
    }
    groups.clear();
}

/// Ends a process group at once (SIGKILL) and forgets it.
pub fn end_group(pid: Option<u32>) {
    signal_group(pid, Signal::SIGKILL);
    forget(pid);
}

fn signal_group(pid: Option<u32>, signal: Signal) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        let _ = killpg(Pid::from_raw(pid), signal);
    }
}

struct Sink {
    file: Option<std::fs::File>,
    saved: usize,
    dropped: u64,
    total: u64,
    tail: Vec<u8>,
}

impl Sink {
    fn take(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = SAVED_CAP.saturating_sub(self.saved).min(bytes.len());
        if let Some(file) = self.file.as_mut()
            && file.write_all(&bytes[..room]).is_err()
        {
            self.file = None;
        }
        self.saved += room;
        self.dropped += (bytes.len() - room) as u64;
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > TAIL {
            self.tail.drain(..self.tail.len() - TAIL);
        }
    }
}

type Stream = Box<dyn tokio::io::AsyncRead + Unpin + Send>;

fn spawn(job: &Job) -> std::io::Result<(tokio::process::Child, mpsc::Receiver<Vec<u8>>)> {
    let mut command = tokio::process::Command::new(&job.shell);
    command
        .arg("-c")
        .arg(&job.script)
        .envs(&job.env)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        // Never killed on drop: a command the user leaves running at quit runs on.
        .process_group(0);
    if let Some(cwd) = &job.cwd {
        command.current_dir(cwd);
    }
    let mut child = command.spawn()?;
    register(child.id(), Group::Step);
    let (tx, rx) = mpsc::channel::<Vec<u8>>(64);
    let stdout = child.stdout.take().map(|s| Box::new(s) as Stream);
    let stderr = child.stderr.take().map(|s| Box::new(s) as Stream);
    for mut stream in [stdout, stderr].into_iter().flatten() {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut following = true;
            // Read to the end even once nobody follows: a daemon the command left running keeps
            // writing to this pipe, and a closed pipe would kill it (SIGPIPE).
            while let Ok(n) = stream.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                following = following && tx.send(buf[..n].to_vec()).await.is_ok();
            }
        });
    }
    Ok((child, rx))
}

/// Waits for the child while passing its output on; ends it at the deadline or on cancel.
async fn supervise(
    child: &mut tokio::process::Child,
    rx: &mut mpsc::Receiver<Vec<u8>>,
    sink: &mut Sink,
    output: &mpsc::Sender<Vec<u8>>,
    timeout: Duration,
    mut cancel: oneshot::Receiver<()>,
) -> (Option<Ending>, Option<std::process::ExitStatus>) {
    let pid = child.id();
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut reason = None;
    loop {
        tokio::select! {
            status = child.wait() => return (reason, status.ok()),
            Some(chunk) = rx.recv() => {
                sink.take(&chunk);
                let _ = output.try_send(chunk);
            }
            () = &mut deadline => {
                let (signal, next) = if reason.is_none() { (Signal::SIGTERM, GRACE) } else { (Signal::SIGKILL, Duration::from_hours(1)) };
                reason.get_or_insert(Ending::TimedOut);
                signal_group(pid, signal);
                deadline.as_mut().reset(tokio::time::Instant::now() + next);
            }
            Ok(()) = &mut cancel, if reason.is_none() => {
                reason = Some(Ending::Cancelled);
                signal_group(pid, Signal::SIGTERM);
                deadline.as_mut().reset(tokio::time::Instant::now() + GRACE);
            }
        }
    }
}

/// Runs a job to its end. Output chunks go to `output` as they come (dropped when the receiver
/// is full, so a flood never stalls the command); `cancel` ends it early.
pub async fn run(
    job: Job,
    output: mpsc::Sender<Vec<u8>>,
    cancel: oneshot::Receiver<()>,
) -> Outcome {
    let started = Instant::now();
    let file = job
        .log
        .as_ref()
        .and_then(|p| crate::journal::open_private_file(p, false).ok());
    let mut sink = Sink {
        file,
        saved: 0,
        dropped: 0,
        total: 0,
        tail: Vec::new(),
    };
    let (mut child, mut rx) = match spawn(&job) {
        Ok(spawned) => spawned,
        Err(e) => {
            let ending = Ending::NotStarted(e.to_string());
            return Outcome {
                ending,
                duration: started.elapsed(),
                tail: String::new(),
                dropped: 0,
                total: 0,
            };
        }
    };
    // The group's id is the shell's pid, read now: once the shell is reaped `child.id()` is gone.
    let group = child.id();
    let (reason, status) =
        supervise(&mut child, &mut rx, &mut sink, &output, job.timeout, cancel).await;
    // Timed out or cancelled: nothing of the group may run on. Exited by itself: what it left
    // running (`nohup daemon &`) is what the user meant.
    if reason.is_some() {
        end_group(group);
    } else {
        forget(group);
    }
    let drain_until = tokio::time::Instant::now() + Duration::from_millis(200);
    while let Ok(Some(chunk)) = tokio::time::timeout_at(drain_until, rx.recv()).await {
        sink.take(&chunk);
        let _ = output.try_send(chunk);
    }
    let ending = match (reason, status.and_then(|s| s.code())) {
        (Some(reason), _) => reason,
        (None, Some(code)) => Ending::Exited(code),
        (None, None) => Ending::Signalled,
    };
    Outcome {
        ending,
        duration: started.elapsed(),
        tail: String::from_utf8_lossy(&sink.tail).into_owned(),
        dropped: sink.dropped,
        total: sink.total,
    }
}
