//! Escalation as the journal tells it: severity, acknowledgements, pages (each carrying its
//! `PagerDuty` trigger into the outbox) and the last stakeholder update.

use chrono::{DateTime, Utc};

use super::{Delivery, Incident, Outbound};
use crate::domain::event::{Channel, Event, Record};

/// A page asked for: the level, when, the contacts named, and its record (which is also its
/// `PagerDuty` trigger's outbox entry when `PagerDuty` is configured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub level: usize,
    pub at: DateTime<Utc>,
    pub contacts: Vec<String>,
    pub seq: u64,
}

impl Incident {
    /// Escalation: the severity (a raise restarts the clock), acknowledgements, pages and
    /// stakeholder updates.
    pub(super) fn apply_escalation(&mut self, record: &Record) {
        match &record.event {
            Event::SeverityChanged { from, to } => {
                self.severity = *to;
                if to < from {
                    self.escalation_since = record.at;
                    self.acknowledged_level = None;
                }
            }
            Event::Acknowledged { level } => {
                self.acknowledged_level = Some((*level, record.at));
                self.acknowledged.get_or_insert(record.at);
            }
            Event::Paged { .. } => self.paged(record),
            Event::UpdatePosted { .. } => self.last_update = record.at,
            _ => {}
        }
    }

    fn paged(&mut self, record: &Record) {
        let Event::Paged {
            level,
            contacts,
            pagerduty,
            ..
        } = &record.event
        else {
            return;
        };
        self.pages.push(Page {
            level: *level,
            at: record.at,
            contacts: contacts.clone(),
            seq: record.seq,
        });
        if let Some(payload) = pagerduty {
            self.outbox.push(Outbound {
                queued: record.seq,
                cause: record.seq,
                channel: Channel::Pagerduty,
                payload: payload.clone(),
                delivery: Delivery::Queued,
            });
        }
    }
}

impl Incident {
    /// The delivery of a page: `None` when it was only recorded (no `PagerDuty` configured).
    #[must_use]
    pub fn page_delivery(&self, page: &Page) -> Option<&Delivery> {
        self.outbound(page.seq).map(|o| &o.delivery)
    }

    /// The latest page of `level`, if it was paged.
    #[must_use]
    pub fn last_page(&self, level: usize) -> Option<&Page> {
        self.pages.iter().rev().find(|p| p.level == level)
    }
}
