use super::*;
use crate::domain::Health;
use crate::domain::Role;
use crate::domain::event::{Approvable, Declaration, Outage, SilenceRequest};
use crate::domain::silence::Standing;
use crate::domain::text::SLUG_MAX;
use chrono::TimeZone;

/// A time `min` minutes into the test incident (other tests' records use it too).
pub(crate) fn at(min: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + TimeDelta::minutes(min)
}

pub(crate) fn record(seq: u64, min: i64, event: Event) -> Record {
    Record {
        seq,
        at: at(min),
        wall: None,
        actor: "ic@host".into(),
        request: None,
        event,
    }
}

#[test]
fn fold_tracks_milestones_roles_and_notes() {
    let records = vec![
        record(
            1,
            5,
            Event::Declared(Box::new(Declaration {
                outages: vec![Outage {
                    component: "db".into(),
                    state: Health::Down,
                    since: at(2),
                }],
                ..Declaration::new("x", "DB down", Severity::P2, "ic@host")
            })),
        ),
        record(
            2,
            6,
            Event::SeverityChanged {
                from: Severity::P2,
                to: Severity::P1,
            },
        ),
        record(
            3,
            7,
            Event::NoteAdded {
                text: "failover started".into(),
                step: None,
            },
        ),
        record(
            4,
            8,
            Event::RoleAssigned {
                role: Role::new("scribe"),
                person: "sam".into(),
            },
        ),
        record(
            5,
            9,
            Event::ComponentChanged {
                component: "api".into(),
                from: Health::Up,
                to: Health::Down,
                detail: None,
                since: Some(at(8)),
            },
        ),
        record(
            6,
            20,
            Event::StatusChanged {
                from: Status::Investigating,
                to: Status::Monitoring,
            },
        ),
        record(
            7,
            30,
            Event::Resolved {
                summary: None,
                template: None,
                not_recovered: Vec::new(),
            },
        ),
    ];
    let incident = Incident::fold(&records).unwrap();
    assert_eq!(incident.severity, Severity::P1);
    assert_eq!(incident.detected, Some(at(2)));
    assert_eq!(incident.mitigated, Some(at(20)));
    assert_eq!(incident.resolved, Some(at(30)));
    assert_eq!(incident.affected, ["db", "api"]);
    assert_eq!(
        incident.outage("api").unwrap().start,
        at(8),
        "the outage starts at its first failed sample"
    );
    assert_eq!(incident.outage("db").unwrap().end, None);
    assert_eq!(incident.roles.scribe.as_deref(), Some("sam"));
    assert_eq!(incident.notes, 1);
    assert_eq!(incident.elapsed(at(90)), TimeDelta::minutes(25));
    assert_eq!(incident.mttd(), Some(TimeDelta::minutes(3)));
    // Neither recovered: the incident has a time to resolve and no time to recover.
    assert_eq!(incident.not_recovered, ["api", "db"]);
    assert_eq!(incident.time_to_resolve(), Some(TimeDelta::minutes(28)));
    assert_eq!(incident.mttr(), None);
    assert_eq!(
        incident.metrics(),
        "MTTD 3m00s · MTTA not yet · MTTR none (not recovered)"
    );
    assert!(!incident.is_open());
}

#[test]
fn fold_rejects_a_journal_that_does_not_start_with_a_declaration() {
    let records = vec![record(
        1,
        0,
        Event::NoteAdded {
            text: "hi".into(),
            step: None,
        },
    )];
    assert_eq!(
        Incident::fold(&records),
        Err(FoldError::NotDeclared("note_added"))
    );
    assert_eq!(Incident::fold(&[]), Err(FoldError::Empty));
}

#[test]
fn ids_are_dated_slugs() {
    assert_eq!(
        incident_id(at(0), "Primary DB down!", false),
        "20261122-0300-primary-db-down"
    );
    assert_eq!(
        incident_id(at(0), "火事 🔥", false),
        "20261122-0300-incident"
    );
    assert_eq!(
        incident_id(
            at(0),
            "Checkout payments failing: primary database down",
            false
        ),
        "20261122-0300-checkout-payments-failing"
    );
    assert_eq!(
        incident_id(at(0), &"x".repeat(300), false).len(),
        14 + SLUG_MAX
    );
    let drill = incident_id(at(0), &"x".repeat(300), true);
    assert!(drill.starts_with("DRILL-20261122-0300-"));
    assert_eq!(drill.len(), 14 + SLUG_MAX);
}

#[test]
fn clocks_format_durations() {
    assert_eq!(clock(TimeDelta::seconds(3725)), "01:02:05");
    assert_eq!(clock(TimeDelta::seconds(90_061)), "1d 01:01:01");
    assert_eq!(brief(TimeDelta::seconds(75)), "1m15s");
}

#[test]
fn alerts_date_the_detection_and_silences_follow_their_answers() {
    let alert = |fingerprint: &str, start: i64| AlertSeen {
        source: "am".into(),
        fingerprint: fingerprint.into(),
        labels: BTreeMap::from([("alertname".to_owned(), "DbDown".to_owned())]),
        starts_at: Some(at(start)),
        summary: Some("db down".into()),
    };
    let declared = Event::Declared(Box::new(Declaration {
        outages: vec![Outage {
            component: "db".into(),
            state: Health::Down,
            since: at(8),
        }],
        alerts: vec![alert("a", 5)],
        ..Declaration::new("x", "db down", Severity::P1, "ic")
    }));
    let silence = |fingerprint: &str| {
        Event::SilenceRequested(Box::new(SilenceRequest {
            source: "am".into(),
            fingerprint: fingerprint.into(),
            name: "DbDown".into(),
            matchers: Vec::new(),
            ends_at: at(200),
            comment: "c".into(),
        }))
    };
    let records = vec![
        record(1, 10, declared),
        record(2, 11, Event::AlertStarted(Box::new(alert("b", 3)))),
        record(3, 12, silence("a")),
        record(4, 12, silence("b")),
        record(
            5,
            13,
            Event::SilenceCreated {
                requested: 3,
                id: "s-a".into(),
            },
        ),
        record(
            6,
            13,
            Event::SilenceFailed {
                requested: 4,
                error: "HTTP 400".into(),
            },
        ),
        record(
            7,
            14,
            Event::AlertResolved {
                source: "am".into(),
                fingerprint: "a".into(),
                name: "DbDown".into(),
            },
        ),
        record(8, 15, Event::SilenceExpired { id: "s-a".into() }),
    ];
    let incident = Incident::fold(&records).unwrap();
    // The alert that began first dates the detection, not the console's first failed sample.
    assert_eq!(incident.detected, Some(at(3)));
    assert_eq!(incident.mttd(), Some(TimeDelta::minutes(7)));
    let firing: Vec<&str> = incident
        .firing_alerts()
        .map(|a| a.fingerprint.as_str())
        .collect();
    assert_eq!(firing, ["b"]);
    assert_eq!(
        incident.silences[0].standing,
        Standing::Expired { id: "s-a".into() }
    );
    assert_eq!(
        incident.silences[1].standing,
        Standing::Failed {
            error: "HTTP 400".into()
        }
    );
    assert!(!incident.silences.iter().any(|s| s.covers(at(15))));
}

#[test]
fn the_board_counts_a_failure_to_the_second_and_a_long_healthy_state_in_minutes() {
    let d = |s| TimeDelta::seconds(s);
    assert_eq!(super::since(d(42), false), "42s");
    assert_eq!(super::since(d(69), true), "1m09s");
    assert_eq!(super::since(d(69), false), "1m");
    assert_eq!(super::since(d(3599), false), "59m");
    assert_eq!(super::since(d(3700), false), "1h01m");
}

#[test]
fn the_room_and_its_approvals_fold_the_same_from_any_record() {
    let declared = Event::Declared(Box::new(Declaration::new(
        "x",
        "DB down",
        Severity::P1,
        "ic@host",
    )));
    let target = Approvable::Step {
        runbook: "failover".into(),
        step: 0,
        command: 0,
    };
    let by = |seq: u64, actor: &str, event: Event| Record {
        actor: actor.into(),
        ..record(seq, seq as i64, event)
    };
    let records = [
        by(1, "ic@host", declared),
        by(2, "ic@host", Event::RoomOpened),
        by(3, "sam@host", Event::RoomJoined),
        by(
            4,
            "sam@host",
            Event::ApprovalRequested {
                target: target.clone(),
                what: "run failover step 1".into(),
            },
        ),
        by(
            5,
            "ic@host",
            Event::ApprovalGiven {
                request: 4,
                approved: true,
                same_user: false,
            },
        ),
        by(
            6,
            "sam@host",
            Event::StepStarted {
                runbook: "failover".into(),
                step: 0,
                command: 0,
                script: "true".into(),
            },
        ),
        by(7, "sam@host", Event::RoomLeft),
    ];
    // What a console resumed right after each record knows: the same as live, record by record.
    let expected = [
        (1, Approved::No),
        (2, Approved::No),
        (2, Approved::Waiting),
        (2, Approved::Yes),
        (2, Approved::No),
        (1, Approved::No),
    ];
    for (cut, (room, approval)) in (2..=records.len()).zip(expected) {
        let resumed = Incident::fold(&records[..cut]).unwrap();
        assert_eq!(resumed.room_size(), room, "after record {cut}");
        assert_eq!(
            resumed.approval_of(&target, "sam@host"),
            approval,
            "after record {cut}"
        );
    }
}

#[test]
fn notifications_are_named_by_what_they_are() {
    let entry = |channel, payload: serde_json::Value| Outbound {
        queued: 1,
        cause: 1,
        channel,
        payload,
        delivery: Delivery::Failed {
            attempts: 2,
            error: "HTTP 500".into(),
            at: at(0),
        },
    };
    let page = entry(
        crate::domain::event::Channel::Pagerduty,
        serde_json::json!({"event_action": "trigger", "dedup_key": "warroom-x-L1-L3"}),
    );
    assert_eq!(page.label(), "PagerDuty page level 3");
    assert_eq!(page.retry_at(), Some(at(0) + TimeDelta::seconds(15)));
    let ack = entry(
        crate::domain::event::Channel::Pagerduty,
        serde_json::json!({"event_action": "acknowledge", "dedup_key": "warroom-x-L2"}),
    );
    assert_eq!(ack.label(), "PagerDuty acknowledge level 2");
    let hook = entry(
        crate::domain::event::Channel::Webhook,
        serde_json::json!({}),
    );
    assert_eq!(hook.label(), "webhook update");
}

#[test]
fn a_new_room_means_everyone_in_the_last_one_left_then_unless_they_come_back() {
    let declared = Event::Declared(Box::new(Declaration::new(
        "x",
        "DB down",
        Severity::P1,
        "ic@host",
    )));
    let by = |seq: u64, actor: &str, event: Event| Record {
        actor: actor.into(),
        ..record(seq, seq as i64, event)
    };
    let mut records = vec![
        by(1, "ic@host", declared),
        by(2, "ic@host", Event::RoomOpened),
        by(3, "sam@host", Event::RoomJoined),
        by(4, "lee@host", Event::RoomJoined),
        by(5, "lee@host", Event::RoomLeft),
        // The writer, ic, was killed: sam's console took the journal over.
        by(6, "sam@host", Event::RoomOpened),
    ];
    let incident = Incident::fold(&records).unwrap();
    assert_eq!(incident.left.get("ic@host"), Some(&records[5].at));
    assert_eq!(
        incident.left.get("lee@host"),
        Some(&records[4].at),
        "left before"
    );
    assert_eq!(incident.left.get("sam@host"), None, "the new writer");
    records.push(by(7, "ic@host", Event::RoomJoined));
    assert_eq!(Incident::fold(&records).unwrap().left.get("ic@host"), None);
}

#[test]
fn the_fold_touches_one_outage_span_per_transition_however_many_flaps() {
    let declared = record(
        1,
        0,
        Event::Declared(Box::new(Declaration::new(
            "x",
            "flapping",
            Severity::P2,
            "ic@host",
        ))),
    );
    // 100 components flapping 100 times each: 20,000 transitions, 10,000 spans.
    let flaps: Vec<Record> = (0..20_000u64)
        .map(|n| {
            let failing = (n / 100) % 2 == 0;
            record(
                n + 2,
                i64::try_from(n / 100).unwrap() + 1,
                Event::ComponentChanged {
                    component: format!("c{}", n % 100),
                    from: if failing { Health::Up } else { Health::Down },
                    to: if failing { Health::Down } else { Health::Up },
                    detail: None,
                    since: None,
                },
            )
        })
        .collect();
    super::outages::OUTAGES_VISITED.with(|n| n.set(0));
    let mut incident = Incident::declare(&declared).unwrap();
    for r in &flaps {
        incident.apply(r);
    }
    let visited = super::outages::OUTAGES_VISITED.with(std::cell::Cell::get);
    assert_eq!(incident.outages.len(), 10_000);
    assert_eq!(incident.affected.len(), 100);
    assert!(
        visited <= flaps.len(),
        "{visited} spans looked at for {} transitions",
        flaps.len()
    );
    let last = incident.outage("c7").unwrap();
    assert_eq!(
        (last.start, last.end),
        (at(199), Some(at(200))),
        "its last span"
    );
}

#[test]
fn an_alert_that_fires_again_is_resolved_oldest_first_by_its_key() {
    let alert = || AlertSeen {
        source: "am".into(),
        fingerprint: "f".into(),
        labels: BTreeMap::new(),
        starts_at: None,
        summary: None,
    };
    let resolved = || Event::AlertResolved {
        source: "am".into(),
        fingerprint: "f".into(),
        name: "A".into(),
    };
    let records = vec![
        record(
            1,
            0,
            Event::Declared(Box::new(Declaration::new("x", "y", Severity::P2, "ic"))),
        ),
        record(2, 1, Event::AlertStarted(Box::new(alert()))),
        record(3, 2, Event::AlertStarted(Box::new(alert()))),
        record(4, 3, resolved()),
        record(5, 4, resolved()),
        record(6, 5, resolved()),
        record(7, 6, Event::AlertStarted(Box::new(alert()))),
    ];
    let incident = Incident::fold(&records).unwrap();
    let ends: Vec<Option<DateTime<Utc>>> = incident.alerts.iter().map(|(_, r)| *r).collect();
    assert_eq!(
        ends,
        [Some(at(3)), Some(at(4)), None],
        "a resolution with nothing open changes nothing"
    );
}
