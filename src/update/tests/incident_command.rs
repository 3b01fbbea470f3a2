use super::*;
use crate::domain::event::Channel;
use crate::domain::incident::Delivery;
use crate::update::outbox;

pub(super) fn with_pagerduty() -> State {
    let mut state = demo::state("ic@host", t0());
    state.config.notify.pagerduty = Some(crate::config::notify::PagerDuty::new(
        crate::config::Secret::new("CANARY-routing-key"),
        crate::config::Secret::new("http://127.0.0.1:9/v2/enqueue"),
    ));
    state.config.notify.slack = None;
    // A drill that allows notifications.
    state.drill_mut().unwrap().engine.scenario.allow_notify = true;
    state
}

pub(super) fn declare_p1(state: &mut State, now: DateTime<Utc>) {
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

#[test]
fn declaring_records_the_targets_and_level_one_is_due() {
    let mut state = demo::state("ic@host", t0());
    declare_p1(&mut state, secs(30));
    let Event::Declared(declaration) = &state.records[0].event else {
        panic!("{:?}", kinds(&state));
    };
    let targets = &declaration.targets;
    let db = targets.iter().find(|t| t.component == "db").unwrap();
    assert_eq!((db.rto_secs, db.rpo_secs), (5 * 60, 5 * 60), "{db:?}");
    assert!(db.last_good.is_some(), "the demo's simulated copy is known");
    assert_eq!(targets.len(), state.config.components.len());
    let (_, standing) = crate::view::escalation::standing(&state).unwrap();
    assert_eq!((standing.due, standing.acknowledged), (Some(0), false));
    run(&mut state, Msg::Action(Action::Acknowledge), secs(40));
    let (_, standing) = crate::view::escalation::standing(&state).unwrap();
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
    let (_, standing) = crate::view::escalation::standing(&state).unwrap();
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
    state.console = Console::Live;
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
    let prompt = crate::view::escalation::confirm_prompt(&state, state.dialog().unwrap().kind);
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
    assert_eq!(trigger.payload["dedup_key"], outbox::dedup_key(incident, 0));
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
    // The database is still down: the first Enter warns and resolves nothing.
    run(&mut state, Msg::Action(Action::Confirm), secs(90));
    let warning = state.dialog().and_then(|d| d.error.clone()).unwrap();
    assert!(
        warning.starts_with("Primary database still DOWN")
            && warning.contains("Enter again resolves with"),
        "{warning}"
    );
    assert!(state.incident.as_ref().unwrap().is_open());
    run(&mut state, Msg::Action(Action::Confirm), secs(90));
    let incident = state.incident.as_ref().unwrap();
    assert!(!incident.is_open());
    assert!(
        incident.not_recovered.contains(&"db".to_owned()),
        "{:?}",
        incident.not_recovered
    );
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
    let due = crate::view::escalation::update_due(&state).unwrap();
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
        crate::view::escalation::update_due(&state).unwrap(),
        secs(2000) + TimeDelta::minutes(30)
    );
}

#[test]
fn a_console_without_the_pagers_secret_still_owes_its_pages_and_says_why_none_is_sent() {
    let mut state = with_pagerduty();
    state.config.notify.pagerduty = None;
    state.config.notify.left_out = vec![(Channel::Pagerduty, "PD_KEY".into())];
    declare_p1(&mut state, secs(30));
    run(&mut state, Msg::Action(Action::Page), secs(31));
    run(&mut state, Msg::Action(Action::Confirm), secs(31));
    let incident = state.incident.as_ref().unwrap();
    let trigger = incident
        .outbox
        .iter()
        .find(|o| o.channel == Channel::Pagerduty)
        .expect("the page is owed to PagerDuty, not only recorded");
    assert_eq!(trigger.payload["event_action"], "trigger");
    let why = state
        .config
        .notify
        .why_not_sent(Channel::Pagerduty)
        .unwrap();
    assert!(why.contains("PD_KEY is not set here"), "{why}");
    assert_eq!(state.config.notify.why_not_sent(Channel::Slack), None);
    assert!(!state.config.notify.owes(Channel::Slack));
    let queued = trigger.queued;
    run(
        &mut state,
        Msg::Delivered {
            queued,
            result: Err(why),
        },
        secs(32),
    );
    let failed = |state: &State| {
        let incident = state.incident.as_ref().unwrap();
        matches!(
            incident.outbound(queued).unwrap().delivery,
            Delivery::Failed { .. }
        )
    };
    assert!(failed(&state), "shown failed, never sent");
    let sends = |effects: Vec<Effect>| {
        effects
            .iter()
            .any(|e| matches!(e, Effect::Send { queued: q, .. } if *q == queued))
    };
    assert!(
        !sends(run(&mut state, Msg::Tick, secs(33))),
        "not tried again here before its backoff"
    );
    // The next writer has the secret: it sends at once, without waiting for the backoff.
    state.config.notify.left_out.clear();
    state.config.notify.pagerduty = with_pagerduty().config.notify.pagerduty;
    assert!(sends(run(&mut state, Msg::Tick, secs(34))));
}
