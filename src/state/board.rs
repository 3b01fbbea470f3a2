//! The board: each component's health face, its backup streams and last good copies, and the
//! order the dashboard lists them in.

use chrono::{DateTime, Utc};

use super::{Overlay, Screen, State, matches_filter};
use crate::config::Config;
use crate::domain::backup::Reading;
use crate::domain::world::World;

/// What the board shows of one component (see `State::face`).
#[derive(Debug, PartialEq, Eq)]
pub struct Face {
    state: crate::domain::Health,
    since: DateTime<Utc>,
    last_known: bool,
    detail: Option<String>,
    reading: Option<String>,
}

/// Simulated backup streams are known from the start; real ones once their source is read.
pub(super) fn initial_backups(
    component: &crate::config::Component,
    now: DateTime<Utc>,
) -> Vec<Reading> {
    component
        .backups
        .iter()
        .map(|b| match &b.point.source {
            crate::config::notify::PointSource::Sim { age } => Some(Ok(
                now - chrono::TimeDelta::from_std(*age).unwrap_or_default()
            )),
            _ => None,
        })
        .collect()
}

pub(super) fn initial_world(config: &Config, now: DateTime<Utc>) -> World {
    let initial = config
        .components
        .iter()
        .map(|c| (c.id.clone(), c.probe.initial(), c.depends_on.clone()))
        .collect();
    World::new(initial, now)
}

/// A component's recovery point from its streams' readings.
pub(super) fn newest_copy(component: &crate::config::Component, readings: &[Reading]) -> Reading {
    let names: Vec<&str> = component.backups.iter().map(|b| b.name.as_str()).collect();
    crate::domain::backup::newest(&names, readings)
}

impl State {
    /// Takes a backup stream's reading; the component's recovery point becomes the newest good
    /// copy of its streams (or, with none readable, why not).
    pub fn read_backup(&mut self, index: usize, stream: usize, reading: Reading) {
        let (Some(component), Some(readings)) = (
            self.config.components.get(index),
            self.backups.get_mut(index),
        ) else {
            return;
        };
        if let Some(slot) = readings.get_mut(stream) {
            *slot = reading;
        }
        self.recovery[index] = newest_copy(component, readings);
    }

    /// Each backup stream of a component with how it stands now against its frequency.
    #[must_use]
    pub fn streams(
        &self,
        index: usize,
    ) -> Vec<(&crate::config::Backup, crate::domain::backup::Freshness)> {
        let (Some(component), Some(readings)) =
            (self.config.components.get(index), self.backups.get(index))
        else {
            return Vec::new();
        };
        component
            .backups
            .iter()
            .zip(readings)
            .map(|(b, r)| (b, crate::domain::backup::freshness(r, b.every, self.now)))
            .collect()
    }

    /// The journal (or a drill inject) says the last good copy is `last_good`: the recovery point
    /// becomes it, and no stream shows a copy newer than it (those are lost, as it says).
    pub fn set_copy(&mut self, index: usize, last_good: DateTime<Utc>) {
        let Some(slot) = self.recovery.get_mut(index) else {
            return;
        };
        *slot = Some(Ok(last_good));
        for reading in self.backups.get_mut(index).into_iter().flatten() {
            if let Some(Ok(at)) = reading
                && *at > last_good
            {
                *at = last_good;
            }
        }
    }

    /// Every component in its initial state at `now`.
    #[must_use]
    pub fn initial_world(&self, now: DateTime<Utc>) -> World {
        initial_world(&self.config, now)
    }

    /// True if the component's probe is replaced by the scenario.
    #[must_use]
    pub fn simulated(&self, index: usize) -> bool {
        self.config
            .components
            .get(index)
            .is_some_and(|c| matches!(c.probe.check, crate::config::Check::Sim { .. }))
    }

    /// What a new sample may change of a component that matters at once: its state, since when,
    /// why, and its value. A sample that leaves it as it was changes only its latency and
    /// sparkline, which the next tick draws (within a second). `None` while the component's
    /// detail view is open, which shows every sample as it comes.
    #[must_use]
    pub fn face(&self, index: usize) -> Option<Face> {
        let detail_open =
            matches!(self.ui.overlay, Some(Overlay::Detail { index: i, .. }) if i == index);
        if detail_open {
            return None;
        }
        let health = self.world.health.get(index)?;
        Some(Face {
            state: health.state,
            since: health.since,
            last_known: health.last_known,
            detail: health.detail.clone(),
            reading: health.reading.clone(),
        })
    }

    /// Component indices in dashboard order (failing first, then by tier), after the filter.
    #[must_use]
    pub fn dashboard_rows(&self) -> Vec<usize> {
        let filter = &self.ui.list(Screen::Dashboard).filter;
        let mut rows: Vec<usize> = (0..self.config.components.len())
            .filter(|&i| {
                let c = &self.config.components[i];
                matches_filter(filter, &[&c.id, &c.name])
            })
            .collect();
        rows.sort_by_cached_key(|&i| {
            let impacted = self.world.root_cause(i).is_some();
            (
                self.world.health[i].state,
                impacted,
                self.config.components[i].tier.rank(),
                i,
            )
        });
        rows
    }
}
