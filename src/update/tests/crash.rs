//! The exhaustive crash-point test: for recorded incidents, a resume from every prefix of the
//! journal reaches the obligations of a console that never stopped.

use std::collections::VecDeque;

use super::*;
use crate::domain::event::Channel;
use crate::domain::incident::Delivery;
use crate::state::Screen;
use crate::update::command;
use crate::workers::process::{Ending, Outcome};

/// A console with every channel configured (nothing is contacted: deliveries are answered here).
fn notifying() -> State {
    let mut state = demo::state("ic@host", t0());
    let secret = |s: &str| crate::config::Secret::new(s);
    state.config.notify.pagerduty = Some(crate::config::notify::PagerDuty {
        routing_key: secret("routing-key"),
        url: secret("http://127.0.0.1:9/v2/enqueue"),
    });
    state.config.notify.slack = Some(secret("http://127.0.0.1:9/slack"));
    state.config.notify.webhook = Some(secret("http://127.0.0.1:9/hook"));
    state.console = Console::Live;
    state.dry_run = false;
    state.runbooks.push(
        crate::runbook::parse(
            "runbooks/db-failover.md",
            include_str!("../../../runbooks/db-failover.md"),
        )
        .unwrap(),
    );
    state
}

/// What a run of the console did: every effect asked for, and the incident after each record.
#[derive(Default)]
struct Run {
    effects: Vec<Effect>,
    after: Vec<crate::domain::incident::Incident>,
}

impl Run {
    /// `update`, with every journal write confirmed at once, as `play` does.
    fn msg(&mut self, state: &mut State, msg: Msg, now: DateTime<Utc>) {
        let mut pending: VecDeque<Effect> = update(state, msg, now).into();
        while let Some(effect) = pending.pop_front() {
            self.effects.push(effect.clone());
            if let Some(record) = as_record(state, effect) {
                pending.extend(update(state, Msg::Journaled(record), now));
                self.after.push(state.incident.clone().unwrap());
            }
        }
    }

    /// Journals an event as if this console had asked for it.
    fn journal(&mut self, state: &mut State, event: Event, now: DateTime<Utc>) {
        let record = as_record(state, Effect::Append { at: now, event }).unwrap();
        self.msg(state, Msg::Journaled(record), now);
        self.after.push(state.incident.clone().unwrap());
    }

    fn action(&mut self, state: &mut State, action: Action, now: DateTime<Utc>) {
        self.msg(state, Msg::Action(action), now);
    }

    /// Ticks, answering every send as delivered, until nothing more happens; the `PagerDuty`
    /// events sent.
    fn deliver(&mut self, state: &mut State, now: DateTime<Utc>) -> Vec<(String, String)> {
        let mut sent = Vec::new();
        for _ in 0..10 {
            let before = self.effects.len();
            let records = state.records.len();
            self.msg(state, Msg::Tick, now);
            let sends: Vec<(u64, Channel, serde_json::Value)> = self.effects[before..]
                .iter()
                .filter_map(|e| match e {
                    Effect::Send {
                        queued,
                        channel,
                        payload,
                    } => Some((*queued, *channel, payload.clone())),
                    _ => None,
                })
                .collect();
            if sends.is_empty() && state.records.len() == records {
                break;
            }
            for (queued, channel, payload) in sends {
                if channel == Channel::Pagerduty {
                    sent.push((
                        payload["dedup_key"].as_str().unwrap().to_owned(),
                        payload["event_action"].as_str().unwrap().to_owned(),
                    ));
                }
                let result = Ok(());
                self.msg(state, Msg::Delivered { queued, result }, now);
            }
        }
        sent
    }

    /// Ends the command the last `step_started` or `recovery_started` record started.
    fn finish_command(&mut self, state: &mut State, now: DateTime<Utc>) {
        let started = state
            .records
            .iter()
            .rev()
            .find(|r| {
                matches!(
                    r.event,
                    Event::StepStarted { .. } | Event::RecoveryStarted { .. }
                )
            })
            .unwrap()
            .seq;
        let outcome = Outcome {
            ending: Ending::Exited(0),
            duration: std::time::Duration::from_secs(2),
            tail: "ok".into(),
            dropped: 0,
            total: 2,
        };
        self.msg(state, Msg::RunFinished { started, outcome }, now);
    }
}

/// An incident worked end to end: declare P2, page, acknowledge, raise to P1, page again, a
/// note, a recovery action, a runbook step, the review saved, resolved.
fn worked_incident() -> (State, Run) {
    let mut state = notifying();
    let mut run = Run::default();
    state
        .world
        .set("db", Health::Down, Some("refused".into()), secs(20));
    run.msg(&mut state, Msg::Tick, secs(30));
    run.action(&mut state, Action::Declare, secs(30));
    run.msg(&mut state, Msg::Input("Payments down".into()), secs(30));
    run.action(&mut state, Action::NextChoice, secs(30));
    run.action(&mut state, Action::Confirm, secs(30));
    assert_eq!(state.incident.as_ref().unwrap().severity, Severity::P2);
    run.action(&mut state, Action::Page, secs(31));
    run.action(&mut state, Action::Confirm, secs(31));
    run.deliver(&mut state, secs(32));
    run.action(&mut state, Action::Acknowledge, secs(40));
    run.action(&mut state, Action::Confirm, secs(40));
    run.action(&mut state, Action::Severity, secs(50));
    run.action(&mut state, Action::PrevChoice, secs(50));
    run.action(&mut state, Action::Confirm, secs(50));
    assert_eq!(state.incident.as_ref().unwrap().severity, Severity::P1);
    run.action(&mut state, Action::Page, secs(60));
    run.action(&mut state, Action::Confirm, secs(60));
    run.action(&mut state, Action::Note, secs(61));
    run.msg(&mut state, Msg::Input("failing over".into()), secs(61));
    run.action(&mut state, Action::Confirm, secs(61));
    let db = state.world.index("db").unwrap();
    state.ui.list_mut(Screen::Dashboard).selected = state
        .dashboard_rows()
        .iter()
        .position(|&i| i == db)
        .unwrap();
    run.action(&mut state, Action::Recover, secs(65));
    run.action(&mut state, Action::Confirm, secs(65));
    run.msg(&mut state, Msg::Input("db".into()), secs(65));
    run.action(&mut state, Action::Confirm, secs(65));
    run.finish_command(&mut state, secs(70));
    state.ui.screen = Screen::Runbooks;
    run.action(&mut state, Action::Confirm, secs(75));
    run.action(&mut state, Action::Down, secs(75));
    run.action(&mut state, Action::Run, secs(75));
    if state.dialog().is_some() {
        run.action(&mut state, Action::Confirm, secs(75));
    }
    run.finish_command(&mut state, secs(80));
    state.ui.stepper = None;
    run.action(&mut state, Action::Review, secs(85));
    run.action(&mut state, Action::Save, secs(85));
    run.deliver(&mut state, secs(90));
    state.ui.screen = Screen::Dashboard;
    run.action(&mut state, Action::Resolve, secs(100));
    run.msg(&mut state, Msg::Input("failed over".into()), secs(100));
    run.action(&mut state, Action::Confirm, secs(100));
    run.deliver(&mut state, secs(101));
    (state, run)
}

/// A drill whose pager fails: paged while failing, then working again and paged once more.
fn drill_with_failing_pager() -> (State, Run) {
    let mut state = notifying();
    state.console = demo::state("ic@host", t0()).console;
    state.drill_mut().unwrap().engine.scenario.allow_notify = true;
    state.dry_run = true;
    let mut run = Run::default();
    run.msg(&mut state, Msg::Tick, secs(30));
    run.action(&mut state, Action::Declare, secs(30));
    run.action(&mut state, Action::Confirm, secs(30));
    run.journal(&mut state, Event::Pager { failing: true }, secs(35));
    run.action(&mut state, Action::Page, secs(40));
    run.action(&mut state, Action::Confirm, secs(40));
    run.deliver(&mut state, secs(41));
    run.journal(&mut state, Event::Pager { failing: false }, secs(50));
    run.deliver(&mut state, secs(400));
    run.action(&mut state, Action::Resolve, secs(500));
    run.msg(&mut state, Msg::Input("drill over".into()), secs(500));
    run.action(&mut state, Action::Confirm, secs(500));
    run.deliver(&mut state, secs(501));
    (state, run)
}

/// Pages of `incident` sent, by dedup key.
fn sent_triggers(incident: &crate::domain::incident::Incident) -> Vec<String> {
    incident
        .outbox
        .iter()
        .filter(|o| matches!(o.delivery, Delivery::Sent { .. }))
        .filter(|o| o.payload["event_action"] == "trigger")
        .map(|o| o.payload["dedup_key"].as_str().unwrap().to_owned())
        .collect()
}

/// One resume from a prefix: the state resumed, what it did after, and the pages it sent.
struct Resumed<'a> {
    cut: usize,
    prefix: &'a [Record],
    folded: crate::domain::incident::Incident,
    state: State,
    after: Run,
    sent: Vec<(String, String)>,
}

/// Resumes from every prefix of the run's journal and checks what the resumed console does.
fn every_prefix(live: &State, run: &Run, fresh: impl Fn() -> State) {
    let journal = &live.records;
    assert_eq!(run.after.len(), journal.len(), "one snapshot per record");
    for cut in 1..=journal.len() {
        let prefix = &journal[..cut];
        let mut state = fresh();
        resume(&mut state, prefix.to_vec()).unwrap();
        let folded = state.incident.clone().unwrap();
        assert_eq!(
            folded,
            run.after[cut - 1],
            "cut {cut}: the resumed incident is the live one at that record"
        );
        let mut after = Run::default();
        let sent = after.deliver(&mut state, secs(1000));
        let sent_again = after.deliver(&mut state, secs(1001));
        assert!(
            sent_again.is_empty(),
            "cut {cut}: nothing twice: {sent_again:?}"
        );
        let resumed = Resumed {
            cut,
            prefix,
            folded,
            state,
            after,
            sent,
        };
        pages_went_out_once(&resumed);
        nothing_is_owed(&resumed);
        nothing_is_invented(&resumed);
    }
}

/// Every page the prefix records went out exactly once, before or after the crash.
fn pages_went_out_once(r: &Resumed) {
    let mut delivered = sent_triggers(&r.folded);
    let after = r.sent.iter().filter(|(_, a)| a == "trigger");
    delivered.extend(after.map(|(k, _)| k.clone()));
    delivered.sort();
    let mut paged: Vec<String> = r
        .folded
        .pages
        .iter()
        .map(|(level, _, _)| command::dedup_key(&r.folded, *level))
        .collect();
    paged.sort();
    if r.state.pager_failing() {
        assert!(delivered.len() <= paged.len(), "cut {}", r.cut);
    } else {
        assert_eq!(delivered, paged, "cut {}: sent {:?}", r.cut, r.sent);
    }
    assert_eq!(
        r.state.pager_failing(),
        r.folded.is_open() && r.folded.pager_failing,
        "cut {}: the pager as the journal left it",
        r.cut
    );
}

/// Each notification a record implies is in the outbox once; nothing more is owed.
fn nothing_is_owed(r: &Resumed) {
    let cut = r.cut;
    let incident = r.state.incident.as_ref().unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for entry in &incident.outbox {
        let key = (
            entry.cause,
            entry.channel.to_string(),
            entry.payload["dedup_key"].to_string(),
            entry.payload["event_action"].to_string(),
        );
        assert!(seen.insert(key), "cut {cut}: twice: {entry:?}");
    }
    assert!(
        command::reconcile(&r.state, secs(1002)).is_empty(),
        "cut {cut}"
    );
    let chat = incident
        .outbox
        .iter()
        .filter(|o| o.channel == Channel::Slack)
        .count();
    let chat_records = r
        .prefix
        .iter()
        .filter(|r| {
            matches!(
                r.event,
                Event::Declared { .. }
                    | Event::SeverityChanged { .. }
                    | Event::StatusChanged { .. }
                    | Event::UpdatePosted { .. }
                    | Event::Resolved { .. }
            )
        })
        .count();
    assert_eq!(chat, chat_records, "cut {cut}: one chat line per record");
    let acks = r
        .prefix
        .iter()
        .filter(|r| matches!(r.event, Event::Acknowledged { .. }));
    for ack in acks {
        let paged = r.folded.pages.iter().any(|(_, at, _)| *at <= ack.at);
        let follow_up = incident
            .outbox
            .iter()
            .any(|o| o.cause == ack.seq && o.payload["event_action"] == "acknowledge");
        assert_eq!(
            follow_up, paged,
            "cut {cut}: the acknowledge reaches PagerDuty"
        );
    }
    if r.folded.review.is_some() {
        let rewritten = r
            .after
            .effects
            .iter()
            .any(|e| matches!(e, Effect::WriteReview { .. }));
        assert!(rewritten, "cut {cut}: review.md is written again");
    }
}

/// Nothing is invented or run again: no transition, no command; cut-off commands end.
fn nothing_is_invented(r: &Resumed) {
    let cut = r.cut;
    let appended = &r.state.records[cut..];
    assert!(
        appended
            .iter()
            .all(|r| !matches!(r.event, Event::ComponentChanged { .. })),
        "cut {cut}: {:?}",
        appended
            .iter()
            .map(|r| r.event.describe())
            .collect::<Vec<_>>()
    );
    assert!(
        r.after
            .effects
            .iter()
            .all(|e| !matches!(e, Effect::Run { .. } | Effect::Recover { .. })),
        "cut {cut}: a command ran again"
    );
    let incident = r.state.incident.as_ref().unwrap();
    let runs = incident.steps.values().flat_map(|p| p.runs.iter());
    let recoveries = incident.recoveries.iter().map(|(_, _, r)| r);
    assert!(
        runs.chain(recoveries).all(|r| r.finished.is_some()),
        "cut {cut}: a cut-off command is journaled as interrupted"
    );
}

#[test]
fn a_worked_incident_resumed_from_any_record_owes_nothing_and_sends_nothing_twice() {
    let (live, run) = worked_incident();
    let kinds: Vec<&str> = live.records.iter().map(|r| r.event.kind()).collect();
    for kind in [
        "declared",
        "paged",
        "acknowledged",
        "severity_changed",
        "note_added",
        "recovery_started",
        "step_started",
        "command_finished",
        "review_saved",
        "resolved",
        "notify_sent",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    every_prefix(&live, &run, notifying);
}

#[test]
fn a_drill_with_a_failing_pager_resumed_from_any_record_keeps_its_pager_failure() {
    let (live, run) = drill_with_failing_pager();
    let kinds: Vec<&str> = live.records.iter().map(|r| r.event.kind()).collect();
    assert!(kinds.contains(&"notify_failed"), "{kinds:?}");
    assert!(kinds.contains(&"pager"), "{kinds:?}");
    every_prefix(&live, &run, || {
        let mut state = notifying();
        state.console = demo::state("ic@host", t0()).console;
        state.drill_mut().unwrap().engine.scenario.allow_notify = true;
        state.drill_mut().unwrap().ended = true;
        state.dry_run = true;
        state
    });
}
