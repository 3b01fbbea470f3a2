//! The real binary in a pseudo-terminal, its screen read back through vt100.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Session {
    pub child: Box<dyn Child + Send + Sync>,
    pub writer: Option<Box<dyn Write + Send>>,
    /// Tells the reader thread to let go of its end of the terminal.
    pub hang_up: Arc<AtomicBool>,
    pub master: Option<Box<dyn MasterPty + Send>>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    pub fn start(data: &Path, size: (u16, u16), args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_warroom"));
        cmd.args(args);
        Self::spawn(cmd, data, size, env)
    }

    /// The binary run as another Unix user (`setpriv`, as root), with that user's groups.
    pub fn start_as(user: &str, data: &Path, size: (u16, u16), args: &[&str]) -> Self {
        let mut cmd = CommandBuilder::new("setpriv");
        cmd.args(as_user(user));
        cmd.arg(shared_binary());
        cmd.args(args);
        cmd.env("HOME", std::env::temp_dir());
        Self::spawn(cmd, data, size, &[("USER", user)])
    }

    fn spawn(mut cmd: CommandBuilder, data: &Path, size: (u16, u16), env: &[(&str, &str)]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: size.1,
                cols: size.0,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        cmd.cwd(data);
        cmd.env_remove("NO_COLOR");
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "C.UTF-8");
        cmd.env("USER", "tester");
        cmd.env("WARROOM_DATA_DIR", data);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("warroom starts");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(size.1, size.0, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let hang_up = Arc::new(AtomicBool::new(false));
        let (screen_in, raw_in, stop) =
            (Arc::clone(&screen), Arc::clone(&raw), Arc::clone(&hang_up));
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || stop.load(Ordering::SeqCst) {
                    break;
                }
                screen_in.lock().unwrap().process(&buf[..n]);
                raw_in.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Self {
            child,
            writer: Some(writer),
            hang_up,
            master: Some(pty.master),
            screen,
            raw,
        }
    }

    pub fn demo(data: &Path) -> Self {
        Self::start(data, (80, 24), &["demo", "--speed", "10"], &[])
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let contents = self.contents();
            if contents.contains(needle) {
                return contents;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} never appeared; the screen shows:\n{contents}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen no longer shows `needle`.
    pub fn wait_gone(&self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.contents().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "{needle:?} never went away; the screen shows:\n{}",
                self.contents()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Writes keys in one go, with no pause (type-ahead over SSH, a paste, `tmux send-keys`).
    pub fn burst(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(keys.as_bytes()).unwrap();
        writer.flush().unwrap();
    }

    /// Waits for `goal`, pressing Enter each time the screen asks with `question` meanwhile (a
    /// confirmation that only some set-ups raise).
    pub fn wait_answering(&mut self, goal: &str, question: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let contents = self.contents();
            if contents.contains(goal) {
                return contents;
            }
            if contents.contains(question) {
                self.send(ENTER);
                self.wait_gone(question);
            }
            assert!(
                Instant::now() < deadline,
                "{goal:?} never appeared; the screen shows:\n{contents}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for a screen line that holds every one of `parts`.
    pub fn wait_for_row(&self, parts: &[&str]) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let contents = self.contents();
            if contents
                .lines()
                .any(|line| parts.iter().all(|p| line.contains(p)))
            {
                return contents;
            }
            assert!(
                Instant::now() < deadline,
                "no row with {parts:?}; the screen shows:\n{contents}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn send(&mut self, keys: &str) {
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(keys.as_bytes()).unwrap();
        writer.flush().unwrap();
        thread::sleep(Duration::from_millis(150));
    }

    pub fn wait_exit(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn kill9(&mut self) {
        let pid = self.child.process_id().unwrap().to_string();
        let status = std::process::Command::new("kill")
            .args(["-9", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(self.wait_exit());
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const UP: &str = "\x1b[A";
pub const DOWN: &str = "\x1b[B";
pub const ENTER: &str = "\r";
pub const CLEAR_LINE: &str = "\x15";

/// Declares an incident at P2 with the given title.
pub fn declare(session: &mut Session, title: &str) {
    session.wait_for("D  declare");
    session.send("D");
    session.wait_for("Declare an incident");
    session.send(CLEAR_LINE);
    session.send(title);
    session.send(&UP.repeat(3));
    session.send(DOWN);
    session.send(ENTER);
    declared(session, " P2 ");
}

/// Waits until the declaration is journaled: the dialog shows the severity too, so waiting for
/// it alone returned while the dialog was still open (and a second console found no incident).
fn declared(session: &Session, severity: &str) {
    session.wait_gone("Declare an incident");
    session.wait_for("journal ok");
    session.wait_for(severity);
}

/// Declares from the banner a critical component's outage raises, taking the prefilled P1.
pub fn declare_from_banner(session: &mut Session) {
    session.wait_for("Primary database is DOWN (critical). Press D");
    session.send("D");
    session.wait_for("Declare an incident");
    session.send(ENTER);
    declared(session, " P1 ");
}

pub fn add_note(session: &mut Session, text: &str) {
    session.send("n");
    session.wait_for("Add a note");
    session.send(text);
    session.send(ENTER);
    session.wait_for("Recorded: Note");
}

/// The folder of the only incident in a store (`<data>/incidents`, `<data>/demo/incidents`, ...).
pub fn incident_dir(store: &Path) -> std::path::PathBuf {
    std::fs::read_dir(store)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
}

/// The journal text of the only real incident in a data dir.
pub fn journal_text(data: &Path) -> String {
    std::fs::read_to_string(incident_dir(&data.join("incidents")).join("journal.jsonl")).unwrap()
}

/// Runs the binary on a data directory (also its working directory) and returns what it printed;
/// it must succeed.
pub fn warroom_ok(data: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(data)
        .env("WARROOM_DATA_DIR", data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `setpriv`'s arguments that make the command run as `user` with that user's groups.
fn as_user(user: &str) -> [String; 3] {
    let id = |flag: &str| {
        let out = std::process::Command::new("id")
            .args([flag, user])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    [
        format!("--reuid={}", id("-u")),
        format!("--regid={}", id("-g")),
        "--init-groups".to_owned(),
    ]
}

/// Runs the binary as `user` (by root) on a data directory, outside a terminal.
pub fn warroom_as(user: &str, data: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new("setpriv")
        .args(as_user(user))
        .arg(shared_binary())
        .args(args)
        .current_dir(data)
        .env("WARROOM_DATA_DIR", data)
        .env("HOME", std::env::temp_dir())
        .env("USER", user)
        .output()
        .unwrap()
}

pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// The binary where every user may run it: the build's own may sit under a home folder that
/// other users cannot enter. Copied once per test process, and swapped in whole.
fn shared_binary() -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    static COPY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = std::env::temp_dir().join("warroom-test-binary");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let staging = dir.join(format!("warroom.{}", std::process::id()));
        std::fs::copy(env!("CARGO_BIN_EXE_warroom"), &staging).unwrap();
        std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o755)).unwrap();
        let binary = dir.join("warroom");
        std::fs::rename(&staging, &binary).unwrap();
        binary
    })
    .clone()
}

/// A kit in `data` with one critical database whose probe fails, two contacts, a two-level P1 policy
/// (level 2 after `level_two`), and `extra` TOML appended.
pub fn kit(data: &Path, level_two: &str, extra: &str) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let probe = format!(
        "{{ kind = \"tcp\", address = \"127.0.0.1:{closed}\", interval = \"500ms\", timeout = \"300ms\" }}"
    );
    kit_probing(data, &probe, level_two, extra);
}

/// The same kit with the database probed by `probe` (a TOML inline table).
pub fn kit_probing(data: &Path, probe: &str, level_two: &str, extra: &str) {
    let config = format!(
        "[service]\nname = \"Worst hour\"\n\
         [[contact]]\nid = \"oncall\"\nname = \"Dana Ortiz\"\nrole = \"Primary on-call\"\nphone = \"+1 555 0100\"\n\
         [[contact]]\nid = \"lead\"\nname = \"Sam Okafor\"\nrole = \"Technical lead\"\nphone = \"+1 555 0101\"\n\
         [[escalation]]\nseverity = \"P1\"\nlevels = [ {{ after = \"0m\", notify = [\"oncall\"] }}, {{ after = \"{level_two}\", notify = [\"lead\"] }} ]\n\
         [[escalation]]\nseverity = \"P2\"\nlevels = [ {{ after = \"0m\", notify = [\"oncall\"] }} ]\n\
         [[escalation]]\nseverity = \"P3\"\nlevels = [ {{ after = \"0m\", notify = [\"oncall\"] }} ]\n\
         [[escalation]]\nseverity = \"P4\"\nlevels = [ {{ after = \"0m\", notify = [\"oncall\"] }} ]\n\
         [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\nprobe = {probe}\n\
         {extra}"
    );
    std::fs::write(data.join("warroom.toml"), config).unwrap();
}
