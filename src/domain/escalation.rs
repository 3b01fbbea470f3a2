//! Escalation: which level is due, whether it is acknowledged, who comes next and when.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// A level of a policy, as the domain sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// Time after the escalation clock started when the level becomes due.
    pub after: Duration,
    pub notify: Vec<String>,
}

/// Where an incident stands against its escalation policy at a moment.
/// What an acknowledgement does to the escalation: stops it there (as `PagerDuty` and Opsgenie
/// do), or lets the next levels come due all the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AfterAck {
    #[default]
    Stop,
    Continue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// The highest level due now, if any.
    pub due: Option<usize>,
    /// Whether the due level (or a higher one) is acknowledged.
    pub acknowledged: bool,
    /// The next level to become due (or the repeat of the last one) and when.
    pub next: Option<(usize, DateTime<Utc>)>,
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// How often the last level repeats while unacknowledged: the gap before it, at least 5 minutes.
#[must_use]
pub fn repeat_period(levels: &[Level]) -> Duration {
    let gap = match levels {
        [.., before, last] => last.after.saturating_sub(before.after),
        _ => Duration::ZERO,
    };
    gap.max(Duration::from_mins(5))
}

/// The standing at `now` of a policy whose clock started at `since`.
#[must_use]
pub fn standing(
    levels: &[Level],
    (repeat_last, after_ack): (bool, AfterAck),
    since: DateTime<Utc>,
    acknowledged: Option<usize>,
    now: DateTime<Utc>,
) -> Standing {
    let elapsed = (now - since).max(TimeDelta::zero());
    let due = levels.iter().rposition(|l| delta(l.after) <= elapsed);
    if let (AfterAck::Stop, Some(acked)) = (after_ack, acknowledged) {
        // Acknowledged: the escalation stops at that level.
        return Standing {
            due: due.map(|d| d.min(acked)),
            acknowledged: true,
            next: None,
        };
    }
    let is_acked = match (due, acknowledged) {
        (Some(due), Some(acked)) => acked >= due,
        _ => false,
    };
    let upcoming = levels
        .iter()
        .position(|l| delta(l.after) > elapsed)
        .map(|i| (i, since + delta(levels[i].after)));
    let next = upcoming.or_else(|| {
        let last = levels.len().checked_sub(1)?;
        if !repeat_last || is_acked {
            return None;
        }
        let period = delta(repeat_period(levels));
        let first = since + delta(levels[last].after);
        let periods = ((now - first).num_seconds() / period.num_seconds().max(1)) + 1;
        Some((
            last,
            first + period * i32::try_from(periods).unwrap_or(i32::MAX),
        ))
    });
    Standing {
        due,
        acknowledged: is_acked,
        next,
    }
}

/// When the next stakeholder update is due, given the last one and the cadence.
#[must_use]
pub fn update_due(last_update: DateTime<Utc>, every: Duration) -> DateTime<Utc> {
    last_update + delta(every)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + TimeDelta::minutes(min)
    }

    fn levels() -> Vec<Level> {
        [0, 15, 30]
            .iter()
            .map(|m| Level {
                after: Duration::from_secs(m * 60),
                notify: vec![format!("l{m}")],
            })
            .collect()
    }

    #[test]
    fn levels_become_due_in_order() {
        let s = standing(&levels(), (false, AfterAck::Continue), at(0), None, at(1));
        assert_eq!(
            (s.due, s.acknowledged, s.next),
            (Some(0), false, Some((1, at(15))))
        );
        let s = standing(&levels(), (false, AfterAck::Continue), at(0), None, at(16));
        assert_eq!((s.due, s.next), (Some(1), Some((2, at(30)))));
        let s = standing(&levels(), (false, AfterAck::Continue), at(0), None, at(45));
        assert_eq!((s.due, s.next), (Some(2), None));
    }

    #[test]
    fn an_acknowledgement_stops_the_escalation_by_default() {
        let s = standing(&levels(), (true, AfterAck::Stop), at(0), Some(0), at(40));
        assert_eq!((s.due, s.acknowledged, s.next), (Some(0), true, None));
        let s = standing(&levels(), (false, AfterAck::Stop), at(0), None, at(16));
        assert_eq!(
            (s.due, s.acknowledged),
            (Some(1), false),
            "unacknowledged, it goes on"
        );
    }

    #[test]
    fn acknowledging_covers_the_due_level_until_the_next_one() {
        assert!(
            standing(
                &levels(),
                (false, AfterAck::Continue),
                at(0),
                Some(0),
                at(5)
            )
            .acknowledged
        );
        assert!(
            !standing(
                &levels(),
                (false, AfterAck::Continue),
                at(0),
                Some(0),
                at(16)
            )
            .acknowledged
        );
    }

    #[test]
    fn the_last_level_repeats_until_acknowledged() {
        let s = standing(&levels(), (true, AfterAck::Continue), at(0), None, at(31));
        assert_eq!(s.next, Some((2, at(45))));
        let s = standing(&levels(), (true, AfterAck::Continue), at(0), None, at(50));
        assert_eq!(s.next, Some((2, at(60))));
        assert_eq!(
            standing(
                &levels(),
                (true, AfterAck::Continue),
                at(0),
                Some(2),
                at(50)
            )
            .next,
            None
        );
    }

    #[test]
    fn a_restarted_clock_starts_over() {
        let s = standing(&levels(), (false, AfterAck::Continue), at(20), None, at(21));
        assert_eq!(s.due, Some(0));
        assert_eq!(s.next, Some((1, at(35))));
    }

    #[test]
    fn cadence_says_when_the_next_update_is_due() {
        assert_eq!(update_due(at(10), Duration::from_mins(30)), at(40));
    }
}
