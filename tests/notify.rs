//! Notifications against a loopback receiver that records every request: `PagerDuty` Events API v2
//! bodies field by field, retries until accepted, and secrets kept out of everything recorded.

use std::io::Write;
use std::net::TcpListener;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use warroom::config::notify::PagerDuty;
use warroom::config::{Notify, Secret};
use warroom::demo;
use warroom::keymap::Action;
use warroom::msg::{Effect, Msg};
use warroom::state::State;
use warroom::update::play;
use warroom::workers::outbox::deliver;

mod support;
use support::receiver::{read_request, receiver};

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
            client_url: Some("https://warroom.example/incidents".into()),
            links: vec![(
                "https://grafana.example/d/payments".into(),
                "Payments dashboard".into(),
            )],
        }),
        slack: None,
        webhook: None,
        ..Notify::default()
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
    // Every field of an Events v2 trigger, as PagerDuty documents it.
    let payload = &trigger["payload"];
    let source = incident.affected[0].as_str();
    assert_eq!(payload["source"], source, "the affected component");
    assert_eq!(
        payload["component"],
        state.config.component(source).unwrap().name.as_str()
    );
    assert_eq!(payload["group"], state.config.service.as_str());
    assert_eq!(payload["class"], "down");
    assert_eq!(payload["severity"], "critical");
    assert_eq!(payload["timestamp"], "2026-11-22T03:00:32.000Z");
    let details = &payload["custom_details"];
    assert_eq!(details["incident_id"], incident.id.as_str());
    assert_eq!(details["severity"], "P1");
    assert!(
        details["runbook"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "db-failover"),
        "{details}"
    );
    assert_eq!(trigger["client"], "warroom");
    assert_eq!(trigger["client_url"], "https://warroom.example/incidents");
    assert_eq!(
        trigger["links"],
        serde_json::json!([{"href": "https://grafana.example/d/payments", "text": "Payments dashboard"}])
    );
    let keys: Vec<&String> = trigger.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "client",
            "client_url",
            "dedup_key",
            "event_action",
            "links",
            "payload",
            "routing_key"
        ]
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
        ..Notify::default()
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

#[tokio::test]
async fn a_channel_whose_variable_is_unset_here_is_owed_and_never_sent_from_this_console() {
    let text = "[service]\nname = \"t\"\n[[component]]\nid = \"c\"\nname = \"C\"\ntier = \"high\"\nprobe = { kind = \"sim\" }\n[notify.pagerduty]\nrouting_key = \"${WARROOM_TEST_NEVER_SET_KEY}\"\n";
    let notify = warroom::config::parse("t.toml", text).unwrap().notify;
    let channel = warroom::domain::event::Channel::Pagerduty;
    assert!(notify.pagerduty.is_none() && notify.owes(channel) && !notify.sends(channel));
    let error = deliver(
        &reqwest::Client::new(),
        &notify,
        channel,
        serde_json::json!({}),
    )
    .await
    .unwrap_err();
    assert!(
        error.starts_with("not sent from this console: WARROOM_TEST_NEVER_SET_KEY is not set here"),
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

/// The screen as text at 120x40.
fn screen(state: &State) -> String {
    use ratatui::{Terminal, backend::TestBackend};
    use warroom::ui::{Colors, Theme, View};
    let view = View::new(Theme::select(None, Colors::TrueColor).unwrap(), false);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| warroom::ui::render(frame, state, &view))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..40)
        .map(|y| {
            (0..120)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_failed_page_and_a_failed_update_say_so_until_delivered_and_the_review_says_when() {
    let pager = receiver(&[500, 202]);
    let slack = receiver(&[503, 503, 200]);
    let mut state = state_with(&pager.url);
    state.config.notify.slack = Some(Secret::new(&slack.url));
    declare_and_page(&mut state);
    flush(&mut state, secs(33)).await;
    let board = screen(&state);
    assert!(
        board.contains("PAGE FAILED (HTTP 500, retrying in 5s): call"),
        "{board}"
    );
    let incident = state.incident.as_ref().unwrap();
    let failed = state.records.last().unwrap();
    assert_eq!(
        incident.describe(failed),
        "PagerDuty page level 1 failed (attempt 1): HTTP 500"
    );
    // The page goes through; then the declaration's Slack line is the failure shown.
    flush(&mut state, secs(38)).await;
    play(&mut state, Msg::Action(Action::Acknowledge), secs(38));
    play(&mut state, Msg::Action(Action::Confirm), secs(38));
    let board = screen(&state);
    assert!(!board.contains("PAGE FAILED"), "{board}");
    assert!(
        board.contains("Slack update FAILED (HTTP 503, retrying in")
            && board.contains("tell them by hand"),
        "{board}"
    );
    flush(&mut state, secs(60)).await;
    assert!(!screen(&state).contains("FAILED"));
    let review = warroom::update::review::generate(&state).unwrap();
    assert!(
        review.contains("page asked for (oncall); delivered to PagerDuty 2026-11-22 03:00:38Z (6s after it was asked for)"),
        "{review}"
    );
}

#[tokio::test]
async fn a_severity_change_triggers_the_paged_level_again_with_the_same_dedup_key() {
    let rx = receiver(&[202]);
    let mut state = state_with(&rx.url);
    declare_and_page(&mut state);
    flush(&mut state, secs(33)).await;
    play(&mut state, Msg::Action(Action::Severity), secs(40));
    play(&mut state, Msg::Action(Action::NextChoice), secs(40));
    play(&mut state, Msg::Action(Action::Confirm), secs(40));
    flush(&mut state, secs(41)).await;
    let bodies = rx.bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 2, "{bodies:#?}");
    let (first, again) = (&bodies[0].1, &bodies[1].1);
    assert_eq!(again["event_action"], "trigger");
    assert_eq!(again["dedup_key"], first["dedup_key"]);
    assert_eq!(first["payload"]["severity"], "critical");
    assert_eq!(again["payload"]["severity"], "error");
    assert_eq!(again["payload"]["custom_details"]["severity"], "P2");
}
