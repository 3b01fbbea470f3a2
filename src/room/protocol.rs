//! What a joined console and the writing console say to each other, one message per frame.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::domain::event::{Event, Record};
use crate::domain::health::Sample;

/// From a joined console to the writer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// The first frame: send the records after `after`, then every new one as it is journaled.
    /// It says the room protocol the console speaks and its warroom version (absent: protocol 1,
    /// before hellos said it).
    Hello {
        after: u64,
        #[serde(default = "first_protocol")]
        protocol: u32,
        #[serde(default)]
        version: String,
    },
    /// Journal `event` with the requester as its actor; `id` names the answer. `key`, the same
    /// for the same request sent again to a new writer after a failover, makes it journaled once.
    Append {
        id: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        key: Option<std::num::NonZeroU32>,
        event: Box<Event>,
    },
    /// The console shows this screen now (not journaled: who is where, for the room).
    Screen { screen: String },
}

/// From the writer to a joined console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The requester is in the room, as this actor; the records up to `last` follow at once.
    Welcome { actor: String, last: u64 },
    /// A record, in journal order: the catch-up after `Hello`, then each new one.
    Record { record: Box<Record> },
    /// Request `id` is journaled as record `seq` (sent after that record).
    Accepted { id: u64, seq: u64 },
    /// Request `id` was refused and nothing was journaled.
    Refused { id: u64, reason: String },
    /// Who is in the room and on which screen, the writing console first.
    Presence { people: Vec<(String, String)> },
    /// The writer closes the connection, and why.
    Closed { reason: String },
    /// What the writer's probes or recovery-point readers found: joined consoles probe nothing.
    Reading { reading: Reading },
}

/// One finding of the writer's workers, by component id (a joined console's config may list
/// its components in another order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "snake_case")]
pub enum Reading {
    /// A probe's sample.
    Sample { component: String, sample: Sample },
    /// The time of a backup stream's last good copy, or why it could not be read.
    Point {
        component: String,
        stream: usize,
        reading: Result<DateTime<Utc>, String>,
    },
}

impl Reading {
    /// What it is about: the component, and the backup stream of a recovery point.
    #[must_use]
    pub fn about(&self) -> (&str, Option<usize>) {
        match self {
            Self::Sample { component, .. } => (component, None),
            Self::Point {
                component, stream, ..
            } => (component, Some(*stream)),
        }
    }
}

/// Why a room closes when its writer declared another incident: its consoles stay on the last
/// incident, read-only, and are told how to join the new one.
pub const NEW_INCIDENT: &str = "the writer declared a new incident: `warroom join` joins it";

/// The room protocol this warroom speaks: 2 says itself in the hello (1 did not); 3 relays the
/// writer's probe readings.
pub const PROTOCOL: u32 = 3;

fn first_protocol() -> u32 {
    1
}

/// This warroom's hello, asking for the records after `after`.
#[must_use]
pub fn hello(after: u64) -> Request {
    Request::Hello {
        after,
        protocol: PROTOCOL,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }
}

/// Why a hello of another protocol is refused, naming both sides.
#[must_use]
pub fn mismatch(protocol: u32, version: &str) -> Option<String> {
    (protocol != PROTOCOL).then(|| {
        let theirs = if version.is_empty() {
            "an older warroom".to_owned()
        } else {
            format!("warroom {version}")
        };
        format!(
            "this room speaks protocol {PROTOCOL} (warroom {}); your console, {theirs}, speaks protocol {protocol}: run the same warroom as the writer",
            env!("CARGO_PKG_VERSION")
        )
    })
}
