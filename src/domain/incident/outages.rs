//! Outages and budgets as the journal tells them: when each component failed and recovered,
//! which RTO breaches are journaled, and the last good copies.

use chrono::{DateTime, TimeDelta, Utc};

use super::Incident;
use crate::domain::event::{Event, Record};

/// One stretch of time a component was failing during the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageSpan {
    pub component: String,
    /// The first failed sample.
    pub start: DateTime<Utc>,
    /// The first good sample of the recovery, once recovered.
    pub end: Option<DateTime<Utc>>,
}

#[cfg(test)]
thread_local! {
    /// Outage spans looked at (one a lookup: found by a map, never by a scan), counted.
    pub(super) static OUTAGES_VISITED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Incident {
    /// The components whose outage is still open, each once.
    pub(super) fn still_failing(&self) -> Vec<String> {
        let mut open: Vec<String> = self
            .outages
            .iter()
            .filter(|o| o.end.is_none())
            .map(|o| o.component.clone())
            .collect();
        open.sort();
        open.dedup();
        open
    }

    /// Outages and budgets: components failing and recovering, RTO breaches, and the last good
    /// copies recovery points tell.
    pub(super) fn apply_outages(&mut self, record: &Record) {
        match &record.event {
            Event::RecoveryPoint { .. } | Event::Budgets { .. } => self.apply_copies(record),
            Event::ComponentChanged {
                component,
                to,
                since,
                ..
            } => {
                self.component_changed(component, to.is_failing(), since.unwrap_or(record.at));
            }
            Event::RtoBreached {
                component,
                outage_start,
                ..
            } => {
                self.breaches.insert((component.clone(), *outage_start));
            }
            _ => {}
        }
    }

    fn apply_copies(&mut self, record: &Record) {
        match &record.event {
            Event::RecoveryPoint {
                component,
                last_good,
                ..
            } => {
                // "The last good copy is X": copies thought good after X were not.
                let copies = self.copies.entry(component.clone()).or_default();
                copies.retain(|c| c < last_good);
                copies.push(*last_good);
            }
            Event::Budgets { entries, .. } => {
                // Journals from before recovery points were records: the copy an exposure implies.
                for entry in entries {
                    if let Some(secs) = entry.exposure_secs {
                        let copy = record.at - TimeDelta::seconds(secs as i64);
                        let copies = self.copies.entry(entry.component.clone()).or_default();
                        if !copies.contains(&copy) {
                            copies.push(copy);
                            copies.sort();
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn component_changed(&mut self, component: &str, failing: bool, since: DateTime<Utc>) {
        if failing && self.affected_set.insert(component.to_owned()) {
            self.affected.push(component.to_owned());
        }
        #[cfg(test)]
        OUTAGES_VISITED.with(|n| n.set(n.get() + 1));
        let at = self.outage_at.get(component).copied();
        let open = at
            .and_then(|i| self.outages.get_mut(i))
            .filter(|o| o.end.is_none());
        match (failing, open) {
            (true, None) => {
                self.outage_at
                    .insert(component.to_owned(), self.outages.len());
                self.outages.push(OutageSpan {
                    component: component.to_owned(),
                    start: since,
                    end: None,
                });
            }
            (false, Some(span)) => span.end = Some(since),
            _ => {}
        }
    }

    /// The current or last outage of a component during the incident.
    #[must_use]
    pub fn outage(&self, component: &str) -> Option<&OutageSpan> {
        #[cfg(test)]
        OUTAGES_VISITED.with(|n| n.set(n.get() + 1));
        self.outages.get(*self.outage_at.get(component)?)
    }

    /// The time since a component's last good copy made at or before `at`; zero when the only
    /// copies known came after it; `None` when no copy is known.
    #[must_use]
    pub fn copy_gap(&self, component: &str, at: DateTime<Utc>) -> Option<TimeDelta> {
        let copies = self.copies.get(component).filter(|c| !c.is_empty())?;
        Some(
            copies
                .iter()
                .rev()
                .find(|c| **c <= at)
                .map_or(TimeDelta::zero(), |c| at - *c),
        )
    }

    /// The data a component's outage put at risk: its start minus the last good copy before it.
    #[must_use]
    pub fn data_at_risk(&self, component: &str) -> Option<TimeDelta> {
        self.copy_gap(component, self.outage(component)?.start)
    }
}
