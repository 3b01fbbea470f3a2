//! Escalation as the journal tells it: severity, acknowledgements, pages (each carrying its
//! `PagerDuty` trigger into the outbox) and the last stakeholder update.

use super::{Delivery, Incident, Outbound};
use crate::domain::event::{Channel, Event, Record};

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
        } = &record.event
        else {
            return;
        };
        self.pages.push((*level, record.at, contacts.clone()));
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
