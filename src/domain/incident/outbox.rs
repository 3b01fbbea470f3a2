//! The notification outbox as the journal tells it: what was queued for which channel, and
//! whether it was sent, held or failed.

use chrono::{DateTime, Utc};

use super::Incident;
use crate::domain::event::{Channel, Event, Record};

/// Where a notification stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Queued,
    Failed {
        attempts: u32,
        error: String,
        at: DateTime<Utc>,
    },
    Sent {
        at: DateTime<Utc>,
    },
    /// Recorded and not sent: a drill without `allow_notify`.
    Held {
        at: DateTime<Utc>,
    },
}

/// A notification in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub queued: u64,
    /// The record it follows from (a page: its own record).
    pub cause: u64,
    pub channel: Channel,
    pub payload: serde_json::Value,
    pub delivery: Delivery,
}

impl Incident {
    /// The notification outbox: each notification queued, then sent, held or failed.
    pub(super) fn apply_outbox(&mut self, record: &Record) {
        match &record.event {
            Event::NotifyQueued {
                channel,
                payload,
                cause,
            } => self.outbox.push(Outbound {
                queued: record.seq,
                // An older journal's entry follows from a record before it.
                cause: cause.unwrap_or(record.seq.saturating_sub(1)),
                channel: *channel,
                payload: payload.clone(),
                delivery: Delivery::Queued,
            }),
            Event::NotifySent { queued } => self.deliver(*queued, Delivery::Sent { at: record.at }),
            Event::NotifyHeld { queued } => self.deliver(*queued, Delivery::Held { at: record.at }),
            Event::NotifyFailed {
                queued,
                attempt,
                error,
            } => {
                let failed = Delivery::Failed {
                    attempts: *attempt,
                    error: error.clone(),
                    at: record.at,
                };
                self.deliver(*queued, failed);
            }
            _ => {}
        }
    }

    pub(super) fn deliver(&mut self, queued: u64, delivery: Delivery) {
        if let Some(entry) = self.outbox.iter_mut().find(|o| o.queued == queued)
            && !matches!(entry.delivery, Delivery::Sent { .. })
        {
            entry.delivery = delivery;
        }
    }
}
