//! The commander's worst hour, in the real binary in a pseudo-terminal: the screen never claims
//! more than happened (a failed page, acknowledgement, resolving with a component still down,
//! processes that outlive their step, drill time).

mod support;

use std::fmt::Write as _;

use support::pty::*;
use support::receiver::receiver;
use support::running_in_group;

#[test]
fn a_page_the_receiver_refuses_reads_page_failed_with_whom_to_call_until_it_is_delivered() {
    let data = tempfile::tempdir().unwrap();
    let pager = receiver(&[500, 202]);
    kit(
        data.path(),
        "30m",
        &format!(
            "[notify.pagerduty]\nrouting_key = \"key\"\nurl = \"{}\"\n",
            pager.url
        ),
    );
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut session);
    session.send("p");
    session.wait_for("Page level 1: Dana Ortiz");
    session.send(ENTER);
    session.wait_for("Recorded: Level 1 page queued for PagerDuty: oncall");
    let screen = session.wait_for("PAGE FAILED (HTTP 500, retrying in");
    assert!(
        screen.contains("call Dana Ortiz (Primary on-call) +1 555 0100"),
        "{screen}"
    );
    assert!(
        !screen.contains("LEVEL 1 DUE"),
        "the failure comes first: {screen}"
    );
    session.send("3");
    session.wait_for_row(&["1", "DUE NOW · page FAILED"]);
    session.wait_for("(PAGE FAILED: HTTP 500, 1 attempt; call them)");
    session.send("4");
    session.wait_for("PagerDuty page level 1 failed (attempt 1): HTTP 500");
    session.wait_for("PagerDuty page level 1 delivered");
    session.wait_gone("PAGE FAILED");
    session.send("3");
    let screen = session.wait_for("(PagerDuty delivered ");
    assert!(screen.contains("DUE NOW · paged "), "{screen}");
    assert!(
        screen.contains("LEVEL 1 DUE: call Dana Ortiz"),
        "delivered is not acknowledged: {screen}"
    );
    assert_eq!(
        pager.bodies.lock().unwrap().len(),
        2,
        "one failure, one delivery"
    );
    session.send("q");
    assert!(session.wait_exit());
    let review = warroom_ok(data.path(), &["review", "export", "latest"]);
    assert!(
        review.contains("level 1 page asked for (oncall); delivered to PagerDuty"),
        "{review}"
    );
}

#[test]
fn resolving_with_the_database_still_down_asks_and_the_review_gives_no_time_to_recover() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "30m", "");
    let mut session = Session::start(data.path(), (80, 24), &[], &[("NO_COLOR", "1")]);
    declare_from_banner(&mut session);
    session.send("R");
    session.wait_for("Resolve");
    session.send(ENTER);
    session.wait_for("Primary database still DOWN. Enter again resolves with it not");
    session.send("\x1b");
    session.wait_gone("still DOWN");
    assert!(
        !journal_text(data.path()).contains("\"resolved\""),
        "Esc resolves nothing"
    );
    session.send("R");
    session.wait_for("Resolve");
    session.send(ENTER);
    session.wait_for("still DOWN");
    session.send(ENTER);
    session.wait_for("Recorded: Resolved (not recovered: db)");
    session.send("q");
    assert!(session.wait_exit());
    let review = warroom_ok(data.path(), &["review", "export", "latest"]);
    assert!(
        review.contains("| none: not recovered at resolution (Primary database) |"),
        "{review}"
    );
    assert!(
        review.contains("| Time to resolve (first failure → resolved) | "),
        "{review}"
    );
    assert!(review.contains("not recovered at resolution"), "{review}");
}

#[test]
fn the_gauges_of_three_failing_components_are_drawn_at_every_size() {
    let data = tempfile::tempdir().unwrap();
    let mut extra = String::new();
    for (id, port) in [("api", 9), ("queue", 10)] {
        let _ = write!(
            extra,
            "[[component]]\nid = \"{id}\"\nname = \"Payments {id} service\"\ntier = \"critical\"\n\
             probe = {{ kind = \"tcp\", address = \"127.0.0.1:{port}\", interval = \"500ms\", timeout = \"300ms\" }}\n"
        );
    }
    kit(data.path(), "30m", &extra);
    let mut first = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut first);
    first.wait_for("Payments queue service");
    first.send("q");
    assert!(first.wait_exit());
    for size in [(60, 20), (80, 24), (120, 40), (160, 50)] {
        let mut session = Session::start(data.path(), size, &[], &[("NO_COLOR", "1")]);
        let screen = session.wait_for("RTO [");
        assert!(
            screen.contains("Primary database RTO [")
                || screen.contains("Payments api ser RTO [")
                || screen.contains("Payments queue s RTO ["),
            "{size:?}: a whole 16-character name before the gauge:\n{screen}"
        );
        session.send("q");
        assert!(session.wait_exit());
    }
}

/// The pid of a process group a test's command wrote to `file` (its `$$`).
fn group_in(file: &std::path::Path) -> String {
    wait_until("the command to write its group", || {
        std::fs::read_to_string(file).is_ok_and(|s| s.ends_with('\n'))
    });
    std::fs::read_to_string(file).unwrap().trim().to_owned()
}

fn kill_group(pgid: &str) {
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pgid.parse().unwrap()),
        nix::sys::signal::Signal::SIGKILL,
    );
}

#[test]
fn a_recovery_that_starts_a_daemon_with_nohup_keeps_it_and_says_where_the_component_stands() {
    let data = tempfile::tempdir().unwrap();
    let pid = data.path().join("daemon.pid");
    let probe = format!(
        "{{ kind = \"command\", command = \"kill -0 $(cat {})\", interval = \"500ms\", timeout = \"300ms\" }}",
        pid.display()
    );
    let recovery = format!(
        "[[component.recovery]]\nname = \"Start the database\"\n\
         command = \"nohup sleep 300 >/dev/null 2>&1 & echo $! > {}; echo started\"\n",
        pid.display()
    );
    kit_probing(data.path(), &probe, "30m", &recovery);
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut session);
    session.send("r");
    session.wait_for("Recovery actions");
    session.send(ENTER);
    session.wait_for("Start the database");
    session.send(ENTER);
    let screen = session.wait_for("exit 0: Primary database");
    assert!(
        screen.contains("exit 0: Primary database still DOWN, re-probing")
            || screen.contains("exit 0: Primary database is up"),
        "{screen}"
    );
    session.wait_for_row(&["up", "Primary database"]);
    let daemon = std::fs::read_to_string(&pid).unwrap().trim().to_owned();
    std::thread::sleep(std::time::Duration::from_secs(2));
    let screen = session.contents();
    assert!(
        !screen.contains("✖ DOWN      Primary database"),
        "the daemon lives on, so does the database:\n{screen}"
    );
    session.send("q");
    assert!(session.wait_exit(), "nothing runs: q quits at once");
    let alive = nix::sys::signal::kill(nix::unistd::Pid::from_raw(daemon.parse().unwrap()), None);
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(daemon.parse().unwrap()),
        nix::sys::signal::Signal::SIGKILL,
    );
    assert!(
        alive.is_ok(),
        "the daemon outlives warroom: it is the user's"
    );
}

/// A runbook of two long steps that each write their process group to `group1` / `group2`.
fn long_runbook(data: &std::path::Path) {
    std::fs::create_dir_all(data.join("runbooks")).unwrap();
    let step = |n: u8| {
        format!(
            "## Watch {n}\n\n```sh {{timeout=\"300s\" on_fail=\"continue\"}}\necho $$ > {}/group{n}; echo watching {n}; sleep 300\n```\n\n",
            data.display()
        )
    };
    let runbook = format!(
        "+++\nid = \"watch\"\ntitle = \"Watch the database\"\ncomponents = [\"db\"]\n+++\n\n{}{}",
        step(1),
        step(2)
    );
    std::fs::write(data.join("runbooks/watch.md"), runbook).unwrap();
}

/// `x` on the selected step, confirmed when asked, until it runs.
fn run_step(session: &mut Session) {
    session.send("x");
    session.wait_answering("RUNNING", "Enter runs it");
}

#[test]
fn quitting_while_a_step_runs_asks_to_stop_it_or_leave_it_running() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "30m", "");
    long_runbook(data.path());
    let mut session = Session::start(data.path(), (120, 40), &[], &[("NO_COLOR", "1")]);
    declare_from_banner(&mut session);
    session.send("2");
    session.wait_for("Watch the database");
    session.send(ENTER);
    session.wait_for("x  run");
    run_step(&mut session);
    let first = group_in(&data.path().join("group1"));
    session.send("q");
    session.wait_for("A command is still running here");
    session.wait_for("Stop it and quit");
    session.send("\x1b");
    session.wait_gone("A command is still running here");
    assert_eq!(
        running_in_group(&first).len(),
        2,
        "Esc stays: sh and sleep run on"
    );
    session.send("q");
    session.wait_for("Leave it running and quit");
    session.send(ENTER);
    assert!(session.wait_exit());
    assert!(
        running_in_group(&first).is_empty(),
        "stopped: its whole group"
    );
    assert!(journal_text(data.path()).contains("\"outcome\":\"cancelled\""));

    let mut again = Session::start(data.path(), (120, 40), &[], &[]);
    again.wait_for(" P1 ");
    again.send("2");
    again.wait_for("Watch the database");
    again.send(ENTER);
    again.send("j");
    run_step(&mut again);
    let second = group_in(&data.path().join("group2"));
    again.send("q");
    again.wait_for("Leave it running and quit");
    again.send(DOWN);
    again.send(ENTER);
    assert!(again.wait_exit());
    let running = running_in_group(&second);
    kill_group(&second);
    assert_eq!(running.len(), 2, "left running, as chosen: {running:?}");
    assert!(journal_text(data.path()).contains("left running when the console quit"));
    let mut third = Session::start(data.path(), (120, 40), &[], &[]);
    third.wait_for(" P1 ");
    third.send("2");
    third.wait_for("Watch the database");
    third.send(ENTER);
    third.send("j");
    third.wait_for("LEFT RUNNING, outcome unknown");
}

#[test]
fn sigterm_ends_every_probe_and_step_the_console_started() {
    let data = tempfile::tempdir().unwrap();
    let probe = format!(
        "{{ kind = \"command\", command = \"echo $$ > {}/probe-group; sleep 60\", interval = \"120s\", timeout = \"90s\" }}",
        data.path().display()
    );
    kit_probing(data.path(), &probe, "30m", "");
    long_runbook(data.path());
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    let probe_group = group_in(&data.path().join("probe-group"));
    session.wait_for("Primary database");
    declare(&mut session, "Probe test");
    session.send("2");
    session.wait_for("Watch the database");
    session.send(ENTER);
    session.wait_for("x  run");
    run_step(&mut session);
    let step_group = group_in(&data.path().join("group1"));
    assert!(!running_in_group(&probe_group).is_empty());
    let pid = session.child.process_id().unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(pid).unwrap()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    assert!(session.wait_exit());
    std::thread::sleep(std::time::Duration::from_millis(300));
    for group in [probe_group, step_group] {
        let running = running_in_group(&group);
        kill_group(&group);
        assert!(
            running.is_empty(),
            "group {group} outlived SIGTERM: {running:?}"
        );
    }
}

#[test]
fn drill_records_keep_the_wall_clock_as_utc_and_carry_their_drill_time_apart() {
    let data = tempfile::tempdir().unwrap();
    let mut session = Session::demo(data.path());
    declare(&mut session, "Drill time");
    add_note(&mut session, "drill clock check");
    session.send("4");
    let screen = session.wait_for_row(&["SEQ", "UTC", "DRILL", "WHO", "WHAT"]);
    assert!(screen.contains("Note: drill clock check"), "{screen}");
    session.send("q");
    assert!(session.wait_exit());
    let dir = incident_dir(&data.path().join("demo/incidents"));
    let journal = std::fs::read_to_string(dir.join("journal.jsonl")).unwrap();
    let now = chrono::Utc::now();
    for line in journal.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let time = |key: &str| {
            chrono::DateTime::parse_from_rfc3339(
                value[key]
                    .as_str()
                    .unwrap_or_else(|| panic!("no {key} in {line}")),
            )
            .unwrap()
        };
        let wall = time("at");
        assert!(
            (now - wall.to_utc()).num_seconds().abs() < 120,
            "`at` is the wall clock: {line}"
        );
        time("drill_at");
    }
    let shown = warroom_ok(data.path(), &["incident", "show", "latest", "--demo"]);
    let note = shown
        .lines()
        .find(|l| l.contains("Note: drill clock check"))
        .unwrap();
    assert!(note.contains("Z drill "), "{note}");
}

#[test]
fn a_drill_that_sends_nothing_starts_without_the_notification_secrets() {
    let data = tempfile::tempdir().unwrap();
    kit(
        data.path(),
        "30m",
        "[notify.pagerduty]\nrouting_key = \"${WARROOM_TEST_MISSING}\"\n",
    );
    let scenario = data.path().join("drill.toml");
    std::fs::write(
        &scenario,
        "title = \"Secrets drill\"\nconfig = \"warroom.toml\"\n\
         [[inject]]\nat = \"1s\"\ncomponent = \"db\"\nstate = \"down\"\n",
    )
    .unwrap();
    let mut session = Session::start(
        data.path(),
        (100, 30),
        &["drill", scenario.to_str().unwrap()],
        &[],
    );
    session.wait_for(" DRILL  no incident");
    session.send("q");
    assert!(session.wait_exit());
    // With `allow_notify = true` it would page: it refuses, naming the variable.
    std::fs::write(
        &scenario,
        "title = \"Secrets drill\"\nconfig = \"warroom.toml\"\nallow_notify = true\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["drill", scenario.to_str().unwrap()])
        .env("WARROOM_DATA_DIR", data.path())
        .env_remove("WARROOM_TEST_MISSING")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WARROOM_TEST_MISSING"), "{err}");
}

#[test]
fn an_acknowledgement_stops_the_escalation_before_level_two() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "4s", "");
    let mut session = Session::start(data.path(), (120, 40), &[], &[("NO_COLOR", "1")]);
    declare_from_banner(&mut session);
    session.wait_for("LEVEL 1 DUE: call Dana Ortiz");
    session.send("a");
    session.wait_answering("Level 1 acknowledged", "Acknowledge level 1");
    session.send("3");
    session.wait_for("Escalation stopped at level 1: acknowledged.");
    session.wait_for_row(&["2", "Sam Okafor", "held: acknowledged"]);
    std::thread::sleep(std::time::Duration::from_secs(6));
    let screen = session.contents();
    assert!(!screen.contains("LEVEL 2 DUE"), "{screen}");
    assert!(!screen.contains("Level 2 DUE"), "{screen}");
    assert!(screen.contains("held: acknowledged"), "{screen}");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn a_restart_journals_no_transition_that_did_not_happen() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "30m", "");
    let mut session = Session::start(data.path(), (100, 30), &[], &[]);
    declare_from_banner(&mut session);
    add_note(&mut session, "before the restart");
    session.send("q");
    assert!(session.wait_exit());
    let changes = |text: &str| text.matches("\"kind\":\"component_changed\"").count();
    let before = journal_text(data.path());
    let mut again = Session::start(data.path(), (100, 30), &[], &[]);
    again.wait_for("Primary database");
    // Several probe samples (every 500 ms) of the same, still refused, database.
    std::thread::sleep(std::time::Duration::from_secs(3));
    again.wait_for_row(&["DOWN", "Primary database"]);
    add_note(&mut again, "after the restart");
    again.send("q");
    assert!(again.wait_exit());
    let after = journal_text(data.path());
    assert!(!after.contains("\"from\":\"unknown\""), "{after}");
    assert_eq!(changes(&before), changes(&after), "{after}");
}

#[test]
fn a_journal_deleted_under_a_running_console_says_journal_missing_and_records_nothing_more() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "30m", "");
    let mut session = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut session);
    add_note(&mut session, "before the delete");
    let journal = incident_dir(&data.path().join("incidents")).join("journal.jsonl");
    std::fs::remove_file(&journal).unwrap();
    session.send("n");
    session.wait_for("Add a note");
    session.send("after the delete");
    session.send(ENTER);
    let screen = session.wait_for("Not recorded: journal missing:");
    assert!(!screen.contains("Recorded: Note: after"), "{screen}");
    session.send("\x1b");
    session.wait_for(" JOURNAL MISSING ");
    assert!(
        !journal.exists(),
        "nothing wrote it back behind the user's back"
    );
    // Once nothing else is open, the offer: Enter writes it again from what the console holds.
    session.wait_for("Enter writes it again at its path");
    session.send(ENTER);
    session.wait_for("The journal was written again from the");
    add_note(&mut session, "after the rewrite");
    session.send("q");
    assert!(session.wait_exit());
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        text.contains("before the delete") && text.contains("after the rewrite"),
        "{text}"
    );
    assert!(!text.contains("after the delete"), "never recorded: {text}");
    let shown = warroom_ok(data.path(), &["incident", "show", "latest"]);
    assert!(!shown.contains("fault"), "a whole, valid journal: {shown}");
}

#[test]
fn a_lost_terminal_ends_the_console_within_two_seconds_and_another_takes_the_incident() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "30m", "");
    lose_the_terminal_and_take_over(data.path(), false);
}

/// The issue's worst case: the log on a device that is always full (`/dev/full`'s own device
/// number, made in the data directory by root) and then the terminal lost.
#[test]
fn a_full_log_and_a_lost_terminal_end_the_console_within_two_seconds() {
    let data = tempfile::tempdir().unwrap();
    kit(data.path(), "30m", "");
    let made = std::process::Command::new("mknod")
        .arg(data.path().join("warroom.log"))
        .args(["c", "1", "7"])
        .output()
        .unwrap();
    if !made.status.success() {
        support::missing(
            "root (to make a /dev/full device node as the log)",
            "run the test suite as root, as CI does",
        );
        return;
    }
    lose_the_terminal_and_take_over(data.path(), true);
}

fn lose_the_terminal_and_take_over(data: &std::path::Path, log_full: bool) {
    use std::sync::atomic::Ordering;
    let mut session = Session::start(data, (100, 30), &[], &[]);
    declare_from_banner(&mut session);
    add_note(&mut session, "before the terminal went");
    if log_full {
        session.wait_for("log off");
    }
    session.hang_up.store(true, Ordering::SeqCst);
    drop(session.writer.take());
    drop(session.master.take());
    let gone = std::time::Instant::now();
    while session.child.try_wait().ok().flatten().is_none() {
        assert!(
            gone.elapsed() < std::time::Duration::from_secs(2),
            "still running 2 s after its terminal went"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The lock went with it: the next console writes the incident.
    let mut next = Session::start(data, (100, 30), &[], &[]);
    next.wait_for("journal ok");
    add_note(&mut next, "the next console writes");
    next.send("q");
    assert!(next.wait_exit());
    let journal = journal_text(data);
    assert!(journal.contains("before the terminal went"), "{journal}");
    assert!(journal.contains("the next console writes"), "{journal}");
}
