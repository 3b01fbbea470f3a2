//! Drills end to end: the real binary in pseudo-terminals running a scenario on a service whose
//! commands, recovery actions and notification endpoints would leave marks if anything ran.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use support::pty::{ENTER, Session, declare_from_banner, incident_dir, wait_until};

/// A loopback HTTP server that counts every connection made to it.
struct Receiver {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl Receiver {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        thread::spawn(move || {
            for mut stream in listener.incoming().map_while(Result::ok) {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                );
            }
        });
        Self { url, hits }
    }
}

/// A service whose runbook command and recovery action each leave a marker file, whose pages and
/// webhooks go to `receiver`, and a scenario that takes its database down.
fn drill_workspace(data: &Path, receiver: &Receiver) -> PathBuf {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let levels = "levels = [ { after = \"0m\", notify = [\"oncall\"] } ]";
    let config = format!(
        "[service]\nname = \"Drill test\"\n\
         [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\n\
         probe = {{ kind = \"tcp\", address = \"127.0.0.1:{closed}\" }}\n\
         [[component.recovery]]\nname = \"Promote replica\"\ncommand = \"touch recovery-marker\"\n\
         [[contact]]\nid = \"oncall\"\nname = \"Dana Ortiz\"\nrole = \"Primary on-call\"\n\
         [[escalation]]\nseverity = \"P1\"\n{levels}\n\
         [[escalation]]\nseverity = \"P2\"\n{levels}\n\
         [[escalation]]\nseverity = \"P3\"\n{levels}\n\
         [[escalation]]\nseverity = \"P4\"\n{levels}\n\
         [notify.pagerduty]\nrouting_key = \"drill-key\"\nurl = \"{0}\"\n\
         [notify.webhook]\nurl = \"{0}\"\n",
        receiver.url
    );
    std::fs::write(data.join("warroom.toml"), config).unwrap();
    std::fs::create_dir_all(data.join("runbooks")).unwrap();
    std::fs::write(
        data.join("runbooks/db-restart.md"),
        "+++\nid = \"db-restart\"\ntitle = \"Restart the database\"\ncomponents = [\"db\"]\n+++\n\n\
         ## Restart\n\n```sh\ntouch runbook-marker\n```\n",
    )
    .unwrap();
    std::fs::create_dir_all(data.join("drills")).unwrap();
    let scenario = data.join("drills/db.toml");
    std::fs::write(
        &scenario,
        "title = \"Database drill\"\nconfig = \"../warroom.toml\"\n\
         [[inject]]\nat = \"2s\"\ncomponent = \"db\"\nstate = \"down\"\nmessage = \"connection refused\"\n\
         [[objective]]\ndeclared_within = \"5m\"\n\
         [[objective]]\nseverity = \"P1\"\n\
         [[objective]]\nrunbook = \"db-restart\"\n\
         [[objective]]\nrto_met = \"db\"\n",
    )
    .unwrap();
    scenario
}

fn drill_journal(data: &Path) -> PathBuf {
    incident_dir(&data.join("drills/incidents")).join("journal.jsonl")
}

/// The scorecard's rows as the screen shows them.
fn scorecard_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| {
            ["│met ", "│MISSED ", "│open ", "│MTTD", "│Steps:"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(|l| l.trim_end().to_owned())
        .collect()
}

/// Declares, pages, runs a runbook step and the recovery action, and resolves.
fn work_the_incident(drill: &mut Session) {
    declare_from_banner(drill);
    drill.send("p");
    drill.wait_for("recorded in the drill's journal");
    drill.send(ENTER);
    drill.wait_gone("recorded in the drill's journal");
    drill.send("2");
    drill.wait_for("Restart the database");
    drill.send(ENTER);
    drill.wait_for("x  run");
    drill.send("x");
    drill.wait_for("dry run: not executed");
    drill.send("\x1b");
    drill.send("1");
    drill.send("g");
    drill.send("r");
    drill.wait_for("Recovery actions");
    drill.send(ENTER);
    drill.wait_for("Run this recovery action?");
    drill.send(ENTER);
    drill.wait_for("recovery action worked");
    drill.send("R");
    drill.wait_for("Resolve");
    drill.send(ENTER);
    drill.wait_for("resolved");
}

#[test]
fn a_drill_runs_nothing_and_sends_nothing_and_replays_to_the_same_scorecard() {
    let data = tempfile::tempdir().unwrap();
    let receiver = Receiver::start();
    let scenario = drill_workspace(data.path(), &receiver);
    let scenario = scenario.to_string_lossy().into_owned();
    let mut drill = Session::start(
        data.path(),
        (100, 30),
        &["drill", &scenario, "--speed", "10"],
        &[],
    );
    drill.wait_for("DRILL");
    work_the_incident(&mut drill);
    let journal = drill_journal(data.path());
    wait_until("the page to be recorded, not sent", || {
        std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("notify_held"))
    });
    // Give any stray delivery the time it would take, then look for every trace of real work.
    thread::sleep(Duration::from_millis(1500));
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(
        text.matches("dry run: not executed").count(),
        2,
        "the runbook command and the recovery action are journaled as dry runs:\n{text}"
    );
    assert!(
        !data.path().join("runbook-marker").exists(),
        "runbook command ran"
    );
    assert!(
        !data.path().join("recovery-marker").exists(),
        "recovery action ran"
    );
    assert_eq!(
        receiver.hits.load(Ordering::SeqCst),
        0,
        "a notification was sent"
    );
    assert!(!text.contains("notify_sent"));

    drill.send("6");
    let screen = drill.wait_for("Scorecard (simulation):");
    let written = scorecard_rows(&screen);
    assert_eq!(
        written.len(),
        6,
        "four objectives, metrics, steps:\n{screen}"
    );
    assert!(screen.contains("4 of 4 objectives met"), "{screen}");
    drill.send("q");
    assert!(drill.wait_exit());

    let journal = journal.to_string_lossy().into_owned();
    let mut replay = Session::start(
        data.path(),
        (100, 30),
        &["replay", &journal, "--speed", "60"],
        &[],
    );
    replay.wait_for("REPLAY");
    replay.send("6");
    replay.wait_for("PAUSED");
    let screen = replay.wait_for("Scorecard (simulation):");
    assert_eq!(scorecard_rows(&screen), written, "{screen}");
    replay.send("n");
    replay.wait_for("Replay only shows the incident");
    // The clock stopped at the end: nothing changes, so nothing is drawn.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let before = replay.raw().len();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert_eq!(replay.raw().len(), before, "a stopped replay draws nothing");
    replay.send("q");
    assert!(replay.wait_exit());

    let export = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["review", "export"])
        .env("WARROOM_DATA_DIR", data.path())
        .current_dir(data.path())
        .output()
        .unwrap();
    let markdown = String::from_utf8_lossy(&export.stdout);
    assert!(export.status.success(), "{markdown}");
    assert!(
        markdown.contains("# Post-incident review: [DRILL]"),
        "{markdown}"
    );
    assert!(
        markdown.contains("## Drill scorecard: Database drill"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Runbook db-restart used | met |"),
        "{markdown}"
    );
}

#[test]
fn a_follower_shows_a_note_within_a_second_and_changes_nothing() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);
    let mut follower = Session::start(data.path(), (80, 24), &["follow"], &[]);
    let screen = follower.wait_for("FOLLOW");
    assert!(screen.contains("DRILL"), "{screen}");
    follower.send("4");
    follower.wait_for("Declared P1 (drill)");

    let journal = incident_dir(&data.path().join("demo/incidents")).join("journal.jsonl");
    writer.send("n");
    writer.wait_for("Add a note");
    writer.send("followed by a second console");
    writer.send(ENTER);
    wait_until("the note to be journaled", || {
        std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("followed by a second"))
    });
    let written = Instant::now();
    while !follower.contents().contains("Note: followed by a second") {
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the follower did not show the note within a second:\n{}",
            follower.contents()
        );
        thread::sleep(Duration::from_millis(20));
    }

    for key in ["n", "D", "a", "p", "R", "S"] {
        follower.send(key);
    }
    follower.wait_for("Following read-only");
    follower.send("\x1b");
    follower.send("q");
    assert!(follower.wait_exit());
    // The writer keeps journaling its scenario; nothing the follower's keys ask for is there.
    thread::sleep(Duration::from_millis(500));
    let text = std::fs::read_to_string(&journal).unwrap();
    for kind in ["acknowledged", "paged", "resolved", "severity_changed"] {
        assert!(
            !text.contains(&format!("\"kind\":\"{kind}\"")),
            "the follower's key wrote `{kind}`:\n{text}"
        );
    }
    assert_eq!(text.matches("\"kind\":\"note_added\"").count(), 1);
    assert_eq!(text.matches("\"kind\":\"declared\"").count(), 1);
}

#[test]
fn a_drill_nobody_declares_is_journaled_listed_and_scored() {
    let data = tempfile::tempdir().unwrap();
    let receiver = Receiver::start();
    let scenario = drill_workspace(data.path(), &receiver);
    let scenario = scenario.to_string_lossy().into_owned();
    let mut drill = Session::start(
        data.path(),
        (100, 30),
        &["drill", &scenario, "--speed", "10"],
        &[],
    );
    drill.wait_for("Press D to declare");
    let journal = drill_journal(data.path());
    wait_until("the inject to be journaled before any declaration", || {
        std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("component_changed"))
    });
    drill.send("6");
    drill.wait_for("Injects");
    drill.send("E");
    drill.wait_for("End the drill");
    drill.send(ENTER);
    drill.wait_for("Drill ended");
    drill.send("q");
    assert!(drill.wait_exit());
    let text = std::fs::read_to_string(&journal).unwrap();
    let kinds: Vec<&str> = text
        .lines()
        .map(|l| {
            l.split("\"kind\":\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(kinds.first(), Some(&"drill"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"drill_ended"), "{kinds:?}");
    assert!(!kinds.contains(&"declared"), "{kinds:?}");

    let warroom = |args: &[&str]| support::pty::warroom_ok(data.path(), args);
    let list = warroom(&["incident", "list"]);
    assert!(
        list.contains("drill ended")
            && list.contains("Database drill (never declared; 0 of 4 objectives met)"),
        "{list}"
    );
    let review = warroom(&["review", "export"]);
    assert!(
        review.starts_with("# Drill: Database drill (never declared)"),
        "{review}"
    );
    assert!(
        review.contains("| Declared within 5m00s | MISSED | not done |"),
        "{review}"
    );
    assert_eq!(receiver.hits.load(Ordering::SeqCst), 0);
}
