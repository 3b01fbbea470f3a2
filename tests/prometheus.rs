//! The `prometheus` probe against a real Prometheus (Debian package `prometheus`) scraping an
//! exporter this test serves, through `warroom check --json`; and the odd answers a real server
//! cannot be made to give, from a loopback server.

mod support;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::monitoring::{Exporter, eventually, get, prometheus, serve};

fn warroom(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(dir)
        .env("WARROOM_DATA_DIR", dir.join("data"))
        .env("PROM_TEST_TOKEN", "s3cret")
        .output()
        .unwrap()
}

/// `warroom check --json` on `config`: the rows by id.
fn check(config: &str) -> (Option<i32>, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("warroom.toml"), config).unwrap();
    let out = warroom(&["check", "--json"], tmp.path());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let by_id = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r.clone()))
        .collect();
    (out.status.code(), serde_json::Value::Object(by_id))
}

fn component(id: &str, probe: &str) -> String {
    format!(
        "\n[[component]]\nid = \"{id}\"\nname = \"{id}\"\ntier = \"critical\"\n\
         probe = {{ kind = \"prometheus\", {probe}, interval = \"2s\", timeout = \"1500ms\" }}\n"
    )
}

fn config(url: &str, components: &[String]) -> String {
    format!(
        "[service]\nname = \"Shop\"\n\n[sources.prometheus.main]\nurl = \"{url}\"\n{}",
        components.concat()
    )
}

fn answers(prom: SocketAddr, query: &str, value: &str) -> bool {
    get(prom, &format!("/api/v1/query?query={query}"))
        .is_some_and(|(_, body)| body.contains(&format!("\"{value}\"]")))
}

#[test]
fn a_query_puts_components_up_down_or_degraded_and_says_why() {
    let exporter = Exporter::start("shop_up 1\nshop_error_ratio 0.2\n");
    let Some(prom) = prometheus(&[exporter.address]) else {
        return;
    };
    let patience = Duration::from_secs(30);
    eventually(patience, "the first scrape", || {
        answers(prom.address, "shop_up", "1")
    });
    let components = [
        component("api", "query = 'shop_up', down_if = '< 1'"),
        component(
            "errors",
            "query = 'shop_error_ratio * 100', degraded_if = '> 50', down_if = '> 80', unit = '%'",
        ),
        component(
            "gone",
            "query = 'shop_missing_metric', down_if = '< 1', on_empty = 'down'",
        ),
        component("quiet", "query = 'shop_missing_metric', down_if = '< 1'"),
        component("typo", "query = 'sum(shop_up', down_if = '< 1'"),
        component("range", "query = 'shop_up[1m]', down_if = '< 1'"),
        component("scalar", "query = 'scalar(shop_up)', down_if = '< 1'"),
    ];
    let text = config(&prom.url(), &components);
    let (code, rows) = check(&text);
    assert_eq!(code, Some(1), "gone is down: {rows:#}");
    let state = |id: &str| rows[id]["state"].as_str().unwrap().to_owned();
    let error = |id: &str| rows[id]["error"].as_str().unwrap_or_default().to_owned();
    assert_eq!(state("api"), "up", "{rows:#}");
    assert_eq!(rows["api"]["reading"], "1");
    assert_eq!(state("errors"), "up");
    assert_eq!(rows["errors"]["reading"], "20%");
    assert_eq!(
        (state("gone"), error("gone")),
        ("down".into(), "the query returned no series".into())
    );
    assert_eq!(state("quiet"), "unknown");
    assert_eq!(state("typo"), "unknown");
    assert!(
        error("typo").starts_with("Prometheus: bad_data:"),
        "{rows:#}"
    );
    assert_eq!(state("range"), "unknown");
    assert!(error("range").contains("instant query"), "{rows:#}");
    assert_eq!(
        (state("scalar"), rows["scalar"]["reading"].clone()),
        ("up".into(), "1".into())
    );

    exporter.set("shop_up 0\nshop_error_ratio 0.6\n");
    eventually(patience, "the new values scraped", || {
        answers(prom.address, "shop_up", "0")
    });
    let (code, rows) = check(&text);
    assert_eq!(code, Some(1));
    assert_eq!(rows["api"]["state"], "down");
    assert_eq!(rows["api"]["error"], "value 0 < 1");
    assert_eq!(rows["errors"]["state"], "degraded");
    assert_eq!(rows["errors"]["error"], "value 60% > 50");
}

#[test]
fn every_series_of_a_vector_is_judged_and_the_failing_ones_named() {
    let exporter = Exporter::start(
        "shop_up{instance=\"a\"} 1\nshop_up{instance=\"b\"} 0\nshop_up{instance=\"c\"} 1\n",
    );
    let Some(prom) = prometheus(&[exporter.address]) else {
        return;
    };
    eventually(Duration::from_secs(30), "the first scrape", || {
        answers(prom.address, "count(shop_up)", "3")
    });
    let text = config(
        &prom.url(),
        &[component("fleet", "query = 'shop_up', down_if = '< 1'")],
    );
    let (_, rows) = check(&text);
    assert_eq!(rows["fleet"]["state"], "down", "{rows:#}");
    let error = rows["fleet"]["error"].as_str().unwrap();
    assert!(error.starts_with("1 of 3 series < 1: {"), "{error}");
    assert!(
        error.contains("instance=\"b\"") && error.ends_with("} 0"),
        "{error}"
    );
}

#[test]
fn prometheus_away_is_unknown_not_down() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let text = config(
        &format!("http://{closed}"),
        &[component("api", "query = 'up', down_if = '< 1'")],
    );
    let (code, rows) = check(&text);
    assert_eq!(rows["api"]["state"], "unknown", "{rows:#}");
    assert!(
        rows["api"]["error"]
            .as_str()
            .unwrap()
            .contains("connect failed"),
        "{rows:#}"
    );
    assert_eq!(code, Some(1), "unknown is not well");
}

/// A loopback server that answers every request with `body` and keeps the request heads.
fn answering(body: String) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let heads = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&heads);
    let address = serve("application/json", move |head| {
        kept.lock().unwrap().push(head.to_owned());
        body.clone()
    });
    (address, heads)
}

#[test]
fn odd_answers_are_bounded_and_credentials_are_sent() {
    let hostile = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"x"},"value":[1,"NaN"]},{"metric":{"job":"\u001b]0;pwned\u0007"},"value":[1,"+Inf"]}]}}"#;
    let (server, heads) = answering(hostile.to_owned());
    let text = format!(
        "{}bearer_token = \"${{PROM_TEST_TOKEN}}\"\nheaders = {{ \"X-Scope-OrgID\" = \"shop\" }}\n{}",
        config(&format!("http://{server}/prom"), &[]),
        component(
            "odd",
            "query = 'up', down_if = '< 1', degraded_if = '> 100'"
        )
    );
    let (_, rows) = check(&text);
    assert_eq!(
        rows["odd"]["state"], "degraded",
        "+Inf is above 100: {rows:#}"
    );
    assert_eq!(rows["odd"]["reading"], "+Inf");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("warroom.toml"), &text).unwrap();
    let table = String::from_utf8_lossy(&warroom(&["check"], tmp.path()).stdout).into_owned();
    assert!(table.contains("+Inf") && table.contains("pwned"), "{table}");
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table}"
    );
    let head = heads.lock().unwrap()[0].clone();
    assert!(
        head.starts_with("GET /prom/api/v1/query?query=up "),
        "{head}"
    );
    assert!(head.contains("authorization: Bearer s3cret"), "{head}");
    assert!(
        head.to_lowercase().contains("x-scope-orgid: shop"),
        "{head}"
    );

    // A 10 MB answer: read no further than 1 MiB.
    let huge = format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        vec![r#"{"metric":{"job":"padding-padding-padding"},"value":[1,"1"]}"#; 160_000].join(",")
    );
    let (server, _) = answering(huge);
    let text = config(
        &format!("http://{server}"),
        &[component("huge", "query = 'up', down_if = '< 1'")],
    );
    let (_, rows) = check(&text);
    assert_eq!(rows["huge"]["state"], "unknown", "{rows:#}");
    assert!(
        rows["huge"]["error"]
            .as_str()
            .unwrap()
            .contains("larger than 1 MiB"),
        "{rows:#}"
    );
}

#[test]
fn a_bad_probe_or_source_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "[service]\nname = \"Shop\"\n\n[sources.prometheus.main]\nurl = \"ftp://x\"\n\
                [sources.prometheus.other]\nurl = \"http://127.0.0.1:9\"\n\
                [[component]]\nid = \"a\"\nname = \"A\"\ntier = \"high\"\n\
                probe = { kind = \"prometheus\", source = \"mian\", query = \"up\", down_if = \"=< 1\" }\n\
                [[component]]\nid = \"b\"\nname = \"B\"\ntier = \"high\"\n\
                probe = { kind = \"prometheus\", query = \"up\" }\n";
    std::fs::write(tmp.path().join("warroom.toml"), text).unwrap();
    let out = warroom(&["validate", "warroom.toml"], tmp.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("warroom.toml:5:7: `sources.prometheus.main.url` is not an http(s) URL"),
        "{err}"
    );
    assert!(err.contains("unknown Prometheus source `mian`"), "{err}");
    assert!(err.contains("`=< 1` is not a rule"), "{err}");
    assert!(
        err.contains("warroom.toml:17:9: a prometheus probe needs `down_if` or `degraded_if`"),
        "{err}"
    );
}

#[test]
fn a_backup_stream_reads_its_last_copy_from_a_query() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exporter = Exporter::start(&format!(
        "backup_last_success_timestamp_seconds{{job=\"db\",kind=\"full\"}} {}\n\
         backup_last_success_timestamp_seconds{{job=\"db\",kind=\"wal\"}} {}\n",
        now - 7200,
        now - 600
    ));
    let Some(prom) = prometheus(&[exporter.address]) else {
        return;
    };
    eventually(Duration::from_secs(30), "the first scrape", || {
        answers(
            prom.address,
            "count(backup_last_success_timestamp_seconds)",
            "2",
        )
    });
    let stream = |name: &str, query: &str, every: &str| {
        format!(
            "[[component.backup]]\nname = \"{name}\"\nevery = \"{every}\"\n\
             source = {{ kind = \"prometheus\", query = '{query}' }}\n"
        )
    };
    let text = format!(
        "{}rpo = \"1h\"\n{}{}{}",
        config(
            &prom.url(),
            &[component("db", "query = 'up', down_if = '< 1'")]
        ),
        stream(
            "full",
            r#"backup_last_success_timestamp_seconds{kind="full"}"#,
            "1h"
        ),
        stream("any", "backup_last_success_timestamp_seconds", "30m"),
        stream("none", "backup_missing_metric", "1h"),
    );
    let (code, rows) = check(&text);
    let backups = rows["db"]["backups"].as_array().unwrap();
    let by_name = |name: &str| backups.iter().find(|b| b["name"] == name).unwrap().clone();
    let full = by_name("full");
    assert_eq!(
        full["state"], "stale",
        "two hours old against every 1h: {rows:#}"
    );
    assert!(
        full["age_secs"].as_u64().unwrap().abs_diff(7200) < 120,
        "{full:#}"
    );
    let any = by_name("any");
    assert_eq!(
        any["state"], "fresh",
        "the newest of the series counts: {any:#}"
    );
    assert!(
        any["age_secs"].as_u64().unwrap().abs_diff(600) < 120,
        "{any:#}"
    );
    let none = by_name("none");
    assert_eq!(none["state"], "unreadable");
    assert_eq!(none["error"], "the query returned no series");
    assert_eq!(
        rows["db"]["rpo_met"], true,
        "the WAL copy ten minutes old meets the 1h RPO"
    );
    assert_eq!(rows["db"]["state"], "up");
    assert_eq!(
        code,
        Some(3),
        "a stale or unreadable stream needs a look: {rows:#}"
    );
}

#[test]
fn a_prometheus_that_never_answers_is_unknown_within_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    // Accepts and reads, never answers; the connections are held until the test ends.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(16) {
            held.push(stream);
        }
    });
    let text = config(
        &format!("http://{address}"),
        &[component("api", "query = 'up', down_if = '< 1'")],
    );
    let (_, rows) = check(&text);
    assert_eq!(rows["api"]["state"], "unknown", "{rows:#}");
    assert_eq!(rows["api"]["error"], "timed out after 1s 500ms");
}
