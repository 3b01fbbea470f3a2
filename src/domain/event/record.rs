//! A journal record: an event with its sequence number, its times and its author, and how it is
//! stored (RFC 3339 with milliseconds; a drill record's drill time apart).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Event;

/// One line of the journal: an event with its sequence number, time and author.
///
/// `at` is the incident's clock, which every fold reads: the wall clock, or in a drill the drill
/// clock (paused, sped up). A drill record also keeps `wall`, the wall-clock time it was written.
/// On disk `at` is always the wall clock and a drill record adds `drill_at`; a drill record from
/// before `drill_at` existed stores its drill time as `at` (its wall time is unknown).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "Stored")]
pub struct Record {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// Boxed: only drill records have one, and a long incident holds 100,000 records.
    pub wall: Option<Box<DateTime<Utc>>>,
    pub actor: String,
    /// A joined console's number for the request this record answers: a request sent again
    /// after its writer went away is journaled once (with `actor`, it names the request).
    pub request: Option<std::num::NonZeroU32>,
    pub event: Event,
}

impl Record {
    /// When it was written by the wall clock (a drill record's `at` is its drill time).
    #[must_use]
    pub fn wall_time(&self) -> DateTime<Utc> {
        self.wall.as_deref().copied().unwrap_or(self.at)
    }

    /// Whether `at` is a drill clock's time (the record says so by its wall time).
    #[must_use]
    pub fn is_drill_time(&self) -> bool {
        self.wall.is_some()
    }
}

/// A record as the journal stores it.
#[derive(Deserialize)]
struct Stored {
    seq: u64,
    #[serde(with = "millis")]
    at: DateTime<Utc>,
    #[serde(default, with = "millis_opt")]
    drill_at: Option<DateTime<Utc>>,
    actor: String,
    #[serde(default)]
    req: Option<std::num::NonZeroU32>,
    #[serde(flatten)]
    event: Event,
}

impl From<Stored> for Record {
    fn from(stored: Stored) -> Self {
        let (at, wall) = match stored.drill_at {
            Some(drill) => (drill, Some(Box::new(stored.at))),
            None => (stored.at, None),
        };
        Self {
            seq: stored.seq,
            at,
            wall,
            actor: stored.actor,
            request: stored.req,
            event: stored.event,
        }
    }
}

/// A record as it is written: borrowed, so encoding never copies the event.
#[derive(Serialize)]
struct Storing<'a> {
    seq: u64,
    #[serde(with = "millis")]
    at: DateTime<Utc>,
    #[serde(with = "millis_opt", skip_serializing_if = "Option::is_none")]
    drill_at: Option<DateTime<Utc>>,
    actor: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    req: Option<std::num::NonZeroU32>,
    #[serde(flatten)]
    event: &'a Event,
}

impl Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Storing {
            seq: self.seq,
            at: self.wall.as_deref().copied().unwrap_or(self.at),
            drill_at: self.wall.as_ref().map(|_| self.at),
            actor: &self.actor,
            req: self.request,
            event: &self.event,
        }
        .serialize(s)
    }
}

/// RFC 3339 UTC timestamps with millisecond precision, as the journal stores them.
pub(super) mod millis {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// An optional [`millis`] timestamp.
mod millis_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::ref_option)]
    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::millis::serialize(at, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        #[derive(Deserialize)]
        struct Millis(#[serde(with = "super::millis")] DateTime<Utc>);
        Ok(Option::<Millis>::deserialize(d)?.map(|Millis(at)| at))
    }
}
