//! End-to-end: the real binary in a pseudo-terminal, its screen read back through vt100.

mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use support::pty::*;

#[test]
fn demo_starts_on_a_live_dashboard() {
    let data = tempfile::tempdir().unwrap();
    let session = Session::demo(data.path());
    let screen = session.wait_for("Components");
    assert!(screen.contains("DRILL · DEMO"), "{screen}");
    session.wait_for("degraded");
    session.wait_for("DOWN");
}

#[test]
fn declare_note_severity_quit_and_resume() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    declare(&mut session, "Checkout down");
    let screen = session.wait_for("Checkout down");
    assert!(
        screen.contains("00:00:0"),
        "the incident clock is shown: {screen}"
    );
    add_note(&mut session, "Replica promotion started");
    session.send("4");
    session.wait_for("Note: Replica promotion started");
    session.send("S");
    session.wait_for("Severity of");
    session.send(UP);
    session.send(ENTER);
    session.wait_for(" P1 ");
    session.send("q");
    assert!(session.wait_exit(), "q quits");
    let raw = session.raw();
    let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(64)..]).into_owned();
    assert!(
        tail.contains("\x1b[?1049l") && tail.contains("\x1b[?25h"),
        "terminal restored: {tail:?}"
    );

    let mut again = Session::demo(data.path());
    let screen = again.wait_for(" P1 ");
    assert!(screen.contains("Checkout down"), "{screen}");
    again.send("4");
    let screen = again.wait_for("Note: Replica promotion started");
    assert!(screen.contains("Severity P2 → P1"), "{screen}");
}

#[test]
fn kill_9_right_after_a_note_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    declare(&mut session, "Kill test");
    add_note(&mut session, "written before the crash");
    session.kill9();

    let mut again = Session::demo(data.path());
    again.wait_for("Kill test");
    again.send("4");
    again.wait_for("Note: written before the crash");
}

#[test]
fn no_color_writes_no_colour_escapes() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::start(
        data.path(),
        (80, 24),
        &["demo", "--speed", "10"],
        &[("NO_COLOR", "1")],
    );
    session.wait_for("DOWN");
    declare(&mut session, "Mono");
    session.send("q");
    assert!(session.wait_exit());
    let raw = session.raw();
    let mut colour_codes = Vec::new();
    let text = String::from_utf8_lossy(&raw);
    for sgr in text.split("\x1b[").skip(1) {
        let Some(end) = sgr.find(|c: char| !(c.is_ascii_digit() || c == ';')) else {
            continue;
        };
        if !sgr[end..].starts_with('m') {
            continue;
        }
        for code in sgr[..end].split(';').filter_map(|c| c.parse::<u32>().ok()) {
            if (30..=49).contains(&code) || (90..=107).contains(&code) {
                colour_codes.push(sgr[..end].to_owned());
            }
        }
    }
    assert!(
        colour_codes.is_empty(),
        "colour escapes under NO_COLOR: {colour_codes:?}"
    );
    assert!(
        text.contains("DOWN"),
        "the state words carry meaning without colour"
    );
}

#[test]
fn a_tiny_terminal_gets_a_clear_message() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::start(data.path(), (30, 10), &["demo"], &[]);
    session.wait_for("Terminal too small: 30x10");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn a_vanished_terminal_ends_the_process() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    session.wait_for("Components");
    session.hang_up.store(true, Ordering::SeqCst);
    drop(session.writer.take());
    drop(session.master.take());
    assert!(
        session.wait_exit(),
        "warroom exits when its terminal goes away"
    );
}

#[test]
fn escape_sequences_pasted_into_a_note_are_left_out_and_the_text_kept() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    declare(&mut session, "Hostile");
    session.send("n");
    session.wait_for("Add a note");
    session.send("\x1b[200~evil \x1b]0;pwned\x07 paste\x1b[201~");
    session.send(ENTER);
    session.send("4");
    let screen = session.wait_for("Note: evil ]0;pwned paste");
    assert!(
        !screen.contains("\\x1b") && !screen.contains('\u{1b}'),
        "{screen}"
    );
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn a_second_console_on_a_locked_incident_asks_join_or_follow() {
    let data = tempfile::tempdir().unwrap();
    let mut first = Session::demo(data.path());
    declare(&mut first, "Locked");
    let mut joiner = Session::demo(data.path());
    joiner.wait_for("Join it (j: write, as yourself) or follow it (f: read-only)? [j/f]");
    joiner.send("j\r");
    joiner.wait_for("JOINED · room 2");
    add_note(&mut joiner, "joined from a second demo");
    first.send("4");
    first.wait_for("Note: joined from a second demo");
    joiner.send("q");
    assert!(joiner.wait_exit());
    let mut second = Session::demo(data.path());
    second.wait_for("[j/f]");
    second.send("f\r");
    let screen = second.wait_for("FOLLOW");
    assert!(screen.contains("Locked"), "{screen}");
    second.send("n");
    second.wait_for("Following read-only: the writing console makes the changes");
    add_note(&mut first, "the writer still writes");
    second.send("4");
    second.wait_for("Note: the writer still writes");
    second.send("q");
    assert!(second.wait_exit());
}

#[test]
fn a_damaged_journal_opens_read_only_naming_the_line() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    declare(&mut session, "Damaged");
    add_note(&mut session, "second line");
    add_note(&mut session, "third line");
    session.send("q");
    assert!(session.wait_exit());
    let path = incident_dir(&data.path().join("demo/incidents")).join("journal.jsonl");
    let original = std::fs::read_to_string(&path).unwrap();
    let damaged_line = original
        .lines()
        .position(|l| l.contains("second line"))
        .unwrap()
        + 1;
    let text = original.replacen("second line", "secXnd line", 1);
    std::fs::write(&path, &text).unwrap();
    let again = Session::demo(data.path());
    let screen = again.wait_for("READ-ONLY journal");
    assert!(
        screen.contains(&format!("damaged at line {damaged_line}")),
        "{screen}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "the damaged file is left untouched"
    );
}

#[test]
fn sigterm_restores_the_terminal_and_exits() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    declare(&mut session, "Terminated");
    let pid = session.child.process_id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(session.wait_exit(), "SIGTERM ends warroom");
    thread::sleep(Duration::from_millis(100));
    let raw = session.raw();
    let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(64)..]).into_owned();
    assert!(
        tail.contains("\x1b[?1049l") && tail.contains("\x1b[?25h"),
        "terminal restored: {tail:?}"
    );
}

/// An HTTP server on 127.0.0.1 that can be stopped (the port then refuses) and started again.
struct Switchable {
    port: u16,
    running: Arc<AtomicBool>,
}

impl Switchable {
    fn start(body: &'static [u8]) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = Self {
            port,
            running: Arc::new(AtomicBool::new(false)),
        };
        server.serve(listener, body);
        server
    }

    fn serve(&self, listener: std::net::TcpListener, body: &'static [u8]) {
        listener.set_nonblocking(true).unwrap();
        self.running.store(true, Ordering::SeqCst);
        let running = Arc::clone(&self.running);
        thread::spawn(move || {
            while running.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let mut buf = [0u8; 2048];
                        let _ = stream.read(&mut buf);
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(head.as_bytes());
                        let _ = stream.write_all(body);
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
    }

    fn stop(&self) {
        self.running.store(false, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(50));
    }

    fn restart(&self, body: &'static [u8]) {
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.serve(listener, body);
    }
}

#[test]
fn a_stopped_server_goes_down_and_comes_back() {
    let data = tempfile::tempdir().unwrap();
    let web = Switchable::start(b"ok");
    let hostile = Switchable::start(b"\x1b]52;c;cGF3bmVk\x07\x1b[2J ok");
    let config = format!(
        "[service]\nname = \"E2E\"\n\
         [[component]]\nid = \"web\"\nname = \"Web front\"\ntier = \"critical\"\n\
         probe = {{ kind = \"http\", url = \"http://127.0.0.1:{}/\", interval = \"500ms\", timeout = \"300ms\" }}\n\
         [[component]]\nid = \"odd\"\nname = \"Odd body\"\ntier = \"low\"\n\
         probe = {{ kind = \"http\", url = \"http://127.0.0.1:{}/\", interval = \"500ms\", timeout = \"300ms\", expect_status = [204] }}\n",
        web.port, hostile.port
    );
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    let session = Session::start(data.path(), (100, 30), &[], &[]);
    session.wait_for_row(&["● up", "Web front"]);
    // The escaped reason, wrapped onto a second line when the board has the room.
    session.wait_for_row(&["✖ DOWN", "Odd body", "HTTP 200:"]);
    session.wait_for("\\x1b]52;c;cG");
    let screen =
        session.wait_for("odd unknown → down (HTTP 200: \\x1b]52;c;cGF3bmVk\\x07\\x1b[2J ok)");
    assert!(!screen.contains('\u{1b}'));
    web.stop();
    session.wait_for_row(&["✖ DOWN", "Web front", "connect failed"]);
    web.restart(b"ok");
    session.wait_for_row(&["● up", "Web front"]);
    session.wait_for("web down → up");
}

/// A `PagerDuty` stand-in on 127.0.0.1: holds requests unanswered until told to accept them,
/// and records the body of each.
struct Pager {
    url: String,
    accept: Arc<AtomicBool>,
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Pager {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v2/enqueue", listener.local_addr().unwrap());
        let accept = Arc::new(AtomicBool::new(false));
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let (ok, log) = (Arc::clone(&accept), Arc::clone(&bodies));
        thread::spawn(move || {
            for mut stream in listener.incoming().map_while(Result::ok) {
                let (ok, log) = (Arc::clone(&ok), Arc::clone(&log));
                thread::spawn(move || {
                    let mut data = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !String::from_utf8_lossy(&data).trim_end().ends_with('}') {
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => data.extend_from_slice(&buf[..n]),
                        }
                    }
                    thread::sleep(Duration::from_millis(50));
                    let text = String::from_utf8_lossy(&data).into_owned();
                    log.lock()
                        .unwrap()
                        .push(text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned());
                    while !ok.load(Ordering::SeqCst) {
                        thread::sleep(Duration::from_millis(20));
                    }
                    let _ = stream.write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
                });
            }
        });
        Self {
            url,
            accept,
            bodies,
        }
    }

    fn triggers(&self) -> Vec<String> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .filter(|b| b.contains("\"trigger\""))
            .cloned()
            .collect()
    }
}

#[test]
fn a_page_queued_at_a_crash_is_resent_once_with_its_dedup_key_and_the_key_never_leaks() {
    const CANARY: &str = "CANARY-e2e-5b1d";
    let data = tempfile::tempdir().unwrap();
    let pager = Pager::start();
    kit(
        data.path(),
        "15m",
        &format!(
            "[notify.pagerduty]\nrouting_key = \"${{WARROOM_E2E_KEY}}\"\nurl = \"{}\"\n\
             [notify.slack]\nwebhook_url = \"{}/{CANARY}-slack\"\n",
            pager.url, pager.url
        ),
    );
    let env = [("WARROOM_E2E_KEY", CANARY)];
    let mut session = Session::start(data.path(), (100, 30), &[], &env);
    declare_from_banner(&mut session);
    session.wait_for("LEVEL 1 DUE: call Dana Ortiz (Primary on-call) +1 555 0100");
    session.wait_for("if nobody acknowledges by");
    session.send("p");
    session.wait_for("Page level 1: Dana Ortiz (Primary on-call) +1 555 0100 — sent to PagerDuty");
    thread::sleep(Duration::from_millis(500));
    assert!(pager.triggers().is_empty(), "p alone sends nothing");
    session.send("\x1b");
    session.wait_gone("Page level 1:");
    thread::sleep(Duration::from_millis(300));
    assert!(pager.triggers().is_empty(), "Esc sends nothing");
    assert!(!journal_text(data.path()).contains("\"paged\""));
    session.send("p");
    session.wait_for("Page level 1:");
    session.send(ENTER);
    wait_until("the first trigger", || pager.triggers().len() == 1);
    assert!(!journal_text(data.path()).contains("notify_sent"));
    session.kill9();

    pager.accept.store(true, Ordering::SeqCst);
    let mut again = Session::start(data.path(), (100, 30), &[], &env);
    wait_until("the resent trigger to be recorded as sent", || {
        journal_text(data.path()).contains("notify_sent")
    });
    let triggers = pager.triggers();
    assert_eq!(triggers.len(), 2, "resent exactly once: {triggers:?}");
    let key =
        |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap()["dedup_key"].clone();
    assert_eq!(key(&triggers[0]), key(&triggers[1]), "the same dedup_key");
    assert!(
        triggers[0].contains(CANARY),
        "the routing key is sent to PagerDuty"
    );
    again.send("a");
    again.wait_for("Acknowledge level 1: Dana Ortiz");
    again.send(ENTER);
    again.wait_for("Level 1 acknowledged");
    again.send("q");
    assert!(again.wait_exit());

    let third = Session::start(data.path(), (100, 30), &[], &env);
    third.wait_for("Level 1 acknowledged");
    thread::sleep(Duration::from_secs(2));
    assert_eq!(pager.triggers().len(), 2, "a sent page is never resent");
    let journal = journal_text(data.path());
    let log = std::fs::read_to_string(data.path().join("warroom.log")).unwrap();
    let screens: String = [&session, &again, &third]
        .iter()
        .map(|s| String::from_utf8_lossy(&s.raw()).into_owned())
        .collect();
    for (what, text) in [("journal", journal), ("log", log), ("screen", screens)] {
        assert!(
            !text.contains(CANARY),
            "the routing key leaked into the {what}"
        );
    }
}

fn runbook_workspace(data: &Path) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "[service]\nname = \"Runbook test\"\n\
         [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\n\
         probe = {{ kind = \"tcp\", address = \"127.0.0.1:{closed}\", interval = \"1s\", timeout = \"500ms\" }}\n"
    );
    std::fs::write(data.join("warroom.toml"), config).unwrap();
    std::fs::create_dir_all(data.join("runbooks")).unwrap();
    let runbook = "+++\nid = \"db-restart\"\ntitle = \"Restart the database\"\ncomponents = [\"db\"]\n+++\n\n\
        ## Restart\n\nRestarts the database service.\n\n\
        ```sh {confirm=true timeout=\"10s\"}\necho restarted >> marker; echo \"restart ok for $WARROOM_COMPONENT\"\n```\n\n\
        ## Long check\n\n```sh {timeout=\"60s\"}\necho run >> long-marker; echo checking; sleep 30\n```\n";
    std::fs::write(data.join("runbooks/db-restart.md"), runbook).unwrap();
}

fn open_runbook(session: &mut Session) {
    declare_from_banner(session);
    session.send("2");
    session.wait_for("Restart the database");
    session.send(ENTER);
    session.wait_for("x  run  d  done");
}

#[test]
fn a_confirmed_step_runs_only_after_yes_and_its_output_and_exit_are_recorded() {
    let data = tempfile::tempdir().unwrap();
    runbook_workspace(data.path());
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    open_runbook(&mut session);
    session.send("x");
    session.wait_for("runs, for component db, in ");
    session.wait_for("echo restarted >> marker; echo \"restart ok for $WARROOM_COMPONENT\"");
    session.send("\x1b");
    thread::sleep(Duration::from_millis(500));
    assert!(
        !data.path().join("marker").exists(),
        "declining ran nothing"
    );
    session.send("x");
    session.wait_for("echo restarted");
    session.send(ENTER);
    session.wait_for("restart ok for db");
    session.wait_for("— exit 0");
    assert_eq!(
        std::fs::read_to_string(data.path().join("marker")).unwrap(),
        "restarted\n"
    );
    session.send("4");
    session.wait_for("ended: exit 0");
}

#[test]
fn a_command_running_when_warroom_dies_is_interrupted_and_never_rerun() {
    let data = tempfile::tempdir().unwrap();
    runbook_workspace(data.path());
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    open_runbook(&mut session);
    session.send("j");
    session.send("x");
    session.wait_for("checking");
    session.wait_for("RUNNING");
    session.kill9();
    let again = Session::start(data.path(), (120, 40), &[], &[]);
    again.wait_for(" P1 ");
    let mut again = again;
    again.send("2");
    again.send(ENTER);
    again.send("j");
    again.wait_for("INTERRUPTED, outcome unknown");
    thread::sleep(Duration::from_secs(1));
    assert_eq!(
        std::fs::read_to_string(data.path().join("long-marker")).unwrap(),
        "run\n",
        "not run again by itself"
    );
}

#[test]
fn a_recovery_action_that_asks_for_the_id_fires_only_once_it_is_typed() {
    let data = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = format!(
        "[service]\nname = \"Recovery test\"\n\
         [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\n\
         probe = {{ kind = \"tcp\", address = \"127.0.0.1:{closed}\", interval = \"1s\", timeout = \"500ms\" }}\n\
         [[component.recovery]]\nname = \"Promote replica\"\ncommand = \"echo promoted >> recovery-marker; echo replica promoted\"\nconfirm = \"type\"\n"
    );
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut session);
    session.send("r");
    session.wait_for("Recovery actions");
    session.send(ENTER);
    session.wait_for("Recovery action \"Promote replica\" on");
    session.wait_for("Type `db` and Enter to run it.");
    session.send("dv");
    session.send(ENTER);
    session.wait_for("Type `db` exactly to run it");
    assert!(
        !data.path().join("recovery-marker").exists(),
        "nothing ran on a wrong id"
    );
    session.send("\x7f\x7fdb");
    session.send(ENTER);
    wait_until("the recovery to run", || {
        data.path().join("recovery-marker").exists()
    });
    session.send("4");
    session.wait_for("Recovery of db: Promote replica");
    session.wait_for("ended: exit 0");
    assert_eq!(
        std::fs::read_to_string(data.path().join("recovery-marker")).unwrap(),
        "promoted\n"
    );
}

#[test]
fn review_text_survives_kill_9_once_autosaved_and_exports_as_saved() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    declare(&mut session, "Review test");
    session.send("5");
    session.wait_for("Post-incident review: [DRILL] Review test");
    session.send("e");
    session.wait_for("editing");
    session.send("Root cause: the primary ran out of disk.");
    session.wait_for("UNSAVED");
    session.wait_for("editing · saved");
    let dir = incident_dir(&data.path().join("demo/incidents"));
    wait_until("review.md", || {
        std::fs::read_to_string(dir.join("review.md")).is_ok_and(|t| t.contains("ran out of disk"))
    });
    session.kill9();
    let mut again = Session::demo(data.path());
    again.wait_for("Review test");
    again.send("5");
    again.wait_for("Root cause: the primary ran out of disk.");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["review", "export", "--demo"])
        .env("WARROOM_DATA_DIR", data.path())
        .output()
        .unwrap();
    let exported = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        exported,
        std::fs::read_to_string(dir.join("review.md")).unwrap(),
        "export equals the saved review"
    );
}

#[test]
fn a_runbook_as_teams_write_it_offers_transcript_lines_runs_scripts_whole_and_asks_harder_before_destroying()
 {
    let data = tempfile::tempdir().unwrap();
    runbook_workspace(data.path());
    let wild = "# Clean up the database host\n\nDisk fills when old dumps pile up.\n\n\
        ## Look\n\n```console\n$ echo looked >> look-marker\noutput-line-never-run\n```\n\n\
        ## Clean\n\n```bash\nclean() {\n  echo cleaned >> clean-marker\n}\n\nclean\nrm -rf ./old-dumps\n```\n";
    std::fs::write(data.path().join("runbooks/wild.md"), wild).unwrap();
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut session);
    session.send("2");
    session.wait_for("Clean up the database host");
    session.send("j");
    session.send(ENTER);
    session.wait_for("Disk fills when old dumps pile up.");
    session.wait_for("output-line-never-run");
    session.send("x");
    session.wait_for("echo looked >> look-marker");
    session.send(ENTER);
    session.wait_for("— exit 0");
    assert_eq!(
        std::fs::read_to_string(data.path().join("look-marker")).unwrap(),
        "looked\n",
        "the prompt line ran, alone"
    );
    session.send("j");
    session.send("x");
    session.wait_for("It matches `rm -rf`");
    session.wait_for("Type `wild` and Enter");
    session.send(ENTER);
    session.wait_for("Type `wild` exactly to run it");
    assert!(
        !data.path().join("clean-marker").exists(),
        "Enter alone ran nothing"
    );
    session.send("wild");
    session.send(ENTER);
    session.wait_for("— exit 0");
    assert_eq!(
        std::fs::read_to_string(data.path().join("clean-marker")).unwrap(),
        "cleaned\n",
        "the function defined above the blank line ran: one script, with bash"
    );
}

#[test]
fn slash_then_letters_changes_nothing_on_any_screen() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    session.wait_for("Components");
    for screen in ["1", "2", "3", "4", "5", "6"] {
        session.send(screen);
        session.send("/");
        session.send("eiDnqxapRE");
        let shown = session.wait_for("eiDnqxapRE");
        assert!(
            !shown.contains("Fired:") && !shown.contains("Declare an incident"),
            "screen {screen}: {shown}"
        );
        session.send("\x1b");
        session.wait_gone("eiDnqxapRE");
    }
    session.send("1");
    let screen = session.wait_for("no incident");
    assert!(!screen.contains("Fired:"), "{screen}");
}
