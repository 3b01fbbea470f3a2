//! The command line as a user or a script meets it: real binary, real files, exit codes.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use chrono::{TimeZone, Utc};
use warroom::domain::Severity;
use warroom::domain::event::{Declaration, Event};
use warroom::journal::Journal;

fn warroom(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(dir)
        .env("WARROOM_DATA_DIR", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .env_remove("WARROOM_TEST_MISSING")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const GOOD: &str = r#"[service]
name = "Shop"

[[component]]
id = "db"
name = "Database"
tier = "critical"
probe = { kind = "sim" }
"#;

fn validate_text(text: &str) -> Output {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("warroom.toml"), text).unwrap();
    warroom(&["validate", "warroom.toml"], tmp.path())
}

#[test]
fn validate_accepts_everything_shipped() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args([
            "--config",
            "examples/warroom.toml",
            "validate",
            "examples/warroom.toml",
            "examples/demo.toml",
            "themes",
            "runbooks",
        ])
        .current_dir(root)
        .env("PAGERDUTY_ROUTING_KEY", "test")
        .env("SLACK_WEBHOOK_URL", "http://127.0.0.1:9/slack")
        .env("INCIDENT_WEBHOOK_URL", "http://127.0.0.1:9/hook")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ok: examples/warroom.toml (config)"));
    assert!(stdout(&out).contains("ok: runbooks/db-failover.md (runbook)"));
    for drill in [
        "database-failure",
        "region-outage",
        "security-breach",
        "demo",
    ] {
        assert!(
            stdout(&out).contains(&format!("ok: runbooks/drills/{drill}.toml (scenario)")),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn a_bad_scenario_is_refused_before_anything_starts() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("warroom.toml"), GOOD).unwrap();
    std::fs::write(
        tmp.path().join("bad.toml"),
        "title = \"t\"\nconfig = \"warroom.toml\"\n[[inject]]\nat = \"1m\"\ncomponent = \"cache\"\nstate = \"down\"\n",
    )
    .unwrap();
    let out = warroom(&["drill", "bad.toml"], tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bad.toml:5:13: unknown component `cache`"),
        "{}",
        stderr(&out)
    );
    let out = warroom(&["drill", "bad.toml", "--speed", "0"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`0` is out of range; use 1 to 60"),
        "{}",
        stderr(&out)
    );
    let out = warroom(&["drill", "missing.toml"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot read the scenario missing.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn replay_and_follow_refuse_what_is_not_there() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "just some notes\n").unwrap();
    let out = warroom(&["replay", "notes.txt"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("notes.txt:1: not a warroom journal"),
        "{}",
        stderr(&out)
    );
    let out = warroom(&["replay", "no-such-incident"], tmp.path());
    assert!(
        stderr(&out).contains("no-such-incident: no such journal file or incident id"),
        "{}",
        stderr(&out)
    );
    let out = warroom(&["replay", "x", "--speed", "10000"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let out = warroom(&["follow", "20260101-0000-nothing"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no incident `20260101-0000-nothing`"),
        "{}",
        stderr(&out)
    );
    let out = warroom(&["follow"], tmp.path());
    assert!(
        stderr(&out).contains("no open incident to follow"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_misspelt_tier_is_located_quoted_and_corrected() {
    let out = validate_text(&GOOD.replace("\"critical\"", "\"critcal\""));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("warroom.toml:7:8: "), "{err}");
    assert!(
        err.contains("`critcal`") && err.contains("did you mean `critical`?"),
        "{err}"
    );
}

#[test]
fn an_unknown_key_is_located_and_corrected() {
    let out = validate_text(&GOOD.replace("name = \"Database\"", "nmae = \"Database\""));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("warroom.toml:6:1: unknown field `nmae`"),
        "{err}"
    );
    assert!(err.contains("did you mean `name`?"), "{err}");
}

/// Nine independent mistakes, of every kind a person makes: misspelt keys at three depths, a
/// bad duration, a value of the wrong type, a misspelt probe kind, an unknown tier, names that
/// point nowhere, an id with capitals.
const NINE_MISTAKES: &str = r#"[service]
name = "Shop"
colour = "blue"

[[component]]
id = "db"
name = "Database"
tier = "critcal"
rtoo = "5m"
rpo = "15 minuts"
depends_on = ["cache"]
probe = { kind = "sim" }

[[component]]
id = "API"
name = "API"
tier = "high"
probe = { kind = "tcp", address = "127.0.0.1:1", timout = "2s" }

[[contact]]
id = "alice"
name = "Alice"
role = "dba"
phone = 5551234

[[escalation]]
severity = ["P1", "P2", "P3", "P4"]
levels = [{ after = "0m", notify = ["alise"] }]
"#;

#[test]
fn validate_reports_every_mistake_of_a_file_in_one_run() {
    let out = validate_text(NINE_MISTAKES);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let located: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("warroom.toml:"))
        .collect();
    let expected = [
        ("warroom.toml:3:1: unknown field `colour`", ""),
        (
            "warroom.toml:8:8: unknown tier `critcal`",
            "did you mean `critical`?",
        ),
        (
            "warroom.toml:9:1: unknown field `rtoo`",
            "did you mean `rto`?",
        ),
        ("warroom.toml:10:7: invalid duration `15 minuts`", "\"15m\""),
        (
            "warroom.toml:11:15: `depends_on` names unknown component `cache`",
            "",
        ),
        ("warroom.toml:15:6: component id `API`", "a-z, 0-9"),
        (
            "warroom.toml:18:50: unknown field `timout`",
            "did you mean `timeout`?",
        ),
        (
            "warroom.toml:24:9: invalid type: integer `5551234`",
            "expected a string",
        ),
        (
            "warroom.toml:28:37: `notify` names unknown contact `alise`",
            "did you mean `alice`?",
        ),
    ];
    assert_eq!(located.len(), expected.len(), "{err}");
    for (line, (start, hint)) in located.iter().zip(expected) {
        assert!(
            line.starts_with(start) && line.contains(hint),
            "{line}\nin\n{err}"
        );
    }
    // Each comes with its source line and a caret under the bad part.
    assert!(
        err.contains("18 | probe = { kind = \"tcp\", address = \"127.0.0.1:1\", timout = \"2s\" }\n   |                                                  ^^^^^^\n"),
        "{err}"
    );
    assert!(
        err.contains("10 | rpo = \"15 minuts\"\n   |       ^^^^^^^^^^^\n"),
        "{err}"
    );
}

#[test]
fn a_syntax_error_stops_reading_with_a_snippet_and_no_raw_byte() {
    let out = validate_text(&format!("{GOOD}name = \"x\u{1b}[2J\"\nother = \n"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let located = err
        .lines()
        .filter(|l| l.starts_with("warroom.toml:"))
        .count();
    assert_eq!(located, 1, "{err}");
    assert!(err.contains("warroom.toml:9:"), "{err}");
    assert!(!err.contains('\u{1b}') && err.contains("\\x1b[2J"), "{err}");
}

#[test]
fn read_only_work_starts_without_the_notification_secrets_and_says_what_will_not_be_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("{GOOD}\n[notify.pagerduty]\nrouting_key = \"${{WARROOM_TEST_MISSING}}\"\n");
    std::fs::write(tmp.path().join("warroom.toml"), text).unwrap();
    let said = |out: &Output| {
        let err = stderr(out);
        assert!(err.contains("warroom.toml:11:15:"), "{err}");
        assert!(
            err.contains("notify.pagerduty.routing_key")
                && err.contains("WARROOM_TEST_MISSING")
                && err.contains("nothing will be sent to PagerDuty"),
            "{err}"
        );
    };
    for args in [
        &["validate", "warroom.toml"][..],
        &["runbook", "list"],
        &["check", "--json"],
    ] {
        let out = warroom(args, tmp.path());
        // `check` exits 1 for the failing component it probes; never 2 for the secret.
        assert_ne!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        said(&out);
    }
    // The console, which pages, refuses to start without it: exit 2, the same words.
    let out = warroom(&[], tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    said(&out);
}

#[test]
fn the_example_config_works_from_any_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let elsewhere = tempfile::tempdir().unwrap();
    let config = root.join("examples/warroom.toml");
    let out = warroom(
        &["--config", config.to_str().unwrap(), "check", "--json"],
        elsewhere.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("not found"), "{text}");
    let rows: serde_json::Value = serde_json::from_str(&text).unwrap();
    let network = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "network")
        .unwrap();
    assert_eq!(
        network["state"], "up",
        "its probe script was found: {network}"
    );
}

#[test]
fn hostile_config_text_never_reaches_the_terminal_raw() {
    let out = validate_text(&GOOD.replace("\"critical\"", "\"\\u001b]0;pwned\\u0007\""));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        !err.contains('\u{1b}') && err.contains("\\x1b]0;pwned\\x07"),
        "{err}"
    );
}

#[test]
fn no_config_points_at_the_demo_and_init() {
    let tmp = tempfile::tempdir().unwrap();
    let out = warroom(&[], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("warroom demo") && err.contains("warroom init"),
        "{err}"
    );
    let missing = warroom(&["--config", "nope.toml"], tmp.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("nope.toml"));
}

/// A P1 declaration of `title`, with its outages and targets.
fn declared(
    id: &str,
    title: &str,
    outages: Vec<warroom::domain::event::Outage>,
    targets: Vec<warroom::domain::event::Target>,
) -> Event {
    Event::Declared(Box::new(Declaration {
        outages,
        targets,
        ..Declaration::new(id, title, Severity::P1, "ic@host")
    }))
}

fn incident(data: &Path, id: &str) -> std::path::PathBuf {
    let mut journal = Journal::create(&data.join("incidents").join(id)).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let declared = declared(id, "Checkout down \u{1b}[2J", vec![], vec![]);
    journal.append(at, "ic@host", declared).unwrap();
    journal
        .append(
            at,
            "ic@host",
            Event::NoteAdded {
                text: "failover".into(),
                step: None,
            },
        )
        .unwrap();
    journal.path().to_owned()
}

#[test]
fn journal_verify_reports_intact_or_the_first_fault() {
    let tmp = tempfile::tempdir().unwrap();
    let path = incident(&tmp.path().join("data"), "20261122-0300-checkout");
    let path = path.to_str().unwrap();
    let out = warroom(&["journal", "verify", path], tmp.path());
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim(), "intact: 2 events");
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("failover", "failed_r");
    std::fs::write(path, text).unwrap();
    let out = warroom(&["journal", "verify", path], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(":2: checksum mismatch"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn incident_list_and_show_read_the_data_dir() {
    let tmp = tempfile::tempdir().unwrap();
    incident(&tmp.path().join("data"), "20261122-0300-checkout");
    let out = warroom(&["incident", "list"], tmp.path());
    assert!(out.status.success());
    let list = stdout(&out);
    assert!(
        list.contains("20261122-0300-checkout")
            && list.contains("P1")
            && list.contains("investigating"),
        "{list}"
    );
    assert!(
        list.contains("\\x1b[2J") && !list.contains('\u{1b}'),
        "{list}"
    );
    let out = warroom(&["incident", "show", "20261122-0300-checkout"], tmp.path());
    assert!(stdout(&out).contains("Note: failover"), "{}", stdout(&out));
    let out = warroom(&["incident", "show", "nope"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("warroom incident list"));
    // An id is a folder name, never a path.
    let out = warroom(
        &["incident", "show", "../incidents/20261122-0300-checkout"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

/// The command with its standard output a pipe whose reader has already gone, as after
/// `| head -1`: every write fails with a broken pipe.
fn warroom_unread(args: &[&str], dir: &Path) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(dir)
        .env("WARROOM_DATA_DIR", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("xdg"))
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_reader_that_goes_away_ends_every_command_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let journal = incident(&tmp.path().join("data"), "20261122-0300-checkout");
    std::fs::write(tmp.path().join("warroom.toml"), GOOD).unwrap();
    let journal = journal.to_str().unwrap();
    let commands: [&[&str]; 9] = [
        &["incident", "list"],
        &["incident", "show", "20261122-0300-checkout"],
        &["review", "export"],
        &["journal", "verify", journal],
        &["runbook", "list"],
        &["check", "--json"],
        &["validate", "warroom.toml"],
        &["schema"],
        &["completions", "bash"],
    ];
    for args in commands {
        let out = warroom_unread(args, tmp.path());
        assert_eq!(
            out.status.code(),
            Some(141),
            "{args:?}: as a process ended by SIGPIPE; stderr: {}",
            stderr(&out)
        );
        assert_eq!(stderr(&out), "", "{args:?}: nothing said, never 'crashed'");
    }
}

#[test]
fn an_unwritable_data_dir_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["demo", "--data-dir", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("not-a-dir") && err.contains("not usable"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn completions_are_generated() {
    let tmp = tempfile::tempdir().unwrap();
    let out = warroom(&["completions", "bash"], tmp.path());
    assert!(out.status.success());
    assert!(stdout(&out).contains("warroom"));
}

/// A one-request-at-a-time HTTP server on 127.0.0.1 answering 200, for as long as the test runs.
fn http_up() -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    addr
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn check_config(dir: &Path, urls: &[(&str, String)]) {
    let mut text = String::from("[service]\nname = \"Local\"\n");
    for (id, url) in urls {
        let _ = write!(
            text,
            "[[component]]\nid = \"{id}\"\nname = \"{id}\"\ntier = \"high\"\nprobe = {{ kind = \"http\", url = \"{url}\", headers = {{ \"X-Token\" = \"${{HOME}}\" }} }}\n"
        );
    }
    std::fs::write(dir.join("warroom.toml"), text).unwrap();
}

#[test]
fn check_json_reports_every_component_and_exits_1_when_one_is_down() {
    let tmp = tempfile::tempdir().unwrap();
    let up = http_up();
    let secret_url = format!(
        "http://user:hunter2@127.0.0.1:{}/health?token=s3cret",
        closed_port()
    );
    check_config(
        tmp.path(),
        &[("api", format!("http://{up}/")), ("db", secret_url)],
    );
    let out = warroom(&["check", "--json"], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(rows[0]["id"], "api");
    assert_eq!(rows[0]["state"], "up");
    assert!(rows[0]["latency_ms"].is_u64());
    assert_eq!(rows[1]["state"], "down");
    assert!(rows[1]["error"].as_str().unwrap().contains("refused"));
    for key in [
        "id",
        "name",
        "tier",
        "state",
        "latency_ms",
        "error",
        "checked_at",
    ] {
        assert!(rows[1].get(key).is_some(), "{key} missing");
    }
    let home = std::env::var("HOME").unwrap();
    assert!(
        !text.contains("hunter2") && !text.contains("s3cret") && !text.contains(&home),
        "{text}"
    );
    let table = warroom(&["check"], tmp.path());
    assert!(stdout(&table).contains("DOWN"));
}

#[test]
fn check_exits_0_when_everything_is_up_and_can_probe_one_component() {
    let tmp = tempfile::tempdir().unwrap();
    let up = http_up();
    check_config(
        tmp.path(),
        &[
            ("api", format!("http://{up}/")),
            ("db", format!("http://127.0.0.1:{}/", closed_port())),
        ],
    );
    let out = warroom(&["check", "--component", "api"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("db"));
    let wrong = warroom(&["check", "--component", "apj"], tmp.path());
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("did you mean `api`?"),
        "{}",
        stderr(&wrong)
    );
}

/// A config whose one component keeps three backup streams: a full dump file three hours old
/// (daily), a WAL position served over HTTP two minutes old (hourly) and a config snapshot whose
/// command says two hours (every `config_every`).
fn backup_config(dir: &Path, config_every: &str) {
    let full = dir.join("full");
    std::fs::create_dir_all(&full).unwrap();
    let dump = std::fs::File::create(full.join("base.dump")).unwrap();
    dump.set_modified(std::time::SystemTime::now() - std::time::Duration::from_hours(3))
        .unwrap();
    let now = chrono::Utc::now();
    let wal = format!(
        "{{\"archived_at\": \"{}\"}}",
        (now - chrono::TimeDelta::minutes(2)).to_rfc3339()
    );
    let server = json_once(wal);
    let snapshot = (now - chrono::TimeDelta::hours(2)).timestamp();
    let text = format!(
        "[service]\nname = \"Backups\"\n[[component]]\nid = \"db\"\nname = \"Database\"\ntier = \"critical\"\nrpo = \"15m\"\nprobe = {{ kind = \"sim\" }}\n\
         [[component.backup]]\nname = \"full\"\nevery = \"24h\"\nsource = {{ kind = \"file\", glob = \"{}/*.dump\" }}\n\
         [[component.backup]]\nname = \"wal\"\nevery = \"1h\"\nsource = {{ kind = \"http_json\", url = \"http://{server}/wal\", pointer = \"/archived_at\" }}\n\
         [[component.backup]]\nname = \"config\"\nevery = \"{config_every}\"\nsource = {{ kind = \"command\", command = \"echo {snapshot}\" }}\n",
        full.display()
    );
    std::fs::write(dir.join("warroom.toml"), text).unwrap();
}

/// Serves one JSON body to every request.
fn json_once(body: String) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = std::io::Write::write_all(&mut stream, reply.as_bytes());
        }
    });
    addr
}

#[test]
fn check_reports_every_backup_stream_and_exits_3_when_one_is_older_than_its_frequency() {
    let tmp = tempfile::tempdir().unwrap();
    backup_config(tmp.path(), "1h");
    let out = warroom(&["check", "--json"], tmp.path());
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    let streams = rows[0]["backups"].as_array().unwrap();
    let states: Vec<(&str, &str)> = streams
        .iter()
        .map(|b| (b["name"].as_str().unwrap(), b["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [("full", "fresh"), ("wal", "fresh"), ("config", "stale")]
    );
    let ages: Vec<u64> = streams
        .iter()
        .map(|b| b["age_secs"].as_u64().unwrap())
        .collect();
    assert!((10_790..10_900).contains(&ages[0]), "{ages:?}");
    assert!((110..200).contains(&ages[1]), "{ages:?}");
    assert!((7_190..7_300).contains(&ages[2]), "{ages:?}");
    assert_eq!(rows[0]["rpo_met"], true, "the WAL copy is within 15m");
    let table = stdout(&warroom(&["check"], tmp.path()));
    assert!(table.contains("STALE"), "{table}");
    assert!(table.contains("config"), "{table}");

    backup_config(tmp.path(), "4h");
    let out = warroom(&["check"], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

fn runbook_config(dir: &Path) {
    std::fs::write(dir.join("warroom.toml"), GOOD).unwrap();
    std::fs::create_dir_all(dir.join("runbooks")).unwrap();
    let runbook = "+++\nid = \"db-restart\"\ntitle = \"Restart the database\"\ncomponents = [\"db\"]\n+++\n\n## Restart\n\n```sh {confirm=true}\nsystemctl restart postgresql\n```\n";
    std::fs::write(dir.join("runbooks/db-restart.md"), runbook).unwrap();
}

#[test]
fn runbooks_are_listed_and_shown_as_parsed() {
    let tmp = tempfile::tempdir().unwrap();
    runbook_config(tmp.path());
    let out = warroom(&["runbook", "list"], tmp.path());
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("db-restart") && stdout(&out).contains("Restart the database"));
    let out = warroom(&["runbook", "show", "db-restart"], tmp.path());
    assert!(
        stdout(&out).contains("$ systemctl restart postgresql")
            && stdout(&out).contains("asks for confirmation"),
        "{}",
        stdout(&out)
    );
    let out = warroom(&["runbook", "show", "db-restar"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did you mean `db-restart`?"));
}

#[test]
fn invalid_runbooks_are_listed_with_their_reason_and_fail_validation() {
    let tmp = tempfile::tempdir().unwrap();
    runbook_config(tmp.path());
    let bad = "+++\nid = \"bad\"\ntitle = \"Bad\"\ncomponents = [\"dbb\"]\n+++\n\n## Step\n\n```sh {confrim=true}\ntrue\n```\n";
    std::fs::write(tmp.path().join("runbooks/bad.md"), bad).unwrap();
    let out = warroom(&["runbook", "list"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("INVALID runbooks/bad.md:9:1: unknown attribute `confrim`"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("db-restart"),
        "valid runbooks are still listed"
    );
    let out = warroom(
        &["--config", "warroom.toml", "validate", "runbooks"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("runbooks/bad.md:9:1:"),
        "{}",
        stderr(&out)
    );
    let fixed = bad.replace("confrim", "confirm");
    std::fs::write(tmp.path().join("runbooks/bad.md"), fixed).unwrap();
    let out = warroom(
        &["--config", "warroom.toml", "validate", "runbooks"],
        tmp.path(),
    );
    assert!(
        stderr(&out).contains("unknown component `dbb`; did you mean `db`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn review_export_writes_the_draft_of_the_latest_incident() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("warroom.toml"), GOOD).unwrap();
    incident(&tmp.path().join("data"), "20261122-0300-checkout");
    let out = warroom(&["review", "export"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("# Post-incident review: Checkout down \\x1b[2J"),
        "{text}"
    );
    assert!(text.contains("Note: failover"));
    let out = warroom(
        &[
            "review",
            "export",
            "20261122-0300-checkout",
            "-o",
            "review.md",
        ],
        tmp.path(),
    );
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("review.md")).unwrap(),
        text
    );
    let out = warroom(
        &["review", "export", "-o", "/nonexistent-dir/review.md"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot write /nonexistent-dir/review.md"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_team_template_replaces_the_default_and_is_checked() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("warroom.toml"),
        format!("{GOOD}\n[review]\ntemplate = \"ours.md\"\n"),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("ours.md"),
        "# Our review of {{ title }}\n\nTTD {{ mttd }}\n",
    )
    .unwrap();
    incident(&tmp.path().join("data"), "20261122-0300-checkout");
    let out = warroom(&["review", "export"], tmp.path());
    assert!(
        stdout(&out).starts_with("# Our review of Checkout down"),
        "{}",
        stdout(&out)
    );
    std::fs::write(
        tmp.path().join("ours.md"),
        "# {{ title }}\n{{ typo_field }}\n",
    )
    .unwrap();
    let out = warroom(&["review", "export"], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ours.md:2:1: `typo_field` is undefined"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(tmp.path().join("ours.md")).unwrap();
    let out = warroom(&["validate"], tmp.path());
    assert!(
        stderr(&out).contains("cannot read review template `ours.md`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn review_export_needs_neither_config_nor_secrets_and_is_frozen_at_resolution() {
    let tmp = tempfile::tempdir().unwrap();
    // The config beside it names a secret that is not set, and other targets than the journal's.
    let config = format!(
        "{GOOD}rto = \"2h\"\n[notify.pagerduty]\nrouting_key = \"${{WARROOM_TEST_MISSING}}\"\n"
    );
    std::fs::write(tmp.path().join("warroom.toml"), config).unwrap();
    let id = "20261122-0300-db";
    let mut journal = Journal::create(&tmp.path().join("data/incidents").join(id)).unwrap();
    let at = |s: i64| {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + chrono::TimeDelta::seconds(s)
    };
    let declared = declared(
        id,
        "Database down",
        vec![warroom::domain::event::Outage {
            component: "db".into(),
            state: warroom::domain::Health::Down,
            since: at(0),
        }],
        vec![warroom::domain::event::Target {
            component: "db".into(),
            name: "Primary database".into(),
            rto_secs: 300,
            rpo_secs: 60,
            last_good: Some(at(-60)),
        }],
    );
    journal.append(at(30), "ic@host", declared).unwrap();
    let resolved = Event::Resolved {
        summary: Some("traffic moved away".into()),
        template: None,
        not_recovered: Vec::new(),
    };
    journal.append(at(600), "ic@host", resolved).unwrap();
    drop(journal);
    let export = || {
        let out = warroom(&["review", "export"], tmp.path());
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let first = export();
    let row = first
        .lines()
        .find(|l| l.contains("(`db`)"))
        .unwrap_or_else(|| panic!("{first}"));
    assert_eq!(
        row,
        "| Primary database (`db`) | 2026-11-22 03:00:00Z | not recovered at resolution | 10m00s \
         | 5m | missed | 1m | 1m00s | 11m00s | met |",
        "the journal's targets, frozen at resolution"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert_eq!(export(), first, "later, the same document");
    std::fs::remove_file(tmp.path().join("warroom.toml")).unwrap();
    assert_eq!(export(), first, "without any config");
}

#[test]
fn a_resolved_incident_whose_resolve_notification_a_crash_lost_is_resumed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let id = "20261122-0300-db";
    let mut journal = Journal::create(&data.join("incidents").join(id)).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let declared = declared(id, "Database down", vec![], vec![]);
    journal.append(at, "ic@host", declared).unwrap();
    let trigger = serde_json::json!({ "dedup_key": "k-L1", "event_action": "trigger" });
    let paged = Event::Paged {
        level: 0,
        contacts: vec!["oncall".into()],
        pagerduty: Some(trigger),
        again: false,
    };
    journal.append(at, "ic@host", paged).unwrap();
    journal
        .append(at, "ic@host", Event::NotifySent { queued: 2 })
        .unwrap();
    let store = warroom::journal::store::Store::new(&data, warroom::state::Mode::Live);
    assert!(store.latest_open().is_some(), "open");
    journal
        .append(
            at,
            "ic@host",
            Event::Resolved {
                summary: None,
                template: None,
                not_recovered: Vec::new(),
            },
        )
        .unwrap();
    // The crash came before the resolve's notifications were journaled.
    assert!(
        store.latest_open().is_some(),
        "resolved, owing its PagerDuty resolve"
    );
    let resolve = serde_json::json!({ "dedup_key": "k-L1", "event_action": "resolve" });
    let queued = Event::NotifyQueued {
        channel: warroom::domain::event::Channel::Pagerduty,
        payload: resolve,
        cause: Some(4),
    };
    journal.append(at, "ic@host", queued).unwrap();
    assert!(
        store.latest_open().is_some(),
        "resolved, the resolve not sent yet"
    );
    journal
        .append(at, "ic@host", Event::NotifySent { queued: 5 })
        .unwrap();
    assert!(store.latest_open().is_none(), "resolved and owing nothing");
}

#[test]
fn runbooks_as_teams_write_them_are_imported_and_validated_with_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let wild = tmp.path().join("wild");
    std::fs::create_dir_all(wild.join("nested")).unwrap();
    std::fs::write(
        wild.join("DiskFull.md"),
        "---\ntitle: Disk full\nweight: 3\n---\n\n# Disk full\n\n## Check\n\n```bash\n$ df -h /\nFilesystem Size\n/dev/sda1 20G\n```\n",
    )
    .unwrap();
    std::fs::write(
        wild.join("nested/restart.md"),
        "# Restart the API\n\n1. Drain\n2. Restart\n",
    )
    .unwrap();
    std::fs::write(wild.join("broken.md"), b"# Bad \xff bytes\n").unwrap();
    let out = warroom(
        &["import", "--runbooks", "wild", "-o", "runbooks"],
        tmp.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "one file is not text: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("broken.md: not text (not UTF-8); left out"));
    let report = stdout(&out);
    assert!(
        report.contains("diskfull.md ← wild/DiskFull.md: 1 step (h2), 1 command, 0 checks, 1 transcript, 1 warning"),
        "{report}"
    );
    assert!(
        report.contains("restart.md ← wild/nested/restart.md: 2 steps (list)"),
        "{report}"
    );
    assert!(
        report.contains("Wrote 2 runbooks into runbooks"),
        "{report}"
    );
    let ok = warroom(&["validate", "runbooks"], tmp.path());
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(
        stderr(&ok).contains("runbooks/diskfull.md:11:1: this shell block reads as a transcript")
    );
    assert!(stdout(&ok).contains("ok, with warnings: runbooks/diskfull.md (runbook)"));
    let strict = warroom(&["validate", "--strict", "runbooks"], tmp.path());
    assert_eq!(strict.status.code(), Some(2), "--strict fails on a warning");
}

#[test]
fn an_incident_is_named_by_a_unique_start_of_its_id_or_latest() {
    let tmp = tempfile::tempdir().unwrap();
    incident(&tmp.path().join("data"), "20261122-0300-checkout");
    incident(&tmp.path().join("data"), "20261123-0900-payments");
    let out = warroom(&["incident", "show", "20261122"], tmp.path());
    assert!(
        stdout(&out).contains("20261122-0300-checkout"),
        "{}",
        stdout(&out)
    );
    let out = warroom(&["incident", "show", "latest"], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let out = warroom(&["incident", "show", "2026112"], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "two incidents start so: none is chosen"
    );
    assert!(
        stderr(&out).contains("warroom incident list"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn each_subcommands_help_lists_only_the_options_it_uses() {
    let tmp = tempfile::tempdir().unwrap();
    let options = |args: &[&str]| -> Vec<String> {
        let mut args = args.to_vec();
        args.push("--help");
        let out = warroom(&args, tmp.path());
        assert!(out.status.success(), "{args:?}");
        stdout(&out)
            .lines()
            .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("--")))
            .map(|w| w.trim_end_matches(',').to_owned())
            .filter(|w| w != "--help" && w != "--version")
            .collect()
    };
    let expect = [
        (&["init"][..], &[][..]),
        (&["schema"], &[]),
        (&["journal", "verify"], &[]),
        (&["incident", "list"], &["--demo", "--data-dir"]),
        (&["incident", "show"], &["--demo", "--data-dir"]),
        (&["runbook", "list"], &["--config"]),
        (&["check"], &["--json", "--component", "--config"]),
        (
            &["review", "export"],
            &["--output", "--demo", "--config", "--data-dir"],
        ),
        (
            &["demo"],
            &["--speed", "--data-dir", "--theme", "--ascii", "--log-level"],
        ),
        (
            &["drill"],
            &[
                "--speed",
                "--config",
                "--data-dir",
                "--theme",
                "--ascii",
                "--log-level",
                "--dry-run",
            ],
        ),
    ];
    for (args, wanted) in expect {
        assert_eq!(options(args), wanted, "{args:?}");
    }
    // An option still works before its subcommand as after it.
    let data = tmp.path().join("elsewhere");
    let id = "20261122-0300-elsewhere";
    Journal::create(&data.join("incidents").join(id))
        .unwrap()
        .append(
            Utc::now(),
            "ic@host",
            declared(id, "Elsewhere", vec![], vec![]),
        )
        .unwrap();
    let data = data.to_str().unwrap();
    for args in [
        &["--data-dir", data, "incident", "list"][..],
        &["incident", "list", "--data-dir", data],
    ] {
        let out = warroom(args, tmp.path());
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stdout(&out).contains(id), "{args:?}: {}", stdout(&out));
    }
}

#[test]
fn a_long_output_into_a_closed_pipe_ends_quietly_with_141() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    for n in 0..3000 {
        let text = if n % 2 == 0 {
            GOOD.to_owned()
        } else {
            "[service\n".to_owned()
        };
        std::fs::write(tmp.path().join(format!("c{n:04}.toml")), text).unwrap();
    }
    for stream in ["stdout", "stderr"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args(["validate", "."])
            .current_dir(tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (out, err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        // One line read, then the reader goes away (as `| head -1`); the other stream is drained.
        let (read, drained): (Box<dyn std::io::Read + Send>, Box<dyn std::io::Read + Send>) =
            if stream == "stdout" {
                (Box::new(out), Box::new(err))
            } else {
                (Box::new(err), Box::new(out))
            };
        let drain =
            std::thread::spawn(move || std::io::copy(&mut { drained }, &mut std::io::sink()));
        let mut first = String::new();
        BufReader::new(read).read_line(&mut first).unwrap();
        let status = child.wait().unwrap();
        let _ = drain.join();
        assert_eq!(status.code(), Some(141), "{stream}: {first}");
    }
}

/// Every file under `dir`, with its mode.
fn modes(dir: &Path) -> Vec<(String, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mode = std::fs::symlink_metadata(&path)
            .unwrap()
            .permissions()
            .mode();
        out.push((path.display().to_string(), mode));
        if path.is_dir() {
            out.extend(modes(&path));
        }
    }
    out
}

#[test]
fn planted_symbolic_links_are_never_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("precious");
    std::fs::write(&target, "keep me\n").unwrap();
    let untouched = || {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_ne!(mode, 0o600, "no chmod through the link");
    };
    // The log of the console.
    std::fs::write(tmp.path().join("warroom.toml"), GOOD).unwrap();
    std::fs::create_dir_all(tmp.path().join("data")).unwrap();
    std::os::unix::fs::symlink(&target, tmp.path().join("data/warroom.log")).unwrap();
    let out = warroom(&[], tmp.path());
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    untouched();
    // An export.
    let id = "20261122-0300-links";
    Journal::create(&tmp.path().join("data/incidents").join(id))
        .unwrap()
        .append(Utc::now(), "ic@host", declared(id, "Links", vec![], vec![]))
        .unwrap();
    std::os::unix::fs::symlink(&target, tmp.path().join("review.md")).unwrap();
    let out = warroom(&["review", "export", id, "-o", "review.md"], tmp.path());
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    untouched();
    // A kit whose runbooks folder is a link elsewhere.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(tmp.path().join("kit")).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, tmp.path().join("kit/runbooks")).unwrap();
    let out = warroom(&["init", "kit"], tmp.path());
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert!(
        std::fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "nothing written there"
    );
}

#[test]
fn a_umask_of_000_leaves_nothing_writable_by_others() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000 && exec {} init kit",
            env!("CARGO_BIN_EXE_warroom")
        ))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let written = modes(&tmp.path().join("kit"));
    assert!(written.len() > 3, "{written:?}");
    for (path, mode) in written {
        assert_eq!(mode & 0o022, 0, "{path} is {mode:o}");
    }
}

#[test]
fn a_data_directory_writable_by_everyone_is_refused_with_what_to_do() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("warroom.toml"), GOOD).unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = warroom(&[], tmp.path());
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        err.contains("writable by every user") && err.contains("chmod o-w"),
        "{err}"
    );
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o777, "refused, not quietly changed");
}

#[test]
fn a_journal_of_a_newer_format_is_named_so_never_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let id = "20261122-0300-future";
    let dir = tmp.path().join("data/incidents").join(id);
    Journal::create(&dir)
        .unwrap()
        .append(
            Utc::now(),
            "ic@host",
            declared(id, "Future", vec![], vec![]),
        )
        .unwrap();
    let path = dir.join("journal.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"format\":2"), "{text}");
    std::fs::write(&path, text.replace("\"format\":2", "\"format\":9")).unwrap();
    let out = warroom(&["incident", "show", id], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("journal format 9 is newer than this warroom's 2: upgrade warroom"),
        "{}",
        stderr(&out)
    );
    let listed = stdout(&warroom(&["incident", "list"], tmp.path()));
    assert!(listed.contains("journal format 9 is newer"), "{listed}");
    assert!(!listed.contains("damaged"), "{listed}");
}
