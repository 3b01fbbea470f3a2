//! Requests from joined consoles as the writer answers them, and what a joined console does
//! with the room's records: one at a time, authority by role, the team's review, takeovers.

use super::incident_command::{declare_p1, with_pagerduty};
use super::stepper::ready;
use super::*;
use crate::domain::event::Channel;
use crate::update::outbox;

/// The writer journals the request: one record for the peer, nothing else.
fn assert_accepted(effects: &[Effect]) {
    assert!(matches!(effects, [Effect::AppendFor { .. }]), "{effects:?}");
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
    assert_accepted(&later);
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
    assert_accepted(&later);
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
    assert_accepted(&accepted);
    // A handover is said on the chat channel.
    let handover = Event::HandedOver {
        to: "ic@host".into(),
        summary: String::new(),
    };
    let effects = update(&mut state, asked(3, "sam@h", handover), secs(43));
    assert_accepted(&effects);
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

#[test]
fn a_joined_console_shows_the_writers_samples_and_a_writer_takes_none() {
    use crate::room::protocol::Reading;
    let down = |component: &str| {
        Msg::Relayed(Reading::Sample {
            component: component.into(),
            sample: crate::domain::health::Sample {
                at: t0(),
                health: Health::Down,
                latency: None,
                detail: Some("refused".into()),
                reading: None,
            },
        })
    };
    let mut writer = demo::state("ic@host", t0());
    let index = writer.world.index("db").unwrap();
    let before = writer.world.health[index].state;
    assert!(!before.is_failing(), "{before:?}");
    update(&mut writer, down("db"), t0());
    assert_eq!(
        writer.world.health[index].state, before,
        "a writer probes itself"
    );
    let mut joined = demo::state("ic@host", t0());
    joined.console = Console::Joined;
    for _ in 0..5 {
        update(&mut joined, down("db"), t0());
        update(&mut joined, down("not-in-this-config"), t0());
    }
    assert!(joined.world.health[index].state.is_failing());
}

#[test]
fn a_takeover_cuts_off_only_the_commands_the_gone_writer_had_started() {
    let mut state = ready(secs(30));
    run(&mut state, Msg::Action(Action::Run), secs(31));
    let started = state.records.last().unwrap().seq;
    state.live_runs.clear();
    let cut = |state: &State| crate::update::runbooks::interrupted(state, secs(40)).len();
    state.took_over_from = Some(("ic@host".into(), started));
    assert_eq!(cut(&state), 1, "the gone writer's own run");
    // The same user's console, opened again after the takeover, runs its commands on.
    state.took_over_from = Some(("ic@host".into(), started - 1));
    assert_eq!(cut(&state), 0);
    state.took_over_from = Some(("sam@h".into(), started));
    assert_eq!(
        cut(&state),
        0,
        "another person's run goes on in their console"
    );
}
