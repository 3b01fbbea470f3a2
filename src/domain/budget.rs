//! Recovery-time and recovery-point budgets: how much is used, how it is trending, when it breaks.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// How far into a budget something is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    /// 50% or more used.
    Warn,
    /// 80% or more used.
    Critical,
    /// 100% or more used.
    Breach,
}

impl Level {
    /// The level of `used` against `target`: breached only past the target (see [`within`]).
    #[must_use]
    pub fn of(used: TimeDelta, target: Duration) -> Self {
        match fraction(used, target) {
            _ if !within(used, target) => Self::Breach,
            f if f >= 0.8 => Self::Critical,
            f if f >= 0.5 => Self::Warn,
            _ => Self::Ok,
        }
    }
}

/// Met or missed: `used` within `target`, at exactly the target met. The one decision budgets,
/// the review and the scorecard all make.
#[must_use]
pub fn within(used: TimeDelta, target: Duration) -> bool {
    used <= delta(target)
}

/// A recovery-time budget for one outage.
#[derive(Debug, Clone, PartialEq)]
pub struct Rto {
    pub start: DateTime<Utc>,
    /// When the component recovered, if it has.
    pub end: Option<DateTime<Utc>>,
    pub target: Duration,
    /// Outage time so far, or achieved once recovered.
    pub elapsed: TimeDelta,
    pub fraction: f64,
    pub level: Level,
    /// When the budget runs out (or ran out).
    pub breach_at: DateTime<Utc>,
}

fn fraction(used: TimeDelta, target: Duration) -> f64 {
    let target = target.as_secs_f64();
    if target <= 0.0 {
        1.0
    } else {
        used.num_milliseconds().max(0) as f64 / 1000.0 / target
    }
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// The RTO budget of an outage from `start` (to `end`, if recovered) against `target`, at `now`.
#[must_use]
pub fn rto(
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    target: Duration,
    now: DateTime<Utc>,
) -> Rto {
    let elapsed = (end.unwrap_or(now) - start).max(TimeDelta::zero());
    let fraction = fraction(elapsed, target);
    Rto {
        start,
        end,
        target,
        elapsed,
        fraction,
        level: Level::of(elapsed, target),
        breach_at: start + delta(target),
    }
}

/// A recovery-point budget: data at risk since the last good copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Rpo {
    pub last_copy: DateTime<Utc>,
    pub target: Duration,
    pub exposure: TimeDelta,
    pub fraction: f64,
    pub level: Level,
}

/// The RPO budget given the time of the last good copy, at `now`. A copy "from the future" (clock
/// skew or a bad source) counts as zero exposure.
#[must_use]
pub fn rpo(last_copy: DateTime<Utc>, target: Duration, now: DateTime<Utc>) -> Rpo {
    let exposure = (now - last_copy).max(TimeDelta::zero());
    let fraction = fraction(exposure, target);
    Rpo {
        last_copy,
        target,
        exposure,
        fraction,
        level: Level::of(exposure, target),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn exactly_the_target_is_met_and_a_millisecond_more_is_missed() {
        let start = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        let target = Duration::from_mins(5);
        let at = start + TimeDelta::seconds(300);
        assert_ne!(rto(start, Some(at), target, at).level, Level::Breach);
        assert_ne!(rpo(start, target, at).level, Level::Breach);
        let late = at + TimeDelta::milliseconds(1);
        assert_eq!(rto(start, Some(late), target, late).level, Level::Breach);
        assert!(within(TimeDelta::seconds(300), target));
        assert!(!within(TimeDelta::milliseconds(300_001), target));
    }

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + TimeDelta::minutes(min)
    }

    const TEN: Duration = Duration::from_mins(10);

    #[test]
    fn thresholds_are_half_four_fifths_and_all() {
        assert_eq!(rto(at(0), None, TEN, at(4)).level, Level::Ok);
        assert_eq!(rto(at(0), None, TEN, at(5)).level, Level::Warn);
        assert_eq!(rto(at(0), None, TEN, at(8)).level, Level::Critical);
        assert_eq!(
            rto(at(0), None, TEN, at(10)).level,
            Level::Critical,
            "at the target: met"
        );
        assert_eq!(rto(at(0), None, TEN, at(11)).level, Level::Breach);
    }

    #[test]
    fn breach_time_is_projected_from_the_outage_start() {
        assert_eq!(rto(at(3), None, TEN, at(4)).breach_at, at(13));
    }

    #[test]
    fn recovery_stops_the_clock_at_the_achieved_time() {
        let budget = rto(at(0), Some(at(7)), TEN, at(60));
        assert_eq!(budget.elapsed, TimeDelta::minutes(7));
        assert_eq!(budget.level, Level::Warn);
    }

    #[test]
    fn exposure_is_time_since_the_last_good_copy() {
        let budget = rpo(at(0), Duration::from_mins(5), at(4));
        assert_eq!(budget.exposure, TimeDelta::minutes(4));
        assert_eq!(budget.level, Level::Critical);
        assert_eq!(
            rpo(at(10), TEN, at(4)).exposure,
            TimeDelta::zero(),
            "a future copy is not negative exposure"
        );
    }
}
