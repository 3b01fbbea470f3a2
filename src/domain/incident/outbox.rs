//! The notification outbox as the journal tells it: what was queued for which channel, and
//! whether it was sent, held or failed.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::Incident;
use crate::domain::event::{Channel, Event, Record};

/// How long to wait before retrying a failed delivery, by attempts so far.
#[must_use]
pub fn backoff(attempts: u32) -> Duration {
    let secs = match attempts {
        0 | 1 => 5,
        2 => 15,
        3 => 60,
        _ => 300,
    };
    Duration::from_secs(secs)
}

/// `1 attempt`, `3 attempts`.
#[must_use]
pub fn attempts(n: u32) -> String {
    if n == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{n} attempts")
    }
}

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

impl Outbound {
    /// What the notification is, in words: `PagerDuty page level 1`, `PagerDuty resolve level 2`,
    /// `Slack update`, `webhook update`.
    #[must_use]
    pub fn label(&self) -> String {
        match self.channel {
            Channel::Pagerduty => {
                let level = self.payload["dedup_key"]
                    .as_str()
                    .and_then(|key| key.rsplit_once("-L"))
                    .map(|(_, level)| format!(" level {level}"))
                    .unwrap_or_default();
                let action = match self.payload["event_action"].as_str() {
                    Some("trigger") | None => "page",
                    Some(other) => other,
                };
                format!("PagerDuty {action}{level}")
            }
            Channel::Slack => "Slack update".to_owned(),
            Channel::Webhook => "webhook update".to_owned(),
        }
    }

    /// When a failed delivery is tried again.
    #[must_use]
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        match &self.delivery {
            Delivery::Failed { attempts, at, .. } => {
                Some(*at + TimeDelta::from_std(backoff(*attempts)).unwrap_or_default())
            }
            _ => None,
        }
    }
}

impl Incident {
    /// The outbox entry queued by record `queued` (entries are kept in journal order).
    #[must_use]
    pub fn outbound(&self, queued: u64) -> Option<&Outbound> {
        let at = self
            .outbox
            .binary_search_by_key(&queued, |o| o.queued)
            .ok()?;
        self.outbox.get(at)
    }

    /// A record in words, a notification's named by what it is (`PagerDuty page level 1 failed
    /// (attempt 2): HTTP 500`) where the outbox knows it.
    #[must_use]
    pub fn describe(&self, record: &Record) -> String {
        let named = |queued: u64, what: &str| {
            self.outbound(queued)
                .map(|o| format!("{} {what}", o.label()))
        };
        let described = match &record.event {
            Event::NotifyQueued { .. } => named(record.seq, "queued"),
            Event::NotifySent { queued } => named(*queued, "delivered"),
            Event::NotifyHeld { queued } => named(*queued, "recorded, not sent (drill)"),
            Event::NotifyFailed {
                queued,
                attempt,
                error,
            } => named(*queued, &format!("failed (attempt {attempt}): {error}")),
            _ => None,
        };
        described.unwrap_or_else(|| record.event.describe())
    }

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
        let at = self.outbox.binary_search_by_key(&queued, |o| o.queued);
        if let Some(entry) = at.ok().and_then(|at| self.outbox.get_mut(at))
            && !matches!(entry.delivery, Delivery::Sent { .. })
        {
            entry.delivery = delivery;
        }
    }
}
