//! Backup streams: several sources of good copies per component. The RPO counts from the newest
//! good copy of any stream; each stream is judged against the frequency it promises.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// The last reading of one stream: the newest good copy, or why it could not be read; `None`
/// before the first reading.
pub type Reading = Option<Result<DateTime<Utc>, String>>;

/// What a stream's last reading says against its expected frequency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Not read yet.
    Waiting,
    /// The source could not be read; the other streams still count.
    Unreadable(String),
    /// The newest copy is no older than the stream promises (or it promises nothing).
    Fresh { age: TimeDelta },
    /// The newest copy is older than the stream's frequency.
    Stale { age: TimeDelta, every: Duration },
}

impl Freshness {
    /// True when the stream needs someone to look at it.
    #[must_use]
    pub fn is_fault(&self) -> bool {
        matches!(self, Self::Unreadable(_) | Self::Stale { .. })
    }
}

/// A stream's promised frequency as people write it: `24h`, `15m`, `90s`.
#[must_use]
pub fn period(every: Duration) -> String {
    let secs = every.as_secs();
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// How a stream stands at `now`.
#[must_use]
pub fn freshness(reading: &Reading, every: Option<Duration>, now: DateTime<Utc>) -> Freshness {
    match reading {
        None => Freshness::Waiting,
        Some(Err(why)) => Freshness::Unreadable(why.clone()),
        Some(Ok(at)) => {
            let age = (now - *at).max(TimeDelta::zero());
            match every {
                Some(every) if !super::budget::within(age, every) => {
                    Freshness::Stale { age, every }
                }
                _ => Freshness::Fresh { age },
            }
        }
    }
}

/// The component's recovery point from its streams' readings (`names` beside them): the newest
/// good copy of any; with none readable, why the first unreadable one failed; `None` before any
/// reading.
#[must_use]
pub fn newest(names: &[&str], readings: &[Reading]) -> Reading {
    let good = readings
        .iter()
        .filter_map(|r| r.as_ref()?.as_ref().ok())
        .max()
        .copied();
    if let Some(at) = good {
        return Some(Ok(at));
    }
    let (name, why) = names
        .iter()
        .zip(readings)
        .find_map(|(name, r)| Some((name, r.as_ref()?.as_ref().err()?)))?;
    Some(Err(if names.len() > 1 {
        format!("{name}: {why}")
    } else {
        why.clone()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes_ago: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() - TimeDelta::minutes(minutes_ago)
    }

    #[test]
    fn the_newest_good_copy_of_any_stream_counts_and_a_failing_stream_does_not_hide_it() {
        let names = ["full", "wal", "config"];
        let readings = vec![
            Some(Ok(at(600))),
            Some(Err("timed out".into())),
            Some(Ok(at(3))),
        ];
        assert_eq!(newest(&names, &readings), Some(Ok(at(3))));
        let readings = vec![None, Some(Err("timed out".into())), None];
        assert_eq!(
            newest(&names, &readings),
            Some(Err("wal: timed out".into()))
        );
        assert_eq!(newest(&names, &[None, None, None]), None);
        assert_eq!(
            newest(&["recovery point"], &[Some(Err("no file".into()))]),
            Some(Err("no file".into())),
            "a single source needs no name"
        );
    }

    #[test]
    fn a_stream_older_than_its_frequency_is_stale_and_exactly_at_it_is_fresh() {
        let now = at(0);
        let hour = Some(Duration::from_hours(1));
        assert_eq!(
            freshness(&Some(Ok(at(60))), hour, now),
            Freshness::Fresh {
                age: TimeDelta::hours(1)
            }
        );
        assert_eq!(
            freshness(&Some(Ok(at(61))), hour, now),
            Freshness::Stale {
                age: TimeDelta::minutes(61),
                every: Duration::from_hours(1)
            }
        );
        assert!(!freshness(&Some(Ok(at(6000))), None, now).is_fault());
        assert!(freshness(&Some(Err("x".into())), hour, now).is_fault());
        assert_eq!(freshness(&None, hour, now), Freshness::Waiting);
    }
}
