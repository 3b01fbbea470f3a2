use super::*;
use crate::domain::event::Channel;
use crate::domain::incident::Delivery;
use crate::update::outbox;

fn with_pagerduty() -> State {
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
fn a_member_cannot_hand_command_to_themself_with_a_crafted_request() {
    let mut state = demo::state("ic@host", t0());
    declare_p1(&mut state, secs(30));
    let peer = crate::msg::Peer {
        conn: 1,
        id: 7,
        actor: "mallory@host".into(),
        key: None,
    };
    let event = Event::HandedOver {
        to: "mallory@host".into(),
        summary: String::new(),
    };
    let effects = update(&mut state, Msg::Requested { peer, event }, secs(40));
    assert!(
        matches!(&effects[..], [Effect::Answer { reply: crate::room::protocol::Reply::Refused { reason, .. }, .. }]
            if reason.contains("only the commander (ic@host) hands command over")),
        "{effects:?}"
    );
}

#[test]
fn a_level_is_paged_once_unless_the_asker_knows_it_was_paged() {
    let mut state = with_pagerduty();
    declare_p1(&mut state, secs(30));
    let page = |again| Event::Paged {
        level: 0,
        contacts: Vec::new(),
        pagerduty: None,
        again,
    };
    // Two pages asked in one instant: the second is refused, naming the first.
    let first = update(&mut state, asked(1, "sam@h", page(false)), secs(31));
    let second = update(&mut state, asked(2, "lee@h", page(false)), secs(31));
    assert!(
        refused_with(&second).contains("Level 1 is being paged by sam@h this moment"),
        "{second:?}"
    );
    journal_for_peer(&mut state, first, secs(31));
    // Within the minute: refused unless asked knowingly; the writer's own p asks first.
    let third = update(&mut state, asked(3, "lee@h", page(false)), secs(43));
    assert!(
        refused_with(&third).contains("Level 1 was paged by sam@h 12 s ago"),
        "{third:?}"
    );
    let knowingly = update(&mut state, asked(4, "lee@h", page(true)), secs(44));
    assert!(
        matches!(
            &knowingly[..],
            [Effect::AppendFor {
                event: Event::Paged { again: true, .. },
                ..
            }]
        ),
        "{knowingly:?}"
    );
    journal_for_peer(&mut state, knowingly, secs(44));
    state.config.confirm_page = false;
    let own = update(&mut state, Msg::Action(Action::Page), secs(45));
    assert!(
        own.is_empty(),
        "asked first, even with confirm_page = false: {own:?}"
    );
    let prompt =
        crate::view::escalation::confirm_prompt(&state, DialogKind::ConfirmPage { level: 0 });
    assert!(
        prompt.starts_with("Paged by lee@h 1 s ago: page again?"),
        "{prompt}"
    );
    // After the minute, a page is a page.
    state.ui.overlay = None;
    let later = update(&mut state, asked(5, "lee@h", page(false)), secs(105));
    assert!(
        matches!(&later[..], [Effect::AppendFor { .. }]),
        "{later:?}"
    );
}

#[test]
fn a_review_the_writer_refuses_is_not_shown_as_saved() {
    let mut state = with_pagerduty();
    declare_p1(&mut state, secs(30));
    state.console = Console::Joined;
    run(&mut state, Msg::Action(Action::Review), secs(40));
    let draft = state.ui.review.as_ref().unwrap().text.clone();
    run(
        &mut state,
        Msg::ReviewEdited(format!("{draft}\nOurs.\n")),
        secs(41),
    );
    let asked = update(&mut state, Msg::Action(Action::Save), secs(42));
    assert!(
        matches!(
            &asked[..],
            [Effect::Append {
                event: Event::ReviewSaved { .. },
                ..
            }]
        ),
        "{asked:?}"
    );
    assert!(
        !crate::view::review::unsaved(&state),
        "saved, as far as this console knows"
    );
    let refused = Msg::Answered {
        id: 1,
        result: Err("the review is over 256 KiB".into()),
    };
    update(&mut state, refused, secs(43));
    assert!(
        crate::view::review::unsaved(&state),
        "not saved: the writer refused"
    );
}

#[test]
fn the_commander_resolves_from_a_joined_console_and_nobody_else_does() {
    let mut state = with_pagerduty();
    declare_p1(&mut state, secs(30));
    let resolve = Event::Resolved {
        summary: Some("failed over".into()),
        not_recovered: Vec::new(),
        template: None,
    };
    let refused = update(&mut state, asked(1, "sam@h", resolve.clone()), secs(40));
    assert!(
        refused_with(&refused).contains("only the commander (ic@host) resolves the incident"),
        "{refused:?}"
    );
    state.incident.as_mut().unwrap().roles.commander = "sam@h".into();
    let accepted = update(&mut state, asked(2, "sam@h", resolve), secs(41));
    let still_down: Vec<String> = crate::view::escalation::not_up(&state)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert!(
        matches!(&accepted[..], [Effect::AppendFor { event: Event::Resolved { not_recovered, .. }, .. }] if *not_recovered == still_down),
        "the writer says what is still down: {accepted:?}"
    );
}

#[test]
fn nobody_takes_command_from_a_commander_in_the_room() {
    let mut state = with_pagerduty();
    declare_p1(&mut state, secs(30));
    run(&mut state, Msg::RoomOpened, secs(31));
    let role = |person: &str| Event::RoleAssigned {
        role: crate::domain::Role::commander(),
        person: person.into(),
    };
    // The writing console's commander is in the room: a member is told to ask for a handover.
    let taken = update(&mut state, asked(1, "sam@h", role("sam@h")), secs(40));
    assert!(
        refused_with(&taken)
            .contains("ic@host is the commander and in the room: ask them to hand over"),
        "{taken:?}"
    );
    // A commander who left the room may be replaced five minutes later, not sooner.
    state.incident.as_mut().unwrap().roles.commander = "dana@h".into();
    let left_at = secs(100);
    state
        .incident
        .as_mut()
        .unwrap()
        .left
        .insert("dana@h".into(), left_at);
    let early = update(&mut state, asked(2, "sam@h", role("sam@h")), secs(160));
    assert!(
        refused_with(&early).contains("dana@h left the room at"),
        "{early:?}"
    );
    let later = update(&mut state, asked(3, "sam@h", role("sam@h")), secs(401));
    assert!(
        matches!(&later[..], [Effect::AppendFor { .. }]),
        "{later:?}"
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

#[test]
fn the_review_is_the_teams_latest_saved_text_autosaved_everywhere_and_editable_after_resolution() {
    let mut state = with_pagerduty();
    declare_p1(&mut state, secs(30));
    run(&mut state, Msg::Action(Action::Review), secs(31));
    // sam saves from a joined console: the writer's screen shows sam's text at once.
    let draft = state.ui.review.as_ref().unwrap().text.clone();
    let sams = format!("{draft}\nsam: the primary's disk filled.\n");
    let save = |text: &str| Event::ReviewSaved { text: text.into() };
    let effects = update(&mut state, asked(1, "sam@h", save(&sams)), secs(40));
    journal_for_peer(&mut state, effects, secs(40));
    assert_eq!(state.ui.review.as_ref().unwrap().text, sams);
    // Resolved: the team may still save the review, and nothing else.
    state.incident.as_mut().unwrap().roles.commander = "ic@host".into();
    run(&mut state, Msg::Action(Action::Resolve), secs(90));
    run(&mut state, Msg::Action(Action::Confirm), secs(90));
    run(&mut state, Msg::Action(Action::Confirm), secs(90));
    assert!(!state.incident.as_ref().unwrap().is_open());
    let lees = format!("{sams}\nlee: add disk alerts.\n");
    let after = update(&mut state, asked(2, "lee@h", save(&lees)), secs(100));
    journal_for_peer(&mut state, after, secs(100));
    assert_eq!(
        state.incident.as_ref().unwrap().review.as_deref(),
        Some(lees.as_str())
    );
    assert_eq!(state.records.last().unwrap().actor, "lee@h");
    let note = Event::NoteAdded {
        text: "late".into(),
        step: None,
    };
    let refused = update(&mut state, asked(3, "lee@h", note), secs(101));
    assert!(
        refused_with(&refused).contains("the incident is resolved: only its review"),
        "{refused:?}"
    );
    // Who comes and goes while the review is written is journaled too.
    let hello = Msg::RoomHello {
        conn: 9,
        actor: "kim@h".into(),
        after: 0,
    };
    let joined = update(&mut state, hello, secs(102));
    assert!(
        joined.iter().any(|e| matches!(e, Effect::AppendAs { event: Event::RoomJoined, actor, .. } if actor == "kim@h")),
        "{joined:?}"
    );
    // A joined console saves its own typing a few seconds after the last key.
    state.console = Console::Joined;
    run(
        &mut state,
        Msg::ReviewEdited(format!("{lees}\nmine\n")),
        secs(110),
    );
    let saved = |effects: &[Effect]| {
        effects.iter().any(|e| {
            matches!(e, Effect::Append { event: Event::ReviewSaved { text }, .. } if text.ends_with("mine\n"))
        })
    };
    assert!(!saved(&update(&mut state, Msg::Tick, secs(111))));
    assert!(
        saved(&update(&mut state, Msg::Tick, secs(114))),
        "autosaved"
    );
}

#[test]
fn in_a_room_only_the_commander_changes_the_severity_and_each_new_commander_is_announced() {
    let mut state = with_pagerduty();
    state.config.notify.slack = Some(crate::config::Secret::new("http://127.0.0.1:9/slack"));
    declare_p1(&mut state, secs(30));
    run(&mut state, Msg::RoomOpened, secs(31));
    let lower = Event::SeverityChanged {
        from: Severity::P1,
        to: Severity::P2,
    };
    let refused = update(&mut state, asked(1, "sam@h", lower.clone()), secs(40));
    assert!(
        refused_with(&refused).contains("only the commander (ic@host) changes the severity"),
        "{refused:?}"
    );
    // In the room, the writer's own console is no exception once command moved.
    state
        .incident
        .as_mut()
        .unwrap()
        .present
        .insert("sam@h".into(), 1);
    state.incident.as_mut().unwrap().roles.commander = "sam@h".into();
    run(&mut state, Msg::Action(Action::Severity), secs(41));
    run(&mut state, Msg::Action(Action::NextChoice), secs(41));
    run(&mut state, Msg::Action(Action::Confirm), secs(41));
    let error = state
        .dialog()
        .and_then(|d| d.error.clone())
        .unwrap_or_default();
    assert!(
        error.contains("only the commander (sam@h) changes the severity"),
        "{error}"
    );
    state.ui.overlay = None;
    let accepted = update(&mut state, asked(2, "sam@h", lower), secs(42));
    assert!(
        matches!(&accepted[..], [Effect::AppendFor { .. }]),
        "{accepted:?}"
    );
    // A handover is said on the chat channel.
    let handover = Event::HandedOver {
        to: "ic@host".into(),
        summary: String::new(),
    };
    let effects = update(&mut state, asked(3, "sam@h", handover), secs(43));
    assert!(
        matches!(&effects[..], [Effect::AppendFor { .. }]),
        "{effects:?}"
    );
    journal_for_peer(&mut state, effects, secs(43));
    let owed = outbox::after_record(&state, state.records.last().unwrap(), secs(43));
    let said = owed.iter().any(|e| {
        matches!(e, Effect::Append { event: Event::NotifyQueued { channel: Channel::Slack, payload, .. }, .. }
            if payload["text"].as_str().unwrap_or_default().ends_with("ic@host is the commander now"))
    });
    assert!(said, "{owed:?}");
}

#[test]
fn a_joined_console_takes_a_resolved_incident_over_unless_its_writer_moved_to_a_new_one() {
    let resolved = || {
        let mut state = with_pagerduty();
        declare_p1(&mut state, secs(30));
        run(&mut state, Msg::Action(Action::Resolve), secs(40));
        run(&mut state, Msg::Action(Action::Confirm), secs(40));
        run(&mut state, Msg::Action(Action::Confirm), secs(40));
        assert!(!state.incident.as_ref().unwrap().is_open());
        // A real incident's joined console (the demo's is a drill's).
        state.console = Console::Joined;
        state.mode = crate::state::Mode::Live;
        state.incident.as_mut().unwrap().drill = false;
        state
    };
    let mut quit = resolved();
    let effects = update(
        &mut quit,
        Msg::RoomClosed("the writing console quit".into()),
        secs(50),
    );
    assert!(matches!(&effects[..], [Effect::FindWriter]), "{effects:?}");
    let mut moved = resolved();
    let reason = crate::room::protocol::NEW_INCIDENT.to_owned();
    let effects = update(&mut moved, Msg::RoomClosed(reason), secs(50));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(moved.viewer().is_some(), "shown read-only");
    assert!(
        moved
            .ui
            .flash
            .as_deref()
            .unwrap()
            .contains("`warroom join` joins it")
    );
}
