//! Alerts and silences as the journal tells them: the Alertmanager alerts the incident follows
//! and the silences it asked for.

use super::Incident;
use crate::domain::event::{AlertSeen, Event, Record};
use crate::domain::silence::{Silence, Standing};

impl Incident {
    pub(super) fn apply_alerts(&mut self, record: &Record) {
        match &record.event {
            Event::AlertStarted(alert) => {
                self.detected = self.detected.into_iter().chain(alert.starts_at).min();
                let key = (alert.source.clone(), alert.fingerprint.clone());
                self.open_alerts
                    .entry(key)
                    .or_default()
                    .push_back(self.alerts.len());
                self.alerts.push(((**alert).clone(), None));
            }
            Event::AlertResolved {
                source,
                fingerprint,
                ..
            } => {
                // The oldest unresolved alert of that source and fingerprint, by its index.
                let key = (source.clone(), fingerprint.clone());
                let at = self
                    .open_alerts
                    .get_mut(&key)
                    .and_then(std::collections::VecDeque::pop_front);
                if let Some((_, resolved)) = at.and_then(|i| self.alerts.get_mut(i)) {
                    *resolved = Some(record.at);
                }
            }
            Event::SilenceRequested(request) => {
                self.silence_at.insert(record.seq, self.silences.len());
                self.silences.push(Silence {
                    requested: record.seq,
                    source: request.source.clone(),
                    fingerprint: request.fingerprint.clone(),
                    ends_at: request.ends_at,
                    standing: Standing::Requested,
                });
            }
            Event::SilenceCreated { requested, id } => {
                self.silence_answered(*requested, Standing::Active { id: id.clone() });
            }
            Event::SilenceFailed { requested, error } => {
                let failed = Standing::Failed {
                    error: error.clone(),
                };
                self.silence_answered(*requested, failed);
            }
            Event::SilenceExpired { id } => self.silence_expired(id, None),
            Event::SilenceExpiryFailed { id, error } => self.silence_expired(id, Some(error)),
            _ => {}
        }
    }

    fn silence_answered(&mut self, requested: u64, standing: Standing) {
        let Some(&at) = self.silence_at.get(&requested) else {
            return;
        };
        if let Standing::Active { id } = &standing {
            self.silence_by_id.insert(id.clone(), at);
        }
        if let Some(silence) = self.silences.get_mut(at) {
            silence.standing = standing;
        }
    }

    fn silence_expired(&mut self, id: &str, error: Option<&String>) {
        let at = self.silence_by_id.get(id).copied();
        let active = at
            .and_then(|i| self.silences.get_mut(i))
            .filter(|s| s.active_id() == Some(id));
        if let Some(silence) = active {
            silence.standing = match error {
                None => Standing::Expired { id: id.to_owned() },
                Some(error) => Standing::ExpiryFailed {
                    id: id.to_owned(),
                    error: error.clone(),
                },
            };
        }
    }

    /// The ids of the Alertmanager silences the incident created that may still hold.
    #[must_use]
    pub fn silence_ids(&self) -> std::collections::BTreeSet<String> {
        self.silences
            .iter()
            .filter_map(|s| s.active_id().map(str::to_owned))
            .collect()
    }

    /// The followed alerts still firing.
    pub fn firing_alerts(&self) -> impl Iterator<Item = &AlertSeen> {
        self.alerts
            .iter()
            .filter(|(_, resolved)| resolved.is_none())
            .map(|(a, _)| a)
    }
}
