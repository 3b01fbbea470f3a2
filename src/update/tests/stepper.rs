use super::*;
use crate::domain::event::StepMark;
use crate::workers::process::{Ending, Outcome};
use crossterm::event::{KeyCode, KeyModifiers};

const RUNBOOK: &str = "+++\nid = \"db-fix\"\ntitle = \"Fix the database\"\ncomponents = [\"db\"]\n+++\n\n## Restart\n\n```sh {on_fail=\"stop\" expect=\"db up within 2m\"}\nsystemctl restart db\n```\n\n## After\n\n```sh\ntrue\n```\n";

pub(super) fn ready(now: DateTime<Utc>) -> State {
    let mut state = demo::state("ic@host", t0());
    state.runbooks = vec![crate::runbook::parse("rb.md", RUNBOOK).unwrap()];
    // A drill that allows commands.
    state.dry_run = false;
    run(&mut state, Msg::Tick, now);
    run(&mut state, Msg::Action(Action::Declare), now);
    run(&mut state, Msg::Input("DB".into()), now);
    run(&mut state, Msg::Action(Action::Confirm), now);
    state.console = Console::Live;
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

    // A component that was in the expected state all along verifies nothing.
    let mut state = ready(secs(30));
    state.world.set("db", Health::Up, None, secs(30));
    run(&mut state, Msg::Action(Action::Run), secs(31));
    finish(&mut state, Ending::Exited(0), secs(32));
    run(&mut state, Msg::Tick, secs(33));
    assert!(
        verdicts(&state).is_empty(),
        "up since before the step: no change seen"
    );
    run(&mut state, Msg::Tick, secs(160));
    assert_eq!(verdicts(&state), [false], "never reached by a change");
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
        wall: None,
        actor: "ic".into(),
        request: None,
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

const CHECKED: &str = "+++\nid = \"db-check\"\ntitle = \"Check the database\"\ncomponents = [\"db\"]\n+++\n\n## Confirm\n\n- [ ] The primary refuses connections\n- [ ] The replica is healthy\n\n## After\n\nDone.\n";

fn checked(now: DateTime<Utc>) -> State {
    let mut state = ready(now);
    state.runbooks = vec![crate::runbook::parse("rb.md", CHECKED).unwrap()];
    state.ui.stepper = Some((0, 0));
    state
}

fn ticked(state: &State) -> Vec<usize> {
    let progress = &state.incident.as_ref().unwrap().steps[&("db-check".to_owned(), 0)];
    progress.checks.keys().copied().collect()
}

#[test]
fn space_ticks_the_next_check_with_who_and_when_and_backspace_takes_it_back() {
    let mut state = checked(secs(30));
    let effects = run(
        &mut state,
        Msg::Key(Key::new(KeyCode::Char(' '), KeyModifiers::NONE)),
        secs(31),
    );
    assert!(
        matches!(
            &effects[..],
            [Effect::Append { event: Event::CheckTicked { check: 0, ticked: true, text, .. }, .. }]
                if text == "The primary refuses connections"
        ),
        "{effects:?}"
    );
    run(&mut state, Msg::Action(Action::TickCheck), secs(32));
    assert_eq!(ticked(&state), [0, 1]);
    let progress = &state.incident.as_ref().unwrap().steps[&("db-check".to_owned(), 0)];
    assert_eq!(progress.checks[&1], ("ic@host".to_owned(), secs(32)));
    run(&mut state, Msg::Action(Action::TickCheck), secs(33));
    assert_eq!(
        state.ui.flash.as_deref(),
        Some("Every check of this step is ticked")
    );
    run(
        &mut state,
        Msg::Key(Key::new(KeyCode::Backspace, KeyModifiers::NONE)),
        secs(34),
    );
    assert_eq!(ticked(&state), [0], "the last tick is taken back");
    assert!(
        state
            .records
            .iter()
            .any(|r| r.event.describe() == "db-check step 1 check unticked: The replica is healthy")
    );
    assert_eq!(
        Incident::fold(&state.records).unwrap(),
        *state.incident.as_ref().unwrap()
    );
}

#[test]
fn a_step_with_unticked_checks_asks_before_it_is_marked_done() {
    let mut state = checked(secs(30));
    run(&mut state, Msg::Action(Action::TickCheck), secs(31));
    let effects = run(&mut state, Msg::Action(Action::MarkDone), secs(32));
    assert!(effects.is_empty(), "{effects:?}");
    let dialog = state.dialog().unwrap();
    assert_eq!(dialog.kind, DialogKind::ConfirmDone);
    let prompt = crate::view::checklist::prompt(&state);
    assert!(
        prompt.contains("1 of 2 checks") && prompt.contains("[ ] The replica is healthy"),
        "{prompt}"
    );
    run(&mut state, Msg::Action(Action::Cancel), secs(33));
    assert!(
        state
            .records
            .iter()
            .all(|r| r.event.kind() != "step_marked"),
        "Esc marks nothing"
    );
    run(&mut state, Msg::Action(Action::MarkDone), secs(34));
    run(&mut state, Msg::Action(Action::Confirm), secs(34));
    let progress = &state.incident.as_ref().unwrap().steps[&("db-check".to_owned(), 0)];
    assert_eq!(progress.mark, Some(StepMark::Done));
    // A step whose checks are all ticked (or that has none) is marked at once.
    state.ui.stepper = Some((0, 1));
    let effects = run(&mut state, Msg::Action(Action::MarkDone), secs(35));
    assert_eq!(effects.len(), 1, "{effects:?}");
}

#[test]
fn a_destructive_command_runs_only_once_its_word_is_typed() {
    let mut state = ready(secs(30));
    let destroy = RUNBOOK.replace("systemctl restart db", "kubectl -n prod delete pod db-0");
    state.runbooks = vec![crate::runbook::parse("rb.md", &destroy).unwrap()];
    let kinds = |state: &State| {
        kinds_of(state)
            .iter()
            .filter(|k| *k == "step_started")
            .count()
    };
    assert!(run(&mut state, Msg::Action(Action::Run), secs(31)).is_empty());
    assert_eq!(
        state.dialog().unwrap().kind,
        DialogKind::ConfirmRun { destructive: true },
        "no confirm=true, yet it asks"
    );
    assert!(
        crate::view::runbooks::danger(&state, (0, 0, 0)) == Some(("kubectl delete", "db")),
        "the dialog names the pattern and the word"
    );
    run(&mut state, Msg::Action(Action::Confirm), secs(32));
    assert_eq!(kinds(&state), 0, "Enter alone does not run it");
    assert!(
        state
            .dialog()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("Type `db`")
    );
    run(&mut state, Msg::Input("db".into()), secs(33));
    run(&mut state, Msg::Action(Action::Confirm), secs(33));
    assert_eq!(kinds(&state), 1);
}

/// Applies `msg`, then journals what it asks to append, as the journal would: every effect
/// asked for along the way, journal writes answered.
fn journaled(state: &mut State, msg: Msg, now: DateTime<Utc>) -> Vec<Effect> {
    let mut out = Vec::new();
    for effect in update(state, msg, now) {
        match super::super::as_record(state, effect.clone()) {
            Some(record) => out.extend(update(state, Msg::Journaled(record), now)),
            None => out.push(effect),
        }
    }
    out
}

/// Runs the first step and presses `q`: the quit dialog, and the run's record.
fn quit_while_running(state: &mut State) -> u64 {
    run(state, Msg::Action(Action::Run), secs(31));
    let started = *state.live_runs.keys().next().unwrap();
    let effects = run(state, Msg::Action(Action::Quit), secs(32));
    assert!(effects.is_empty(), "q asks first: {effects:?}");
    assert_eq!(
        state.dialog().map(|d| d.kind),
        Some(DialogKind::ConfirmQuit)
    );
    assert!(
        run(state, Msg::Action(Action::Quit), secs(32)).is_empty(),
        "a second q neither quits nor stops anything"
    );
    started
}

#[test]
fn quitting_while_a_step_runs_stops_it_and_quits_once_its_end_is_journaled() {
    let mut state = ready(secs(30));
    let started = quit_while_running(&mut state);
    let effects = run(&mut state, Msg::Action(Action::Confirm), secs(33));
    assert_eq!(effects, [Effect::CancelRun { started }]);
    let outcome = Outcome {
        ending: Ending::Cancelled,
        duration: std::time::Duration::from_secs(3),
        tail: String::new(),
        dropped: 0,
        total: 0,
    };
    let effects = journaled(&mut state, Msg::RunFinished { started, outcome }, secs(36));
    assert_eq!(effects, [Effect::Quit]);
    assert!(matches!(
        &state.records.last().unwrap().event,
        Event::CommandFinished { outcome, .. } if outcome == "cancelled"
    ));
}

#[test]
fn quitting_while_a_step_runs_can_leave_it_running_journaled_so() {
    let mut state = ready(secs(30));
    let started = quit_while_running(&mut state);
    run(&mut state, Msg::Action(Action::NextChoice), secs(33));
    let effects = journaled(&mut state, Msg::Action(Action::Confirm), secs(33));
    assert_eq!(effects, [Effect::LeaveRunning, Effect::Quit]);
    assert!(matches!(
        &state.records.last().unwrap().event,
        Event::CommandFinished { started: s, outcome, .. }
            if *s == started && outcome == crate::view::runbooks::LEFT_RUNNING
    ));
    assert_eq!(
        crate::view::runbooks::status(&state, "db-fix", 0),
        crate::view::runbooks::StepStatus::LeftRunning
    );
}

#[test]
fn a_step_runs_once_across_the_room_and_the_refusal_names_who_started_it() {
    let mut state = ready(secs(30));
    let peer = |conn: u64, actor: &str| crate::msg::Peer {
        conn,
        id: conn,
        actor: actor.into(),
        key: None,
    };
    let start = Event::StepStarted {
        runbook: "db-fix".into(),
        step: 0,
        command: 0,
        script: String::new(),
    };
    // Two starts in one instant: the first goes to the journal, the second is refused.
    let asked = |conn, actor| Msg::Requested {
        peer: peer(conn, actor),
        event: start.clone(),
    };
    let first = update(&mut state, asked(1, "sam@h"), secs(31));
    let second = update(&mut state, asked(2, "lee@h"), secs(31));
    assert!(
        refused_with(&second).contains("Step 1 of db-fix is being started by sam@h"),
        "{second:?}"
    );
    // Journaled, it runs: refused with who and when, in the room and on the writer's keys.
    journal_for_peer(&mut state, first, secs(31));
    let third = update(&mut state, asked(3, "lee@h"), secs(40));
    let when = secs(31).format("%H:%M:%SZ").to_string();
    assert!(
        refused_with(&third).contains(&format!("already running: started by sam@h at {when}")),
        "{third:?}"
    );
    own_run_refused(&mut state, secs(41), "started by sam@h");
}

#[test]
fn two_requests_to_approve_one_step_are_one() {
    let mut state = ready(secs(30));
    state.runbooks = vec![
        crate::runbook::parse(
            "rb.md",
            &RUNBOOK.replace("```sh {on_fail", "```sh {approve=true on_fail"),
        )
        .unwrap(),
    ];
    let target = crate::domain::event::Approvable::Step {
        runbook: "db-fix".into(),
        step: 0,
        command: 0,
    };
    let ask = |conn: u64, actor: &str| Msg::Requested {
        peer: crate::msg::Peer {
            conn,
            id: conn,
            actor: actor.into(),
            key: None,
        },
        event: Event::ApprovalRequested {
            target: target.clone(),
            what: String::new(),
        },
    };
    let first = update(&mut state, ask(1, "sam@h"), secs(31));
    journal_for_peer(&mut state, first, secs(31));
    let second = update(&mut state, ask(2, "lee@h"), secs(32));
    assert!(
        refused_with(&second).contains("sam@h asked for approval of this already"),
        "{second:?}"
    );
    // The writer's own x says the same and asks nothing more.
    own_run_refused(
        &mut state,
        secs(33),
        "sam@h asked for approval of this already",
    );
}

/// The writer's own `x` runs nothing and says why.
fn own_run_refused(state: &mut State, now: DateTime<Utc>, says: &str) {
    let own = update(state, Msg::Action(Action::Run), now);
    assert!(own.is_empty(), "{own:?}");
    let flash = state.ui.flash.as_deref().unwrap_or_default();
    assert!(flash.contains(says), "{flash}");
}

/// The stepper's runbook with its first command needing a second person's approval.
fn needing_approval(now: DateTime<Utc>) -> State {
    let mut state = ready(now);
    let text = RUNBOOK.replace("```sh {on_fail", "```sh {approve=true on_fail");
    state.runbooks = vec![crate::runbook::parse("rb.md", &text).unwrap()];
    state
}

#[test]
fn a_request_for_approval_is_answered_to_the_asker_withdrawn_or_expires() {
    let mut state = needing_approval(secs(30));
    run(&mut state, Msg::Action(Action::Run), secs(31));
    let (request, _) = state.incident.as_ref().unwrap().pending_approval().unwrap();
    // Unanswered past [safety] approval_timeout (10 minutes): the writer's clock expires it.
    let ended = |effects: Vec<Effect>| -> Vec<Event> {
        effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::Append {
                    event: event @ Event::ApprovalWithdrawn { .. },
                    ..
                } => Some(event),
                _ => None,
            })
            .collect()
    };
    assert!(ended(run(&mut state, Msg::Tick, secs(600))).is_empty());
    assert_eq!(
        ended(run(&mut state, Msg::Tick, secs(631))),
        vec![Event::ApprovalWithdrawn {
            request,
            expired: true
        }]
    );
    assert!(
        state
            .incident
            .as_ref()
            .unwrap()
            .pending_approval()
            .is_none()
    );
    // Asked again, the asker's A offers to withdraw it.
    run(&mut state, Msg::Action(Action::Run), secs(640));
    run(&mut state, Msg::Action(Action::Approve), secs(641));
    assert_eq!(state.dialog().unwrap().labels[0], "Withdraw my request");
    let withdrawn = run(&mut state, Msg::Action(Action::Confirm), secs(642));
    assert!(
        matches!(
            &withdrawn[..],
            [Effect::Append {
                event: Event::ApprovalWithdrawn { expired: false, .. },
                ..
            }]
        ),
        "{withdrawn:?}"
    );
    // Asked a third time and approved by a second person: the asker is told, by whom.
    run(&mut state, Msg::Action(Action::Run), secs(650));
    let (request, _) = state.incident.as_ref().unwrap().pending_approval().unwrap();
    let answer = Msg::Requested {
        peer: crate::msg::Peer {
            conn: 1,
            id: 1,
            actor: "lee@h".into(),
            key: None,
        },
        event: Event::ApprovalGiven {
            request,
            approved: true,
            same_user: false,
        },
    };
    let given = update(&mut state, answer, secs(651));
    journal_for_peer(&mut state, given, secs(651));
    let flash = state.ui.flash.clone().unwrap_or_default();
    assert!(
        flash.starts_with("lee@h approved your request to run db-fix step 1"),
        "{flash}"
    );
}

#[test]
fn a_step_and_a_check_are_given_to_people_journaled_and_listed_as_who_is_on_what() {
    let mut state = checked(secs(30));
    run(
        &mut state,
        Msg::Key(Key::new(KeyCode::Char('@'), KeyModifiers::NONE)),
        secs(31),
    );
    let dialog = state.dialog().unwrap();
    assert_eq!(dialog.kind, DialogKind::Assign);
    assert_eq!(dialog.choices().len(), 3, "the step and its two checks");
    run(&mut state, Msg::Input("sam@jump-1".into()), secs(31));
    run(&mut state, Msg::Action(Action::Confirm), secs(31));
    assert_eq!(
        state.records.last().unwrap().event.describe(),
        "db-check step 1 given to sam@jump-1"
    );
    run(&mut state, Msg::Action(Action::Assign), secs(32));
    run(&mut state, Msg::Action(Action::NextChoice), secs(32));
    run(&mut state, Msg::Action(Action::NextChoice), secs(32));
    run(&mut state, Msg::Input("lee@jump-1".into()), secs(32));
    run(&mut state, Msg::Action(Action::Confirm), secs(32));
    let on_what: Vec<(String, String)> = crate::view::assignments::who_is_on_what(&state)
        .into_iter()
        .map(|o| (o.person, o.what))
        .collect();
    assert_eq!(
        on_what,
        [
            ("lee@jump-1".to_owned(), "db-check 1. check 2".to_owned()),
            (
                "sam@jump-1".to_owned(),
                format!("db-check 1. {}", state.runbooks[0].steps[0].title)
            ),
        ]
    );
    // A ticked check and a step done leave the list; taking back is journaled too.
    run(&mut state, Msg::Action(Action::TickCheck), secs(33));
    run(&mut state, Msg::Action(Action::TickCheck), secs(33));
    assert_eq!(crate::view::assignments::who_is_on_what(&state).len(), 1);
    run(&mut state, Msg::Action(Action::Assign), secs(34));
    run(&mut state, Msg::Input(String::new()), secs(34));
    run(&mut state, Msg::Action(Action::Confirm), secs(34));
    assert!(crate::view::assignments::who_is_on_what(&state).is_empty());
    assert_eq!(
        state.records.last().unwrap().event.describe(),
        "db-check step 1 taken back: nobody is on it"
    );
    let review = crate::update::review::generate(&state).unwrap();
    assert!(
        review.contains("db-check step 1 given to sam@jump-1 (by ic@host)"),
        "the review says who was on what:\n{review}"
    );
    assert_eq!(
        Incident::fold(&state.records).unwrap(),
        *state.incident.as_ref().unwrap()
    );
    // The writer checks a joined console's assignment as its own.
    let bad = Event::Assigned {
        runbook: "db-check".into(),
        step: 0,
        check: Some(9),
        to: Some("x".into()),
    };
    let refused = update(&mut state, asked(1, "sam@h", bad), secs(35));
    assert!(
        refused_with(&refused).contains("step 1 has no check 10"),
        "{refused:?}"
    );
}
