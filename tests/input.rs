//! Input safety in the real binary: keys typed one by one and sent in one burst give the same
//! journal; pasted escapes and hostile names from the config never reach the terminal raw.

mod support;

use std::path::Path;

use support::pty::*;

const LEVELS: &str = "levels = [ { after = \"0m\", notify = [\"oncall\"] } ]";

/// A service with a failing critical database, a runbook, and escalation for every severity.
fn kit(dir: &Path, db_name: &str, action_name: &str) {
    let config = format!(
        "[service]\nname = \"Input test\"\n\
         [[component]]\nid = \"db\"\nname = {db_name}\ntier = \"critical\"\n\
         probe = {{ kind = \"sim\", state = \"down\" }}\n\
         [[component.recovery]]\nname = {action_name}\ncommand = \"true\"\nconfirm = \"type\"\n\
         [[component]]\nid = \"api\"\nname = \"Payments API\"\ntier = \"high\"\n\
         probe = {{ kind = \"sim\", state = \"up\" }}\n\
         [[contact]]\nid = \"oncall\"\nname = \"Dana Ortiz\"\nrole = \"Primary on-call\"\nphone = \"+1 555 0100\"\n\
         [[escalation]]\nseverity = \"P1\"\n{LEVELS}\n\
         [[escalation]]\nseverity = \"P2\"\n{LEVELS}\n\
         [[escalation]]\nseverity = \"P3\"\n{LEVELS}\n\
         [[escalation]]\nseverity = \"P4\"\n{LEVELS}\n"
    );
    std::fs::write(dir.join("warroom.toml"), config).unwrap();
    std::fs::create_dir_all(dir.join("runbooks")).unwrap();
    std::fs::write(
        dir.join("runbooks/db-restart.md"),
        "+++\nid = \"db-restart\"\ntitle = \"Restart the database\"\ncomponents = [\"db\"]\n+++\n\n\
         ## Check the primary\n\nLook at it.\n\n## Restart it\n\n```sh\necho restarted\n```\n\n\
         ## Fix the API\n\nRepoint it.\n",
    )
    .unwrap();
}

/// The journal's events, times, checksums and ids aside.
fn events(dir: &Path) -> Vec<serde_json::Value> {
    journal_text(dir)
        .lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            strip_times(&mut value);
            value
        })
        .collect()
}

fn strip_times(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => {
            for key in ["at", "crc", "id", "since", "entries", "started"] {
                object.remove(key);
            }
            object.values_mut().for_each(strip_times);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_times),
        _ => {}
    }
}

const ESC: &str = "\x1b";

/// Declare, two notes, severity, status, step marks, filters on every screen, the palette, quit:
/// text is typed a character at a time, special keys (Enter, Esc, arrows) go as they are.
fn script() -> Vec<String> {
    let steps: &[&str] = &[
        "D",
        ENTER,
        "nhello",
        ENTER,
        "nsecond note: opa S R!",
        ENTER,
        "S",
        DOWN,
        ENTER,
        "t",
        ENTER,
        "1",
        "/api",
        ENTER,
        ESC,
        "3",
        "/api",
        ENTER,
        ESC,
        "4",
        "/api",
        ENTER,
        ESC,
        "2",
        "/api",
        ENTER,
        ESC,
        ENTER,
        "djs/fix",
        ENTER,
        "f",
        ESC,
        ESC,
        "5",
        "/oaup",
        ESC,
        ":note",
        ENTER,
        "from the palette",
        ENTER,
        "q",
    ];
    steps
        .iter()
        .flat_map(|step| {
            if step.starts_with('\x1b') || *step == ENTER {
                vec![(*step).to_owned()]
            } else {
                step.chars().map(String::from).collect()
            }
        })
        .collect()
}

fn run(burst: bool) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    kit(dir.path(), "\"Primary database\"", "\"Promote replica\"");
    let mut session = Session::start(dir.path(), (120, 40), &[], &[]);
    session.wait_for("Primary database is DOWN (critical). Press D");
    if burst {
        session.burst(&script().concat());
    } else {
        for key in script() {
            session.send(&key);
        }
    }
    assert!(session.wait_exit(), "q ends the session");
    events(dir.path())
}

#[test]
fn keys_sent_in_one_burst_give_the_journal_of_keys_typed_one_by_one() {
    let slow = run(false);
    let burst = run(true);
    let kinds: Vec<&str> = burst.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "declared",
        "note_added",
        "severity_changed",
        "status_changed",
        "step_marked",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    for refused in ["role_assigned", "paged", "acknowledged", "update_posted"] {
        assert!(!kinds.contains(&refused), "{refused} in {kinds:?}");
    }
    let notes: Vec<&str> = burst.iter().filter_map(|e| e["text"].as_str()).collect();
    assert_eq!(
        notes,
        ["hello", "second note: opa S R!", "from the palette"]
    );
    assert_eq!(slow, burst);
}

const PAYLOADS: &[(&str, &str)] = &[
    ("CSI", "\x1b[3;7;9mCSI"),
    ("OSC 52", "\x1b]52;c;cHduZWQ=\x07"),
    (
        "OSC 8",
        "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    ),
    ("OSC 0", "\x1b]0;pwned-title\x07"),
    ("DCS", "\x1bP1$rpwned\x1b\\"),
    ("C1", "\u{9b}6n"),
    ("single ESC", "\x1bc"),
    ("BEL", "bell\x07"),
    ("NUL", "nul\x00byte"),
    ("DEL", "del\x7f"),
    ("U+202E", "\u{202e}evil"),
    ("U+2066", "\u{2066}isolate"),
    ("zero-width", "zero\u{200b}width"),
];

/// Byte strings that must never be written to the terminal.
fn forbidden(payload: &str) -> Vec<Vec<u8>> {
    let mut out = vec![payload.as_bytes().to_vec()];
    for needle in [
        "\x1b[3;7;9m",
        "\x1b]52",
        "\x1b]8;",
        "\x1b]0;",
        "\x1bP",
        "\u{9b}",
        "\x1bc",
        "\x07",
        "\x00",
        "\x7f",
        "\u{202e}",
        "\u{2066}",
        "\u{200b}",
    ] {
        if payload.contains(needle) {
            out.push(needle.as_bytes().to_vec());
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn paste(session: &mut Session, text: &str) {
    session.send(&format!("\x1b[200~{text}\x1b[201~"));
}

/// Opens each text field in turn, pastes `payload` into it, and leaves it.
fn paste_everywhere(session: &mut Session, payload: &str) {
    for (open, title) in [
        ("n", "Add a note"),
        ("u", "Stakeholder update"),
        ("R", "Resolve"),
        ("o", "Assign a role"),
        (":", "Command palette"),
    ] {
        session.send(open);
        session.wait_for(title);
        paste(session, payload);
        session.send(ESC);
        session.wait_gone(title);
    }
    session.send("/");
    session.wait_for("Enter keep · Esc clear");
    paste(session, payload);
    session.send(ESC);
    session.send("2");
    session.send(ENTER);
    session.wait_for("Check the primary");
    session.send("n");
    session.wait_for("Add a note");
    paste(session, payload);
    session.send(ESC);
    session.send(ESC);
    session.send("5");
    session.send("e");
    session.wait_for("editing");
    paste(session, payload);
    session.send("\x13");
    session.send(ESC);
    session.send("1");
}

#[test]
fn pasted_escapes_and_hostile_config_names_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let db = "\"DB \\u001b]52;c;cHduZWQ=\\u0007 \\u001b]0;pwned-title\\u0007 \\u202e\"";
    let action = "\"Promote \\u001b[3;7;9mCSI \\u009b6n\"";
    kit(dir.path(), db, action);
    let mut session = Session::start(dir.path(), (120, 40), &[], &[]);
    session.wait_for("is DOWN (critical). Press D");
    session.send("D");
    session.wait_for("Declare an incident");
    let prefilled = session.contents();
    assert!(
        prefilled.contains("DB \\x1b]52;c;cHduZWQ=\\x07"),
        "{prefilled}"
    );
    for (_, payload) in PAYLOADS {
        paste(&mut session, payload);
    }
    session.send(ENTER);
    session.wait_for(" P1 ");
    session.send("r");
    session.wait_for("Recovery actions");
    session.wait_for("Promote \\x1b[3;7;9mCSI \\x9b6n");
    session.send(ENTER);
    session.wait_for("Run this recovery action?");
    paste(
        &mut session,
        &PAYLOADS.iter().map(|(_, p)| *p).collect::<String>(),
    );
    session.send(ESC);
    session.send("n");
    // Pasted control characters are not text: the field keeps the rest.
    paste(&mut session, "\x1b]52;c;ZmllbGQ=\x07");
    let field = session.wait_for("]52;c;ZmllbGQ=");
    assert!(!field.contains("\\x1b]52;c;ZmllbGQ="), "{field}");
    session.send(ESC);
    let all: Vec<&str> = PAYLOADS.iter().map(|(_, p)| *p).collect();
    let mut long = all.join("\n");
    while long.chars().count() < 4000 {
        long.push_str("\nfiller text \x1b]52;c;cHduZWQ=\x07 ");
    }
    paste_everywhere(&mut session, &long);
    session.send("q");
    assert!(session.wait_exit());
    let raw = session.raw();
    for (name, payload) in PAYLOADS {
        for needle in forbidden(payload) {
            assert!(
                !contains(&raw, &needle),
                "{name}: {:?} reached the terminal",
                String::from_utf8_lossy(&needle)
            );
        }
    }
}

#[test]
fn a_bad_argument_is_echoed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--nope\x1b]52;c;cHduZWQ=\x07"],
        vec!["demo", "--speed", "1\x1b]0;pwned-title\x07"],
        vec!["incident", "show", "x\u{9b}6n\u{202e}"],
    ] {
        let mut session = Session::start(dir.path(), (100, 30), &args, &[]);
        assert!(session.wait_exit());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let shown = |raw: &[u8]| {
            let text = String::from_utf8_lossy(raw);
            text.contains("--help") || text.contains("warroom")
        };
        while !shown(&session.raw()) {
            assert!(
                std::time::Instant::now() < deadline,
                "{args:?}: no error shown: {:?}",
                String::from_utf8_lossy(&session.raw())
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let raw = session.raw();
        for needle in ["\x1b]52", "\x1b]0;", "\u{9b}", "\u{202e}", "\x07"] {
            assert!(
                !contains(&raw, needle.as_bytes()),
                "{args:?}: {needle:?} echoed raw"
            );
        }
    }
}
