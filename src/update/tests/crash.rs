//! The exhaustive crash-point test: for recorded incidents, a resume from every prefix of the
//! journal reaches the obligations of a console that never stopped. Notifications go over HTTP
//! to a receiver on 127.0.0.1 through the console's own sender.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use super::*;
use crate::domain::event::Channel;
use crate::domain::incident::Delivery;
use crate::state::Screen;
use crate::update::outbox;
use crate::workers::process::{Ending, Outcome};

/// A receiver on 127.0.0.1 that accepts every notification and keeps each JSON body.
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Receiver {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&bodies);
        std::thread::spawn(move || {
            for mut stream in listener.incoming().map_while(Result::ok) {
                let mut data = Vec::new();
                let mut buf = [0u8; 8192];
                let body = loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break None,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                    let text = String::from_utf8_lossy(&data);
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        continue;
                    };
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_lowercase()
                                .strip_prefix("content-length:")?
                                .trim()
                                .parse()
                                .ok()
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break serde_json::from_str(body).ok();
                    }
                };
                log.lock().unwrap().extend(body);
                let _ = stream.write_all(
                    b"HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                );
            }
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self {
            url,
            bodies,
            runtime,
            client: reqwest::Client::new(),
        }
    }

    /// Sends one notification as the console does; the receiver's answer.
    fn send(
        &self,
        state: &State,
        channel: Channel,
        payload: serde_json::Value,
    ) -> Result<(), String> {
        let notify = &state.config.notify;
        let send = crate::workers::outbox::deliver(&self.client, notify, channel, payload);
        self.runtime.block_on(send)
    }

    /// The `PagerDuty` events received since the last call: (dedup key, action).
    fn take_pagerduty(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.bodies.lock().unwrap())
            .into_iter()
            .filter_map(|b| {
                let key = b["dedup_key"].as_str()?.to_owned();
                Some((key, b["event_action"].as_str()?.to_owned()))
            })
            .collect()
    }
}

/// A console with every channel configured, all pointing at `receiver`.
fn notifying(receiver: &Receiver) -> State {
    let mut state = demo::state("ic@host", t0());
    let secret = |path: &str| crate::config::Secret::new(&format!("{}{path}", receiver.url));
    state.config.notify.pagerduty = Some(crate::config::notify::PagerDuty::new(
        crate::config::Secret::new("routing-key"),
        secret("/v2/enqueue"),
    ));
    state.config.notify.slack = Some(secret("/slack"));
    state.config.notify.webhook = Some(secret("/hook"));
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

    /// Ticks, sending what the console asks to the receiver, until nothing more happens; the
    /// `PagerDuty` events the receiver got.
    fn deliver(
        &mut self,
        state: &mut State,
        receiver: &Receiver,
        now: DateTime<Utc>,
    ) -> Vec<(String, String)> {
        receiver.take_pagerduty();
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
                let result = receiver.send(state, channel, payload);
                assert_eq!(result, Ok(()), "the receiver accepts everything");
                self.msg(state, Msg::Delivered { queued, result }, now);
            }
        }
        receiver.take_pagerduty()
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
fn worked_incident(receiver: &Receiver) -> (State, Run) {
    let mut state = notifying(receiver);
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
    let sent = run.deliver(&mut state, receiver, secs(32));
    let key = outbox::dedup_key(state.incident.as_ref().unwrap(), 0);
    assert_eq!(
        sent,
        [(key, "trigger".to_owned())],
        "the page reached the receiver"
    );
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
    run.deliver(&mut state, receiver, secs(90));
    state.ui.screen = Screen::Dashboard;
    run.action(&mut state, Action::Resolve, secs(100));
    run.msg(&mut state, Msg::Input("failed over".into()), secs(100));
    run.action(&mut state, Action::Confirm, secs(100));
    if state.dialog().is_some() {
        run.action(&mut state, Action::Confirm, secs(100));
    }
    run.deliver(&mut state, receiver, secs(101));
    (state, run)
}

/// A drill whose pager fails: paged while failing, then working again and paged once more.
fn drill_with_failing_pager(receiver: &Receiver) -> (State, Run) {
    let mut state = notifying(receiver);
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
    run.deliver(&mut state, receiver, secs(41));
    run.journal(&mut state, Event::Pager { failing: false }, secs(50));
    run.deliver(&mut state, receiver, secs(400));
    run.action(&mut state, Action::Resolve, secs(500));
    run.msg(&mut state, Msg::Input("drill over".into()), secs(500));
    run.action(&mut state, Action::Confirm, secs(500));
    if state.dialog().is_some() {
        // Resolving with components still failing: the second Enter goes ahead.
        run.action(&mut state, Action::Confirm, secs(500));
    }
    run.deliver(&mut state, receiver, secs(501));
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
fn every_prefix(live: &State, run: &Run, receiver: &Receiver, fresh: impl Fn() -> State) {
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
        let sent = after.deliver(&mut state, receiver, secs(1000));
        let sent_again = after.deliver(&mut state, receiver, secs(1001));
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
        .map(|page| outbox::dedup_key(&r.folded, page.level))
        .collect();
    // A severity change triggers each level paged before it again, with the same key.
    for change in r
        .state
        .records
        .iter()
        .filter(|rec| rec.event.kind() == "severity_changed")
    {
        let mut levels: Vec<usize> = r
            .folded
            .pages
            .iter()
            .filter(|page| page.at <= change.at)
            .map(|page| page.level)
            .collect();
        levels.sort_unstable();
        levels.dedup();
        paged.extend(
            levels
                .iter()
                .map(|&level| outbox::dedup_key(&r.folded, level)),
        );
    }
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
        outbox::reconcile(&r.state, secs(1002)).is_empty(),
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
        let paged = r.folded.pages.iter().any(|page| page.at <= ack.at);
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
    let receiver = Receiver::start();
    let (live, run) = worked_incident(&receiver);
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
    every_prefix(&live, &run, &receiver, || notifying(&receiver));
}

#[test]
fn a_drill_with_a_failing_pager_resumed_from_any_record_keeps_its_pager_failure() {
    let receiver = Receiver::start();
    let (live, run) = drill_with_failing_pager(&receiver);
    let kinds: Vec<&str> = live.records.iter().map(|r| r.event.kind()).collect();
    assert!(kinds.contains(&"notify_failed"), "{kinds:?}");
    assert!(kinds.contains(&"pager"), "{kinds:?}");
    every_prefix(&live, &run, &receiver, || {
        let mut state = notifying(&receiver);
        state.console = demo::state("ic@host", t0()).console;
        state.drill_mut().unwrap().engine.scenario.allow_notify = true;
        state.drill_mut().unwrap().ended = true;
        state.dry_run = true;
        state
    });
}
