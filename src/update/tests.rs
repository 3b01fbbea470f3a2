use chrono::{TimeDelta, TimeZone};

use super::*;
use crate::demo;
use crate::domain::{Health, Severity, Status};
use crate::state::DialogKind;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn secs(n: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(n)
}

use super::play as run;

/// The demo without its (recorded, never sent) notification channels.
fn quiet_demo() -> State {
    let mut state = demo::state("ic@host", t0());
    state.config.notify = crate::config::Notify::default();
    state
}

fn declared(now: DateTime<Utc>) -> State {
    let mut state = quiet_demo();
    run(&mut state, Msg::Tick, now);
    run(&mut state, Msg::Action(Action::Declare), now);
    run(&mut state, Msg::Input("Checkout failing".into()), now);
    run(&mut state, Msg::Action(Action::PrevChoice), now);
    run(&mut state, Msg::Action(Action::Confirm), now);
    state
}

#[test]
fn injects_change_health_over_time() {
    let mut state = demo::state("ic@host", t0());
    let db = state.world.index("db").unwrap();
    run(&mut state, Msg::Tick, secs(19));
    assert_eq!(state.world.health[db].state, Health::Up);
    run(&mut state, Msg::Tick, secs(21));
    assert_eq!(state.world.health[db].state, Health::Down);
    assert_eq!(state.world.health[db].since, secs(21));
    assert!(state.log.iter().any(|l| l.text.contains("db up → down")));
}

#[test]
fn declare_prefills_from_the_worst_failure_and_records_outages() {
    let mut state = demo::state("ic@host", t0());
    run(&mut state, Msg::Tick, secs(30));
    run(&mut state, Msg::Action(Action::Declare), secs(30));
    let dialog = state.dialog().unwrap();
    assert_eq!(dialog.field.text, "Primary database down");
    assert_eq!(dialog.choice, 0, "critical tier → P1");
    let effects = run(&mut state, Msg::Action(Action::Confirm), secs(31));
    let Effect::Declare {
        id,
        event: Event::Declared { outages, drill, .. },
        ..
    } = &effects[0]
    else {
        panic!("expected a declaration, got {effects:?}");
    };
    assert_eq!(id, "DRILL-20261122-0300-primary-database");
    assert!(*drill);
    assert!(
        outages
            .iter()
            .any(|o| o.component == "db" && o.since == secs(30))
    );
    let incident = state.incident.as_ref().unwrap();
    assert_eq!(incident.severity, Severity::P1);
    assert_eq!(incident.detected, Some(secs(30)));
    assert!(state.ui.overlay.is_none());
}

#[test]
fn nothing_is_applied_before_it_is_journaled() {
    let mut state = demo::state("ic@host", t0());
    update(&mut state, Msg::Action(Action::Declare), secs(1));
    update(&mut state, Msg::Input("Outage".into()), secs(1));
    let effects = update(&mut state, Msg::Action(Action::Confirm), secs(1));
    assert_eq!(effects.len(), 1);
    assert!(state.incident.is_none());
    assert!(state.dialog().unwrap().pending);
    update(&mut state, Msg::JournalFailed("disk full".into()), secs(2));
    let dialog = state.dialog().unwrap();
    assert!(!dialog.pending);
    assert_eq!(
        dialog.field.text, "Outage",
        "the typed title is kept for another try"
    );
    assert!(dialog.error.as_deref().unwrap().contains("disk full"));
}

#[test]
fn an_empty_title_is_refused_with_a_message() {
    let mut state = demo::state("ic@host", t0());
    update(&mut state, Msg::Action(Action::Declare), secs(1));
    assert!(update(&mut state, Msg::Action(Action::Confirm), secs(1)).is_empty());
    assert!(state.dialog().unwrap().error.is_some());
}

#[test]
fn notes_severity_status_and_roles_are_recorded() {
    let mut state = declared(secs(5));
    assert_eq!(state.incident.as_ref().unwrap().severity, Severity::P1);
    run(&mut state, Msg::Action(Action::Note), secs(6));
    run(
        &mut state,
        Msg::Input("  restarted pgbouncer  ".into()),
        secs(6),
    );
    run(&mut state, Msg::Action(Action::Confirm), secs(7));
    run(&mut state, Msg::Action(Action::Severity), secs(8));
    run(&mut state, Msg::Action(Action::NextChoice), secs(8));
    run(&mut state, Msg::Action(Action::Confirm), secs(8));
    run(&mut state, Msg::Action(Action::Status), secs(9));
    run(&mut state, Msg::Action(Action::Confirm), secs(9));
    run(&mut state, Msg::Action(Action::Roles), secs(10));
    run(&mut state, Msg::Action(Action::NextChoice), secs(10));
    run(&mut state, Msg::Input("sam".into()), secs(10));
    run(&mut state, Msg::Action(Action::Confirm), secs(10));
    let incident = state.incident.as_ref().unwrap();
    assert_eq!(incident.notes[0].text, "restarted pgbouncer");
    assert_eq!(incident.severity, Severity::P2);
    assert_eq!(incident.status, Status::Identified);
    assert_eq!(incident.roles.scribe.as_deref(), Some("sam"));
    assert_eq!(
        state.records.len(),
        7,
        "five changes, the drill's objectives and the budgets recorded at declaration"
    );
    assert_eq!(
        Incident::fold(&state.records).unwrap(),
        *incident,
        "state is the fold of the journal"
    );
}

#[test]
fn transitions_are_journaled_only_while_an_incident_is_open() {
    let mut state = demo::state("ic@host", t0());
    assert!(run(&mut state, Msg::Tick, secs(10)).is_empty());
    let mut state = declared(secs(10));
    let effects = run(&mut state, Msg::Tick, secs(21));
    assert!(
        matches!(
            &effects[..],
            [
                Effect::Append {
                    event: Event::ScenarioMessage { .. },
                    ..
                },
                Effect::Append {
                    event: Event::ComponentChanged { .. },
                    ..
                }
            ]
        ),
        "{effects:?}"
    );
    assert!(
        state
            .incident
            .as_ref()
            .unwrap()
            .affected
            .contains(&"db".to_owned())
    );
}

#[test]
fn resolving_closes_the_incident_and_stops_its_dialogs() {
    let mut state = declared(secs(5));
    run(&mut state, Msg::Action(Action::Resolve), secs(60));
    run(&mut state, Msg::Action(Action::Confirm), secs(60));
    assert!(!state.incident.as_ref().unwrap().is_open());
    run(&mut state, Msg::Action(Action::Note), secs(61));
    assert!(state.ui.overlay.is_none());
    assert!(
        state
            .ui
            .flash
            .as_deref()
            .unwrap()
            .contains("No incident is open")
    );
    run(&mut state, Msg::Action(Action::Declare), secs(62));
    assert!(
        state.dialog().is_some(),
        "a new incident can be declared after resolution"
    );
}

#[test]
fn a_failed_journal_refuses_further_changes_loudly() {
    let mut state = declared(secs(5));
    update(&mut state, Msg::Action(Action::Note), secs(6));
    update(&mut state, Msg::Input("x".into()), secs(6));
    update(&mut state, Msg::Action(Action::Confirm), secs(6));
    update(&mut state, Msg::JournalFailed("EIO".into()), secs(6));
    assert_eq!(state.journal, JournalState::Failed("EIO".into()));
    update(&mut state, Msg::Action(Action::Cancel), secs(7));
    update(&mut state, Msg::Action(Action::Note), secs(7));
    assert!(state.ui.flash.as_deref().unwrap().contains("EIO"));
}

#[test]
fn palette_runs_the_chosen_action() {
    let mut state = demo::state("ic@host", t0());
    update(&mut state, Msg::Action(Action::Palette), secs(1));
    update(&mut state, Msg::Input("decl".into()), secs(1));
    update(&mut state, Msg::Action(Action::Confirm), secs(1));
    assert_eq!(state.dialog().unwrap().kind, DialogKind::Declare);
}

#[test]
fn filter_narrows_the_dashboard_and_escape_clears_it() {
    let mut state = demo::state("ic@host", t0());
    update(&mut state, Msg::Action(Action::Filter), secs(1));
    update(&mut state, Msg::Input("data".into()), secs(1));
    assert_eq!(state.dashboard_rows().len(), 2);
    update(&mut state, Msg::Action(Action::Confirm), secs(1));
    assert_eq!(state.dashboard_rows().len(), 2);
    update(&mut state, Msg::Action(Action::Cancel), secs(1));
    assert_eq!(state.dashboard_rows().len(), 11);
}

fn key(c: char) -> Msg {
    Msg::Key(crate::keymap::Key::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    ))
}

fn typed(state: &mut State, text: &str, now: DateTime<Utc>) {
    for c in text.chars() {
        run(state, key(c), now);
    }
}

#[test]
fn slash_filters_every_list_screen_and_says_so_elsewhere() {
    let mut state = declared(secs(30));
    state.runbooks = crate::demo::runbooks();
    for screen in ['1', '2', '3', '4'] {
        typed(&mut state, &format!("{screen}/ap"), secs(31));
        assert_eq!(state.ui.filter(), "ap", "screen {screen}");
        assert!(state.dialog().is_some_and(|d| d.kind == DialogKind::Filter));
        typed(&mut state, "i", secs(31));
        run(&mut state, Msg::Action(Action::Confirm), secs(31));
        assert_eq!(state.ui.filter(), "api", "the filter stays after Enter");
        run(&mut state, Msg::Action(Action::Cancel), secs(31));
        assert_eq!(state.ui.filter(), "", "Esc clears it");
    }
    typed(&mut state, "2/fail", secs(31));
    let shown = runbooks::ordered(&state);
    assert!(
        !shown.is_empty() && shown.len() < state.runbooks.len(),
        "{shown:?}"
    );
    run(&mut state, Msg::Action(Action::Cancel), secs(31));
    run(&mut state, Msg::Action(Action::Cancel), secs(31));
    run(&mut state, Msg::Action(Action::Confirm), secs(31));
    let (rb, _) = state.ui.stepper.unwrap();
    typed(&mut state, "/promote", secs(31));
    let visible = runbooks::visible_steps(&state, rb);
    assert_eq!(visible.len(), 1, "{visible:?}");
    assert_eq!(
        state.ui.stepper,
        Some((rb, visible[0])),
        "the selection follows the filter"
    );
    for screen in ['5', '6'] {
        run(&mut state, Msg::Action(Action::Cancel), secs(31));
        typed(&mut state, &format!("{screen}/"), secs(31));
        assert!(state.ui.overlay.is_none(), "screen {screen}");
        let flash = state.ui.flash.as_deref().unwrap_or_default();
        assert!(flash.starts_with("No filter here"), "{flash}");
    }
    assert!(
        kinds_of(&state).iter().all(|k| *k != "note_added"),
        "no letter became a note"
    );
}

fn kinds_of(state: &State) -> Vec<String> {
    state
        .records
        .iter()
        .map(|r| {
            serde_json::to_value(&r.event).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn unbound_keys_do_nothing_but_say_so() {
    let mut state = declared(secs(30));
    for screen in ['1', '2', '3', '4', '5', '6'] {
        typed(&mut state, &screen.to_string(), secs(31));
        let (before, screen_now) = (state.records.len(), state.ui.screen);
        let effects = run(&mut state, key('y'), secs(31));
        assert!(effects.is_empty());
        assert_eq!(state.records.len(), before);
        assert_eq!(state.ui.screen, screen_now);
        assert!(state.ui.overlay.is_none());
        assert_eq!(
            state.ui.flash.as_deref(),
            Some("y does nothing here (? lists the keys)")
        );
    }
}

#[test]
fn in_a_text_field_every_letter_is_text() {
    let mut state = declared(secs(30));
    run(&mut state, key('n'), secs(31));
    typed(&mut state, "qopaDSR12345/:?", secs(31));
    assert_eq!(state.dialog().unwrap().field.text, "qopaDSR12345/:?");
    let ctrl_c = crate::keymap::Key::new(
        crossterm::event::KeyCode::Char('c'),
        crossterm::event::KeyModifiers::CONTROL,
    );
    assert_eq!(
        run(&mut state, Msg::Key(ctrl_c), secs(31)),
        vec![Effect::Quit]
    );
}

#[test]
fn marking_a_step_leaves_the_cursor_on_it() {
    let mut state = declared(secs(30));
    state.runbooks = crate::demo::runbooks();
    typed(&mut state, "2", secs(31));
    run(&mut state, Msg::Action(Action::Confirm), secs(31));
    let (rb, _) = state.ui.stepper.unwrap();
    typed(&mut state, "djs", secs(31));
    assert_eq!(state.ui.stepper, Some((rb, 1)));
    let marks: Vec<_> = state
        .incident
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .map(|((_, step), p)| (*step, p.mark))
        .collect();
    assert_eq!(
        marks,
        [
            (0, Some(crate::domain::event::StepMark::Done)),
            (1, Some(crate::domain::event::StepMark::Skipped))
        ]
    );
}

#[test]
fn long_pastes_are_cut() {
    let mut state = demo::state("ic@host", t0());
    update(&mut state, Msg::Action(Action::Note), secs(1));
    update(&mut state, Msg::Action(Action::Cancel), secs(1));
    update(&mut state, Msg::Action(Action::Declare), secs(1));
    update(&mut state, Msg::Input("x".repeat(MAX_INPUT * 3)), secs(1));
    assert_eq!(state.dialog().unwrap().field.text.len(), MAX_INPUT);
}

#[test]
fn failing_components_sort_first() {
    let mut state = demo::state("ic@host", t0());
    run(&mut state, Msg::Tick, secs(25));
    let rows = state.dashboard_rows();
    let first = &state.config.components[rows[0]].id;
    assert_eq!(first, "db");
}

mod incident_command {
    use super::*;
    use crate::domain::event::Channel;
    use crate::domain::incident::Delivery;
    use crate::update::command;

    fn with_pagerduty() -> State {
        let mut state = demo::state("ic@host", t0());
        state.config.notify.pagerduty = Some(crate::config::notify::PagerDuty {
            routing_key: crate::config::Secret::new("CANARY-routing-key"),
            url: crate::config::Secret::new("http://127.0.0.1:9/v2/enqueue"),
        });
        state.config.notify.slack = None;
        // A drill that allows notifications.
        state.drill.as_mut().unwrap().engine.scenario.allow_notify = true;
        state
    }

    fn declare_p1(state: &mut State, now: DateTime<Utc>) {
        run(state, Msg::Tick, now);
        run(state, Msg::Action(Action::Declare), now);
        run(state, Msg::Input("Payments down".into()), now);
        run(state, Msg::Action(Action::PrevChoice), now);
        run(state, Msg::Action(Action::PrevChoice), now);
        run(state, Msg::Action(Action::Confirm), now);
    }

    fn kinds(state: &State) -> Vec<&'static str> {
        state.records.iter().map(|r| r.event.kind()).collect()
    }

    /// Runs the outbox against a receiver that accepts everything; the `PagerDuty` sends, in order.
    fn deliver_all(state: &mut State, now: DateTime<Utc>) -> Vec<(String, String)> {
        let mut sent = Vec::new();
        for _ in 0..10 {
            let effects = run(state, Msg::Tick, now);
            let sends: Vec<(u64, serde_json::Value)> = effects
                .into_iter()
                .filter_map(|e| match e {
                    Effect::Send {
                        queued,
                        channel: Channel::Pagerduty,
                        payload,
                    } => Some((queued, payload)),
                    _ => None,
                })
                .collect();
            if sends.is_empty() {
                break;
            }
            for (queued, payload) in sends {
                sent.push((
                    payload["dedup_key"].as_str().unwrap().to_owned(),
                    payload["event_action"].as_str().unwrap().to_owned(),
                ));
                run(
                    state,
                    Msg::Delivered {
                        queued,
                        result: Ok(()),
                    },
                    now,
                );
            }
        }
        sent
    }

    #[test]
    fn a_crash_after_any_record_delivers_each_recorded_page_exactly_once() {
        let mut live = with_pagerduty();
        declare_p1(&mut live, secs(30));
        run(&mut live, Msg::Action(Action::Page), secs(31));
        run(&mut live, Msg::Action(Action::Confirm), secs(31));
        deliver_all(&mut live, secs(32));
        run(&mut live, Msg::Tick, secs(160));
        run(&mut live, Msg::Action(Action::Page), secs(161));
        run(&mut live, Msg::Action(Action::Confirm), secs(161));
        run(&mut live, Msg::Action(Action::Acknowledge), secs(170));
        run(&mut live, Msg::Action(Action::Confirm), secs(170));
        deliver_all(&mut live, secs(171));
        let journal = live.records.clone();
        assert_eq!(
            journal.iter().filter(|r| r.event.kind() == "paged").count(),
            2,
            "{:?}",
            kinds(&live)
        );
        for cut in 1..=journal.len() {
            let prefix = &journal[..cut];
            let mut resumed = with_pagerduty();
            resume(&mut resumed, prefix.to_vec()).unwrap();
            let incident = resumed.incident.clone().unwrap();
            let before: Vec<String> = incident
                .outbox
                .iter()
                .filter(|o| matches!(o.delivery, Delivery::Sent { .. }))
                .filter(|o| o.payload["event_action"] == "trigger")
                .map(|o| o.payload["dedup_key"].as_str().unwrap().to_owned())
                .collect();
            let after: Vec<String> = deliver_all(&mut resumed, secs(200))
                .into_iter()
                .filter(|(_, action)| action == "trigger")
                .map(|(key, _)| key)
                .collect();
            let mut delivered: Vec<String> = before.iter().chain(&after).cloned().collect();
            delivered.sort();
            let mut paged: Vec<String> = incident
                .pages
                .iter()
                .map(|(level, _, _)| command::dedup_key(&incident, *level))
                .collect();
            paged.sort();
            assert_eq!(
                delivered, paged,
                "cut after record {cut}: before {before:?}, after {after:?}"
            );
            assert!(
                deliver_all(&mut resumed, secs(201)).is_empty(),
                "cut {cut}: nothing twice"
            );
        }
    }

    #[test]
    fn declaring_records_budgets_and_level_one_is_due() {
        let mut state = demo::state("ic@host", t0());
        declare_p1(&mut state, secs(30));
        assert_eq!(kinds(&state)[..2], ["declared", "budgets"]);
        let (_, standing) = command::standing(&state).unwrap();
        assert_eq!((standing.due, standing.acknowledged), (Some(0), false));
        run(&mut state, Msg::Action(Action::Acknowledge), secs(40));
        let (_, standing) = command::standing(&state).unwrap();
        assert!(standing.acknowledged);
        assert_eq!(
            state.incident.as_ref().unwrap().acknowledged,
            Some(secs(40)),
            "MTTA milestone"
        );
        run(&mut state, Msg::Action(Action::Acknowledge), secs(41));
        assert!(
            state
                .ui
                .flash
                .as_deref()
                .unwrap()
                .contains("already acknowledged")
        );
    }

    #[test]
    fn escape_sends_nothing_and_confirm_page_false_pages_at_once() {
        let mut state = with_pagerduty();
        declare_p1(&mut state, secs(30));
        run(&mut state, Msg::Action(Action::Page), secs(31));
        run(&mut state, Msg::Action(Action::Cancel), secs(31));
        assert!(!kinds(&state).contains(&"paged"), "{:?}", kinds(&state));
        state.config.confirm_page = false;
        let effects = run(&mut state, Msg::Action(Action::Page), secs(32));
        assert!(matches!(
            &effects[..],
            [Effect::Append {
                event: Event::Paged { level: 0, .. },
                ..
            }]
        ));
    }

    #[test]
    fn a_severity_raise_restarts_the_escalation_clock() {
        let mut state = demo::state("ic@host", t0());
        run(&mut state, Msg::Action(Action::Declare), secs(1));
        run(&mut state, Msg::Input("Slow checkout".into()), secs(1));
        run(&mut state, Msg::Action(Action::Confirm), secs(1));
        assert_eq!(state.incident.as_ref().unwrap().severity, Severity::P2);
        run(&mut state, Msg::Action(Action::Acknowledge), secs(2));
        run(&mut state, Msg::Action(Action::Severity), secs(600));
        run(&mut state, Msg::Action(Action::PrevChoice), secs(600));
        run(&mut state, Msg::Action(Action::Confirm), secs(600));
        let incident = state.incident.as_ref().unwrap();
        assert_eq!(incident.escalation_since, secs(600));
        let (_, standing) = command::standing(&state).unwrap();
        assert_eq!(
            (standing.due, standing.acknowledged),
            (Some(0), false),
            "the P1 policy starts at level 1, unacknowledged"
        );
    }

    #[test]
    fn an_rto_breach_is_journaled_once_per_outage() {
        let mut state = demo::state("ic@host", t0());
        declare_p1(&mut state, secs(30));
        state.drill = None;
        for s in [60, 400, 1000, 1200, 2000, 2001, 3000] {
            run(&mut state, Msg::Tick, secs(s));
        }
        let breaches: Vec<_> = state
            .records
            .iter()
            .filter(|r| r.event.kind() == "rto_breached")
            .collect();
        let mut components: Vec<String> = breaches
            .iter()
            .map(|r| match &r.event {
                Event::RtoBreached { component, .. } => component.clone(),
                _ => unreachable!(),
            })
            .collect();
        components.sort();
        let before = components.len();
        components.dedup();
        assert_eq!(
            before,
            components.len(),
            "no duplicate breach: {components:?}"
        );
        assert!(
            components.contains(&"api".to_owned()),
            "the API was down past its 15m RTO: {components:?}"
        );
    }

    #[test]
    fn paging_queues_a_pagerduty_trigger_and_resolution_a_resolve() {
        let mut state = with_pagerduty();
        declare_p1(&mut state, secs(30));
        let asked = run(&mut state, Msg::Action(Action::Page), secs(31));
        assert!(asked.is_empty(), "p alone sends nothing: {asked:?}");
        let prompt = command::confirm_prompt(&state, state.dialog().unwrap().kind);
        assert!(prompt.starts_with("Page level 1: "), "{prompt}");
        assert!(prompt.contains("sent to PagerDuty"), "{prompt}");
        run(&mut state, Msg::Action(Action::Confirm), secs(31));
        let incident = state.incident.as_ref().unwrap();
        let trigger = incident
            .outbox
            .iter()
            .find(|o| o.channel == Channel::Pagerduty)
            .unwrap();
        assert_eq!(trigger.payload["event_action"], "trigger");
        assert_eq!(
            trigger.payload["dedup_key"],
            command::dedup_key(incident, 0)
        );
        assert_eq!(trigger.payload["payload"]["severity"], "critical");
        assert!(
            !trigger.payload.to_string().contains("CANARY"),
            "the routing key is added only when sending"
        );
        let asked = run(&mut state, Msg::Action(Action::Acknowledge), secs(32));
        assert!(
            asked.is_empty(),
            "a alone sends nothing once paged: {asked:?}"
        );
        run(&mut state, Msg::Action(Action::Confirm), secs(32));
        run(&mut state, Msg::Action(Action::Resolve), secs(90));
        run(&mut state, Msg::Action(Action::Confirm), secs(90));
        let actions: Vec<String> = state
            .incident
            .as_ref()
            .unwrap()
            .outbox
            .iter()
            .map(|o| {
                o.payload["event_action"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        assert_eq!(actions, ["trigger", "acknowledge", "resolve"]);
        assert!(kinds(&state).contains(&"budgets"));
        assert!(
            state
                .records
                .iter()
                .all(|r| !serde_json::to_string(&r.event).unwrap().contains("CANARY"))
        );
    }

    #[test]
    fn the_outbox_retries_with_backoff_and_never_resends_what_was_sent() {
        let mut state = with_pagerduty();
        declare_p1(&mut state, secs(30));
        run(&mut state, Msg::Action(Action::Page), secs(31));
        run(&mut state, Msg::Action(Action::Confirm), secs(31));
        let sends = |effects: &[Effect]| {
            effects
                .iter()
                .filter(|e| matches!(e, Effect::Send { .. }))
                .count()
        };
        let effects = run(&mut state, Msg::Tick, secs(32));
        assert_eq!(sends(&effects), 1);
        let Some(Effect::Send { queued, .. }) =
            effects.iter().find(|e| matches!(e, Effect::Send { .. }))
        else {
            unreachable!()
        };
        let queued = *queued;
        assert_eq!(
            sends(&run(&mut state, Msg::Tick, secs(33))),
            0,
            "in flight: not sent twice"
        );
        run(
            &mut state,
            Msg::Delivered {
                queued,
                result: Err("HTTP 500".into()),
            },
            secs(33),
        );
        assert_eq!(
            sends(&run(&mut state, Msg::Tick, secs(34))),
            0,
            "waits for the backoff"
        );
        assert_eq!(
            sends(&run(&mut state, Msg::Tick, secs(39))),
            1,
            "retried after 5 s"
        );
        run(
            &mut state,
            Msg::Delivered {
                queued,
                result: Ok(()),
            },
            secs(39),
        );
        let entry = state
            .incident
            .as_ref()
            .unwrap()
            .outbox
            .iter()
            .find(|o| o.queued == queued)
            .unwrap();
        assert!(matches!(entry.delivery, Delivery::Sent { .. }));
        assert_eq!(
            sends(&run(&mut state, Msg::Tick, secs(400))),
            0,
            "sent entries are never resent"
        );
        let folded = Incident::fold(&state.records).unwrap();
        assert!(matches!(
            folded
                .outbox
                .iter()
                .find(|o| o.queued == queued)
                .unwrap()
                .delivery,
            Delivery::Sent { .. }
        ));
    }

    #[test]
    fn the_update_cadence_nags_when_late_and_an_update_resets_it() {
        let mut state = demo::state("ic@host", t0());
        declare_p1(&mut state, secs(30));
        let due = command::update_due(&state).unwrap();
        assert_eq!(
            due,
            state.incident.as_ref().unwrap().declared + TimeDelta::minutes(30)
        );
        run(&mut state, Msg::Action(Action::Update), secs(2000));
        run(
            &mut state,
            Msg::Input("Failover in progress, next update 30m".into()),
            secs(2000),
        );
        run(&mut state, Msg::Action(Action::Confirm), secs(2000));
        assert_eq!(
            command::update_due(&state).unwrap(),
            secs(2000) + TimeDelta::minutes(30)
        );
    }
}

mod stepper {
    use super::*;
    use crate::workers::process::{Ending, Outcome};

    const RUNBOOK: &str = "+++\nid = \"db-fix\"\ntitle = \"Fix the database\"\ncomponents = [\"db\"]\n+++\n\n## Restart\n\n```sh {on_fail=\"stop\" expect=\"db up within 2m\"}\nsystemctl restart db\n```\n\n## After\n\n```sh\ntrue\n```\n";

    fn ready(now: DateTime<Utc>) -> State {
        let mut state = demo::state("ic@host", t0());
        state.runbooks = vec![crate::runbook::parse("rb.md", RUNBOOK).unwrap()];
        // A drill that allows commands.
        state.dry_run = false;
        run(&mut state, Msg::Tick, now);
        run(&mut state, Msg::Action(Action::Declare), now);
        run(&mut state, Msg::Input("DB".into()), now);
        run(&mut state, Msg::Action(Action::Confirm), now);
        state.drill = None;
        state.ui.screen = Screen::Runbooks;
        run(&mut state, Msg::Action(Action::Confirm), now);
        state
    }

    fn finish(state: &mut State, ending: Ending, now: DateTime<Utc>) {
        let started = state
            .records
            .iter()
            .rev()
            .find(|r| r.event.kind() == "step_started")
            .unwrap()
            .seq;
        let outcome = Outcome {
            ending,
            duration: std::time::Duration::from_secs(2),
            tail: "ok".into(),
            dropped: 0,
            total: 2,
        };
        run(state, Msg::RunFinished { started, outcome }, now);
    }

    fn verdicts(state: &State) -> Vec<bool> {
        state
            .records
            .iter()
            .filter_map(|r| match &r.event {
                Event::StepVerified { verified, .. } => Some(*verified),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn running_a_step_journals_start_and_end_and_asks_for_a_run_only_once_durable() {
        let mut state = ready(secs(30));
        let effects = run(&mut state, Msg::Action(Action::Run), secs(31));
        assert!(
            matches!(
                &effects[..],
                [Effect::Append {
                    event: Event::StepStarted { .. },
                    ..
                }]
            ),
            "{effects:?}"
        );
        assert!(
            state.live_runs.len() == 1,
            "the run is asked for once the start is journaled"
        );
        finish(&mut state, Ending::Exited(0), secs(33));
        let last = state.records.last().unwrap();
        assert!(
            matches!(&last.event, Event::CommandFinished { outcome, succeeded: true, .. } if outcome == "exit 0")
        );
    }

    #[test]
    fn a_failed_stop_step_blocks_the_next_until_marked() {
        let mut state = ready(secs(30));
        run(&mut state, Msg::Action(Action::Run), secs(31));
        finish(&mut state, Ending::Exited(1), secs(32));
        run(&mut state, Msg::Action(Action::Down), secs(33));
        assert!(run(&mut state, Msg::Action(Action::Run), secs(33)).is_empty());
        assert!(
            state
                .ui
                .flash
                .as_deref()
                .unwrap()
                .contains("blocks the steps after it")
        );
        run(&mut state, Msg::Action(Action::Up), secs(34));
        run(&mut state, Msg::Action(Action::MarkSkipped), secs(34));
        assert_eq!(
            run(&mut state, Msg::Action(Action::Run), secs(35)).len(),
            1,
            "unblocked once marked"
        );
    }

    #[test]
    fn an_expectation_is_verified_when_met_in_time_and_not_when_time_runs_out() {
        let mut state = ready(secs(30));
        state.world.set("db", Health::Down, None, secs(30));
        run(&mut state, Msg::Action(Action::Run), secs(31));
        finish(&mut state, Ending::Exited(0), secs(32));
        run(&mut state, Msg::Tick, secs(60));
        assert!(verdicts(&state).is_empty(), "still within 2m");
        run(&mut state, Msg::Tick, secs(160));
        assert_eq!(verdicts(&state), [false]);
        run(&mut state, Msg::Tick, secs(161));
        assert_eq!(verdicts(&state), [false], "journaled once");

        let mut state = ready(secs(30));
        state.world.set("db", Health::Down, None, secs(30));
        run(&mut state, Msg::Action(Action::Run), secs(31));
        finish(&mut state, Ending::Exited(0), secs(32));
        state.world.set("db", Health::Up, None, secs(50));
        run(&mut state, Msg::Tick, secs(51));
        assert_eq!(verdicts(&state), [true]);
    }

    #[test]
    fn a_dry_run_journals_what_would_run_and_runs_nothing() {
        let mut state = ready(secs(30));
        state.dry_run = true;
        let effects = update(&mut state, Msg::Action(Action::Run), secs(31));
        let Effect::Append { event, at } = effects[0].clone() else {
            panic!("{effects:?}")
        };
        let record = Record {
            seq: state.records.len() as u64 + 1,
            at,
            actor: "ic".into(),
            event,
        };
        let follow = update(&mut state, Msg::Journaled(record), secs(31));
        assert!(
            !follow.iter().any(|e| matches!(e, Effect::Run { .. })),
            "nothing is executed"
        );
        assert!(
            matches!(&follow[..], [Effect::Append { event: Event::CommandFinished { outcome, tail, .. }, .. }]
            if outcome == "dry run: not executed" && tail.contains("systemctl restart db")),
            "{follow:?}"
        );
    }
}

#[test]
fn a_note_taken_in_the_stepper_belongs_to_the_step() {
    let mut state = demo::state("ic@host", t0());
    state.runbooks = vec![
        crate::runbook::parse(
            "rb.md",
            "+++\nid = \"x\"\ntitle = \"X\"\n+++\n\n## One\n\ntext\n\n## Two\n\ntext\n",
        )
        .unwrap(),
    ];
    run(&mut state, Msg::Action(Action::Declare), secs(1));
    run(&mut state, Msg::Input("Outage".into()), secs(1));
    run(&mut state, Msg::Action(Action::Confirm), secs(1));
    state.ui.screen = Screen::Runbooks;
    run(&mut state, Msg::Action(Action::Confirm), secs(2));
    run(&mut state, Msg::Action(Action::Down), secs(2));
    run(&mut state, Msg::Action(Action::Note), secs(3));
    run(
        &mut state,
        Msg::Input("replica lag was 4 s".into()),
        secs(3),
    );
    run(&mut state, Msg::Action(Action::Confirm), secs(3));
    let note = state.incident.as_ref().unwrap().notes.last().unwrap();
    assert_eq!(note.step, Some(("x".to_owned(), 1)));
    assert_eq!(
        state.records.last().unwrap().event.describe(),
        "Note on x step 2: replica lag was 4 s"
    );
}

#[test]
fn a_resumed_console_shows_last_known_states_and_invents_no_transition() {
    use crate::domain::health::Sample;
    let live = declared(secs(30));
    let db = live.world.index("db").unwrap();
    let since = live.world.health[db].since;
    assert_eq!(live.world.health[db].state, Health::Down);
    let mut resumed = demo::state("ic@host", secs(40));
    resumed.drill = None;
    assert_eq!(
        resumed.world.health[db].state,
        Health::Up,
        "the config's start"
    );
    resume(&mut resumed, live.records.clone()).unwrap();
    let restored = &resumed.world.health[db];
    assert_eq!((restored.state, restored.since), (Health::Down, since));
    assert!(restored.last_known);
    let sample = Sample {
        at: secs(41),
        health: Health::Down,
        latency: None,
        detail: Some("connection refused".into()),
    };
    let effects = run(&mut resumed, Msg::Probed { index: db, sample }, secs(41));
    assert!(effects.is_empty(), "no transition journaled: {effects:?}");
    assert!(
        !resumed.world.health[db].last_known,
        "a fresh sample ends last known"
    );
    assert_eq!(
        resumed.world.health[db].since, since,
        "the outage keeps its start"
    );
}
