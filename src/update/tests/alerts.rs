//! Alert intake and silences, driven through `update` with injected time.

use std::collections::BTreeMap;

use super::*;
use crate::domain::alert::Firing;
use crate::domain::silence::Standing;

const CONFIG: &str = r#"
[service]
name = "shop"

[sources.alertmanager.main]
url = "http://127.0.0.1:9"

[[component]]
id = "db"
name = "Payments DB"
tier = "critical"
probe = { kind = "alertmanager", matchers = ['component="db"'] }

[[component]]
id = "web"
name = "Web"
tier = "standard"
probe = { kind = "alertmanager", matchers = ['component="web"'] }
"#;

fn live() -> State {
    let config = crate::config::parse("warroom.toml", CONFIG).unwrap();
    State::new(config, crate::state::Mode::Live, "ana@host".into(), t0())
}

fn firing(name: &str, component: Option<usize>, severity: &str, start: i64) -> Firing {
    let mut labels = BTreeMap::from([
        ("alertname".to_owned(), name.to_owned()),
        ("severity".to_owned(), severity.to_owned()),
    ]);
    if let Some(c) = component {
        labels.insert("component".into(), ["db", "web"][c].into());
    }
    Firing {
        fingerprint: name.to_lowercase(),
        labels,
        summary: Some(format!("{name} summary")),
        starts_at: Some(secs(start)),
        generator_url: String::new(),
        silenced: false,
        inhibited: false,
        critical: severity == "critical",
        claimed_by: component.into_iter().collect(),
    }
}

fn alerts(state: &mut State, alerts: Vec<Firing>, now: DateTime<Utc>) -> Vec<Effect> {
    run(
        state,
        Msg::Alerts {
            source: "main".into(),
            alerts,
        },
        now,
    )
}

fn down(state: &mut State, index: usize, at: DateTime<Utc>) {
    let sample = crate::domain::health::Sample {
        at,
        health: Health::Down,
        latency: None,
        detail: Some("DbDown: it broke".into()),
        reading: None,
    };
    run(state, Msg::Probed { index, sample }, at);
}

fn declared_with_db_alert() -> State {
    let mut state = live();
    alerts(
        &mut state,
        vec![firing("DbDown", Some(0), "critical", -120)],
        secs(10),
    );
    down(&mut state, 0, secs(10));
    run(&mut state, Msg::Action(Action::Declare), secs(20));
    run(&mut state, Msg::Action(Action::Confirm), secs(20));
    state
}

#[test]
fn a_critical_alert_titles_the_declaration_which_dates_the_outage_from_its_start() {
    let mut state = live();
    alerts(
        &mut state,
        vec![
            firing("Slow", Some(1), "warning", -300),
            firing("DbDown", Some(0), "critical", -120),
        ],
        secs(10),
    );
    down(&mut state, 0, secs(10));
    run(&mut state, Msg::Action(Action::Declare), secs(20));
    let dialog = state.dialog().unwrap();
    assert_eq!(dialog.field.text, "DbDown summary");
    assert_eq!(dialog.choice, 0, "the critical tier's severity, P1");
    run(&mut state, Msg::Action(Action::Confirm), secs(20));
    let incident = state.incident.as_ref().unwrap();
    let Event::Declared(declaration) = &state.records[0].event else {
        panic!("{:?}", state.records[0]);
    };
    let (alerts, outages) = (&declaration.alerts, &declaration.outages);
    // Both are followed (each claimed by a component); the outage starts with the alert.
    assert_eq!(alerts.len(), 2);
    let db = alerts.iter().find(|a| a.name() == "DbDown").unwrap();
    assert_eq!(db.starts_at, Some(secs(-120)));
    assert_eq!(outages[0].since, secs(-120));
    assert_eq!(incident.detected, Some(secs(-300)));
}

#[test]
fn an_unmapped_critical_alert_raises_the_banner_and_a_warning_does_not() {
    let mut state = live();
    alerts(&mut state, vec![firing("Noise", None, "info", 0)], secs(1));
    assert_eq!(crate::domain::alert::calling(&state.alerts), None);
    alerts(
        &mut state,
        vec![firing("DiskFull", None, "critical", 0)],
        secs(2),
    );
    run(&mut state, Msg::Action(Action::Declare), secs(3));
    assert_eq!(state.dialog().unwrap().field.text, "DiskFull summary");
}

#[test]
fn alerts_that_start_and_end_while_open_are_journaled_once() {
    let mut state = declared_with_db_alert();
    let now = secs(30);
    let both = vec![
        firing("DbDown", Some(0), "critical", -120),
        firing("WebDown", Some(1), "critical", 25),
        firing("Noise", None, "info", 25),
    ];
    alerts(&mut state, both.clone(), now);
    alerts(&mut state, both, secs(31));
    let started: Vec<&str> = state
        .records
        .iter()
        .filter_map(|r| match &r.event {
            Event::AlertStarted(a) => Some(a.name()),
            _ => None,
        })
        .collect();
    assert_eq!(
        started,
        ["WebDown"],
        "the unmapped info alert is not followed"
    );
    alerts(
        &mut state,
        vec![firing("WebDown", Some(1), "critical", 25)],
        secs(40),
    );
    let last = state.records.last().unwrap();
    assert_eq!(last.event.describe(), "Alert DbDown resolved");
    let firing_now: Vec<&str> = state
        .incident
        .as_ref()
        .unwrap()
        .firing_alerts()
        .map(crate::domain::event::AlertSeen::name)
        .collect();
    assert_eq!(firing_now, ["WebDown"]);
}

#[test]
fn a_silence_is_journaled_before_it_is_asked_for_and_its_answer_after() {
    let mut state = declared_with_db_alert();
    run(&mut state, Msg::Action(Action::Silence), secs(30));
    let prompt = crate::view::silence::prompt(&state, DialogKind::Silence);
    assert!(
        prompt.contains(r#"`main`: alertname="DbDown", component="db", severity="critical""#),
        "{prompt}"
    );
    assert!(prompt.contains("created by ana@host"), "{prompt}");
    let effects = run(&mut state, Msg::Action(Action::Confirm), secs(30));
    let [Effect::Append { event, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let Event::SilenceRequested(request) = event else {
        panic!("{event:?}");
    };
    assert_eq!(
        request.ends_at,
        secs(30 + 2 * 3600),
        "two hours unless chosen"
    );
    // The request went out only once journaled: it is the record's sequence number.
    let requested = state.records.last().unwrap().seq;
    // A second press while it is in flight offers nothing: the alert is covered.
    run(&mut state, Msg::Action(Action::Silence), secs(31));
    assert!(state.dialog().is_none());
    let failed = run(
        &mut state,
        Msg::Silenced {
            requested,
            result: Err("HTTP 400: bad matcher".into()),
        },
        secs(32),
    );
    assert!(matches!(
        failed.as_slice(),
        [Effect::Append {
            event: Event::SilenceFailed { .. },
            ..
        }]
    ));
    assert!(state.ui.flash.as_deref().unwrap().contains("NOT created"));
    let incident = state.incident.as_ref().unwrap();
    assert!(matches!(
        incident.silences[0].standing,
        Standing::Failed { .. }
    ));
}

#[test]
fn resolving_offers_to_expire_the_silences_that_hold() {
    let mut state = declared_with_db_alert();
    run(&mut state, Msg::Action(Action::Silence), secs(30));
    run(&mut state, Msg::Action(Action::Confirm), secs(30));
    let requested = state.records.last().unwrap().seq;
    let result = Ok("5b3c".to_owned());
    run(&mut state, Msg::Silenced { requested, result }, secs(31));
    run(&mut state, Msg::Action(Action::Resolve), secs(60));
    run(&mut state, Msg::Action(Action::Confirm), secs(60));
    run(&mut state, Msg::Action(Action::Confirm), secs(60));
    assert_eq!(
        state.dialog().map(|d| d.kind),
        Some(DialogKind::ExpireSilences)
    );
    let effects = run(&mut state, Msg::Action(Action::Confirm), secs(61));
    assert_eq!(
        effects,
        [Effect::ExpireSilence {
            source: "main".into(),
            id: "5b3c".into()
        }]
    );
    let result = Ok(());
    run(
        &mut state,
        Msg::SilenceExpired {
            id: "5b3c".into(),
            result,
        },
        secs(62),
    );
    let incident = state.incident.as_ref().unwrap();
    assert_eq!(
        incident.silences[0].standing,
        Standing::Expired { id: "5b3c".into() }
    );
}

#[test]
fn a_drill_never_silences_nor_journals_real_alerts() {
    let mut state = quiet_demo();
    run(&mut state, Msg::Tick, secs(30));
    alerts(
        &mut state,
        vec![firing("DbDown", None, "critical", 0)],
        secs(30),
    );
    run(&mut state, Msg::Action(Action::Declare), secs(30));
    assert_ne!(state.dialog().unwrap().field.text, "DbDown summary");
    run(&mut state, Msg::Action(Action::Confirm), secs(30));
    assert!(
        matches!(&state.records[0].event, Event::Declared(declaration) if declaration.alerts.is_empty())
    );
    run(&mut state, Msg::Action(Action::Silence), secs(31));
    assert_eq!(
        state.ui.flash.as_deref(),
        Some("A drill never silences real alerts.")
    );
}

#[test]
fn a_sample_that_changes_only_latency_leaves_the_face_of_a_component() {
    let mut state = live();
    let sample = |at: i64, detail: &str| crate::domain::health::Sample {
        at: secs(at),
        health: Health::Up,
        latency: Some(std::time::Duration::from_millis(3)),
        detail: Some(detail.into()),
        reading: Some("0 alerts".into()),
    };
    run(
        &mut state,
        Msg::Probed {
            index: 0,
            sample: sample(1, "no alert"),
        },
        secs(1),
    );
    let before = state.face(0).expect("an Alertmanager component has a face");
    run(
        &mut state,
        Msg::Probed {
            index: 0,
            sample: sample(11, "no alert"),
        },
        secs(11),
    );
    assert_eq!(
        state.face(0),
        Some(before),
        "same answer, same face: nothing to draw"
    );
    let before = state.face(0);
    run(
        &mut state,
        Msg::Probed {
            index: 0,
            sample: sample(21, "1 silenced"),
        },
        secs(21),
    );
    assert_ne!(state.face(0), before, "a new detail is drawn");
    state.ui.overlay = Some(crate::state::Overlay::Detail {
        index: 0,
        scroll: 0,
    });
    assert_eq!(
        state.face(0),
        None,
        "its open detail view shows every sample"
    );
    assert!(state.face(1).is_some(), "other components keep their face");
}

#[test]
fn a_silence_whose_answer_a_crash_lost_is_looked_up_never_asked_again() {
    let mut before = declared_with_db_alert();
    run(&mut before, Msg::Action(Action::Silence), secs(30));
    run(&mut before, Msg::Action(Action::Confirm), secs(30));
    let requested = before.records.last().unwrap().seq;
    // warroom stops here: the request is journaled, its answer is not.
    let resumed = || {
        let mut state = live();
        crate::update::resume(&mut state, before.records.clone()).unwrap();
        state
    };
    let mut state = resumed();
    let effects = run(&mut state, Msg::Tick, secs(40));
    let sought = effects.iter().find_map(|e| match e {
        Effect::FindSilence {
            requested: r,
            source,
            sought,
        } if *r == requested && source == "main" => Some(sought.clone()),
        _ => None,
    });
    let sought = sought.expect("the lost answer is looked up at the first tick");
    assert_eq!(sought.created_by, "ana@host");
    assert_eq!(sought.ends_at, secs(30 + 2 * 3600));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Silence { .. })),
        "the request is never sent again: {effects:?}"
    );
    let found = Ok(Some("5b3c".to_owned()));
    run(
        &mut state,
        Msg::SilenceFound {
            requested,
            result: found,
        },
        secs(41),
    );
    let silence = &state.incident.as_ref().unwrap().silences[0];
    assert_eq!(
        silence.active_id(),
        Some("5b3c"),
        "found: the id resolving expires"
    );
    assert!(
        run(&mut state, Msg::Tick, secs(42))
            .iter()
            .all(|e| !matches!(e, Effect::FindSilence { .. }))
    );

    let mut state = resumed();
    run(&mut state, Msg::Tick, secs(40));
    run(
        &mut state,
        Msg::SilenceFound {
            requested,
            result: Ok(None),
        },
        secs(41),
    );
    let silence = &state.incident.as_ref().unwrap().silences[0];
    assert_eq!(
        silence.standing,
        Standing::Failed {
            error: crate::update::silence::LOST.into()
        }
    );

    let mut state = resumed();
    run(&mut state, Msg::Tick, secs(40));
    let unreachable = Err("connect failed".to_owned());
    let effects = run(
        &mut state,
        Msg::SilenceFound {
            requested,
            result: unreachable,
        },
        secs(41),
    );
    assert!(
        effects.is_empty(),
        "nothing journaled when Alertmanager cannot be asked"
    );
    let flash = state.ui.flash.clone().unwrap_or_default();
    assert!(flash.contains("Look in Alertmanager"), "{flash}");
    assert_eq!(
        state.incident.as_ref().unwrap().silences[0].standing,
        Standing::Requested
    );
}
