use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::*;
use crate::domain::event::{Declaration, Event, Outage, Record, StepMark};
use crate::domain::world::{Inject, InjectAction, InjectEngine, Scenario};
use crate::domain::{Health, Severity, Status};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

fn record(seq: u64, secs: i64, event: Event) -> Record {
    Record {
        seq,
        at: at(secs),
        wall: None,
        actor: "ic@host".into(),
        request: None,
        event,
    }
}

fn objectives() -> Vec<Objective> {
    vec![
        Objective::Declared { within_secs: 120 },
        Objective::Severity {
            severity: Severity::P1,
        },
        Objective::Runbook {
            runbook: "db-failover".into(),
        },
        Objective::Acknowledged {
            level: 0,
            within_secs: 60,
        },
        Objective::RtoMet {
            component: "db".into(),
            rto_secs: 300,
        },
    ]
}

/// A scripted drill journal: db down at +30s, declared P2 at +90s, raised to P1 at +150s,
/// acknowledged at +200s (late), db-failover step marked at +210s, db back at +400s, resolved.
fn journal() -> Vec<Record> {
    let mut seq = 0;
    let mut next = |secs, event| {
        seq += 1;
        record(seq, secs, event)
    };
    vec![
        next(
            90,
            Event::Declared(Box::new(Declaration {
                drill: true,
                outages: vec![Outage {
                    component: "db".into(),
                    state: Health::Down,
                    since: at(30),
                }],
                ..Declaration::new("DRILL-x", "db down", Severity::P2, "ic@host")
            })),
        ),
        // A journal from before the declaration carried the drill: its own record.
        next(
            90,
            Event::Drill(Box::new(drill_start(objectives(), DrillKind::Tabletop))),
        ),
        next(
            150,
            Event::SeverityChanged {
                from: Severity::P2,
                to: Severity::P1,
            },
        ),
        next(200, Event::Acknowledged { level: 0 }),
        next(
            210,
            Event::StepMarked {
                runbook: "db-failover".into(),
                step: 0,
                state: StepMark::Done,
            },
        ),
        next(
            400,
            Event::ComponentChanged {
                component: "db".into(),
                from: Health::Down,
                to: Health::Up,
                detail: None,
                since: None,
            },
        ),
        next(
            420,
            Event::Resolved {
                summary: None,
                template: None,
                not_recovered: Vec::new(),
            },
        ),
    ]
}

/// Scores a journal the way the console does: folded first.
fn scored(objectives: &[Objective], records: &[Record], now: DateTime<Utc>) -> Scorecard {
    let incident = crate::domain::incident::Incident::fold(records).ok();
    let start = drill_start(objectives.to_vec(), DrillKind::Tabletop);
    score(&start, incident.as_ref(), records, now)
}

fn verdicts(card: &Scorecard) -> Vec<(Verdict, &str)> {
    card.objectives
        .iter()
        .map(|s| (s.verdict, s.measured.as_str()))
        .collect()
}

#[test]
fn each_objective_is_scored_from_the_journal() {
    let records = journal();
    let incident = crate::domain::incident::Incident::fold(&records).unwrap();
    let card = score_recorded(&incident, &records, at(1000)).unwrap();
    assert!(card.finished);
    assert_eq!(
        verdicts(&card),
        vec![
            (Verdict::Met, "after 1m00s"),
            (Verdict::Met, "after 1m00s"),
            (Verdict::Met, "after 2m00s"),
            (Verdict::Missed, "after 1m50s"),
            (Verdict::Missed, "down 6m10s"),
        ]
    );
    assert_eq!(card.summary(), "3 of 5 objectives met");
    assert!(card.metrics.contains("MTTD 1m00s"), "{}", card.metrics);
    assert_eq!(card.escalation, vec!["Level 1 acknowledged after 1m50s"]);
    assert!(
        card.steps.starts_with("Steps: 1 done, 0 skipped"),
        "{}",
        card.steps
    );
    let markdown = card.to_markdown();
    assert!(markdown.starts_with("## Drill scorecard: DB (tabletop)\n"));
    assert!(markdown.contains("| db back within its RTO of 5m00s | MISSED | down 6m10s |"));
}

#[test]
fn objectives_stay_open_until_their_time_passes_or_the_incident_ends() {
    let records = journal();
    // Up to the declaration and the drill record only: +95s.
    let early = &records[..2];
    let card = scored(&objectives(), early, at(95));
    assert!(!card.finished);
    assert_eq!(
        verdicts(&card),
        vec![
            (Verdict::Met, "after 1m00s"),
            (Verdict::Open, "P2 so far"),
            (Verdict::Open, "not used yet"),
            (Verdict::Open, "5s so far"),
            (Verdict::Open, "down 1m05s so far"),
        ]
    );
    // Past the acknowledgement deadline with nothing done, and the RTO blown while still down.
    let late = scored(&objectives(), early, at(500));
    assert_eq!(late.objectives[3].verdict, Verdict::Missed);
    assert_eq!(late.objectives[4].verdict, Verdict::Missed);
}

#[test]
fn without_a_declaration_nothing_is_met() {
    let card = scored(&objectives(), &[], at(60));
    assert_eq!(card.objectives[0].verdict, Verdict::Open);
    let card = scored(&objectives(), &[], at(600));
    assert_eq!(card.objectives[0].verdict, Verdict::Missed);
    assert!(
        card.objectives[1..]
            .iter()
            .all(|s| s.verdict == Verdict::Open)
    );
    assert_eq!(card.metrics, "No incident was declared");
}

#[test]
fn a_resolved_incident_decides_every_objective() {
    let mut records = journal();
    records.retain(|r| {
        !matches!(
            r.event,
            Event::StepMarked { .. } | Event::SeverityChanged { .. }
        )
    });
    let card = scored(&objectives(), &records, at(1000));
    assert_eq!(card.objectives[1].verdict, Verdict::Missed);
    assert_eq!(card.objectives[1].measured, "P2 chosen");
    assert_eq!(card.objectives[2].verdict, Verdict::Missed);
    let incident = crate::domain::incident::Incident::fold(&records).unwrap();
    assert_eq!(incident.status, Status::Resolved);
}

#[test]
fn the_drill_clock_pauses_speeds_up_and_seeks() {
    let wall = Duration::from_secs;
    let mut clock = DrillClock::new(t0(), 1.0, wall(0));
    assert_eq!(clock.now(wall(10)), at(10));
    clock.set_speed(10.0, wall(10));
    assert_eq!(clock.now(wall(12)), at(30));
    clock.set_paused(true, wall(12));
    assert_eq!(clock.now(wall(100)), at(30), "a paused clock stands still");
    clock.set_paused(false, wall(100));
    assert_eq!(clock.now(wall(101)), at(40));
    clock.set_speed(1000.0, wall(101));
    assert!((clock.speed() - 60.0).abs() < f64::EPSILON, "capped at 60x");
    clock.seek(at(5), wall(101));
    assert_eq!(clock.now(wall(101)), at(5));
}

#[test]
fn speeds_step_between_1x_and_60x() {
    assert!((next_speed(1.0, true) - 2.0).abs() < f64::EPSILON);
    assert!((next_speed(60.0, true) - 60.0).abs() < f64::EPSILON);
    assert!((next_speed(10.0, false) - 5.0).abs() < f64::EPSILON);
    assert!((next_speed(1.0, false) - 1.0).abs() < f64::EPSILON);
    assert!((next_speed(3.0, true) - 5.0).abs() < f64::EPSILON);
}

fn message(secs: u64) -> Inject {
    Inject {
        at: Duration::from_secs(secs),
        action: InjectAction::Message,
        message: Some(format!("at {secs}")),
    }
}

#[test]
fn injects_fire_at_drill_times_under_pause_and_speed_changes() {
    let scenario = Scenario {
        title: "t".into(),
        briefing: String::new(),
        speed: 1.0,
        repeat_every: None,
        injects: vec![message(30), message(60), message(300)],
        allow_commands: false,
        allow_notify: false,
        simulate: Vec::new(),
        objectives: Vec::new(),
        config: None,
        expect_recovers: false,
        kind: DrillKind::Simulation,
    };
    let wall = Duration::from_secs;
    let mut clock = DrillClock::new(t0(), 1.0, wall(0));
    let mut engine = InjectEngine::new(scenario, clock.now(wall(0)));
    let fired = |engine: &mut InjectEngine, now| -> Vec<Duration> {
        engine.due(now).into_iter().map(|i| i.at).collect()
    };
    // 20 real seconds at 1x: nothing yet.
    assert!(fired(&mut engine, clock.now(wall(20))).is_empty());
    // Paused at drill +20s for ten real minutes: still nothing.
    clock.set_paused(true, wall(20));
    assert!(fired(&mut engine, clock.now(wall(620))).is_empty());
    // Resumed at 10x: 1 real second later the drill is at +30s.
    clock.set_paused(false, wall(620));
    clock.set_speed(10.0, wall(620));
    assert_eq!(fired(&mut engine, clock.now(wall(621))), vec![wall(30)]);
    // 3 more real seconds at 10x: +60s.
    assert_eq!(fired(&mut engine, clock.now(wall(624))), vec![wall(60)]);
    // At 60x, +300s is 4 real seconds later (+60 + 240).
    clock.set_speed(60.0, wall(624));
    assert!(fired(&mut engine, clock.now(wall(627))).is_empty());
    assert_eq!(fired(&mut engine, clock.now(wall(628))), vec![wall(300)]);
}

#[test]
fn a_drill_record_keeps_its_exercise_type_through_the_journal() {
    let start = drill_start(objectives(), DrillKind::Walkthrough);
    let record = record(1, 0, Event::Drill(Box::new(start)));
    let line = serde_json::to_string(&record).unwrap();
    assert!(
        line.contains("\"kind\":\"drill\"") && line.contains("\"exercise\":\"walkthrough\""),
        "{line}"
    );
    assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), record);
}

/// The drill "DB" started at `t0` with these objectives.
fn drill_start(objectives: Vec<Objective>, kind: DrillKind) -> crate::domain::event::DrillStart {
    crate::domain::event::DrillStart {
        title: "DB".into(),
        started: t0(),
        allow_commands: false,
        allow_notify: false,
        objectives,
        config: None,
        pager_failing: false,
        kind,
        format: None,
    }
}
