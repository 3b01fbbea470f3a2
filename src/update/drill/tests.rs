use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use super::*;
use crate::demo;
use crate::domain::event::Channel;
use crate::msg::Msg;
use crate::state::{Console, Player};
use crate::update::{as_record, play};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn secs(n: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(n)
}

fn declared_at(now: DateTime<Utc>) -> State {
    let mut state = demo::state("ic@host", t0());
    play(&mut state, Msg::Tick, now);
    play(&mut state, Msg::Action(Action::Declare), now);
    play(&mut state, Msg::Action(Action::Confirm), now);
    state
}

fn kinds(state: &State) -> Vec<&'static str> {
    state.records.iter().map(|r| r.event.kind()).collect()
}

#[test]
fn a_drill_declaration_records_what_it_is_scored_on() {
    let state = declared_at(secs(30));
    let incident = state.incident.as_ref().unwrap();
    assert!(incident.drill);
    assert!(incident.id.starts_with("DRILL-"), "{}", incident.id);
    // The declaration itself carries the drill: no crash can keep one without the other.
    let start = crate::domain::drill::recorded(&state.records[..1]).unwrap();
    assert_eq!(start.title, "Demo: primary database failure");
    assert_eq!(start.started, t0());
    assert_eq!(start.objectives.len(), 5);
}

#[test]
fn the_facilitator_pauses_and_changes_speed_through_the_clock() {
    let mut state = demo::state("ic@host", t0());
    state.ui.screen = Screen::Drill;
    let effects = play(&mut state, Msg::Action(Action::Pause), secs(1));
    assert_eq!(
        effects,
        vec![Effect::Clock {
            paused: true,
            speed: 1.0
        }]
    );
    let effects = play(&mut state, Msg::Action(Action::Faster), secs(1));
    assert_eq!(
        effects,
        vec![Effect::Clock {
            paused: true,
            speed: 2.0
        }]
    );
    play(&mut state, Msg::Action(Action::Pause), secs(1));
    assert!(!state.paused);
}

#[test]
fn a_live_console_has_no_drill_clock() {
    let mut state = demo::state("ic@host", t0());
    state.console = Console::Live;
    state.mode = crate::state::Mode::Live;
    assert!(play(&mut state, Msg::Action(Action::Pause), secs(1)).is_empty());
    assert!(
        state
            .ui
            .flash
            .as_deref()
            .unwrap()
            .starts_with("Only in a drill")
    );
    play(&mut state, Msg::Action(Action::Drill), secs(1));
    assert_eq!(state.ui.screen, Screen::Dashboard);
}

#[test]
fn the_facilitator_fires_an_inject_early_and_it_does_not_fire_again() {
    let mut state = declared_at(secs(30));
    state.ui.screen = Screen::Drill;
    let index = state
        .drill()
        .unwrap()
        .engine
        .scenario
        .injects
        .iter()
        .position(|i| i.message.as_deref() == Some("new primary accepting writes"))
        .unwrap();
    state.ui.list_mut(Screen::Drill).selected = index;
    play(&mut state, Msg::Action(Action::FireInject), secs(31));
    let db = state.world.index("db").unwrap();
    assert_eq!(state.world.health[db].state, crate::domain::Health::Up);
    play(&mut state, Msg::Action(Action::FireInject), secs(32));
    assert_eq!(
        state.ui.flash.as_deref(),
        Some("That inject has already fired")
    );
    let ups = |state: &State| {
        state
            .records
            .iter()
            .filter(|r| r.event.describe().starts_with("db down → up"))
            .count()
    };
    assert_eq!(ups(&state), 1);
    play(&mut state, Msg::Tick, secs(200));
    assert_eq!(
        ups(&state),
        1,
        "its scheduled time passes without a second firing"
    );
}

#[test]
fn a_free_text_message_and_the_end_of_the_drill_are_journaled() {
    let mut state = declared_at(secs(30));
    state.ui.screen = Screen::Drill;
    play(&mut state, Msg::Action(Action::InjectMessage), secs(31));
    play(
        &mut state,
        Msg::Input("The CFO is on the bridge".into()),
        secs(31),
    );
    play(&mut state, Msg::Action(Action::Confirm), secs(31));
    assert!(
        state
            .records
            .iter()
            .any(|r| r.event.describe() == "Scenario: The CFO is on the bridge")
    );
    play(&mut state, Msg::Action(Action::EndDrill), secs(40));
    let effects = play(&mut state, Msg::Action(Action::Confirm), secs(40));
    assert!(effects.contains(&Effect::Clock {
        paused: true,
        speed: 1.0
    }));
    assert!(!state.incident.as_ref().unwrap().is_open());
    let injected = |state: &State| {
        kinds(state)
            .iter()
            .filter(|k| matches!(**k, "component_changed" | "scenario_message"))
            .count()
    };
    let before = injected(&state);
    play(&mut state, Msg::Tick, secs(300));
    assert_eq!(injected(&state), before, "no inject after the end");
    assert!(scorecard(&state).unwrap().finished);
}

#[test]
fn notifications_are_recorded_not_sent_and_a_failing_pager_fails_pages() {
    let mut state = declared_at(secs(30));
    play(&mut state, Msg::Action(Action::Page), secs(31));
    let prompt = crate::view::escalation::confirm_prompt(&state, state.dialog().unwrap().kind);
    assert!(prompt.contains("not sent (drill)"), "{prompt}");
    let effects = play(&mut state, Msg::Action(Action::Confirm), secs(31));
    assert!(effects.iter().all(|e| !matches!(e, Effect::Send { .. })));
    let effects = play(&mut state, Msg::Tick, secs(32));
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::Send { .. })),
        "{effects:?}"
    );
    assert!(kinds(&state).contains(&"notify_held"));
    let outbox = &state.incident.as_ref().unwrap().outbox;
    assert!(
        outbox
            .iter()
            .all(|o| matches!(o.delivery, crate::domain::incident::Delivery::Held { .. })),
        "{outbox:?}"
    );

    // With the pager failing (an inject), pages fail even in a drill that may send.
    state.drill_mut().unwrap().engine.scenario.allow_notify = true;
    let failing = Msg::Journaled(
        as_record(
            &state,
            Effect::Append {
                at: secs(33),
                event: Event::Pager { failing: true },
            },
        )
        .unwrap(),
    );
    play(&mut state, failing, secs(33));
    play(&mut state, Msg::Action(Action::Acknowledge), secs(33));
    play(&mut state, Msg::Action(Action::Confirm), secs(33));
    let effects = play(&mut state, Msg::Tick, secs(34));
    assert!(effects.iter().all(|e| !matches!(
        e,
        Effect::Send {
            channel: Channel::Pagerduty,
            ..
        }
    )));
    assert!(
        state.records.iter().any(|r| matches!(
            &r.event,
            Event::NotifyFailed { error, .. } if error.contains("pager is failing")
        )),
        "{:?}",
        kinds(&state)
    );
}

#[test]
fn commands_are_dry_runs_and_a_recovery_brings_the_simulated_chain_back() {
    let mut state = declared_at(secs(40));
    assert!(state.dry_run, "allow_commands is false");
    let db = state.world.index("db").unwrap();
    let api = state.world.index("api").unwrap();
    assert!(state.world.health[api].state.is_failing());
    state.ui.list_mut(Screen::Dashboard).selected = state
        .dashboard_rows()
        .iter()
        .position(|&i| i == db)
        .unwrap();
    play(&mut state, Msg::Action(Action::Recover), secs(41));
    play(&mut state, Msg::Action(Action::Confirm), secs(41));
    play(&mut state, Msg::Input("db".into()), secs(42));
    let effects = play(&mut state, Msg::Action(Action::Confirm), secs(42));
    assert!(
        effects
            .iter()
            .all(|e| !matches!(e, Effect::Recover { .. } | Effect::Run { .. })),
        "nothing runs: {effects:?}"
    );
    assert!(state.records.iter().any(|r| matches!(
        &r.event,
        Event::CommandFinished { outcome, .. } if outcome == "dry run: not executed"
    )));
    assert_eq!(state.world.health[db].state, crate::domain::Health::Up);
    assert_eq!(
        state.world.health[api].state,
        crate::domain::Health::Up,
        "the API failed because of the database"
    );
}

#[test]
fn a_viewer_refuses_every_change() {
    let mut state = declared_at(secs(30));
    state.console = Console::Follow;
    for action in [
        Action::Note,
        Action::Declare,
        Action::Acknowledge,
        Action::Page,
        Action::Resolve,
        Action::Severity,
        Action::Recover,
        Action::EndDrill,
    ] {
        let effects = play(&mut state, Msg::Action(action), secs(31));
        assert!(effects.is_empty(), "{action:?}: {effects:?}");
        assert!(state.ui.overlay.is_none(), "{action:?} opened a dialog");
    }
    assert!(play(&mut state, Msg::Tick, secs(60)).is_empty());
}

#[test]
fn replay_plays_records_up_to_its_clock_and_seeks_back_and_forth() {
    let source = declared_at(secs(30));
    let mut records = source.records.clone();
    let mut note = records[0].clone();
    note.seq = records.len() as u64 + 1;
    note.at = secs(200);
    note.event = Event::NoteAdded {
        text: "later".into(),
        step: None,
    };
    records.push(note);
    let mut state = State::new(demo::config(), crate::state::Mode::Drill, "r".into(), t0());
    state.console = Console::Replay(Player {
        records,
        applied: 0,
    });
    play(&mut state, Msg::Tick, secs(30));
    assert!(state.incident.is_some());
    let db = state.world.index("db").unwrap();
    assert!(
        state.world.health[db].state.is_failing(),
        "outages at declaration are shown"
    );
    assert!(state.incident.as_ref().unwrap().notes == 0);
    let effects = play(&mut state, Msg::Action(Action::SeekForward), secs(150));
    assert_eq!(effects[0], Effect::Seek { to: secs(200) });
    assert_eq!(state.incident.as_ref().unwrap().notes, 1);
    assert!(state.paused, "the end of the journal stops the clock");
    let effects = play(&mut state, Msg::Action(Action::SeekBack), secs(200));
    assert_eq!(effects[0], Effect::Seek { to: secs(140) });
    assert!(state.incident.as_ref().unwrap().notes == 0, "rebuilt");
}

#[test]
fn resolving_ends_a_drill_but_the_demo_loops_on() {
    let mut state = declared_at(secs(30));
    play(&mut state, Msg::Action(Action::Resolve), secs(40));
    play(&mut state, Msg::Action(Action::Confirm), secs(40));
    play(&mut state, Msg::Action(Action::Confirm), secs(40));
    assert!(!state.drill().unwrap().ended, "the demo loops");

    let mut state = demo::state("ic@host", t0());
    state.drill_mut().unwrap().engine.scenario.repeat_every = None;
    play(&mut state, Msg::Tick, secs(30));
    play(&mut state, Msg::Action(Action::Declare), secs(30));
    play(&mut state, Msg::Action(Action::Confirm), secs(30));
    play(&mut state, Msg::Action(Action::Resolve), secs(40));
    play(&mut state, Msg::Action(Action::Confirm), secs(40));
    let effects = play(&mut state, Msg::Action(Action::Confirm), secs(40));
    assert!(state.drill().unwrap().ended);
    assert!(effects.is_empty() || state.paused);
    assert!(state.paused, "the clock stops with the drill");
}

#[test]
fn a_resumed_drill_continues_where_its_journal_left_it() {
    use crate::domain::world::{Inject, InjectAction};
    let mut state = demo::state("ic@host", t0());
    let scenario = {
        let engine = &mut state.drill_mut().unwrap().engine;
        engine.scenario.injects.insert(
            0,
            Inject {
                at: std::time::Duration::from_secs(1),
                action: InjectAction::Pager { failing: true },
                message: None,
            },
        );
        engine.scenario.repeat_every = None;
        engine.scenario.clone()
    };
    state.console = Console::Live;
    start(&mut state, scenario.clone(), t0());
    play(&mut state, Msg::Tick, secs(30));
    play(&mut state, Msg::Action(Action::Declare), secs(30));
    play(&mut state, Msg::Action(Action::Confirm), secs(30));
    play(&mut state, Msg::Tick, secs(50));
    let records = state.records.clone();

    let mut resumed = State::new(
        demo::config(),
        crate::state::Mode::Drill,
        "ic".into(),
        secs(90),
    );
    crate::update::resume(&mut resumed, records).unwrap();
    start(&mut resumed, scenario, secs(90));
    let drill = resumed.drill().unwrap();
    assert_eq!(
        drill.engine.started,
        t0(),
        "the recorded start, not the restart"
    );
    assert!(
        drill.pager_failing,
        "the pager inject before the restart still holds"
    );
    let db = resumed.world.index("db").unwrap();
    assert_eq!(resumed.world.health[db].state, crate::domain::Health::Down);
    assert!(
        play(&mut resumed, Msg::Tick, secs(91))
            .iter()
            .all(|e| !matches!(
                e,
                Effect::Append {
                    event: Event::ComponentChanged { .. },
                    ..
                }
            )),
        "past injects do not fire again"
    );
}

#[test]
fn exactly_the_rto_is_met_in_the_budget_the_review_and_the_scorecard() {
    use crate::domain::health::Sample;
    let mut state = declared_at(secs(30));
    state.console = Console::Live;
    let db = state.world.index("db").unwrap();
    let start = state.incident.as_ref().unwrap().outage("db").unwrap().start;
    let end = start + TimeDelta::minutes(5);
    for _ in 0..3 {
        let sample = Sample {
            at: end,
            health: crate::domain::Health::Up,
            latency: None,
            detail: None,
            reading: None,
        };
        play(&mut state, Msg::Probed { index: db, sample }, end);
    }
    let outage = state
        .incident
        .as_ref()
        .unwrap()
        .outage("db")
        .unwrap()
        .clone();
    assert_eq!(
        outage.end,
        Some(end),
        "the outage lasted exactly the 5m RTO"
    );
    let target = state
        .config
        .budget(state.config.component("db").unwrap())
        .rto;
    assert_eq!(target, std::time::Duration::from_mins(5));
    let budget = crate::domain::budget::rto(outage.start, outage.end, target, end);
    assert_ne!(budget.level, crate::domain::budget::Level::Breach);
    let card = scorecard(&state).unwrap();
    let rto = card
        .objectives
        .iter()
        .find(|s| {
            matches!(
                s.objective,
                crate::domain::objective::Objective::RtoMet { .. }
            )
        })
        .unwrap();
    assert_eq!(
        rto.verdict,
        crate::domain::drill::Verdict::Met,
        "{}",
        rto.measured
    );
    let review = crate::update::review::generate(&state).unwrap();
    let row = review
        .lines()
        .find(|l| l.starts_with("| db ") || l.contains("| Primary database |"))
        .unwrap_or_else(|| panic!("no impact row for db:\n{review}"));
    assert!(row.contains("met") && !row.contains("missed"), "{row}");
}

/// The review's RPO verdict for db after its last good copy is journaled `before` the outage start.
fn rpo_verdict(before: TimeDelta) -> (TimeDelta, String, crate::domain::budget::Level) {
    let mut state = declared_at(secs(30));
    state.console = Console::Live;
    let start = state.incident.as_ref().unwrap().outage("db").unwrap().start;
    let event = Event::RecoveryPoint {
        component: "db".into(),
        last_good: start - before,
        detail: None,
    };
    let record = as_record(
        &state,
        Effect::Append {
            at: secs(40),
            event,
        },
    )
    .unwrap();
    play(&mut state, Msg::Journaled(record), secs(40));
    let incident = state.incident.as_ref().unwrap();
    let at_risk = incident.data_at_risk("db").unwrap();
    let target = state
        .config
        .budget(state.config.component("db").unwrap())
        .rpo;
    let level = crate::domain::budget::rpo(start - before, target, start).level;
    let review = crate::update::review::generate(&state).unwrap();
    let row = review
        .lines()
        .find(|l| l.contains("(`db`)"))
        .unwrap_or_else(|| panic!("no impact row for db:\n{review}"))
        .to_owned();
    let verdict = row
        .trim_end_matches(" |")
        .rsplit("| ")
        .next()
        .unwrap()
        .to_owned();
    (at_risk, verdict, level)
}

#[test]
fn data_at_risk_of_exactly_the_rpo_is_met_in_the_budget_and_the_review() {
    use crate::domain::budget::Level;
    let (at_risk, verdict, level) = rpo_verdict(TimeDelta::minutes(5));
    assert_eq!(
        at_risk,
        TimeDelta::minutes(5),
        "failure start minus the last copy"
    );
    assert_eq!(verdict, "met");
    assert_ne!(level, Level::Breach);
    let (at_risk, verdict, level) = rpo_verdict(TimeDelta::seconds(301));
    assert_eq!(at_risk, TimeDelta::seconds(301));
    assert_eq!(verdict, "missed");
    assert_eq!(level, Level::Breach);
}

/// What a console shows of a drill: the pager, db's last good copy, the scorecard and the
/// review's impact table.
fn drill_view(state: &State) -> (bool, Option<DateTime<Utc>>, Vec<String>, Vec<String>) {
    let db = state.world.index("db").unwrap();
    let copy = match &state.recovery[db] {
        Some(Ok(at)) => Some(*at),
        _ => None,
    };
    let card = scorecard(state).unwrap();
    let mut scored: Vec<String> = card
        .objectives
        .iter()
        .map(|s| format!("{} {} {}", s.objective.describe(), s.verdict, s.measured))
        .collect();
    scored.push(card.summary());
    let review = crate::update::review::generate(state).unwrap();
    let impact = review
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("(`"))
        .map(str::to_owned)
        .collect();
    (state.pager_failing(), copy, scored, impact)
}

#[test]
fn a_follower_and_a_replay_show_the_drill_the_live_console_ran() {
    let mut live = demo::state("ic@host", t0());
    let injects = &mut live.drill_mut().unwrap().engine.scenario.injects;
    let pager = Inject {
        at: std::time::Duration::from_secs(45),
        action: InjectAction::Pager { failing: true },
        message: None,
    };
    let position = injects.iter().position(|i| i.at > pager.at).unwrap();
    injects.insert(position, pager);
    play(&mut live, Msg::Tick, secs(30));
    play(&mut live, Msg::Action(Action::Declare), secs(30));
    play(&mut live, Msg::Action(Action::Confirm), secs(30));
    for s in (31..=120).step_by(3) {
        play(&mut live, Msg::Tick, secs(s));
        if s == 52 {
            play(&mut live, Msg::Action(Action::Page), secs(s));
            play(&mut live, Msg::Action(Action::Confirm), secs(s));
        }
    }
    let now = secs(120);
    play(&mut live, Msg::Tick, now);
    let kinds = kinds(&live);
    for kind in ["pager", "recovery_point", "notify_failed"] {
        assert!(kinds.contains(&kind), "{kind}: {kinds:?}");
    }
    let shown = drill_view(&live);
    assert!(shown.0, "the pager fails");
    let db = live.world.index("db").unwrap();
    let inject_copy = live
        .records
        .iter()
        .find_map(|r| match &r.event {
            Event::RecoveryPoint { last_good, .. } => Some(*last_good),
            _ => None,
        })
        .unwrap();
    assert_eq!(live.recovery[db], Some(Ok(inject_copy)));

    let viewer = |console: Console| {
        let mut state = State::new(demo::config(), crate::state::Mode::Drill, "v".into(), t0());
        state.console = console;
        state
    };
    let mut follower = viewer(Console::Follow);
    play(&mut follower, Msg::Followed(live.records.clone()), now);
    let mut replay = viewer(Console::Replay(Player {
        records: live.records.clone(),
        applied: 0,
    }));
    play(&mut replay, Msg::Tick, now);
    assert_eq!(drill_view(&follower), shown, "the follower");
    assert_eq!(drill_view(&replay), shown, "the replay");
}

mod injects;
mod outage;
