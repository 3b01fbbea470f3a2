//! The `alertmanager` probe against a real Alertmanager (Debian package `prometheus-alertmanager`)
//! fed through its own API, through `warroom check --json`; and the console's one request per
//! Alertmanager per interval, whatever the number of components, against a loopback server.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::monitoring::{alertmanager, eventually, get, post, serve};

fn warroom(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(dir)
        .env("WARROOM_DATA_DIR", dir.join("data"))
        .output()
        .unwrap()
}

fn component(id: &str, probe: &str) -> String {
    format!(
        "\n[[component]]\nid = \"{id}\"\nname = \"{id}\"\ntier = \"critical\"\n\
         probe = {{ kind = \"alertmanager\", {probe} }}\n"
    )
}

fn config(url: &str, components: &[String]) -> String {
    format!(
        "[service]\nname = \"Payments\"\n\n[sources.alertmanager.main]\nurl = \"{url}\"\n{}",
        components.concat()
    )
}

fn alert(labels: &str, summary: &str) -> String {
    format!(
        r#"{{"labels":{{{labels}}},"annotations":{{"summary":"{summary}"}},"generatorURL":"http://127.0.0.1:9090/graph"}}"#
    )
}

/// The console at 120x40 on a config of `components` asking the Alertmanager at `url`: its
/// folder (kept while the test runs), its data folder and the session.
fn console(
    url: &str,
    components: &str,
) -> (tempfile::TempDir, std::path::PathBuf, support::pty::Session) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let config_path = tmp.path().join("warroom.toml");
    std::fs::write(&config_path, config(url, &[components.to_owned()])).unwrap();
    let args = ["--config", config_path.to_str().unwrap()];
    let session = support::pty::Session::start(&data, (120, 40), &args, &[]);
    (tmp, data, session)
}

/// Posts `alerts` to Alertmanager and waits until it lists them all.
fn fire(am: &support::monitoring::Server, alerts: &[String]) {
    let (status, body) = post(
        am.address,
        "/api/v2/alerts",
        &format!("[{}]", alerts.join(",")),
    );
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(30), "the alerts to be listed", || {
        get(am.address, "/api/v2/alerts")
            .is_some_and(|(_, b)| b.matches("fingerprint").count() >= alerts.len())
    });
}

/// A real Alertmanager holding five alerts (one for another service, one with no severity, one
/// with escapes in its name), the cache's silenced.
fn fed_alertmanager() -> Option<support::monitoring::Server> {
    let am = alertmanager()?;
    let alerts = [
        alert(
            r#""alertname":"DbDown","service":"payments","component":"db","severity":"critical""#,
            "Primary database is down",
        ),
        alert(
            r#""alertname":"CacheSlow","service":"payments","component":"cache","severity":"warning""#,
            "Cache p99 over 200ms",
        ),
        alert(
            r#""alertname":"QueueOdd","service":"payments","component":"queue""#,
            "no severity",
        ),
        alert(
            r#""alertname":"\u001b]0;pwned\u0007","service":"payments","component":"api","severity":"critical""#,
            r"\u001b[2Jwiped",
        ),
        alert(
            r#""alertname":"ShopDown","service":"shop","component":"db","severity":"critical""#,
            "not ours",
        ),
    ];
    fire(&am, &alerts);
    let silence = r#"{"matchers":[{"name":"alertname","value":"CacheSlow","isRegex":false,"isEqual":true}],
        "startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"test","comment":"quiet"}"#;
    let (status, body) = post(am.address, "/api/v2/silences", silence);
    assert_eq!(status, 200, "{body}");
    eventually(Duration::from_secs(20), "the silence to apply", || {
        get(am.address, "/api/v2/alerts?silenced=false")
            .is_some_and(|(_, b)| !b.contains("CacheSlow"))
    });
    Some(am)
}

#[test]
fn alerts_put_components_down_or_degraded_by_severity_and_silences_count_only_when_asked() {
    let Some(am) = fed_alertmanager() else { return };
    let ours = "'service=\"payments\"'";
    let components = [
        component("db", &format!("matchers = [{ours}, 'component=\"db\"']")),
        component(
            "cache",
            &format!("matchers = [{ours}, 'component=\"cache\"']"),
        ),
        component(
            "cache-loud",
            &format!("matchers = [{ours}, 'component=~\"cache|none\"'], count_silenced = true"),
        ),
        component(
            "queue",
            &format!("matchers = [{ours}, 'component=\"queue\"']"),
        ),
        component("api", &format!("matchers = [{ours}, 'component=\"api\"']")),
        component("web", &format!("matchers = [{ours}, 'component=\"web\"']")),
        component(
            "paging",
            &format!("matchers = [{ours}, 'component!=\"api\"'], down_severities = ['warning']"),
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("warroom.toml"),
        config(&am.url(), &components),
    )
    .unwrap();
    let out = warroom(&["check", "--json"], tmp.path());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let row = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let state = |id: &str| row(id)["state"].as_str().unwrap().to_owned();
    assert_eq!(state("db"), "down", "{rows:#}");
    assert_eq!(row("db")["error"], "DbDown: Primary database is down");
    assert_eq!(row("db")["reading"], "1 alert");
    assert_eq!(state("cache"), "up", "its only alert is silenced: {rows:#}");
    assert_eq!(state("cache-loud"), "degraded", "{rows:#}");
    assert_eq!(
        state("queue"),
        "degraded",
        "an alert with no severity still counts: {rows:#}"
    );
    assert_eq!(state("api"), "down");
    assert_eq!(state("web"), "up");
    assert_eq!(
        state("paging"),
        "degraded",
        "its down severity is warning, and that one is silenced: {rows:#}"
    );
    assert_eq!(out.status.code(), Some(1));
    let table = String::from_utf8_lossy(&warroom(&["check"], tmp.path()).stdout).into_owned();
    assert!(
        table.contains("pwned") && table.contains("wiped"),
        "{table}"
    );
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table}"
    );
}

#[test]
fn alertmanager_away_is_unknown_and_a_bad_matcher_is_located() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let text = config(
        &format!("http://{closed}"),
        &[component("db", "matchers = ['component=\"db\"']")],
    );
    std::fs::write(tmp.path().join("warroom.toml"), &text).unwrap();
    let out = warroom(&["check", "--json"], tmp.path());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["state"], "unknown", "{rows:#}");
    assert!(
        rows[0]["error"]
            .as_str()
            .unwrap()
            .contains("connect failed"),
        "{rows:#}"
    );
    let bad = text.replace("'component=\"db\"'", "'component=~\"(\"'");
    std::fs::write(
        tmp.path().join("warroom.toml"),
        bad + &component("x", "matchers = []"),
    )
    .unwrap();
    let out = warroom(&["validate", "warroom.toml"], tmp.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("warroom.toml:11:46: matcher `component=~\"(\"` has a bad regular expression (unclosed group)"), "{err}");
    assert!(
        err.contains("an alertmanager probe needs `matchers`"),
        "{err}"
    );
}

/// A loopback Alertmanager that answers every request with the same alerts and counts them.
fn counting_alertmanager(alerts: String) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    let address = serve("application/json", move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
        alerts.clone()
    });
    (address, count)
}

#[test]
fn the_console_asks_each_alertmanager_once_per_interval_for_every_component() {
    let alerts = format!(
        "[{}]",
        (0..100)
            .map(|i| format!(
                r#"{{"fingerprint":"f{i}","labels":{{"alertname":"Down{i}","component":"c{i}","severity":"critical"}},"annotations":{{}},"startsAt":"2026-12-02T03:00:00Z","status":{{"state":"active","silencedBy":[],"inhibitedBy":[]}}}}"#
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let (address, count) = counting_alertmanager(alerts);
    let components: Vec<String> = (0..200)
        .map(|i| {
            component(
                &format!("c{i}"),
                &format!("matchers = ['component=\"c{i}\"'], interval = \"1s\", timeout = \"500ms\", fail_after = 1"),
            )
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("warroom.toml"),
        config(&format!("http://{address}"), &components),
    )
    .unwrap();
    let data = tmp.path().join("data");
    let config_path = tmp.path().join("warroom.toml");
    let mut session = support::pty::Session::start(
        &data,
        (120, 40),
        &["--config", config_path.to_str().unwrap()],
        &[],
    );
    session.wait_for("Components 100/200 up");
    let seen = count.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(3));
    let later = count.load(Ordering::SeqCst);
    session.send("q");
    session.wait_exit();
    // 200 components asked separately would be 200 requests a second; one poller asks once a
    // second (bounds loose enough for a loaded machine, far below 200).
    assert!(seen <= 10, "{seen} requests before the board was complete");
    assert!(
        (1..=8).contains(&(later - seen)),
        "{} requests in 3 s at a 1 s interval",
        later - seen
    );
}

#[test]
fn the_console_lists_firing_alerts_no_component_claims() {
    let Some(am) = fed_alertmanager() else { return };
    let ours = "'service=\"payments\"'";
    let components = [
        component(
            "db",
            &format!(
                "matchers = [{ours}, 'component=\"db\"'], interval = \"1s\", timeout = \"500ms\""
            ),
        ),
        component(
            "api",
            &format!(
                "matchers = [{ours}, 'component=\"api\"'], interval = \"1s\", timeout = \"500ms\""
            ),
        ),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let config_path = tmp.path().join("warroom.toml");
    std::fs::write(&config_path, config(&am.url(), &components)).unwrap();
    let mut session = support::pty::Session::start(
        &tmp.path().join("data"),
        (100, 30),
        &["--config", config_path.to_str().unwrap()],
        &[],
    );
    // ShopDown (another service) and QueueOdd (no component takes it) are unmapped; the silenced
    // CacheSlow is not listed.
    session.wait_for("2 unmapped alerts");
    let screen = session.wait_for("ShopDown (critical): not ours");
    assert!(
        screen.contains("QueueOdd (no severity): no severity"),
        "{screen}"
    );
    assert!(!screen.contains("CacheSlow"), "{screen}");
    session.send("q");
    session.wait_exit();
}

/// The journal's records of one kind, as JSON.
fn records(data: &Path, kind: &str) -> Vec<serde_json::Value> {
    support::pty::journal_text(data)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|r| r["kind"] == kind)
        .collect()
}

/// The silences Alertmanager holds, as JSON.
fn silences(am: &support::monitoring::Server) -> Vec<serde_json::Value> {
    let (_, body) = get(am.address, "/api/v2/silences").unwrap();
    serde_json::from_str(&body).unwrap()
}

#[test]
fn an_alert_raises_the_banner_declares_with_its_start_and_is_silenced_until_resolved() {
    let Some(am) = alertmanager() else { return };
    let db = component(
        "db",
        "matchers = ['component=\"db\"'], interval = \"1s\", timeout = \"500ms\"",
    );
    let (_tmp, data, mut session) = console(&am.url(), &db);
    session.wait_for("Components 1/1 up");
    // It began four minutes before the console heard of it.
    let started = chrono::Utc::now() - chrono::TimeDelta::minutes(4);
    let starts_at = started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let fired = format!(
        r#"[{{"labels":{{"alertname":"DbDown","component":"db","severity":"critical"}},
        "annotations":{{"summary":"Primary database is down"}},"startsAt":"{starts_at}"}}]"#
    );
    let (status, body) = post(am.address, "/api/v2/alerts", &fired);
    assert_eq!(status, 200, "{body}");
    session.wait_for("ALERT DbDown (critical): Primary database is down. Press D to declare");
    session.wait_for("Components 0/1 up");
    session.send("D");
    session.wait_for("Declare an incident");
    session.wait_for("Primary database is down");
    session.send("\r");
    session.wait_for("investigating");
    let declared = &records(&data, "declared")[0];
    assert_eq!(declared["title"], "Primary database is down");
    assert_eq!(declared["alerts"][0]["labels"]["alertname"], "DbDown");
    let journaled = declared["alerts"][0]["starts_at"].as_str().unwrap();
    let journaled = chrono::DateTime::parse_from_rfc3339(journaled).unwrap();
    assert_eq!(journaled.timestamp(), started.timestamp(), "{declared}");
    // The outage, and so the MTTD, count from the alert's start.
    let since = declared["outages"][0]["since"].as_str().unwrap();
    let since = chrono::DateTime::parse_from_rfc3339(since).unwrap();
    assert_eq!(since.timestamp(), started.timestamp(), "{declared}");

    session.send("M");
    session.wait_for("Silence in Alertmanager?");
    session.wait_for(r#"alertname="DbDown", component="db", severity="critical""#);
    session.send("\r");
    session.wait_for("Silenced DbDown");
    let created = &records(&data, "silence_created")[0];
    let id = created["id"].as_str().unwrap().to_owned();
    let requested = &records(&data, "silence_requested")[0];
    assert_eq!(created["requested"], requested["seq"]);
    let held = silences(&am);
    let silence = held
        .iter()
        .find(|s| s["id"] == id.as_str())
        .expect("the silence");
    assert_eq!(silence["status"]["state"], "active", "{silence}");
    assert_eq!(silence["createdBy"], requested["actor"]);
    let comment = silence["comment"].as_str().unwrap();
    assert!(
        comment.starts_with("warroom ") && comment.ends_with(": Primary database is down"),
        "{comment}"
    );
    eventually(Duration::from_secs(20), "the alert to be silenced", || {
        get(am.address, "/api/v2/alerts?silenced=false").is_some_and(|(_, b)| !b.contains("DbDown"))
    });
    // The silence stops the pages, not the outage: db stays down, nothing is journaled as mended.
    // (two samples at 1 s would bring it back up if the silence counted)
    std::thread::sleep(Duration::from_secs(4));
    let screen = session.wait_for("Components 0/1 up");
    assert!(screen.contains("DOWN      db"), "{screen}");
    assert!(
        records(&data, "component_changed")
            .iter()
            .all(|r| r["to"] != "up"),
        "silencing is no recovery"
    );

    resolve_and_expire(&mut session, &id);
    let held = silences(&am);
    let silence = held.iter().find(|s| s["id"] == id.as_str()).unwrap();
    assert_eq!(silence["status"]["state"], "expired", "{silence}");
    assert_eq!(records(&data, "silence_expired")[0]["id"], id.as_str());
    session.send("q");
    session.wait_exit();
}

/// Resolves the incident and expires its silence `id` when offered.
fn resolve_and_expire(session: &mut support::pty::Session, id: &str) {
    session.send("R");
    session.wait_for("Resolve");
    session.send("\r");
    // A component the alert is about may still be failing: resolving asks once more.
    session.wait_answering("Expire the silences?", "Enter again resolves");
    session.send("\r");
    session.wait_for(&format!("Silence {id} expired"));
}

/// Once `banner` shows: declares as suggested, and confirms the silence of its alerts.
fn declare_and_silence(session: &mut support::pty::Session, banner: &str) {
    session.wait_for(banner);
    session.send("D");
    session.wait_for("Declare an incident");
    session.send("\r");
    session.wait_for("investigating");
    session.send("M");
    session.wait_for("Silence in Alertmanager?");
    session.send("\r");
}

#[test]
fn a_refused_silence_is_shown_journaled_and_not_retried() {
    // An Alertmanager that lists one critical alert and refuses every silence.
    let alerts = r#"[{"fingerprint":"f1","labels":{"alertname":"DbDown","component":"db","severity":"critical"},
        "annotations":{"summary":"db down"},"startsAt":"2026-12-02T03:00:00Z","status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]"#;
    let posts = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&posts);
    let address = support::monitoring::serve_status("application/json", move |request| {
        if request.starts_with("POST") {
            seen.fetch_add(1, Ordering::SeqCst);
            (400, "bad matcher \u{1b}[2J: refused".to_owned())
        } else {
            (200, alerts.to_owned())
        }
    });
    let db = component("db", "matchers = ['component=\"db\"'], interval = \"1s\"");
    let (_tmp, data, mut session) = console(&format!("http://{address}"), &db);
    declare_and_silence(&mut session, "ALERT DbDown (critical): db down");
    let screen = session.wait_for("NOT created");
    assert!(screen.contains("HTTP 400"), "{screen}");
    assert!(
        !screen.contains('\u{1b}'),
        "no raw escape reaches the screen"
    );
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(posts.load(Ordering::SeqCst), 1, "never retried silently");
    let failed = &records(&data, "silence_failed")[0];
    assert!(
        failed["error"].as_str().unwrap().contains("HTTP 400"),
        "{failed}"
    );
    assert_eq!(records(&data, "silence_requested").len(), 1);
    session.send("q");
    session.wait_exit();
}

#[test]
fn a_silence_whose_answer_a_crash_lost_is_found_in_alertmanager_not_asked_again() {
    let Some(am) = alertmanager() else { return };
    let db = component("db", "matchers = ['component=\"db\"'], interval = \"1s\"");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let config_path = tmp.path().join("warroom.toml");
    std::fs::write(&config_path, config(&am.url(), &[db])).unwrap();
    let args = ["--config", config_path.to_str().unwrap()];
    let fired = r#"[{"labels":{"alertname":"DbDown","component":"db","severity":"critical"},
        "annotations":{"summary":"Primary database is down"}}]"#;
    let (status, body) = post(am.address, "/api/v2/alerts", fired);
    assert_eq!(status, 200, "{body}");
    let mut session = support::pty::Session::start(&data, (120, 40), &args, &[]);
    declare_and_silence(
        &mut session,
        "ALERT DbDown (critical): Primary database is down",
    );
    session.wait_for("Silenced DbDown");
    session.send("q");
    session.wait_exit();
    let id = records(&data, "silence_created")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // As if warroom had died between the request and its answer: the journal ends at the request.
    let journal = support::pty::incident_dir(&data.join("incidents")).join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .take_while(|l| !l.contains(r#""kind":"silence_created""#))
        .collect();
    assert!(
        kept.last()
            .unwrap()
            .contains(r#""kind":"silence_requested""#)
    );
    std::fs::write(&journal, format!("{}\n", kept.join("\n"))).unwrap();

    let mut session = support::pty::Session::start(&data, (120, 40), &args, &[]);
    session.wait_for(&format!("was created before warroom stopped: silence {id}"));
    let created = records(&data, "silence_created");
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0]["id"],
        id.as_str(),
        "the silence found is the one created"
    );
    let requested = &records(&data, "silence_requested")[0];
    assert_eq!(created[0]["requested"], requested["seq"]);
    let ours: Vec<serde_json::Value> = silences(&am)
        .into_iter()
        .filter(|s| s["createdBy"] == requested["actor"])
        .collect();
    assert_eq!(ours.len(), 1, "never asked again: {ours:?}");
    // Resolving offers to expire it, as if the answer had never been lost.
    resolve_and_expire(&mut session, &id);
    session.send("q");
    session.wait_exit();
    let verify = warroom(
        &["journal", "verify", journal.to_str().unwrap()],
        tmp.path(),
    );
    assert!(verify.status.success(), "{verify:?}");
}

#[test]
fn five_thousand_alerts_keep_the_console_responsive_and_the_declaration_bounded() {
    let Some(am) = alertmanager() else { return };
    // 4,999 critical alerts of another service, with escapes in half their summaries, and ours.
    let mut alerts: Vec<String> = (0..4_999)
        .map(|i| {
            let summary = if i % 2 == 0 {
                format!("disk {i} full")
            } else {
                format!(r"\u001b[2Jdisk {i} full")
            };
            alert(
                &format!(
                    r#""alertname":"DiskFull","service":"shop","disk":"d{i}","severity":"critical""#
                ),
                &summary,
            )
        })
        .collect();
    // Named to sort after every DiskFull, so only a declaration that takes claimed alerts first
    // follows it.
    alerts.push(alert(
        r#""alertname":"PrimaryDown","component":"db","severity":"critical""#,
        "Primary database is down",
    ));
    fire(&am, &alerts);
    let db = component("db", "matchers = ['component=\"db\"'], interval = \"1s\"");
    let (_tmp, data, mut session) = console(&am.url(), &db);
    let screen = session.wait_for("4999 unmapped alerts");
    assert!(screen.contains("DOWN      db"), "{screen}");
    assert!(
        screen.contains(r"\x1b[2Jdi"),
        "escapes in summaries are shown escaped: {screen}"
    );
    assert!(
        screen.contains("ALERT PrimaryDown (critical): Primary database is down"),
        "the banner calls for the alert a component claims: {screen}"
    );
    // Keys are answered at once while the board holds them.
    session.send("?");
    session.wait_for("Keys");
    session.send("\u{1b}");
    session.send("D");
    session.wait_for("Declare an incident");
    session.send("\r");
    session.wait_for("investigating");
    let declared = &records(&data, "declared")[0];
    let followed = declared["alerts"].as_array().unwrap();
    assert_eq!(
        followed.len(),
        500,
        "an incident follows at most 500 alerts"
    );
    assert!(
        followed
            .iter()
            .any(|a| a["labels"]["alertname"] == "PrimaryDown"),
        "the alert its component claims is among them"
    );
    session.send("q");
    session.wait_exit();
}
