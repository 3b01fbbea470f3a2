//! Drills that journal and behave like outages: journaled from the start, cascades, recoveries
//! that clear what they caused, the facilitator's hand, objectives and exercise types.

use super::*;

/// A drill that does not loop, as `warroom drill FILE` runs one.
fn drill_once() -> State {
    let mut state = demo::state("ic@host", t0());
    state.mode = crate::state::Mode::Drill;
    state.drill_mut().unwrap().engine.scenario.repeat_every = None;
    state
}

#[test]
fn a_drill_nobody_declares_leaves_its_journal_and_scorecard() {
    let mut state = drill_once();
    let effects = play(&mut state, Msg::Tick, secs(1));
    let Some(Effect::Declare {
        id,
        event: Event::Drill(start),
        ..
    }) = effects.first()
    else {
        panic!("the drill opens its journal at its first tick: {effects:?}");
    };
    assert_eq!(id, "DRILL-20261122-0300-demo-primary");
    assert_eq!(start.objectives.len(), 5);
    for s in (2..=300).step_by(10) {
        play(&mut state, Msg::Tick, secs(s));
    }
    assert!(state.incident.is_none());
    assert!(
        kinds(&state).contains(&"component_changed"),
        "injects are journaled before anyone declares: {:?}",
        kinds(&state)
    );
    state.ui.screen = Screen::Drill;
    play(&mut state, Msg::Action(Action::EndDrill), secs(301));
    play(&mut state, Msg::Action(Action::Confirm), secs(301));
    assert_eq!(
        kinds(&state).last(),
        Some(&"drill_ended"),
        "{:?}",
        kinds(&state)
    );
    let undeclared = crate::journal::store::Undeclared::of(&state.records).unwrap();
    assert_eq!(undeclared.ended, Some(secs(301)));
    assert_eq!(undeclared.scorecard.summary(), "0 of 5 objectives met");
    assert!(
        undeclared
            .scorecard
            .objectives
            .iter()
            .all(|s| s.verdict != crate::domain::drill::Verdict::Met)
    );
    let effects = play(&mut state, Msg::Tick, secs(400));
    assert!(
        effects.iter().all(|e| !e.writes_journal()),
        "an ended drill writes nothing more: {effects:?}"
    );
}

#[test]
fn a_drill_declared_later_declares_in_its_own_journal() {
    let mut state = drill_once();
    play(&mut state, Msg::Tick, secs(1));
    play(&mut state, Msg::Tick, secs(30));
    let before = state.records.len();
    play(&mut state, Msg::Action(Action::Declare), secs(31));
    let effects = play(&mut state, Msg::Action(Action::Confirm), secs(31));
    assert!(
        matches!(
            &effects[0],
            Effect::Append { event: Event::Declared(declaration), .. }
                if declaration.id == "DRILL-20261122-0300-demo-primary"
        ),
        "{effects:?}"
    );
    assert_eq!(state.records[before].event.kind(), "declared");
    assert_eq!(
        state.records[0].event.kind(),
        "drill",
        "the journal keeps its start"
    );
    let folded = crate::domain::incident::Incident::fold(&state.records).unwrap();
    assert_eq!(&folded, state.incident.as_ref().unwrap());
    assert!(crate::journal::store::Undeclared::of(&state.records).is_none());
    let mut resumed = drill_once();
    crate::update::resume(&mut resumed, state.records.clone()).unwrap();
    assert_eq!(resumed.incident, state.incident);
    assert_eq!(resumed.records, state.records);
}

#[test]
fn a_drill_whose_journal_cannot_open_runs_on_and_journals_from_its_declaration() {
    let mut state = drill_once();
    let effects = crate::update::update(&mut state, Msg::Tick, secs(1));
    assert!(
        matches!(effects.first(), Some(Effect::Declare { .. })),
        "{effects:?}"
    );
    crate::update::update(
        &mut state,
        Msg::JournalFailed("folder exists".into()),
        secs(1),
    );
    assert_eq!(state.journal, crate::state::JournalState::Writable);
    let effects = play(&mut state, Msg::Tick, secs(30));
    assert!(
        effects.iter().all(|e| !e.writes_journal()),
        "not asked again: {effects:?}"
    );
    play(&mut state, Msg::Action(Action::Declare), secs(31));
    let effects = play(&mut state, Msg::Action(Action::Confirm), secs(31));
    assert!(
        matches!(effects.first(), Some(Effect::Declare { .. })),
        "{effects:?}"
    );
}

/// The components the journal records coming back up, in order.
fn came_up(state: &State) -> Vec<String> {
    state
        .records
        .iter()
        .filter_map(|r| match &r.event {
            Event::ComponentChanged {
                component,
                to: crate::domain::Health::Up,
                ..
            } => Some(component.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_runbook_step_that_recovers_a_component_brings_it_and_its_dependents_back_in_a_drill() {
    let mut state = declared_at(secs(40));
    let runbook = "+++\nid = \"db-promote\"\ntitle = \"Promote\"\ncomponents = [\"db\"]\n+++\n\n## Promote the replica\n\n```sh {recovers=\"db\"}\n./promote.sh\n```\n";
    state.runbooks = vec![crate::runbook::parse("rb.md", runbook).unwrap()];
    let db = state.world.index("db").unwrap();
    let api = state.world.index("api").unwrap();
    assert!(state.world.health[db].state.is_failing());
    assert!(state.world.health[api].state.is_failing());
    state.ui.screen = Screen::Runbooks;
    play(&mut state, Msg::Action(Action::Confirm), secs(41));
    play(&mut state, Msg::Action(Action::Run), secs(42));
    assert_eq!(state.world.health[db].state, crate::domain::Health::Up);
    assert_eq!(
        state.world.health[db].detail.as_deref(),
        Some("db-promote step 1 worked (simulated)"),
        "the step, not a recovery action, brought it back"
    );
    assert_eq!(
        state.world.health[api].state,
        crate::domain::Health::Up,
        "{:?}",
        kinds(&state)
    );
    let order = came_up(&state);
    assert_eq!(
        order.first().map(String::as_str),
        Some("db"),
        "the root cause first: {order:?}"
    );
    assert!(order.contains(&"api".to_owned()), "{order:?}");
    let incident = state.incident.as_ref().unwrap();
    let card = crate::domain::drill::score_recorded(incident, &state.records, secs(43)).unwrap();
    assert!(
        card.steps.starts_with("Steps: 1 done"),
        "a step whose command ran ok is done though nobody marked it: {}",
        card.steps
    );
}

/// A drill on the demo service where the cache has its own trouble, then the network goes down
/// with everything that depends on it.
fn region_outage() -> State {
    let config = demo::config();
    let scenario = crate::config::parse_scenario(
        "region.toml",
        "title = \"Region\"\n\
         [[inject]]\nat = \"5s\"\ncomponent = \"cache\"\nstate = \"degraded\"\nmessage = \"its own trouble\"\n\
         [[inject]]\nat = \"10s\"\ncomponent = \"network\"\nstate = \"down\"\ncascade = true\n\
         [[objective]]\nrto_met = \"checkout\"\n",
        Some(&config),
        None,
    )
    .expect("checkout fails through the cascade, so its RTO can be measured");
    let mut state = State::new(config, crate::state::Mode::Drill, "ic@host".into(), t0());
    start(&mut state, scenario, t0());
    play(&mut state, Msg::Tick, secs(6));
    play(&mut state, Msg::Tick, secs(11));
    state
}

#[test]
fn a_region_outage_cascades_and_its_recovery_clears_only_what_it_caused() {
    let mut state = region_outage();
    let health = |state: &State, id: &str| state.world.health[state.world.index(id).unwrap()].state;
    for id in [
        "network", "lb", "db", "api", "checkout", "worker", "reports",
    ] {
        assert_eq!(health(&state, id), crate::domain::Health::Down, "{id}");
    }
    assert_eq!(
        health(&state, "cache"),
        crate::domain::Health::Degraded,
        "its own inject came first"
    );
    let db = &state.world.health[state.world.index("db").unwrap()];
    assert_eq!(db.detail.as_deref(), Some("down with network (cascade)"));
    play(&mut state, Msg::Action(Action::Declare), secs(12));
    play(&mut state, Msg::Action(Action::Confirm), secs(12));
    let runbook = "+++\nid = \"region-failover\"\ntitle = \"Fail over\"\ncomponents = [\"network\"]\n+++\n\n## Move the region\n\n```sh {recovers=\"network\"}\n./failover.sh\n```\n";
    state.runbooks = vec![crate::runbook::parse("rb.md", runbook).unwrap()];
    state.ui.screen = Screen::Runbooks;
    play(&mut state, Msg::Action(Action::Confirm), secs(20));
    play(&mut state, Msg::Action(Action::Run), secs(20));
    for id in [
        "network", "lb", "db", "api", "checkout", "worker", "reports",
    ] {
        assert_eq!(health(&state, id), crate::domain::Health::Up, "{id}");
    }
    assert_eq!(
        health(&state, "cache"),
        crate::domain::Health::Degraded,
        "not caused by the region: {:?}",
        state
            .records
            .iter()
            .map(|r| r.event.describe())
            .collect::<Vec<_>>()
    );
    let back = came_up(&state);
    assert_eq!(back[0], "network", "the root cause first: {back:?}");
    let pos = |id: &str| back.iter().position(|c| c == id).unwrap();
    assert!(
        pos("db") < pos("api") && pos("api") < pos("checkout"),
        "in dependency order: {back:?}"
    );
}

#[test]
fn objectives_on_data_resolution_updates_and_roles_are_scored_from_the_journal() {
    let config = demo::config();
    let objectives = "[[objective]]\nrpo_met = \"db\"\n[[objective]]\nresolved_within = \"10m\"\n\
         [[objective]]\nupdate_within = \"5m\"\n[[objective]]\nrole_assigned = \"scribe\"\n";
    let text = format!(
        "title = \"T\"\n[[inject]]\nat = \"5s\"\ncomponent = \"db\"\nstate = \"down\"\n{objectives}"
    );
    let scenario = crate::config::parse_scenario("t.toml", &text, Some(&config), None).unwrap();
    let mut state = State::new(
        config.clone(),
        crate::state::Mode::Drill,
        "ic@host".into(),
        t0(),
    );
    start(&mut state, scenario, t0());
    play(&mut state, Msg::Tick, secs(6));
    play(&mut state, Msg::Action(Action::Declare), secs(10));
    play(&mut state, Msg::Action(Action::Confirm), secs(10));
    let open = scorecard(&state).unwrap();
    assert!(
        open.objectives
            .iter()
            .all(|s| s.verdict != drill::Verdict::Missed),
        "{open:?}"
    );
    play(&mut state, Msg::Action(Action::Roles), secs(20));
    play(&mut state, Msg::Action(Action::NextChoice), secs(20));
    play(&mut state, Msg::Input("sam".into()), secs(20));
    play(&mut state, Msg::Action(Action::Confirm), secs(20));
    play(&mut state, Msg::Action(Action::Update), secs(30));
    play(&mut state, Msg::Input("Failing over".into()), secs(30));
    play(&mut state, Msg::Action(Action::Confirm), secs(30));
    play(&mut state, Msg::Action(Action::Resolve), secs(100));
    // Components are still failing: the second Enter resolves knowing it.
    play(&mut state, Msg::Action(Action::Confirm), secs(100));
    play(&mut state, Msg::Action(Action::Confirm), secs(100));
    let card = scorecard(&state).unwrap();
    let lines: Vec<String> = card
        .objectives
        .iter()
        .map(|s| {
            format!(
                "{} | {} | {}",
                s.objective.describe(),
                s.verdict,
                s.measured
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            "db data at risk within its RPO of 5m00s | met | data at risk 1m36s",
            "Resolved within 10m00s | met | after 1m34s",
            "Stakeholder update within 5m00s | met | after 20s",
            "A scribe assigned | met | after 10s",
        ]
    );
    let bad = crate::config::parse_scenario(
        "t.toml",
        "title = \"T\"\n[[inject]]\nat = \"5s\"\ncomponent = \"lb\"\nstate = \"down\"\n[[objective]]\nrpo_met = \"lb\"\n",
        Some(&config),
        None,
    )
    .unwrap_err();
    assert!(
        bad.to_string()
            .contains("`rpo_met = \"lb\"` could never be measured: it has no `recovery_point`"),
        "{bad}"
    );
}

#[test]
fn the_facilitator_sets_any_simulated_components_state_and_it_is_journaled() {
    let mut state = declared_at(secs(30));
    state.ui.screen = Screen::Drill;
    play(&mut state, Msg::Action(Action::SetState), secs(31));
    assert_eq!(state.dialog().unwrap().kind, DialogKind::SetState);
    play(&mut state, Msg::Input("qeueu".into()), secs(31));
    play(&mut state, Msg::Action(Action::Confirm), secs(31));
    let error = state.dialog().unwrap().error.clone().unwrap();
    assert!(
        error.contains("No component `qeueu`; did you mean `queue`?"),
        "{error}"
    );
    // Part of an id or a name picks from the list; more than one asks for more.
    play(&mut state, Msg::Input("e".into()), secs(31));
    play(&mut state, Msg::Action(Action::Confirm), secs(31));
    let error = state.dialog().unwrap().error.clone().unwrap();
    assert!(
        error.contains("`e` matches ") && error.contains("type more of one"),
        "{error}"
    );
    play(&mut state, Msg::Input("QUEU".into()), secs(32));
    play(&mut state, Msg::Action(Action::NextChoice), secs(32));
    play(&mut state, Msg::Action(Action::Confirm), secs(32));
    assert!(state.ui.overlay.is_none());
    let last = state.records.last().unwrap();
    assert_eq!(
        last.event.describe(),
        "queue up → degraded (set by the facilitator)"
    );
    let queue = state.world.index("queue").unwrap();
    assert_eq!(
        state.world.health[queue].state,
        crate::domain::Health::Degraded
    );
}

#[test]
fn a_tabletop_says_so_in_its_journal_and_scorecard() {
    let config = demo::config();
    let scenario = crate::config::parse_scenario(
        "t.toml",
        "title = \"Talk it through\"\ntype = \"tabletop\"\n[[inject]]\nat = \"5s\"\nmessage = \"The region is gone\"\n",
        Some(&config),
        None,
    )
    .unwrap();
    assert_eq!(scenario.kind, crate::domain::objective::DrillKind::Tabletop);
    let mut state = State::new(config.clone(), crate::state::Mode::Drill, "f".into(), t0());
    start(&mut state, scenario, t0());
    play(&mut state, Msg::Tick, secs(1));
    let start = drill::recorded(&state.records).unwrap();
    assert_eq!(start.kind, crate::domain::objective::DrillKind::Tabletop);
    let card = scorecard(&state).unwrap();
    assert!(
        card.to_markdown()
            .starts_with("## Drill scorecard: Talk it through (tabletop)")
    );
    let bad = crate::config::parse_scenario(
        "t.toml",
        "title = \"T\"\ntype = \"game day\"\n",
        Some(&config),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        bad.contains("game day") && bad.contains("tabletop"),
        "{bad}"
    );
}

#[test]
fn the_facilitator_setting_the_root_cause_up_brings_back_what_it_caused() {
    let mut state = region_outage();
    state.ui.screen = Screen::Drill;
    play(&mut state, Msg::Action(Action::SetState), secs(12));
    play(&mut state, Msg::Input("network".into()), secs(12));
    play(&mut state, Msg::Action(Action::NextChoice), secs(12));
    play(&mut state, Msg::Action(Action::NextChoice), secs(12));
    play(&mut state, Msg::Action(Action::Confirm), secs(12));
    let health = |id: &str| state.world.health[state.world.index(id).unwrap()].state;
    assert_eq!(health("network"), crate::domain::Health::Up);
    assert_eq!(
        health("checkout"),
        crate::domain::Health::Up,
        "{:?}",
        kinds(&state)
    );
    assert_eq!(health("cache"), crate::domain::Health::Degraded);
}

#[test]
fn checks_done_is_met_once_every_check_of_the_runbook_is_ticked() {
    let config = demo::config();
    let runbooks = demo::runbooks();
    let text = "title = \"T\"\n[[inject]]\nat = \"5s\"\ncomponent = \"db\"\nstate = \"down\"\n\
                [[objective]]\nchecks_done = \"db-failover\"\n";
    let scenario =
        crate::config::parse_scenario("t.toml", text, Some(&config), Some(&runbooks)).unwrap();
    let mut state = State::new(
        config.clone(),
        crate::state::Mode::Drill,
        "ic@host".into(),
        t0(),
    );
    state.runbooks = runbooks.clone();
    start(&mut state, scenario, t0());
    play(&mut state, Msg::Tick, secs(6));
    play(&mut state, Msg::Action(Action::Declare), secs(10));
    play(&mut state, Msg::Action(Action::Confirm), secs(10));
    state.ui.screen = crate::state::Screen::Runbooks;
    play(&mut state, Msg::Action(Action::Confirm), secs(11));
    let measured = |state: &State| {
        let card = scorecard(state).unwrap();
        (
            card.objectives[0].verdict,
            card.objectives[0].measured.clone(),
        )
    };
    for _ in 0..3 {
        play(&mut state, Msg::Action(Action::TickCheck), secs(12));
    }
    assert_eq!(
        measured(&state),
        (drill::Verdict::Open, "3 of 6 checks ticked".into())
    );
    for step in [1, 4] {
        while state.ui.stepper.map(|(_, s)| s) != Some(step) {
            play(&mut state, Msg::Action(Action::Down), secs(13));
        }
        for _ in 0..2 {
            play(&mut state, Msg::Action(Action::TickCheck), secs(13));
        }
    }
    assert_eq!(
        measured(&state),
        (drill::Verdict::Met, "6 of 6 checks ticked".into())
    );
    play(&mut state, Msg::Action(Action::UntickCheck), secs(14));
    assert_eq!(
        measured(&state),
        (drill::Verdict::Open, "5 of 6 checks ticked".into())
    );
    let bare = crate::runbook::parse(
        "bare.md",
        "+++\nid = \"bare\"\ntitle = \"B\"\n+++\n## Only\n",
    )
    .unwrap();
    let bad = crate::config::parse_scenario(
        "t.toml",
        &text.replace("db-failover", "bare"),
        Some(&config),
        Some(&[bare]),
    )
    .unwrap_err();
    assert!(
        bad.to_string()
            .contains("`checks_done = \"bare\"`: that runbook has no `- [ ]` checks"),
        "{bad}"
    );
}

/// A drill whose db (with what depends on it) fails at 5 s, declared at 10 s, with a runbook
/// whose only step expects the db up; the stepper is open on it.
fn expecting_drill(expect_recovers: bool) -> State {
    let config = demo::config();
    let runbook = crate::runbook::parse(
        "p.md",
        "+++\nid = \"promote\"\ntitle = \"P\"\ncomponents = [\"db\"]\n[expect]\n\"Promote\" = \"db up within 5m\"\n+++\n## Promote\n",
    )
    .unwrap();
    let text = format!(
        "title = \"T\"\nexpect_recovers = {expect_recovers}\n[[inject]]\nat = \"5s\"\ncomponent = \"db\"\nstate = \"down\"\ncascade = true\n"
    );
    let runbooks = [runbook];
    let scenario =
        crate::config::parse_scenario("t.toml", &text, Some(&config), Some(&runbooks)).unwrap();
    let mut state = State::new(config, crate::state::Mode::Drill, "ic@host".into(), t0());
    state.runbooks = runbooks.to_vec();
    start(&mut state, scenario, t0());
    play(&mut state, Msg::Tick, secs(6));
    play(&mut state, Msg::Action(Action::Declare), secs(10));
    play(&mut state, Msg::Action(Action::Confirm), secs(10));
    state.ui.screen = Screen::Runbooks;
    play(&mut state, Msg::Action(Action::Confirm), secs(11));
    state
}

#[test]
fn where_the_scenario_allows_a_step_done_brings_back_what_its_expect_wants_and_is_verified() {
    let health = |state: &State, id: &str| state.world.health[state.world.index(id).unwrap()].state;
    let mut plain = expecting_drill(false);
    play(&mut plain, Msg::Action(Action::MarkDone), secs(20));
    assert_eq!(
        health(&plain, "db"),
        Health::Down,
        "only where the scenario says so"
    );

    let mut state = expecting_drill(true);
    let before_mark = state.records.len();
    play(&mut state, Msg::Action(Action::MarkDone), secs(20));
    assert_eq!(health(&state, "db"), Health::Up);
    assert_eq!(health(&state, "api"), Health::Up, "with what it caused");
    play(&mut state, Msg::Tick, secs(21));
    assert!(
        state
            .records
            .iter()
            .any(|r| matches!(&r.event, Event::StepVerified { verified: true, .. })),
        "{:?}",
        kinds(&state)
    );

    // A crash right after the mark: the resumed drill brings the db back itself.
    let cut: Vec<Record> = state.records[..=before_mark].to_vec();
    assert_eq!(cut.last().unwrap().event.kind(), "step_marked");
    let mut resumed = expecting_drill(true);
    resumed.incident = None;
    resumed.records.clear();
    crate::update::resume(&mut resumed, cut).unwrap();
    play(&mut resumed, Msg::Tick, secs(22));
    assert_eq!(health(&resumed, "db"), Health::Up, "{:?}", kinds(&resumed));
}
