//! The war room: several consoles on one incident, the writer journaling what each asks for
//! with the asker's Unix user as the actor.

mod support;

use std::time::{Duration, Instant};

use support::pty::{ENTER, Session, add_note, declare_from_banner, incident_dir};

/// The actor a joined console of this test's user is journaled as: `user@host`, the user from
/// the system's account database (a joined console's claims are never asked).
fn own_actor() -> String {
    let user = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    format!(
        "{}@{}",
        String::from_utf8_lossy(&user.stdout).trim(),
        host.trim()
    )
}

/// Waits until every console's timeline shows `text`, within a second of the first.
fn everyone_sees(consoles: &[&Session], text: &str) {
    let start = Instant::now();
    for console in consoles {
        while !console.contents().contains(text) {
            assert!(
                start.elapsed() < Duration::from_secs(1),
                "`{text}` did not reach a console within a second:\n{}",
                console.contents()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[test]
fn three_consoles_write_one_incident_each_as_itself() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);
    let mut scribe = Session::start(data.path(), (120, 40), &["join"], &[]);
    scribe.wait_for("Joined");
    let mut engineer = Session::start(data.path(), (100, 30), &["join"], &[]);
    engineer.wait_for("Joined");
    writer.wait_for("journal ok · room 3");
    scribe.wait_for("JOINED · room 3");
    // Who is where: the engineer moves to the runbooks, and the scribe's dashboard says so.
    engineer.send("2");
    let screen = scribe.wait_for("on Runbooks");
    assert!(screen.contains("(commander) on"), "{screen}");
    for console in [&mut writer, &mut scribe, &mut engineer] {
        console.send("4");
    }
    add_note(&mut scribe, "scribe was here");
    everyone_sees(&[&writer, &scribe, &engineer], "Note: scribe was here");
    add_note(&mut engineer, "engineer was here");
    everyone_sees(&[&writer, &scribe, &engineer], "Note: engineer was here");
    add_note(&mut writer, "commander was here");
    everyone_sees(&[&writer, &scribe, &engineer], "Note: commander was here");

    // A page from the scribe, a check ticked and a step marked by the engineer, and the
    // commander's acknowledgement.
    for console in [&mut scribe, &mut engineer, &mut writer] {
        console.send("p");
        console.wait_for("Page level");
        console.send(ENTER);
        console.wait_gone("Page level");
    }
    everyone_sees(&[&writer, &scribe, &engineer], "Level 1 page queued");
    engineer.send("2");
    engineer.wait_for("db-failover");
    engineer.send(ENTER);
    engineer.send(" ");
    engineer.send("4");
    everyone_sees(&[&writer, &scribe, &engineer], "step 1 check ticked");
    engineer.send("2");
    engineer.send("d");
    std::thread::sleep(Duration::from_millis(300));
    if engineer.contents().contains("Mark the step done?") {
        engineer.send(ENTER);
    }
    engineer.send("4");
    everyone_sees(&[&writer, &scribe, &engineer], "step 1 marked done");
    writer.send("a");
    std::thread::sleep(Duration::from_millis(300));
    if writer.contents().contains("Acknowledge?") {
        writer.send(ENTER);
    }
    everyone_sees(&[&writer, &scribe, &engineer], "acknowledged");

    let journal = incident_dir(&data.path().join("demo/incidents")).join("journal.jsonl");
    let journal = std::fs::read_to_string(journal).unwrap();
    let actor_of = |text: &str| -> String {
        let line = journal.lines().find(|l| l.contains(text)).unwrap();
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        record["actor"].as_str().unwrap().to_owned()
    };
    assert_eq!(actor_of("scribe was here"), own_actor());
    let pagers: Vec<String> = journal
        .lines()
        .filter(|l| l.contains("\"kind\":\"paged\""))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["actor"].to_string())
        .collect();
    assert_eq!(pagers.len(), 3, "a page from each console: {pagers:?}");
    assert_eq!(
        pagers.iter().filter(|a| a.contains("tester@")).count(),
        1,
        "{pagers:?}"
    );
    assert_eq!(actor_of("\"kind\":\"check_ticked\""), own_actor());
    assert_eq!(actor_of("\"kind\":\"step_marked\""), own_actor());
    assert!(actor_of("\"kind\":\"acknowledged\"").starts_with("tester@"));
    assert_eq!(actor_of("engineer was here"), own_actor());
    assert!(
        actor_of("commander was here").starts_with("tester@"),
        "$USER names the writer's own"
    );
    assert_eq!(
        journal.matches("\"kind\":\"room_joined\"").count(),
        2,
        "{journal}"
    );
    for console in [&mut scribe, &mut engineer] {
        console.send("q");
        assert!(console.wait_exit());
    }
    writer.wait_gone("room 3");
    writer.send("q");
    assert!(writer.wait_exit());
    let journal = std::fs::read_to_string(
        incident_dir(&data.path().join("demo/incidents")).join("journal.jsonl"),
    )
    .unwrap();
    assert_eq!(
        journal.matches("\"kind\":\"room_left\"").count(),
        2,
        "{journal}"
    );
}

/// A raw connection to a room, speaking frames by hand.
struct Raw {
    stream: std::os::unix::net::UnixStream,
}

impl Raw {
    fn connect(data: &std::path::Path) -> Self {
        let dir = incident_dir(&data.join("demo/incidents"));
        let stream = std::os::unix::net::UnixStream::connect(dir.join("room.sock")).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Self { stream }
    }

    fn send_bytes(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let _ = self.stream.write_all(bytes);
    }

    fn send(&mut self, json: &str) {
        let mut frame = (json.len() as u32).to_be_bytes().to_vec();
        frame.extend_from_slice(json.as_bytes());
        self.send_bytes(&frame);
    }

    /// The next frame, `None` once the writer closed the connection.
    fn receive(&mut self) -> Option<serde_json::Value> {
        use std::io::Read;
        let mut head = [0u8; 4];
        self.stream.read_exact(&mut head).ok()?;
        let mut body = vec![0; u32::from_be_bytes(head) as usize];
        self.stream.read_exact(&mut body).ok()?;
        Some(serde_json::from_slice(&body).unwrap())
    }

    /// Asks for `event` as request `id`: the writer's answer.
    fn ask(&mut self, id: u64, event: &str) -> serde_json::Value {
        self.send(&format!(r#"{{"type":"append","id":{id},"event":{event}}}"#));
        loop {
            let frame = self.receive().expect("an answer");
            if frame["id"] == id && (frame["type"] == "accepted" || frame["type"] == "refused") {
                return frame;
            }
        }
    }

    /// Frames until one of `kind`.
    fn until(&mut self, kind: &str) -> serde_json::Value {
        loop {
            let frame = self
                .receive()
                .unwrap_or_else(|| panic!("closed before `{kind}`"));
            if frame["type"] == kind {
                return frame;
            }
        }
    }
}

#[test]
fn hostile_peers_are_refused_and_the_writer_works_on() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);

    // A request before hello, garbage, and an oversized frame each close their connection.
    let mut early = Raw::connect(data.path());
    early.send(r#"{"type":"append","id":1,"event":{"kind":"note_added","text":"early"}}"#);
    assert_eq!(early.until("closed")["reason"], "a request before hello");
    let mut garbage = Raw::connect(data.path());
    garbage.send("this is not json");
    let closed = garbage.until("closed");
    assert!(
        closed["reason"]
            .as_str()
            .unwrap()
            .contains("not a valid message"),
        "{closed}"
    );
    // A console of another room protocol (an older warroom's hello says none) is told so.
    let mut older = Raw::connect(data.path());
    older.send(r#"{"type":"hello","after":0}"#);
    let closed = older.until("closed");
    let reason = closed["reason"].as_str().unwrap();
    assert!(
        reason.contains("this room speaks protocol 3")
            && reason.contains("an older warroom, speaks protocol 1")
            && reason.contains("run the same warroom as the writer"),
        "{closed}"
    );
    let mut huge = Raw::connect(data.path());
    huge.send_bytes(&(64 * 1024 * 1024u32).to_be_bytes());
    let closed = huge.until("closed");
    assert!(
        closed["reason"]
            .as_str()
            .unwrap()
            .contains("over the limit"),
        "{closed}"
    );

    // A well-behaved peer: escape sequences, unknown steps, a page's forged trigger and a flood
    // are refused with reasons; nothing refused reaches the journal.
    let mut peer = Raw::connect(data.path());
    peer.send(r#"{"type":"hello","after":0,"protocol":3}"#);
    let welcome = peer.until("welcome");
    assert_eq!(welcome["actor"], own_actor());
    let escape = peer.ask(1, r#"{"kind":"note_added","text":"red \u001b[31m alert"}"#);
    assert_eq!(escape["type"], "refused");
    assert!(
        escape["reason"]
            .as_str()
            .unwrap()
            .contains("control character"),
        "{escape}"
    );
    let step = peer.ask(
        2,
        r#"{"kind":"step_marked","runbook":"nope","step":0,"state":"done"}"#,
    );
    assert_eq!(step["reason"], "no runbook `nope` here");
    let drill = peer.ask(3, r#"{"kind":"drill_ended","summary":"over"}"#);
    assert_eq!(
        drill["reason"],
        "a joined console cannot ask for `drill_ended`"
    );
    let ok = peer.ask(4, r#"{"kind":"note_added","text":"a fair note"}"#);
    assert_eq!(ok["type"], "accepted", "{ok}");
    let mut refused = 0;
    for id in 10..60 {
        if peer.ask(id, r#"{"kind":"note_added","text":"flood"}"#)["type"] == "refused" {
            refused += 1;
        }
    }
    assert!(
        refused >= 25,
        "a flood of 50 in well under a second: {refused} refused"
    );

    // The writer's own keys still work, and the journal holds only what was accepted.
    add_note(&mut writer, "still here");
    let journal = incident_dir(&data.path().join("demo/incidents")).join("journal.jsonl");
    let text = std::fs::read_to_string(journal).unwrap();
    assert!(text.contains("a fair note") && text.contains("still here"));
    for never in ["early", "alert", "\"nope\"", "drill_ended"] {
        assert!(!text.contains(never), "`{never}` was journaled:\n{text}");
    }
    assert!(text.matches("\"flood\"").count() <= 25);
    writer.send("q");
    assert!(writer.wait_exit());
}

/// The file the workspace's runbook command writes when it runs as `user`.
fn mark_of(data: &std::path::Path, user: &str) -> std::path::PathBuf {
    let uid = std::process::Command::new("id")
        .args(["-u", user])
        .output()
        .unwrap()
        .stdout;
    let uid = String::from_utf8(uid).unwrap();
    data.join("marks").join(format!("uid-{}", uid.trim()))
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A data directory other users can reach, with a service whose database is down, a room open
/// to `warroom-oncall`, and a runbook whose command writes the uid it runs as into `marks/`.
fn shared_workspace() -> tempfile::TempDir {
    shared_workspace_with("")
}

/// The shared workspace, the runbook command carrying `attributes` (`{approve=true}`).
fn shared_workspace_with(attributes: &str) -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    chmod(data.path(), 0o755);
    std::fs::create_dir(data.path().join("incidents")).unwrap();
    chmod(&data.path().join("incidents"), 0o755);
    std::fs::create_dir(data.path().join("marks")).unwrap();
    chmod(&data.path().join("marks"), 0o777);
    let config = "[service]\nname = \"Room test\"\n\
        [room]\ngroup = \"warroom-oncall\"\n\
        [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\n\
        probe = { kind = \"sim\", state = \"down\" }\n";
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    std::fs::create_dir(data.path().join("runbooks")).unwrap();
    let marks = data.path().join("marks").display().to_string();
    std::fs::write(
        data.path().join("runbooks/whoami.md"),
        format!(
            "+++\nid = \"whoami\"\ntitle = \"Who runs this\"\ncomponents = [\"db\"]\n+++\n\n\
             ## Write the uid\n\n```sh {attributes}\nid -u > {marks}/uid-$(id -u)\n```\n"
        ),
    )
    .unwrap();
    data
}

#[test]
fn a_joined_console_of_another_user_writes_as_that_user_and_runs_as_that_user() {
    if support::team::team().is_none() {
        return;
    }
    let data = shared_workspace();
    let mut writer = Session::start(data.path(), (100, 30), &[], &[]);
    declare_from_banner(&mut writer);
    let mut engineer = Session::start_as("warroom-b", data.path(), (100, 30), &["join"]);
    engineer.wait_for("Joined");
    add_note(&mut engineer, "b checked the replica");
    writer.send("4");
    writer.wait_for("Note: b checked the replica");

    // A runbook command asked for in the joined console runs there, as its user.
    engineer.send("2");
    engineer.wait_for("Who runs this");
    engineer.send(support::pty::ENTER);
    engineer.wait_for("x  run");
    engineer.send("x");
    let mark = mark_of(data.path(), "warroom-b");
    support::pty::wait_until("the command to run as warroom-b", || mark.exists());
    writer.wait_for("exit 0");

    let journal = incident_dir(&data.path().join("incidents")).join("journal.jsonl");
    let text = std::fs::read_to_string(journal).unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let b = format!("\"actor\":\"warroom-b@{}\"", host.trim());
    for kind in ["note_added", "step_started", "command_finished"] {
        assert!(
            text.lines()
                .any(|l| l.contains(&format!("\"kind\":\"{kind}\"")) && l.contains(&b)),
            "no {kind} by warroom-b:\n{text}"
        );
    }

    // A user outside the group is not let in, and is told why.
    let mut outsider = Session::start_as("warroom-x", data.path(), (100, 30), &["join"]);
    assert!(outsider.wait_exit());
    let said = String::from_utf8_lossy(&outsider.raw()).into_owned();
    assert!(said.contains("may not join"), "{said}");
    for console in [&mut engineer, &mut writer] {
        console.send("q");
        assert!(console.wait_exit());
    }
}

/// A loopback `PagerDuty`: every request body it received.
fn pagerduty() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v2/enqueue", listener.local_addr().unwrap());
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&bodies);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut request = Vec::new();
            let mut buf = [0u8; 8192];
            stream
                .set_read_timeout(Some(Duration::from_secs(2)))
                .unwrap();
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request);
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        seen.lock().unwrap().push(body.to_owned());
                        break;
                    }
                }
            }
            let _ = stream.write_all(
                b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            );
        }
    });
    (url, bodies)
}

/// A service whose database is down, one escalation level due at once for every severity, and
/// `PagerDuty` at `url`.
fn failover_workspace(data: &std::path::Path, url: &str) {
    let mut config = format!(
        "[service]\nname = \"Failover test\"\n\
         [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\n\
         probe = {{ kind = \"sim\", state = \"down\" }}\n\
         [[contact]]\nid = \"oncall\"\nname = \"Dana Ortiz\"\nrole = \"Primary on-call\"\n\
         [notify.pagerduty]\nrouting_key = \"test-key\"\nurl = \"{url}\"\n"
    );
    for severity in ["P1", "P2", "P3", "P4"] {
        use std::fmt::Write as _;
        let _ = write!(
            config,
            "[[escalation]]\nseverity = \"{severity}\"\nlevels = [ {{ after = \"0m\", notify = [\"oncall\"] }} ]\n"
        );
    }
    std::fs::write(data.join("warroom.toml"), config).unwrap();
}

/// Which of two consoles took the incident over while the other joined it, once that is so.
fn took_over(consoles: &[Session]) -> Option<usize> {
    let states: Vec<(bool, bool)> = consoles
        .iter()
        .map(|c| {
            let screen = c.contents();
            (
                screen.contains("journal ok · room 2"),
                screen.contains("JOINED · room 2"),
            )
        })
        .collect();
    match states.as_slice() {
        [(true, _), (_, true)] => Some(0),
        [(_, true), (true, _)] => Some(1),
        _ => None,
    }
}

/// Kills the writer with SIGKILL while two joined consoles write: one takes the journal over
/// and writes on, the other joins it, nothing acknowledged is lost and the page is sent once.
/// `WARROOM_SOAK=100` runs 100 cycles; the default run a few.
#[test]
fn a_joined_console_takes_over_from_a_killed_writer() {
    let cycles: usize = std::env::var("WARROOM_SOAK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let data = tempfile::tempdir().unwrap();
    let (url, pages) = pagerduty();
    failover_workspace(data.path(), &url);
    let start = |args: &[&str]| Session::start(data.path(), (100, 30), args, &[]);
    let mut writer = start(&[]);
    declare_from_banner(&mut writer);
    let mut others = vec![start(&["join"]), start(&["join"])];
    for console in &others {
        console.wait_for("JOINED · room 3");
    }
    // A page from a joined console, sent by the writer once.
    others[0].send("p");
    others[0].wait_for("Page level 1");
    others[0].send(support::pty::ENTER);
    let journal = incident_dir(&data.path().join("incidents")).join("journal.jsonl");
    support::pty::wait_until("the page to be sent", || {
        std::fs::read_to_string(&journal).is_ok_and(|j| j.contains("\"kind\":\"notify_sent\""))
    });
    let mut written = Vec::new();
    for cycle in 0..cycles {
        for (i, console) in others.iter_mut().enumerate() {
            let text = format!("cycle {cycle} console {i}");
            add_note(console, &text);
            written.push(text);
        }
        std::thread::sleep(Duration::from_millis(cycle as u64 * 37 % 200));
        writer.kill9();
        // One of the two takes over and writes; the other joins it.
        let killed = Instant::now();
        let new_writer = loop {
            if let Some(index) = took_over(&others) {
                break index;
            }
            assert!(
                killed.elapsed() < Duration::from_secs(15),
                "cycle {cycle}: no console took over:\n{}\n---\n{}",
                others[0].contents(),
                others[1].contents()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        writer = others.remove(new_writer);
        let fresh = start(&["join"]);
        fresh.wait_for("JOINED · room 3");
        others.push(fresh);
    }
    let text = std::fs::read_to_string(&journal).unwrap();
    for note in &written {
        assert_eq!(
            text.matches(&format!("\"text\":\"{note}\"")).count(),
            1,
            "`{note}` is not in the journal exactly once"
        );
    }
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["journal", "verify"])
        .arg(&journal)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let triggers = pages
        .lock()
        .unwrap()
        .iter()
        .filter(|b| b.contains("\"event_action\":\"trigger\""))
        .count();
    assert_eq!(triggers, 1, "the page was sent {triggers} times");
    for console in others.iter_mut().chain([&mut writer]) {
        console.send("q");
        assert!(console.wait_exit());
    }
}

#[test]
fn command_is_handed_over_with_a_summary_both_see() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);
    let mut lead = Session::start(data.path(), (100, 30), &["join"], &[]);
    lead.wait_for("JOINED · room 2");
    writer.send("o");
    writer.wait_for("In the room: tester@");
    writer.send("\x1b");
    writer.send("H");
    writer.wait_for(&own_actor());
    writer.send(support::pty::ENTER);
    for console in [&writer, &lead] {
        let screen = console.wait_for("Command handed over");
        assert!(
            screen.contains(&format!("handed command to {}", own_actor())),
            "{screen}"
        );
        assert!(screen.contains("Escalation:"), "{screen}");
    }
    lead.send(support::pty::ENTER);
    lead.wait_for(&format!("IC {}", own_actor()));
    let journal = incident_dir(&data.path().join("demo/incidents")).join("journal.jsonl");
    let text = std::fs::read_to_string(journal).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("\"kind\":\"handed_over\""))
        .unwrap();
    assert!(
        line.contains("\"actor\":\"tester@") && line.contains("Impact:"),
        "{line}"
    );
    // Nobody else in the room: nothing to hand over to.
    lead.send("q");
    assert!(lead.wait_exit());
    writer.send(support::pty::ENTER);
    writer.wait_gone("room 2");
    writer.send("H");
    writer.wait_for("Nobody else is in the room");
    writer.send("q");
    assert!(writer.wait_exit());
}

#[test]
fn a_command_marked_approve_runs_only_after_a_second_person_approves() {
    if support::team::team().is_none() {
        return;
    }
    let data = shared_workspace_with("{approve=true}");
    let mut writer = Session::start(data.path(), (100, 30), &[], &[]);
    declare_from_banner(&mut writer);
    let mut engineer = Session::start_as("warroom-b", data.path(), (100, 30), &["join"]);
    engineer.wait_for("JOINED · room 2");
    let run = |engineer: &mut Session| {
        engineer.send("2");
        engineer.wait_for("Who runs this");
        engineer.send(support::pty::ENTER);
        engineer.wait_for("x  run");
        engineer.send("x");
    };
    run(&mut engineer);
    engineer.wait_for("asked for approval");
    writer.wait_for("APPROVAL NEEDED: warroom-b@");
    engineer.send("x");
    engineer.wait_for("Waiting for a second person to approve");
    // The one who asked cannot approve it: their A offers to withdraw it; Esc keeps it.
    engineer.send("A");
    engineer.wait_for("Withdraw my request");
    engineer.send("\x1b");
    // A refusal is journaled; the next ask is a new request, which the writer approves.
    writer.send("A");
    writer.wait_for("asks to run whoami step 1");
    writer.send(support::pty::DOWN);
    writer.send(support::pty::ENTER);
    writer.wait_gone("APPROVAL NEEDED");
    engineer.send("x");
    engineer.wait_for("asked for approval");
    writer.wait_for("APPROVAL NEEDED: warroom-b@");
    writer.send("A");
    writer.wait_for("asks to run whoami step 1");
    writer.send(support::pty::ENTER);
    writer.wait_gone("APPROVAL NEEDED");
    let mark = mark_of(data.path(), "warroom-b");
    assert!(!mark.exists(), "the command ran before it was run");
    engineer.send("x");
    support::pty::wait_until("the approved command to run", || mark.exists());

    let journal = incident_dir(&data.path().join("incidents")).join("journal.jsonl");
    let text = std::fs::read_to_string(journal).unwrap();
    let kinds = |kind: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|r| r["kind"] == kind)
            .collect()
    };
    let requests = kinds("approval_requested");
    assert_eq!(requests.len(), 2, "{text}");
    assert!(
        requests
            .iter()
            .all(|r| r["actor"].as_str().unwrap().starts_with("warroom-b@"))
    );
    let answers = kinds("approval_given");
    assert_eq!(
        answers
            .iter()
            .map(|a| a["approved"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [false, true]
    );
    assert!(
        answers
            .iter()
            .all(|a| a["actor"].as_str().unwrap().starts_with("tester@"))
    );
    assert_eq!(kinds("step_started").len(), 1, "{text}");
    // The approval is used up: another run asks again.
    engineer.wait_for("exit 0");
    engineer.send("x");
    engineer.wait_for("asked for approval");
    for console in [&mut engineer, &mut writer] {
        console.send("q");
        assert!(console.wait_exit());
    }
}

#[test]
fn random_bytes_never_stall_the_writer() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);
    // Random bytes on fresh connections, some with a valid hello first: each is closed or
    // left waiting, and the writer goes on answering.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..60 {
        let mut hostile = Raw::connect(data.path());
        if round % 2 == 0 {
            hostile.send(r#"{"type":"hello","after":0,"protocol":3}"#);
        }
        let len = (next() % 300) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        hostile.send_bytes(&bytes);
    }
    // The noise's connections are closed; the room lets in whoever comes next.
    std::thread::sleep(Duration::from_millis(300));
    let mut after = Raw::connect(data.path());
    after.send(r#"{"type":"hello","after":0,"protocol":3}"#);
    after.until("welcome");
    let fine = after.ask(1, r#"{"kind":"note_added","text":"after the noise"}"#);
    assert_eq!(fine["type"], "accepted", "{fine}");

    add_note(&mut writer, "still writing");

    // The socket removed, then replaced by a plain file: each time the writer serves it again
    // within a couple of seconds, and the console already joined stays.
    let socket = incident_dir(&data.path().join("demo/incidents")).join("room.sock");
    for replace in [false, true] {
        std::fs::remove_file(&socket).unwrap();
        if replace {
            std::fs::write(&socket, "not a socket").unwrap();
        }
        support::pty::wait_until("the room's socket to be served again", || {
            std::os::unix::net::UnixStream::connect(&socket).is_ok()
        });
        let fine = after.ask(
            10 + u64::from(replace),
            r#"{"kind":"note_added","text":"still joined"}"#,
        );
        assert_eq!(fine["type"], "accepted", "{fine}");
    }
    writer.wait_for("The room's socket was replaced; it is served again");
    writer.send("q");
    assert!(writer.wait_exit());
}

#[test]
fn one_person_edits_the_review_at_a_time() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);
    let mut scribe = Session::start(data.path(), (100, 30), &["join"], &[]);
    scribe.wait_for("JOINED · room 2");
    writer.send("5");
    writer.send("e");
    scribe.send("5");
    scribe.wait_for("Post-incident review");
    scribe.send("e");
    scribe.wait_for("tester@");
    scribe.wait_for("is editing the review");
    writer.send("\x1b");
    scribe.send("e");
    scribe.wait_for("Review · editing");
    writer.send("e");
    writer.wait_for(&format!("{} is editing the review", own_actor()));
    let journal = incident_dir(&data.path().join("demo/incidents")).join("journal.jsonl");
    let text = std::fs::read_to_string(journal).unwrap();
    assert_eq!(
        text.matches("\"kind\":\"review_editing\"").count(),
        3,
        "{text}"
    );
    for console in [&mut scribe, &mut writer] {
        console.send("\x1b");
        console.send("q");
        assert!(console.wait_exit());
    }
}

#[test]
fn a_room_in_a_data_directory_of_150_bytes_works() {
    let base = tempfile::tempdir().unwrap();
    let deep = base.path().join("a".repeat(64)).join("b".repeat(64));
    std::fs::create_dir_all(&deep).unwrap();
    assert!(deep.as_os_str().len() >= 140, "{}", deep.display());
    let mut writer = Session::demo(&deep);
    declare_from_banner(&mut writer);
    let joined = Session::start(&deep, (100, 30), &["join"], &[]);
    joined.wait_for("Joined");
    writer.wait_for("room 2");
}

#[test]
fn sixty_four_silent_connections_do_not_keep_a_member_out() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);
    let socket = incident_dir(&data.path().join("demo/incidents")).join("room.sock");
    let silent: Vec<_> = (0..64)
        .filter_map(|_| std::os::unix::net::UnixStream::connect(&socket).ok())
        .collect();
    assert!(!silent.is_empty());
    // They never say hello: each is closed within 2 s (and one user holds at most 4 meanwhile,
    // so they never filled the room for others).
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let joined = Session::start(data.path(), (100, 30), &["join"], &[]);
    joined.wait_for("Joined");
    writer.wait_for("room 2");
    drop(silent);
}

/// CPU time (user + system, in clock ticks) a process has used.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn out_of_descriptors_the_room_waits_instead_of_spinning() {
    let data = tempfile::tempdir().unwrap();
    let mut writer = Session::demo(data.path());
    declare_from_banner(&mut writer);
    let pid = writer.child.process_id().unwrap();
    let open = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count() as u64;
    // util-linux's prlimit: the writer may open no more descriptors than it holds now.
    let set = std::process::Command::new("prlimit")
        .args([&format!("--pid={pid}"), &format!("--nofile={open}:")])
        .status()
        .unwrap();
    assert!(set.success());
    let socket = incident_dir(&data.path().join("demo/incidents")).join("room.sock");
    let waiting: Vec<_> = (0..8)
        .filter_map(|_| std::os::unix::net::UnixStream::connect(&socket).ok())
        .collect();
    assert!(!waiting.is_empty(), "the connections wait in the backlog");
    let before = cpu_ticks(pid);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let used = cpu_ticks(pid) - before;
    // 100 ticks a second: a spinning accept loop burns most of 300.
    assert!(
        used < 60,
        "{used} ticks of CPU in 3 s while out of descriptors"
    );
    drop(waiting);
}
