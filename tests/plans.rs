//! The DR plans of real teams, expressed as kits under `examples/plans/`, and the starter kit
//! `warroom init` writes: each validates, and each drill runs end to end in the real binary to a
//! scorecard with every objective met.

mod support;

use std::path::{Path, PathBuf};

use support::pty::{CLEAR_LINE, DOWN, ENTER, Session};

fn kit(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/plans")
        .join(name)
}

fn warroom(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(cwd)
        .env("WARROOM_DATA_DIR", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap()
}

#[test]
fn every_kit_validates_from_its_own_folder() {
    let kits: Vec<String> = std::fs::read_dir(kit(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        kits.len() == 3 && kits.contains(&"waqiti".to_owned()),
        "{kits:?}"
    );
    for name in &kits {
        let out = warroom(&["validate", "."], &kit(name));
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {text}");
        assert!(
            text.contains("(scenario)") && text.contains("(runbook)"),
            "{name}: {text}"
        );
    }
}

/// Starts a kit's drill in a pseudo-terminal, at ten times speed.
fn drill(data: &Path, kit_name: &str, scenario: &str) -> Session {
    drill_in(data, &kit(kit_name), scenario)
}

fn drill_in(data: &Path, kit: &Path, scenario: &str) -> Session {
    let path = kit.join("runbooks/drills").join(scenario);
    let path = path.to_string_lossy().into_owned();
    let session = Session::start(data, (120, 40), &["drill", &path, "--speed", "10"], &[]);
    session.wait_for("DRILL");
    session
}

/// Declares from the banner a failure raises, at the severity it suggests.
fn declare(session: &mut Session, banner: &str) {
    session.wait_for(banner);
    session.send("D");
    session.wait_for("Declare an incident");
    session.send(ENTER);
    session.wait_gone("Declare an incident");
    session.wait_for("journal ok");
}

/// Opens a dialog with `key`, takes its `choice`-th template, sends it.
fn from_template(session: &mut Session, key: &str, title: &str, reads: &str) {
    session.send(key);
    session.wait_for(title);
    session.send(DOWN);
    session.wait_for(reads);
    session.send(ENTER);
    session.wait_gone(title);
}

fn take_role(session: &mut Session, downs: usize, who: &str) {
    session.send("o");
    session.wait_for("Role, then who takes it");
    session.send(&DOWN.repeat(downs));
    session.send(CLEAR_LINE);
    session.send(who);
    session.send(ENTER);
    session.wait_gone("Role, then who takes it");
}

/// Resolves with no summary.
fn resolve(session: &mut Session) {
    session.send("R");
    session.wait_for("Resolution summary");
    session.send(ENTER);
    session.wait_gone("Resolution summary");
}

/// Runs the selected step's command (confirming it) and waits for the dry run to finish.
fn run_step(session: &mut Session, title: &str) {
    session.send("x");
    session.wait_for("Run this command?");
    session.send(ENTER);
    session.wait_for_row(&[title, "ran ok"]);
}

#[test]
fn waqiti_availability_zone_outage_cascades_comes_back_by_the_runbook_and_meets_every_objective() {
    let data = tempfile::tempdir().unwrap();
    let mut session = drill(data.path(), "waqiti", "az-outage.toml");
    let board = session.wait_for("Components 2/8 up");
    assert!(
        board.contains("DOWN*     Payment processing"),
        "the zone takes its dependents down:\n{board}"
    );
    declare(
        &mut session,
        "Availability zone us-east-1a is DOWN (critical). Press D",
    );
    from_template(
        &mut session,
        "u",
        "Stakeholder update for",
        "It reads: CRITICAL INCIDENT - Waqiti Platform",
    );
    take_role(&mut session, 1, "sam");
    take_role(&mut session, 3, "lee");
    session.send("2");
    session.wait_for("Service recovery (availability zone outa");
    session.send(ENTER);
    session.wait_for("now: Assessment Phase");
    session.send(" ");
    session.send(" ");
    session.wait_for("[x] Distributed traces");
    run_step(&mut session, "1. Check overall system health");
    session.send("j");
    run_step(&mut session, "2. Reschedule to healthy zones");
    session.send("1");
    let board = session.wait_for("Components 8/8 up");
    assert!(board.contains("back with zone-a"), "{board}");
    from_template(
        &mut session,
        "R",
        "Resolution summary",
        "It reads: RESOLVED - Waqiti Platform",
    );
    session.send("6");
    let card = session.wait_for("Scorecard (simulation): 10 of 10 objectives met");
    assert!(!card.contains("MISSED"), "{card}");
    session.send("q");
    assert!(session.wait_exit());
    let review = support::pty::warroom_ok(data.path(), &["review", "export"]);
    assert!(
        review.contains("| Assessment Phase (0-5 minutes) | 0–5m | ") && review.contains("| met |"),
        "{review}"
    );
}

#[test]
fn multi_region_supabase_outage_walkthrough_restores_the_primary_and_meets_every_objective() {
    let data = tempfile::tempdir().unwrap();
    let mut session = drill(data.path(), "multi-region", "supabase-outage.toml");
    let board = session.wait_for("DOWN*     Vercel edge functions");
    assert!(board.contains("DRILL · WALKTHROUGH"), "{board}");
    declare(&mut session, "Supabase primary is DOWN (critical). Press D");
    session.send("2");
    session.wait_for("Supabase database outage");
    session.send(ENTER);
    session.wait_for("now: Immediate (0-5 minutes)");
    session.send(" ");
    session.send(" ");
    session.wait_for("[x] Writes are queued");
    session.send("j");
    run_step(&mut session, "2. Restore the primary");
    session.send("j");
    session.send(" ");
    session.wait_for("[x] Queued writes replayed");
    session.send("1");
    session.wait_for("Components 9/9 up");
    resolve(&mut session);
    session.send("6");
    let card = session.wait_for("Scorecard (walkthrough): 6 of 6 objectives met");
    assert!(!card.contains("MISSED"), "{card}");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn concierge_application_outage_tabletop_rolls_back_and_meets_every_objective() {
    let data = tempfile::tempdir().unwrap();
    let mut session = drill(data.path(), "concierge", "app-outage.toml");
    session.wait_for("DOWN*     Application frontend");
    declare(
        &mut session,
        "Hosting provider (Vercel) is DOWN (critical). Press D",
    );
    session.send("a");
    session.wait_for("Level 1 acknowledged");
    from_template(
        &mut session,
        "u",
        "Stakeholder update for",
        "It reads: P1 (complete service outage)",
    );
    session.send("2");
    session.wait_for("Complete application outage");
    session.send(ENTER);
    session.wait_for("now: Immediate (0-5 minutes)");
    for _ in 0..3 {
        session.send(" ");
    }
    session.wait_for("[x] Recent deployments checked");
    run_step(&mut session, "1. Find the cause");
    session.send("j");
    run_step(&mut session, "2. Roll back the deployment");
    session.send("1");
    session.wait_for("Components 6/6 up");
    resolve(&mut session);
    session.send("6");
    let card = session.wait_for("Scorecard (tabletop): 7 of 7 objectives met");
    assert!(!card.contains("MISSED"), "{card}");
    session.send("q");
    assert!(session.wait_exit());
}

#[test]
fn init_writes_a_starter_kit_that_validates_runs_anywhere_and_is_never_written_over() {
    let tmp = tempfile::tempdir().unwrap();
    let out = warroom(&["init", "my-service"], tmp.path());
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("runbooks/drills/first-drill.toml") && report.contains("cd my-service"),
        "{report}"
    );
    let dir = tmp.path().join("my-service");
    let validated = warroom(&["validate", "."], &dir);
    let text = String::from_utf8_lossy(&validated.stdout).into_owned()
        + &String::from_utf8_lossy(&validated.stderr);
    assert!(validated.status.success(), "{text}");
    assert!(
        text.contains("(config)") && text.contains("(scenario)") && text.contains("(runbook)"),
        "{text}"
    );
    let config = dir.join("warroom.toml");
    let config = config.to_string_lossy();
    let elsewhere = tempfile::tempdir().unwrap();
    let listed = warroom(&["--config", &config, "runbook", "list"], elsewhere.path());
    assert!(
        listed.status.success()
            && String::from_utf8_lossy(&listed.stdout).contains("first-response"),
        "runbooks found from another folder: {listed:?}"
    );
    let checked = warroom(
        &[
            "--config",
            &config,
            "check",
            "--json",
            "--component",
            "host",
        ],
        elsewhere.path(),
    );
    let json = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success() && json.contains("\"state\": \"up\""),
        "the command probe runs from anywhere: {json}"
    );
    std::fs::write(dir.join("warroom.toml"), "mine").unwrap();
    let again = warroom(&["init", "my-service"], tmp.path());
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("warroom.toml")).unwrap(),
        "mine",
        "nothing written over"
    );
}

#[test]
fn the_starter_kits_drill_runs_to_every_objective_met() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(warroom(&["init", "kit"], tmp.path()).status.success());
    let data = tempfile::tempdir().unwrap();
    let mut session = drill_in(data.path(), &tmp.path().join("kit"), "first-drill.toml");
    declare(&mut session, "Payment provider is DOWN (critical). Press D");
    session.send("u");
    session.wait_for("Stakeholder update for");
    session.send("Payments are failing; next update in 30 minutes");
    session.send(ENTER);
    session.wait_gone("Stakeholder update for");
    session.send("2");
    session.wait_for("First response");
    session.send(ENTER);
    session.wait_for("now: Immediate (0-5 minutes)");
    session.send("  ");
    session.wait_for("[x] Someone else sees it too");
    session.send("j");
    run_step(&mut session, "2. Look at this host");
    session.send("jj");
    run_step(&mut session, "4. Recover");
    session.send("1");
    session.wait_for("Components 4/4 up");
    resolve(&mut session);
    session.send("6");
    let card = session.wait_for("Scorecard (simulation): 5 of 5 objectives met");
    assert!(!card.contains("MISSED"), "{card}");
    session.send("q");
    assert!(session.wait_exit());
}
