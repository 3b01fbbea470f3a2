//! Notifications against a loopback receiver that records every request: `PagerDuty` Events API v2
//! bodies field by field, retries until accepted, and secrets kept out of everything recorded.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::Value;
use warroom::config::notify::PagerDuty;
use warroom::config::{Notify, Secret};
use warroom::demo;
use warroom::keymap::Action;
use warroom::msg::{Effect, Msg};
use warroom::state::State;
use warroom::update::play;
use warroom::workers::outbox::deliver;

/// An HTTP receiver on 127.0.0.1 answering with the next status of `script` (the last one
/// repeats), recording each request's path and JSON body.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<(String, Value)>>>,
}

fn receiver(script: &[u16]) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v2/enqueue", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let (log, script) = (Arc::clone(&bodies), script.to_vec());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let (path, body) = read_request(&mut stream);
            log.lock()
                .unwrap()
                .push((path, serde_json::from_slice(&body).unwrap_or(Value::Null)));
            let status = script[n.min(script.len() - 1)];
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    Receiver { url, bodies }
}

fn read_request(stream: &mut std::net::TcpStream) -> (String, Vec<u8>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            let path = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            return (path, data[end + 4..].to_vec());
        }
    }
    (String::new(), Vec::new())
}

const CANARY: &str = "CANARY-7f3a9c-routing";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn secs(n: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(n)
}

fn state_with(url: &str) -> State {
    let mut state = demo::state("ic@host", t0());
    state.config.notify = Notify {
        pagerduty: Some(PagerDuty {
            routing_key: Secret::new(CANARY),
            url: Secret::new(url),
        }),
        slack: None,
        webhook: None,
    };
    // The demo is a drill: let it send, as a scenario with `allow_notify = true` does.
    state.drill_mut().unwrap().engine.scenario.allow_notify = true;
    state
}

fn declare_and_page(state: &mut State) {
    play(state, Msg::Tick, secs(30));
    play(state, Msg::Action(Action::Declare), secs(30));
    play(state, Msg::Input("Payments down".into()), secs(30));
    play(state, Msg::Action(Action::Top), secs(30));
    play(state, Msg::Action(Action::Confirm), secs(31));
    play(state, Msg::Action(Action::Page), secs(32));
    play(state, Msg::Action(Action::Confirm), secs(32));
}

/// Runs the outbox at `now` through the real sender until nothing is due.
async fn flush(state: &mut State, now: DateTime<Utc>) -> usize {
    let client = reqwest::Client::new();
    let mut sent = 0;
    let effects = play(state, Msg::Tick, now);
    for effect in effects {
        if let Effect::Send {
            queued,
            channel,
            payload,
        } = effect
        {
            let result = deliver(&client, &state.config.notify, channel, payload).await;
            play(state, Msg::Delivered { queued, result }, now);
            sent += 1;
        }
    }
    sent
}

#[tokio::test]
async fn trigger_acknowledge_and_resolve_follow_the_events_api_v2() {
    let rx = receiver(&[202]);
    let mut state = state_with(&rx.url);
    declare_and_page(&mut state);
    flush(&mut state, secs(33)).await;
    play(&mut state, Msg::Action(Action::Acknowledge), secs(40));
    play(&mut state, Msg::Action(Action::Confirm), secs(40));
    flush(&mut state, secs(41)).await;
    play(&mut state, Msg::Action(Action::Resolve), secs(90));
    play(&mut state, Msg::Action(Action::Confirm), secs(90));
    flush(&mut state, secs(91)).await;

    let bodies = rx.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 3, "{bodies:#?}");
    let incident = state.incident.as_ref().unwrap();
    let dedup = format!("warroom-{}-L1", incident.id);
    let (path, trigger) = &bodies[0];
    assert_eq!(path, "/v2/enqueue");
    assert_eq!(trigger["routing_key"], CANARY);
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["dedup_key"], dedup.as_str());
    assert_eq!(
        trigger["payload"]["summary"],
        "[P1] Payments down (escalation level 1)"
    );
    assert_eq!(trigger["payload"]["source"], "warroom");
    assert_eq!(trigger["payload"]["severity"], "critical");
    assert_eq!(
        trigger["payload"]["custom_details"]["incident_id"],
        incident.id.as_str()
    );
    assert_eq!(
        trigger["payload"]["custom_details"]["contacts"],
        serde_json::json!(["oncall"])
    );
    for (body, action) in [(&bodies[1].1, "acknowledge"), (&bodies[2].1, "resolve")] {
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["dedup_key", "event_action", "routing_key"], "{body}");
        assert_eq!(body["event_action"], action);
        assert_eq!(body["dedup_key"], dedup.as_str());
        assert_eq!(body["routing_key"], CANARY);
    }
    let journal =
        serde_json::to_string(&state.records.iter().map(|r| &r.event).collect::<Vec<_>>()).unwrap();
    assert!(
        !journal.contains(CANARY),
        "the routing key never reaches the journal"
    );
}

#[tokio::test]
async fn a_receiver_failing_twice_then_accepting_ends_with_the_page_sent() {
    let rx = receiver(&[500, 429, 202]);
    let mut state = state_with(&rx.url);
    declare_and_page(&mut state);
    assert_eq!(flush(&mut state, secs(33)).await, 1);
    assert_eq!(
        flush(&mut state, secs(34)).await,
        0,
        "backoff before the retry"
    );
    assert_eq!(flush(&mut state, secs(40)).await, 1);
    assert_eq!(flush(&mut state, secs(80)).await, 1);
    assert_eq!(flush(&mut state, secs(500)).await, 0, "sent: never resent");
    let kinds: Vec<&str> = state.records.iter().map(|r| r.event.kind()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "notify_failed").count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "notify_sent").count(), 1);
    let failures: Vec<String> = state
        .records
        .iter()
        .filter_map(|r| match &r.event {
            warroom::domain::event::Event::NotifyFailed { error, .. } => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(failures, ["HTTP 500", "HTTP 429 (rate limited)"]);
    let bodies = rx.bodies.lock().unwrap();
    assert!(
        bodies
            .iter()
            .all(|(_, b)| b["dedup_key"] == bodies[0].1["dedup_key"]),
        "the same dedup_key every time"
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_failure_that_names_no_url() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/secret-path-{CANARY}");
    let notify = Notify {
        pagerduty: None,
        slack: Some(Secret::new(&url)),
        webhook: None,
    };
    let error = deliver(
        &reqwest::Client::new(),
        &notify,
        warroom::domain::event::Channel::Slack,
        serde_json::json!({"text": "x"}),
    )
    .await
    .unwrap_err();
    assert!(error.contains("refused"), "{error}");
    assert!(
        !error.contains(CANARY) && !error.contains("127.0.0.1"),
        "{error}"
    );
}

fn point(table: &str) -> warroom::config::RecoveryPoint {
    let text = format!(
        "[service]\nname = \"t\"\n[[component]]\nid = \"c\"\nname = \"C\"\ntier = \"high\"\nprobe = {{ kind = \"sim\" }}\nrecovery_point = {table}\n"
    );
    warroom::config::parse("t.toml", &text)
        .unwrap()
        .components
        .remove(0)
        .backups
        .remove(0)
        .point
}

fn json_server(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().map_while(Result::ok) {
            let _ = read_request(&mut stream);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    format!("http://{addr}/backup")
}

#[tokio::test]
async fn recovery_points_come_from_json_commands_and_files() {
    use warroom::workers::recovery_point::read_point;
    let client = reqwest::Client::new();
    let now = Utc::now();
    let url = json_server(r#"{"backup":{"finished":"2026-11-22T02:55:00Z"}}"#);
    let p = point(&format!(
        "{{ kind = \"http_json\", url = \"{url}\", pointer = \"/backup/finished\" }}"
    ));
    assert_eq!(
        read_point(&client, &p, now).await,
        Ok(Utc.with_ymd_and_hms(2026, 11, 22, 2, 55, 0).unwrap())
    );

    let ten_minutes_ago = (now - TimeDelta::minutes(10)).timestamp();
    let p = point(&format!(
        "{{ kind = \"command\", command = \"echo {ten_minutes_ago}\" }}"
    ));
    assert_eq!(
        read_point(&client, &p, now).await.unwrap().timestamp(),
        ten_minutes_ago
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.dump"), "x").unwrap();
    let p = point(&format!(
        "{{ kind = \"file\", glob = \"{}/*.dump\" }}",
        dir.path().display()
    ));
    let newest = read_point(&client, &p, Utc::now()).await.unwrap();
    assert!((Utc::now() - newest).num_seconds() < 60, "{newest}");
}

#[tokio::test]
async fn garbage_and_future_recovery_points_are_refused_with_a_reason() {
    use warroom::workers::recovery_point::read_point;
    let client = reqwest::Client::new();
    let now = Utc::now();
    let garbage = json_server(r#"{"last":"\u001b]0;pwned\u0007 yesterday"}"#);
    let p = point(&format!(
        "{{ kind = \"http_json\", url = \"{garbage}\", pointer = \"/last\" }}"
    ));
    let error = read_point(&client, &p, now).await.unwrap_err();
    assert!(
        error.starts_with("not a time:") && !error.contains('\u{1b}'),
        "{error}"
    );
    let future = (now + TimeDelta::days(2)).timestamp();
    let p = point(&format!(
        "{{ kind = \"command\", command = \"echo {future}\" }}"
    ));
    assert!(
        read_point(&client, &p, now)
            .await
            .unwrap_err()
            .contains("in the future")
    );
    let p = point("{ kind = \"file\", glob = \"/nonexistent-warroom/*.dump\" }");
    assert_eq!(
        read_point(&client, &p, now).await.unwrap_err(),
        "no file matches"
    );
}

#[tokio::test]
async fn a_webhook_recovery_action_posts_its_context_and_reports_the_status() {
    let rx = receiver(&[500, 204]);
    let url = Secret::new(&rx.url);
    let payload =
        serde_json::json!({ "incident": "x", "component": "db", "action": "Promote replica" });
    let client = reqwest::Client::new();
    let timeout = std::time::Duration::from_secs(5);
    let failed = warroom::workers::outbox::post_action(&client, &url, &payload, timeout).await;
    assert!(!failed.succeeded());
    assert_eq!(failed.tail, "HTTP 500");
    let ok = warroom::workers::outbox::post_action(&client, &url, &payload, timeout).await;
    assert!(ok.succeeded(), "{ok:?}");
    assert_eq!(rx.bodies.lock().unwrap()[1].1["component"], "db");
}
