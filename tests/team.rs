//! The war room for a team of different Unix users (made by the test, as root): the README's
//! shared data directory works for every member, and the room outlives any one of them.

mod support;

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;

use support::pty::*;
use support::team::{oncall_gid, team};

/// The README's set-up: a data directory owned by root and the room's group, mode 2770, with
/// a service whose database is down and a room open to `warroom-oncall`.
fn team_data_dir() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    std::os::unix::fs::chown(data.path(), Some(0), Some(oncall_gid())).unwrap();
    std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o2770)).unwrap();
    let config = "[service]\nname = \"Team test\"\n\
        [room]\ngroup = \"warroom-oncall\"\n\
        [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\n\
        probe = { kind = \"sim\", state = \"down\" }\n";
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    data
}

fn actor(user: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    format!("\"actor\":\"{user}@{}\"", host.trim())
}

/// The journal line holding `text`.
fn line_with<'a>(journal: &'a str, text: &str) -> &'a str {
    journal
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("`{text}` is not in the journal:\n{journal}"))
}

#[test]
fn the_readmes_shared_data_directory_outlives_a_writer_of_another_user() {
    if team().is_none() {
        return;
    }
    let data = team_data_dir();
    let mut b = Session::start_as("warroom-b", data.path(), (100, 30), &[]);
    declare_from_banner(&mut b);
    add_note(&mut b, "b declared it");
    let mut c = Session::start_as("warroom-c", data.path(), (100, 30), &["join"]);
    c.wait_for("JOINED");
    add_note(&mut c, "c joined b");
    b.kill9();
    // The room carries on: c's console writes the incident now.
    c.wait_for("journal ok");
    add_note(&mut c, "c writes now");
    c.send("q");
    assert!(c.wait_exit());
    let journal = journal_text(data.path());
    assert!(line_with(&journal, "b declared it").contains(&actor("warroom-b")));
    assert!(line_with(&journal, "c joined b").contains(&actor("warroom-c")));
    assert!(line_with(&journal, "c writes now").contains(&actor("warroom-c")));
    // Reading needs no writer: b reads the incident nobody writes.
    for args in [
        &["incident", "show", "latest"][..],
        &["review", "export", "latest"],
    ] {
        let out = warroom_as("warroom-b", data.path(), args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("c writes now"),
            "{args:?}: {}{text}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The team's data directory with a runbook whose command takes `seconds` and then writes the
/// uid it ran as into `marks/`.
fn team_data_dir_with_runbook(seconds: u32) -> tempfile::TempDir {
    let data = team_data_dir();
    let marks = data.path().join("marks");
    std::fs::create_dir(&marks).unwrap();
    std::fs::set_permissions(&marks, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::create_dir(data.path().join("runbooks")).unwrap();
    std::fs::write(
        data.path().join("runbooks/slow.md"),
        format!(
            "+++\nid = \"slow\"\ntitle = \"Slow step\"\ncomponents = [\"db\"]\n+++\n\n\
             ## Wait, then write the uid\n\n```sh\nsleep {seconds}; id -u > {}/uid-$(id -u)\n```\n",
            marks.display()
        ),
    )
    .unwrap();
    data
}

fn run_slow_step(console: &mut Session) {
    console.send("2");
    console.wait_for("Slow step");
    console.send(ENTER);
    console.wait_for("x  run");
    console.send("x");
    console.wait_for("RUNNING");
}

/// Which of two consoles writes (`journal ok`) while the other is joined to it, once so.
fn writer_of(consoles: &[&Session]) -> Option<usize> {
    let writes: Vec<bool> = consoles
        .iter()
        .map(|c| c.contents().contains("journal ok · room 2"))
        .collect();
    let joined: Vec<bool> = consoles
        .iter()
        .map(|c| c.contents().contains("JOINED · room 2"))
        .collect();
    match (writes.as_slice(), joined.as_slice()) {
        ([true, false], [false, true]) => Some(0),
        ([false, true], [true, false]) => Some(1),
        _ => None,
    }
}

#[test]
fn a_failover_keeps_each_console_as_it_was_its_command_its_typed_note() {
    if team().is_none() {
        return;
    }
    let data = team_data_dir_with_runbook(3);
    let mut a = Session::start(data.path(), (100, 30), &[], &[]);
    declare_from_banner(&mut a);
    let mut b = Session::start_as("warroom-b", data.path(), (100, 30), &["join"]);
    let mut c = Session::start_as("warroom-c", data.path(), (100, 30), &["join"]);
    b.wait_for("JOINED · room 3");
    c.wait_for("JOINED · room 3");
    run_slow_step(&mut b);
    c.send("n");
    c.wait_for("Add a note");
    c.send("typed while the writer died");
    a.kill9();
    // One of them writes, the other joins it; neither started again.
    support::pty::wait_until("one console to write and the other to join it", || {
        writer_of(&[&b, &c]).is_some()
    });
    c.wait_for("typed while the writer died");
    c.send(ENTER);
    c.wait_for("Recorded: Note");
    let mark = data.path().join("marks").join(format!(
        "uid-{}",
        String::from_utf8_lossy(
            &std::process::Command::new("id")
                .args(["-u", "warroom-b"])
                .output()
                .unwrap()
                .stdout
        )
        .trim()
    ));
    support::pty::wait_until("b's command to finish", || mark.exists());
    support::pty::wait_until("b's command to be journaled", || {
        journal_text(data.path()).contains("\"kind\":\"command_finished\"")
    });
    let journal = journal_text(data.path());
    assert_eq!(
        journal.matches("typed while the writer died").count(),
        1,
        "{journal}"
    );
    assert!(line_with(&journal, "typed while the writer died").contains(&actor("warroom-c")));
    let finished = line_with(&journal, "\"kind\":\"command_finished\"");
    assert!(finished.contains(&actor("warroom-b")), "{finished}");
    assert!(finished.contains("\"succeeded\":true"), "{finished}");
    for console in [&mut b, &mut c] {
        console.send("q");
    }
}

/// One at a time and authority, across two Unix users: a step running in b's console cannot be
/// started from the writer's; nobody takes command with `o` from a commander in the room; once
/// handed command, b resolves from b's joined console.
#[test]
fn a_running_step_is_refused_elsewhere_and_the_commander_resolves_from_a_joined_console() {
    if team().is_none() {
        return;
    }
    let data = team_data_dir_with_runbook(5);
    let mut a = Session::start(data.path(), (100, 30), &[], &[]);
    declare_from_banner(&mut a);
    let mut b = Session::start_as("warroom-b", data.path(), (100, 30), &["join"]);
    b.wait_for("JOINED · room 2");
    run_slow_step(&mut b);
    a.send("2");
    a.wait_for("Slow step");
    a.send(ENTER);
    a.wait_for("RUNNING");
    a.send("x");
    a.wait_for("already running: started by warroom-b@");
    a.send("\x1b");
    a.send("1");
    // b cannot make themself commander while the commander is here.
    b.send("o");
    b.wait_for("Assign a role");
    b.send("warroom-b");
    b.send(ENTER);
    b.wait_for("is the commander and in the room: ask them to hand over");
    b.send("\x1b");
    // Handed command, b resolves from b's own console.
    a.send("H");
    a.wait_for("warroom-b@");
    a.send(ENTER);
    b.wait_for("Command handed over");
    b.send(ENTER);
    b.wait_for("IC warroom-b@");
    b.send("R");
    b.wait_for("Resolve");
    b.send(ENTER);
    b.wait_for("still DOWN");
    b.send(ENTER);
    support::pty::wait_until("the resolution to be journaled", || {
        journal_text(data.path()).contains("\"kind\":\"resolved\"")
    });
    let journal = journal_text(data.path());
    assert!(line_with(&journal, "\"kind\":\"resolved\"").contains(&actor("warroom-b")));
    assert_eq!(
        journal.matches("\"kind\":\"step_started\"").count(),
        1,
        "{journal}"
    );
    for console in [&mut a, &mut b] {
        console.send("q");
    }
}

/// The team's data directory whose database is probed by a command that notes the Unix user
/// probing (in `marks/probes`) and fails while `marks/down` exists.
fn team_data_dir_probing() -> tempfile::TempDir {
    let data = team_data_dir();
    let marks = data.path().join("marks");
    std::fs::create_dir(&marks).unwrap();
    std::fs::set_permissions(&marks, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::write(marks.join("down"), "").unwrap();
    std::fs::write(marks.join("probes"), "").unwrap();
    std::fs::set_permissions(marks.join("probes"), std::fs::Permissions::from_mode(0o666)).unwrap();
    let config = std::fs::read_to_string(data.path().join("warroom.toml")).unwrap();
    let probe = format!(
        "probe = {{ kind = \"command\", command = \"id -un >> {m}/probes; test ! -e {m}/down\", interval = \"1s\", timeout = \"900ms\" }}",
        m = marks.display()
    );
    let config = config.replace("probe = { kind = \"sim\", state = \"down\" }", &probe);
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    data
}

/// The Unix users that probed since the last call (the file is emptied).
fn probed_by(data: &std::path::Path) -> std::collections::BTreeSet<String> {
    let path = data.join("marks/probes");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, "").unwrap();
    text.lines().map(str::to_owned).collect()
}

/// One prober: joined consoles run no probe and show the writer's samples; once a joined
/// console writes the incident, it probes for the room.
#[test]
fn joined_consoles_probe_nothing_and_show_what_the_writer_probes() {
    if team().is_none() {
        return;
    }
    let data = team_data_dir_probing();
    let mut a = Session::start(data.path(), (100, 30), &[], &[]);
    declare_from_banner(&mut a);
    let b = Session::start_as("warroom-b", data.path(), (100, 30), &["join"]);
    let c = Session::start_as("warroom-c", data.path(), (100, 30), &["join"]);
    b.wait_for("JOINED · room 3");
    c.wait_for("JOINED · room 3");
    for joined in [&b, &c] {
        joined.wait_for_row(&["Primary database", "DOWN"]);
    }
    probed_by(data.path());
    std::thread::sleep(std::time::Duration::from_secs(3));
    let probers = probed_by(data.path());
    assert_eq!(probers.iter().collect::<Vec<_>>(), ["root"], "{probers:?}");
    // What the writer sees, every screen shows.
    std::fs::remove_file(data.path().join("marks/down")).unwrap();
    for console in [&a, &b, &c] {
        console.wait_for_row(&["Primary database", "up"]);
    }
    a.kill9();
    support::pty::wait_until("one console to write and the other to join it", || {
        writer_of(&[&b, &c]).is_some()
    });
    let writer = ["warroom-b", "warroom-c"][writer_of(&[&b, &c]).unwrap()];
    probed_by(data.path());
    std::thread::sleep(std::time::Duration::from_secs(3));
    let probers = probed_by(data.path());
    assert_eq!(probers.iter().collect::<Vec<_>>(), [writer], "{probers:?}");
}

/// The team's data directory with one escalation level due at once, approvals that expire in
/// 6 s, and a runbook whose one step needs approval and has two checks.
fn team_data_dir_for_answers() -> tempfile::TempDir {
    let data = team_data_dir();
    let config = std::fs::read_to_string(data.path().join("warroom.toml")).unwrap();
    let config = format!("{config}{}", escalation_for_every_severity())
        .replace("[room]", "[safety]\napproval_timeout = \"6s\"\n[room]");
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    std::fs::create_dir(data.path().join("runbooks")).unwrap();
    std::fs::write(
        data.path().join("runbooks/promote.md"),
        "+++\nid = \"promote\"\ntitle = \"Promote the replica\"\ncomponents = [\"db\"]\n+++\n\n\
         ## Promote\n\n- [ ] The replica is healthy\n- [ ] The commander agreed\n\n\
         ```sh {approve=true}\ntrue\n```\n",
    )
    .unwrap();
    data
}

fn open_promote(console: &mut Session) {
    console.send("2");
    console.wait_for("Promote the replica");
    console.send(ENTER);
    console.wait_for("x  run");
}

/// One at a time and honest answers across three Unix users: a level paged by one is asked
/// about by the next, naming who; the review editor is refused while another edits it, naming
/// who; an approval's answer reaches the asker with who gave it, and one nobody answers expires
/// and the asker is told; a step given to someone shows on every screen.
#[test]
fn pages_editors_and_approvals_are_one_at_a_time_and_answered_to_the_asker() {
    if team().is_none() {
        return;
    }
    let data = team_data_dir_for_answers();
    let mut a = Session::start(data.path(), (120, 40), &[], &[]);
    declare_from_banner(&mut a);
    let mut b = Session::start_as("warroom-b", data.path(), (120, 40), &["join"]);
    let mut c = Session::start_as("warroom-c", data.path(), (120, 40), &["join"]);
    b.wait_for("JOINED · room 3");
    c.wait_for("JOINED · room 3");
    // Two pages of a level: the second asks, naming who paged.
    b.send("p");
    b.wait_for("Page level 1");
    b.send(ENTER);
    b.wait_for("Recorded: Paged level 1");
    c.send("p");
    c.wait_for("Paged by warroom-b@");
    c.send("\x1b");
    b.send("a");
    b.wait_for("Level 1 acknowledged");
    // Two review editors: the second is refused, naming who edits.
    b.send("5");
    b.wait_for("Review");
    b.send("e");
    c.send("5");
    c.wait_for("Review");
    support::pty::wait_until("b's editor to be journaled", || {
        journal_text(data.path()).contains("\"kind\":\"review_editing\"")
    });
    c.send("e");
    c.wait_for("warroom-b@");
    c.wait_for("is editing the review");
    b.send("\x1b");
    // An approval's answer reaches the asker, naming who gave it.
    open_promote(&mut c);
    c.send("x");
    a.wait_for("APPROVAL NEEDED: warroom-c@");
    a.send("A");
    a.wait_for("asks to run promote step 1");
    a.send(ENTER);
    c.wait_for("tester@");
    c.wait_for("approved your request to run promote step 1");
    // One nobody answers expires, and the asker is told.
    open_promote(&mut b);
    b.send("x");
    b.wait_for("asked for approval");
    b.wait_for("expired unanswered");
    // A step given to someone shows on every screen.
    open_promote(&mut a);
    a.send("@");
    a.wait_for("Who is on it?");
    a.send(CLEAR_LINE);
    a.send("warroom-c");
    a.send(ENTER);
    for console in [&b, &c] {
        console.wait_for("on it: warroom-c");
    }
    let journal = journal_text(data.path());
    assert_eq!(
        journal.matches("\"kind\":\"paged\"").count(),
        1,
        "{journal}"
    );
    assert!(line_with(&journal, "\"kind\":\"assigned\"").contains(&actor("tester")));
    assert!(line_with(&journal, "\"expired\":true").contains("approval_withdrawn"));
    for console in [&mut a, &mut b, &mut c] {
        console.send("q");
    }
}

/// Which console writes (`journal ok · room N`) while every other is joined to it.
fn the_writer(consoles: &[(&str, Session)], room: usize) -> Option<usize> {
    let writes = format!("journal ok · room {room}");
    let joined = format!("JOINED · room {room}");
    let screens: Vec<String> = consoles.iter().map(|(_, c)| c.contents()).collect();
    let writers: Vec<usize> = (0..screens.len())
        .filter(|&i| screens[i].contains(&writes))
        .collect();
    match writers.as_slice() {
        [w] if (0..screens.len()).all(|i| i == *w || screens[i].contains(&joined)) => Some(*w),
        _ => None,
    }
}

/// The team's data directory with the slow runbook, one escalation level due at once for every
/// severity, and `PagerDuty` at `url`.
fn soak_data_dir(url: &str) -> tempfile::TempDir {
    let data = team_data_dir_with_runbook(1);
    let config = std::fs::read_to_string(data.path().join("warroom.toml")).unwrap();
    let config = format!(
        "{config}[notify.pagerduty]\nrouting_key = \"test-key\"\nurl = \"{url}\"\n{}",
        escalation_for_every_severity()
    );
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    data
}

/// A contact and one level paging it at once, for every severity.
fn escalation_for_every_severity() -> String {
    let mut config =
        "[[contact]]\nid = \"oncall\"\nname = \"Dana Ortiz\"\nrole = \"Primary on-call\"\n"
            .to_owned();
    for severity in ["P1", "P2", "P3", "P4"] {
        let _ = write!(
            config,
            "[[escalation]]\nseverity = \"{severity}\"\nlevels = [ {{ after = \"0m\", notify = [\"oncall\"] }} ]\n"
        );
    }
    config
}

/// Waits until one of `consoles` writes and the others are joined to it, in a room of `room`;
/// which one. On a timeout, every screen is shown.
fn wait_for_the_writer(consoles: &[(&str, Session)], room: usize, cycle: usize) -> usize {
    let since = std::time::Instant::now();
    loop {
        if let Some(writer) = the_writer(consoles, room) {
            return writer;
        }
        assert!(
            since.elapsed() < std::time::Duration::from_secs(20),
            "cycle {cycle}: no room of {room} with one writer:\n{}",
            consoles.iter().fold(String::new(), |mut out, (user, c)| {
                let _ = write!(out, "--- {user}\n{}", c.contents());
                out
            })
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// One cycle of the soak: a joined console runs the step, the other opens the page dialog,
/// both add a note (kept in `notes`), and the writer is killed; its user joins again.
fn soak_cycle(
    consoles: &mut Vec<(&'static str, Session)>,
    (cycle, runner): (usize, usize),
    notes: &mut Vec<String>,
    start: &dyn Fn(&str) -> Session,
) {
    let writer = wait_for_the_writer(consoles, 3, cycle);
    let joined: Vec<usize> = (0..3).filter(|&i| i != writer).collect();
    let runner = if joined.contains(&runner) {
        runner
    } else {
        joined[0]
    };
    run_slow_step(&mut consoles[runner].1);
    let pager = joined.iter().copied().find(|&i| i != runner).unwrap();
    consoles[pager].1.send("p");
    consoles[pager].1.wait_for(" Page? ");
    consoles[pager].1.send("\x1b");
    for i in joined {
        let text = format!("cycle {cycle} {}", consoles[i].0);
        add_note(&mut consoles[i].1, &text);
        notes.push(text);
    }
    std::thread::sleep(std::time::Duration::from_millis(cycle as u64 * 37 % 200));
    let (user, mut killed) = consoles.remove(writer);
    killed.kill9();
    wait_for_the_writer(consoles, 2, cycle);
    consoles.push((user, start(user)));
    wait_for_the_writer(consoles, 3, cycle);
}

/// The soak's journal: every note once, one page, every run finished once as who ran it.
fn check_soak_journal(data: &std::path::Path, notes: &[String], cycles: usize) {
    let journal = journal_text(data);
    for note in notes {
        assert_eq!(
            journal.matches(&format!("\"text\":\"{note}\"")).count(),
            1,
            "`{note}` is not in the journal exactly once"
        );
    }
    assert_eq!(journal.matches("\"kind\":\"paged\"").count(), 1, "one page");
    let records: Vec<serde_json::Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let starts: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["kind"] == "step_started")
        .collect();
    assert_eq!(starts.len(), cycles, "one run a cycle");
    for start in starts {
        let finished: Vec<&serde_json::Value> = records
            .iter()
            .filter(|r| r["kind"] == "command_finished" && r["started"] == start["seq"])
            .collect();
        assert_eq!(finished.len(), 1, "run {start}: {finished:?}");
        assert_eq!(
            finished[0]["actor"], start["actor"],
            "journaled as who ran it"
        );
    }
    let path = incident_dir(&data.join("incidents")).join("journal.jsonl");
    let verify = warroom_as(
        "warroom-b",
        data,
        &["journal", "verify", &path.display().to_string()],
    );
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// Three Unix users of the room's group; the writer is killed 20 times (`WARROOM_SOAK=N` for N)
/// while the others add notes, run a step and open the page dialog; the killed user comes back
/// with `join`. Nothing acknowledged is lost or doubled, the level is paged once, and every
/// command's outcome is journaled once, as the user who ran it.
#[test]
fn three_users_soak_the_writer_killed_in_turn() {
    if team().is_none() {
        return;
    }
    let cycles: usize = std::env::var("WARROOM_SOAK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let pagerduty = support::receiver::receiver(&[202]);
    let data = soak_data_dir(&pagerduty.url);
    let start = |user: &str| Session::start_as(user, data.path(), (100, 30), &["join"]);
    let writer = Session::start_as("warroom-d", data.path(), (100, 30), &[]);
    let mut consoles: Vec<(&str, Session)> = vec![("warroom-d", writer)];
    declare_from_banner(&mut consoles[0].1);
    for user in ["warroom-b", "warroom-c"] {
        consoles.push((user, start(user)));
    }
    wait_for_the_writer(&consoles, 3, 0);
    consoles[1].1.send("p");
    consoles[1].1.wait_for("Page level 1");
    consoles[1].1.send(ENTER);
    support::pty::wait_until("the page to be sent", || {
        journal_text(data.path()).contains("\"kind\":\"notify_sent\"")
    });
    let (mut notes, mut writers) = (Vec::new(), std::collections::BTreeSet::new());
    for cycle in 0..cycles {
        writers.insert(consoles[wait_for_the_writer(&consoles, 3, cycle)].0);
        // The console started last (on its dashboard) runs the step.
        let runner = if cycle == 0 { 1 } else { 2 };
        soak_cycle(&mut consoles, (cycle, runner), &mut notes, &start);
    }
    support::pty::wait_until("every command's outcome to be journaled", || {
        let journal = journal_text(data.path());
        journal.matches("\"kind\":\"step_started\"").count()
            == journal.matches("\"kind\":\"command_finished\"").count()
    });
    check_soak_journal(data.path(), &notes, cycles);
    let bodies = pagerduty.bodies.lock().unwrap();
    let triggers = bodies
        .iter()
        .filter(|(_, b)| b["event_action"] == "trigger");
    assert_eq!(triggers.count(), 1, "the level was paged once");
    if cycles >= 5 {
        assert!(writers.len() >= 2, "the writer's user changed: {writers:?}");
    }
    for (_, console) in &mut consoles {
        console.send("q");
    }
}
