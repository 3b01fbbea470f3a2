//! Health of one component over time: samples, hysteresis, outage start, history.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Health;

/// Latency samples kept per component (for the sparkline).
pub const SAMPLES_KEPT: usize = 60;
/// Transitions kept per component (for the detail view).
pub const HISTORY_KEPT: usize = 50;

/// What one probe run found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    /// When the probe started.
    pub at: DateTime<Utc>,
    /// Up, degraded (slow) or down.
    pub health: Health,
    /// Time to the answer, when there was one.
    pub latency: Option<Duration>,
    /// Why it is not up, or the first line a command printed. Raw: sanitise before display.
    pub detail: Option<String>,
    /// A measured value to show in place of the latency (`0.93req/s` from a query).
    pub reading: Option<String>,
}

/// How many consecutive samples it takes to change state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hysteresis {
    /// Samples worse than the current state needed to move to it.
    pub fail_after: u32,
    /// Samples better than the current state needed to move to it.
    pub recover_after: u32,
}

/// One change of state, as kept for the detail view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub at: DateTime<Utc>,
    pub from: Health,
    pub to: Health,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Streak {
    health: Health,
    count: u32,
    first_at: DateTime<Utc>,
}

/// What the console knows about one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentHealth {
    pub state: Health,
    /// When the current state began; for an outage, its first failed sample.
    pub since: DateTime<Utc>,
    /// Why the component is in this state (the latest sample's detail). Raw.
    pub detail: Option<String>,
    /// Milliseconds to answer, oldest first; `None` where the sample failed.
    pub latencies: VecDeque<Option<u32>>,
    /// The latest sample's measured value, shown in place of its latency. Raw.
    pub reading: Option<String>,
    pub history: VecDeque<Change>,
    /// When the last sample was taken.
    pub checked: Option<DateTime<Utc>>,
    /// The state was restored from the journal and no fresh sample has come in yet.
    pub last_known: bool,
    streak: Option<Streak>,
}

impl ComponentHealth {
    #[must_use]
    pub fn new(state: Health, now: DateTime<Utc>) -> Self {
        Self {
            state,
            since: now,
            detail: None,
            latencies: VecDeque::new(),
            reading: None,
            history: VecDeque::new(),
            checked: None,
            last_known: false,
            streak: None,
        }
    }

    /// Takes the state the journal last recorded, shown as last known until a fresh sample.
    pub fn restore(&mut self, state: Health, since: DateTime<Utc>, detail: Option<String>) {
        self.state = state;
        self.since = since;
        self.detail = detail;
        self.streak = None;
        self.last_known = true;
    }

    /// Records a sample; returns the change of state it completes, if any.
    pub fn observe(&mut self, sample: Sample, rules: Hysteresis) -> Option<Change> {
        self.last_known = false;
        self.reading.clone_from(&sample.reading);
        let millis = sample
            .latency
            .map(|l| u32::try_from(l.as_millis()).unwrap_or(u32::MAX));
        self.record_latency(
            if sample.health == Health::Down {
                None
            } else {
                millis
            },
            sample.at,
        );
        if sample.health == self.state {
            self.streak = None;
            self.detail = sample.detail;
            return None;
        }
        let streak = match self.streak.take() {
            Some(mut s) if s.health == sample.health => {
                s.count += 1;
                s
            }
            _ => Streak {
                health: sample.health,
                count: 1,
                first_at: sample.at,
            },
        };
        let needed = if self.state == Health::Unknown {
            1
        } else if sample.health < self.state {
            rules.fail_after
        } else {
            rules.recover_after
        };
        if streak.count < needed {
            self.streak = Some(streak);
            return None;
        }
        Some(self.change(sample.health, sample.detail, streak.first_at))
    }

    /// Adds one latency to the sparkline history (`None` for a failed sample).
    pub fn record_latency(&mut self, millis: Option<u32>, at: DateTime<Utc>) {
        if self.latencies.len() == SAMPLES_KEPT {
            self.latencies.pop_front();
        }
        self.latencies.push_back(millis);
        self.checked = Some(at);
    }

    /// Sets the state at once (simulated components, drills); `None` if it is unchanged.
    pub fn force(
        &mut self,
        state: Health,
        detail: Option<String>,
        now: DateTime<Utc>,
    ) -> Option<Change> {
        self.checked = Some(now);
        self.last_known = false;
        if state == self.state {
            self.detail = detail;
            return None;
        }
        Some(self.change(state, detail, now))
    }

    fn change(&mut self, to: Health, detail: Option<String>, at: DateTime<Utc>) -> Change {
        let change = Change {
            at,
            from: self.state,
            to,
            detail: detail.clone(),
        };
        self.state = to;
        self.since = at;
        self.detail = detail;
        self.streak = None;
        if self.history.len() == HISTORY_KEPT {
            self.history.pop_front();
        }
        self.history.push_back(change.clone());
        change
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + TimeDelta::seconds(secs)
    }

    fn sample(secs: i64, health: Health) -> Sample {
        Sample {
            at: at(secs),
            health,
            latency: Some(Duration::from_millis(12)),
            detail: None,
            reading: None,
        }
    }

    const RULES: Hysteresis = Hysteresis {
        fail_after: 3,
        recover_after: 2,
    };

    #[test]
    fn the_first_sample_settles_an_unknown_component() {
        let mut h = ComponentHealth::new(Health::Unknown, at(0));
        let change = h.observe(sample(1, Health::Up), RULES).unwrap();
        assert_eq!((change.from, change.to), (Health::Unknown, Health::Up));
    }

    #[test]
    fn going_down_takes_fail_after_samples_and_dates_from_the_first() {
        let mut h = ComponentHealth::new(Health::Up, at(0));
        assert!(h.observe(sample(10, Health::Down), RULES).is_none());
        assert!(h.observe(sample(20, Health::Down), RULES).is_none());
        let change = h.observe(sample(30, Health::Down), RULES).unwrap();
        assert_eq!(change.to, Health::Down);
        assert_eq!(
            h.since,
            at(10),
            "the outage starts at the first failed sample"
        );
    }

    #[test]
    fn a_success_in_between_restarts_the_count() {
        let mut h = ComponentHealth::new(Health::Up, at(0));
        h.observe(sample(10, Health::Down), RULES);
        h.observe(sample(20, Health::Down), RULES);
        h.observe(sample(30, Health::Up), RULES);
        h.observe(sample(40, Health::Down), RULES);
        assert!(h.observe(sample(50, Health::Down), RULES).is_none());
        assert!(h.observe(sample(60, Health::Down), RULES).is_some());
        assert_eq!(h.since, at(40));
    }

    #[test]
    fn recovery_takes_recover_after_samples() {
        let mut h = ComponentHealth::new(Health::Down, at(0));
        assert!(h.observe(sample(10, Health::Up), RULES).is_none());
        assert_eq!(
            h.observe(sample(20, Health::Up), RULES).unwrap().to,
            Health::Up
        );
        assert_eq!(h.history.len(), 1);
    }

    #[test]
    fn latencies_are_bounded_and_failed_samples_have_none() {
        let mut h = ComponentHealth::new(Health::Up, at(0));
        for i in 0..100 {
            h.observe(
                sample(i, if i % 2 == 0 { Health::Up } else { Health::Down }),
                RULES,
            );
        }
        assert_eq!(h.latencies.len(), SAMPLES_KEPT);
        assert_eq!(h.latencies.back(), Some(&None));
        assert_eq!(h.checked, Some(at(99)));
    }
}
