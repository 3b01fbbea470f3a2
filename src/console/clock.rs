//! The console's clock, shared by the loop and the probe workers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::domain::drill::DrillClock;

/// The console's clock: wall time, or drill time that can be paused, sped up and moved.
/// Shared with the probe workers, which stamp their samples with it.
#[derive(Debug, Clone)]
pub struct Clock {
    epoch: Instant,
    drill: Arc<Mutex<DrillClock>>,
    /// A live console's clock is the wall clock itself (never going back): a jump of the
    /// monotonic clock cannot move it, so it cannot journal a breach that did not happen.
    wall: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// A clock starting now, or at `not_before` if that is later (an accelerated drill's journal
    /// can be ahead of the wall clock; time must never run backwards for it).
    #[must_use]
    pub fn new(speed: f64, not_before: Option<DateTime<Utc>>) -> Self {
        let start = not_before.map_or_else(Utc::now, |t| t.max(Utc::now()));
        Self::starting_at(start, speed)
    }

    /// A clock that shows `start` now (a replay starts at the journal's first record).
    #[must_use]
    pub fn starting_at(start: DateTime<Utc>, speed: f64) -> Self {
        Self {
            epoch: Instant::now(),
            drill: Arc::new(Mutex::new(DrillClock::new(start, speed, Duration::ZERO))),
            wall: None,
        }
    }

    /// A live console's clock: the wall clock, never before `not_before` nor before a time it
    /// gave already.
    #[must_use]
    pub fn wall(not_before: Option<DateTime<Utc>>) -> Self {
        let start = not_before.map_or_else(Utc::now, |t| t.max(Utc::now()));
        Self {
            wall: Some(Arc::new(Mutex::new(start))),
            ..Self::starting_at(start, 1.0)
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut DrillClock, Duration) -> T) -> T {
        let wall = self.epoch.elapsed();
        let mut clock = self
            .drill
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut clock, wall)
    }

    /// The domain's `now`.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        if let Some(last) = &self.wall {
            let mut last = last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *last = (*last).max(Utc::now());
            return *last;
        }
        self.with(|c, wall| c.now(wall))
    }

    pub(super) fn set(&self, paused: bool, speed: f64) {
        self.with(|c, wall| {
            c.set_speed(speed, wall);
            c.set_paused(paused, wall);
        });
    }

    pub(super) fn seek(&self, to: DateTime<Utc>) {
        self.with(|c, wall| c.seek(to, wall));
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn a_live_clock_is_the_wall_clock_and_never_goes_back() {
        let ahead = chrono::Utc::now() + chrono::TimeDelta::minutes(5);
        let clock = Clock::wall(None);
        let first = clock.now();
        assert!((chrono::Utc::now() - first).num_milliseconds().abs() < 1000);
        assert!(clock.now() >= first);
        // A journal written ahead of this machine's clock: time never runs backwards for it.
        let behind = Clock::wall(Some(ahead));
        assert!(behind.now() >= ahead);
    }
}
