//! What a joined console and the writing console say to each other, one message per frame.

use serde::{Deserialize, Serialize};

use crate::domain::event::{Event, Record};

/// From a joined console to the writer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// The first frame: send the records after `after`, then every new one as it is journaled.
    Hello { after: u64 },
    /// Journal `event` with the requester as its actor; `id` names the answer.
    Append { id: u64, event: Box<Event> },
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
}
