use chrono::{TimeDelta, TimeZone};

use super::*;
use crate::demo;
use crate::domain::event::{Event, Record};
use crate::domain::incident::Incident;
use crate::domain::{Health, Severity, Status};
use crate::keymap::{Action, Key};
use crate::state::{Console, DialogKind};
use crate::state::{JournalState, Screen, State};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn secs(n: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(n)
}

use super::play as run;

/// The reason of the one refusal among `effects`.
fn refused_with(effects: &[Effect]) -> String {
    match effects {
        [
            Effect::Answer {
                reply: crate::room::protocol::Reply::Refused { reason, .. },
                ..
            },
        ] => reason.clone(),
        other => panic!("not a refusal: {other:?}"),
    }
}

/// A request of a joined console's user `actor`, on connection `conn`.
fn asked(conn: u64, actor: &str, event: Event) -> Msg {
    Msg::Requested {
        peer: crate::msg::Peer {
            conn,
            id: conn,
            actor: actor.into(),
            key: None,
        },
        event,
    }
}

/// The writer journals what it was asked to, as its journal thread would.
fn journal_for_peer(state: &mut State, effects: Vec<Effect>, at: DateTime<Utc>) {
    let [Effect::AppendFor { event, peer, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    let record = Record {
        seq: state.records.len() as u64 + 1,
        at,
        wall: None,
        actor: peer.actor.clone(),
        request: None,
        event: event.clone(),
    };
    let peer = peer.clone();
    update(state, Msg::PeerJournaled { peer, record }, at);
}

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
        event: Event::Declared(declaration),
        ..
    } = &effects[0]
    else {
        panic!("expected a declaration, got {effects:?}");
    };
    let (outages, drill) = (&declaration.outages, &declaration.drill);
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
    assert_eq!(incident.notes, 1);
    assert!(state.records.iter().any(
        |r| matches!(&r.event, Event::NoteAdded { text, .. } if text == "restarted pgbouncer")
    ));
    assert_eq!(incident.severity, Severity::P2);
    assert_eq!(incident.status, Status::Identified);
    assert_eq!(incident.roles.scribe.as_deref(), Some("sam"));
    assert_eq!(
        state.records.len(),
        5,
        "five changes; the declaration carries the drill and the targets"
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
    // Step 1 has checks, so `d` asks first.
    typed(&mut state, "d", secs(31));
    run(&mut state, Msg::Action(Action::Confirm), secs(31));
    typed(&mut state, "js", secs(31));
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

mod incident_command;
mod room_requests;

mod alerts;
mod board;
mod crash;
mod filter;
mod stepper;

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
    let note = state.incident.as_ref().unwrap().step_notes.last().unwrap();
    assert_eq!(note.step, ("x".to_owned(), 1));
    assert_eq!(
        state.records.last().unwrap().event.describe(),
        "Note on x step 2: replica lag was 4 s"
    );
}

#[test]
fn a_review_saved_while_open_states_the_resolution_and_keeps_what_was_written() {
    let mut state = declared(secs(30));
    run(&mut state, Msg::Action(Action::Review), secs(40));
    let draft = state.ui.review.as_ref().unwrap().text.clone();
    assert!(draft.contains("still open"), "{draft}");
    let written = draft.replacen(
        "_To be written: what happened, who was affected, how it was resolved._",
        "The primary died; we failed over.",
        1,
    );
    run(&mut state, Msg::ReviewEdited(written), secs(41));
    run(&mut state, Msg::Action(Action::Save), secs(42));
    state.ui.screen = Screen::Dashboard;
    run(&mut state, Msg::Action(Action::Resolve), secs(100));
    run(&mut state, Msg::Input("failed over".into()), secs(100));
    run(&mut state, Msg::Action(Action::Confirm), secs(100));
    run(&mut state, Msg::Action(Action::Confirm), secs(100));
    let shown = state.ui.review.as_ref().unwrap().text.clone();
    assert!(!shown.contains("still open"), "{shown}");
    assert!(
        shown.contains("The primary died; we failed over."),
        "{shown}"
    );
    run(&mut state, Msg::Tick, secs(110));
    let saved = state.incident.as_ref().unwrap().review.clone().unwrap();
    assert_eq!(saved, shown, "saved again after the resolution");
    assert!(!crate::review::saved_before_resolution(
        state.incident.as_ref().unwrap(),
        &state.records
    ));
}

#[test]
fn the_newest_good_copy_of_any_backup_stream_is_the_recovery_point_and_is_journaled_once() {
    let mut state = declared(secs(30));
    let db = state.world.index("db").unwrap();
    let first = state.config.components[db].backups[0].clone();
    state.config.components[db].backups = ["full", "wal", "config"]
        .iter()
        .map(|name| crate::config::Backup {
            name: (*name).to_owned(),
            every: None,
            ..first.clone()
        })
        .collect();
    state.backups[db] = vec![None, None, None];
    let reading = |state: &mut State, stream, reading| {
        let msg = Msg::RecoveryPoint {
            index: db,
            stream,
            reading,
        };
        run(state, msg, secs(40))
    };
    let copies = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Effect::Append {
                        event: Event::RecoveryPoint { .. },
                        ..
                    }
                )
            })
            .count()
    };
    assert_eq!(copies(&reading(&mut state, 2, Err("timed out".into()))), 0);
    assert_eq!(state.recovery[db], Some(Err("config: timed out".into())));
    assert_eq!(copies(&reading(&mut state, 1, Ok(secs(-60)))), 1);
    assert_eq!(
        copies(&reading(&mut state, 0, Ok(secs(-600)))),
        0,
        "an older stream changes nothing"
    );
    assert_eq!(
        state.recovery[db],
        Some(Ok(secs(-60))),
        "the failing stream does not hide it"
    );
    assert_eq!(
        state.incident.as_ref().unwrap().copies["db"].last(),
        Some(&secs(-60))
    );
}

#[test]
fn a_template_prefills_the_update_never_replaces_typed_text_and_is_named_in_the_journal() {
    let mut state = declared(secs(30));
    run(&mut state, Msg::Action(Action::Update), secs(40));
    assert_eq!(
        state.dialog().unwrap().choices(),
        ["(type your own)", "Critical incident"]
    );
    run(&mut state, Msg::Action(Action::NextChoice), secs(40));
    let text = state.dialog().unwrap().field.text.clone();
    assert!(
        text.starts_with("P1 Checkout failing (investigating, 10s since 03:00:30Z). Affected: "),
        "{text}"
    );
    assert!(
        text.contains("Next update by 03:30:30Z. IC ic@host."),
        "{text}"
    );
    run(&mut state, Msg::Action(Action::PrevChoice), secs(40));
    assert_eq!(
        state.dialog().unwrap().field.text,
        "",
        "own words: empty again"
    );
    run(&mut state, Msg::Input("db is back".into()), secs(41));
    run(&mut state, Msg::Action(Action::NextChoice), secs(41));
    assert_eq!(
        state.dialog().unwrap().field.text,
        "db is back",
        "typed text stays"
    );
    let effects = run(&mut state, Msg::Action(Action::Confirm), secs(42));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Append {
            event: Event::UpdatePosted { text, template: Some(t) }, ..
        } if text == "db is back" && t == "Critical incident")),
        "{effects:?}"
    );
}

#[test]
fn the_resolve_dialog_offers_its_own_templates() {
    let mut state = declared(secs(30));
    run(&mut state, Msg::Action(Action::Resolve), secs(90));
    assert_eq!(
        state.dialog().unwrap().choices(),
        ["(type your own)", "Recovery complete"]
    );
    run(&mut state, Msg::Action(Action::NextChoice), secs(90));
    let text = state.dialog().unwrap().field.text.clone();
    assert!(text.starts_with("Recovered after 1m00s. "), "{text}");
    assert!(text.contains(" of RTO "), "{text}");
}

#[test]
fn a_configured_role_is_offered_taken_journaled_and_shown() {
    let mut state = declared(secs(30));
    state
        .config
        .roles
        .push(crate::domain::Role::new("technical lead"));
    run(&mut state, Msg::Action(Action::Roles), secs(40));
    assert_eq!(
        state.dialog().unwrap().choices(),
        ["commander", "scribe", "comms", "technical lead"]
    );
    for _ in 0..3 {
        run(&mut state, Msg::Action(Action::NextChoice), secs(40));
    }
    run(&mut state, Msg::Input("lee".into()), secs(40));
    run(&mut state, Msg::Action(Action::Confirm), secs(41));
    let roles = &state.incident.as_ref().unwrap().roles;
    assert_eq!(
        roles.holder(&crate::domain::Role::new("Technical Lead")),
        Some("lee")
    );
    assert!(
        roles.describe().ends_with(" · technical lead lee"),
        "{}",
        roles.describe()
    );
    let line = state
        .records
        .iter()
        .rev()
        .find(|r| r.event.kind() == "role_assigned")
        .map(|r| serde_json::to_string(&r.event).unwrap())
        .unwrap();
    assert!(line.contains("\"role\":\"technical lead\""), "{line}");
}
