//! A joined console whose writer went away carries on as it is (its screen, dialogs, typed text
//! and running commands): it joins whichever console took the journal over, or takes the
//! journal's lock and writes the incident itself. Requests the last writer never answered go to
//! the next one once, with their keys, so none is journaled twice.

use std::time::{Duration, Instant};

use crate::domain::event::Record;
use crate::journal::Journal;
use crate::journal::writer;
use crate::msg::{Effect, Msg};
use crate::room::client::Joined;

use super::Clock;
use super::event_loop::Loop;
use super::open::note_recovery;

/// How long requests wait for a new writer before they are refused here.
const PATIENCE: Duration = Duration::from_secs(10);
/// Between tries once patience ran out.
const SLOW_RETRY: Duration = Duration::from_secs(2);
/// How much later a console that could not send every notification tries, so that one with
/// all the channels' secrets takes the journal over when there is one.
const WITHOUT_SECRETS: Duration = Duration::from_secs(1);

/// One try at finding who writes the incident.
pub enum Claimed {
    /// Another console writes it and serves its room: joined, with the records after ours.
    Joined(Joined),
    /// This console took the journal's lock.
    Writer((Journal, Vec<Record>, crate::journal::Recovery)),
    /// Nobody yet, and why this console cannot.
    Nobody(String),
}

/// A failover under way.
pub struct Failover {
    since: Instant,
    /// The requests were refused here once patience ran out (said once).
    gave_up: bool,
}

/// Tries once: joins the room of whoever writes the journal at `journal`, or takes its lock.
fn claim_once(journal: &std::path::Path, after: u64) -> Claimed {
    match crate::room::client::join_after(journal, after) {
        Ok(joined) => Claimed::Joined(joined),
        Err(joining) => match Journal::open(journal) {
            Ok(claim) => Claimed::Writer(claim),
            Err(crate::journal::JournalError::Locked { .. }) => {
                Claimed::Nobody(format!("{joining:#}"))
            }
            Err(error) => Claimed::Nobody(format!(
                "{joining:#}; and this console cannot write it: {error}"
            )),
        },
    }
}

/// The first record at which two runs of the same journal differ, if any.
fn first_difference(held: &[Record], read: &[Record]) -> Option<u64> {
    held.iter()
        .zip(read)
        .find(|(a, b)| a != b)
        .map(|(a, _)| a.seq)
        .or_else(|| (read.len() < held.len()).then(|| held[read.len()].seq))
}

impl Loop {
    /// Starts finding who writes the incident (a drill's console starts again instead: the
    /// drill's clock and scenario live in the writer's process).
    pub(super) fn find_writer(&mut self) {
        if self.state.is_drill() {
            self.take_over = true;
            self.quit = true;
            return;
        }
        self.failover = Some(Failover {
            since: Instant::now(),
            gave_up: false,
        });
        self.try_claim(self.defer());
    }

    /// `WITHOUT_SECRETS` when this console lacks a channel's secrets, else nothing.
    fn defer(&self) -> Duration {
        if self.state.config.notify.left_out.is_empty() {
            Duration::ZERO
        } else {
            WITHOUT_SECRETS
        }
    }

    fn try_claim(&self, after: Duration) {
        let Some(journal) = self.room_journal.clone() else {
            return;
        };
        let last = self.state.records.last().map_or(0, |r| r.seq);
        let claims = self.claims.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            let claimed = tokio::task::spawn_blocking(move || claim_once(&journal, last)).await;
            if let Ok(claimed) = claimed {
                let _ = claims.send(claimed);
            }
        });
    }

    /// The outcome of one try.
    pub(super) fn claimed(&mut self, claimed: Claimed) {
        match claimed {
            Claimed::Joined(joined) => self.rejoin(joined),
            Claimed::Writer((journal, records, recovery)) => {
                note_recovery(&mut self.state, &recovery);
                self.write_here(journal, records);
            }
            Claimed::Nobody(why) => self.nobody_yet(&why),
        }
    }

    fn rejoin(&mut self, mut joined: Joined) {
        let records = std::mem::take(&mut joined.records);
        let writer = joined.writer.clone();
        let old = self.room_client.take();
        match joined.start(self.tx.clone()) {
            Ok(mut client) => {
                if let Some(old) = old {
                    client.carry_on(old);
                }
                self.room_client = Some(client);
            }
            Err(error) => {
                self.room_client = old;
                self.nobody_yet(&error.to_string());
                return;
            }
        }
        self.failover = None;
        self.said_screen = None;
        self.dispatch(Msg::Followed(records));
        self.dispatch(Msg::WriterFound(Some(writer)));
    }

    /// This console took the journal's lock: it writes the incident from here on, and journals
    /// the requests the last writer never answered (or finds them journaled by it).
    fn write_here(&mut self, journal: Journal, records: Vec<Record>) {
        if let Some(seq) = first_difference(&self.state.records, &records) {
            self.tell(format!(
                "The journal on disk differs from what the room sent this console at record {seq}: it was changed by hand. Run `warroom journal verify {}`",
                journal.path().display()
            ));
        }
        let last = self.state.records.last().map_or(0, |r| r.seq);
        let newer: Vec<Record> = records.into_iter().filter(|r| r.seq > last).collect();
        self.dispatch(Msg::Followed(newer));
        let unanswered = self
            .room_client
            .take()
            .map(crate::room::client::Client::into_unanswered)
            .unwrap_or_default();
        self.journal = writer::spawn(Some(journal), self.tx.clone());
        self.clock = Clock::wall(self.state.records.last().map(|r| r.at));
        self.failover = None;
        self.said_screen = None;
        self.serve = super::event_loop::Serve::AfterResolution;
        self.dispatch(Msg::WriterFound(None));
        // The writer probes: the room's consoles see its samples from here on.
        self.spawn_probes();
        self.say_left_out();
        for (id, key, event) in unanswered {
            match crate::update::room::journaled_before(&self.state, &self.state.actor, key) {
                Some(seq) => {
                    self.dispatch(Msg::Answered {
                        id,
                        result: Ok(seq),
                    });
                }
                None => self.run(Effect::Append {
                    at: self.clock.now(),
                    event,
                }),
            }
        }
    }

    /// A console that writes without a channel's secrets says so: what it owes that channel is
    /// queued and shown failed, never sent and never dropped.
    fn say_left_out(&mut self) {
        let left_out = &self.state.config.notify.left_out;
        if left_out.is_empty() {
            return;
        }
        let which: Vec<String> = left_out
            .iter()
            .map(|(channel, vars)| format!("{channel} ({vars} not set here)"))
            .collect();
        self.tell(format!(
            "Writing here now, WITHOUT {}: pages and updates are kept and shown failed until a console with it writes. Quit here (q) once a teammate with it is in the room, or restart with it set",
            which.join(", ")
        ));
    }

    /// Nobody writes the incident yet: try again soon; once patience ran out, the requests
    /// waiting here are refused (said, never silently kept) and tries go on, slower.
    fn nobody_yet(&mut self, why: &str) {
        let Some(failover) = &mut self.failover else {
            return;
        };
        let patient = failover.since.elapsed() < PATIENCE;
        if !patient && !failover.gave_up {
            failover.gave_up = true;
            let unanswered = self
                .room_client
                .take()
                .map(crate::room::client::Client::into_unanswered)
                .unwrap_or_default();
            for (id, _, _) in unanswered {
                let result = Err(format!(
                    "no console writes the incident now ({why}); not recorded"
                ));
                self.dispatch(Msg::Answered { id, result });
            }
            self.tell(format!(
                "No console writes this incident now and this one cannot: {why}. Trying again every {}s",
                SLOW_RETRY.as_secs()
            ));
        }
        // Apart, so that consoles racing for the lock do not meet again at once.
        let wait = if patient {
            Duration::from_millis(50 + u64::from(std::process::id() % 100)) + self.defer()
        } else {
            SLOW_RETRY
        };
        self.try_claim(wait);
    }
}

#[cfg(test)]
mod tests {
    use super::first_difference;
    use crate::domain::event::{Event, Record};

    fn note(seq: u64, text: &str) -> Record {
        Record {
            seq,
            at: chrono::DateTime::UNIX_EPOCH,
            wall: None,
            actor: "a@h".into(),
            request: None,
            event: Event::NoteAdded {
                text: text.into(),
                step: None,
            },
        }
    }

    #[test]
    fn an_edit_of_a_record_the_room_sent_is_found() {
        let held = [note(1, "a"), note(2, "b")];
        assert_eq!(
            first_difference(&held, &[note(1, "a"), note(2, "b"), note(3, "c")]),
            None
        );
        assert_eq!(
            first_difference(&held, &[note(1, "a"), note(2, "B")]),
            Some(2)
        );
        assert_eq!(
            first_difference(&held, &[note(1, "a")]),
            Some(2),
            "cut short"
        );
    }
}
