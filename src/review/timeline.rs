//! The review's timeline: every key record as a row, handed to the template as a list object whose
//! rows become values only when rendered.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};

use super::{cell, cell_of, key_event};
use crate::domain::event::Record;
use crate::domain::incident::{Incident, time_of_day_ascii};

/// One key event of the timeline: its text made safe once, its times formatted when read.
#[derive(Debug)]
pub(super) struct TimelineRow {
    /// The incident's clock (a drill's is the drill clock).
    at: DateTime<Utc>,
    /// The wall clock; unknown for a drill record from before drill records kept it.
    wall: Option<DateTime<Utc>>,
    actor: Arc<str>,
    what: Arc<str>,
}

/// The journal's key events as the template reads them (`timeline`, a list of rows with `utc`,
/// `local`, `actor` and `what`). A row becomes a template value only when the template reaches
/// it, so 100,000 records are not first turned into 100,000 template maps.
#[derive(Debug)]
pub(super) struct Timeline {
    rows: Vec<TimelineRow>,
    local: FixedOffset,
}

impl Timeline {
    /// Below this many records the timeline is made on one thread.
    const SPLIT_FROM: usize = 10_000;

    pub(super) fn of(incident: &Incident, records: &[Record], local: FixedOffset) -> Self {
        let rows = if records.len() < Self::SPLIT_FROM {
            Self::rows(incident, records, records.len())
        } else {
            // A long journal's rows are made in two halves at once.
            let (first, second) = records.split_at(records.len() / 2);
            std::thread::scope(|threads| {
                let later = threads.spawn(|| Self::rows(incident, second, second.len()));
                // Room for both halves is made once.
                let mut rows = Self::rows(incident, first, records.len());
                rows.extend(
                    later
                        .join()
                        .unwrap_or_else(|_| Self::rows(incident, second, 0)),
                );
                rows
            })
        };
        Self { rows, local }
    }

    /// About how many bytes the timeline takes as a Markdown table.
    pub(super) fn text_len(&self) -> usize {
        self.rows
            .iter()
            .map(|row| row.actor.len() + row.what.len() + "| 00:00:00Z | 00:00:00 |  |  |\n".len())
            .sum()
    }

    /// The rows of `records`, in room for `capacity` rows (a vector grown by doubling touches
    /// twice the memory it keeps).
    fn rows(incident: &Incident, records: &[Record], capacity: usize) -> Vec<TimelineRow> {
        // Actors are few: each name is held once.
        let mut actors: HashMap<&str, Arc<str>> = HashMap::new();
        let mut rows = Vec::with_capacity(capacity);
        rows.extend(records.iter().filter(|r| key_event(&r.event)).map(|r| {
            TimelineRow {
                at: r.at,
                wall: (!incident.drill || r.is_drill_time()).then(|| r.wall_time()),
                actor: actors
                    .entry(&r.actor)
                    .or_insert_with(|| cell(&r.actor).into())
                    .clone(),
                what: cell_of(incident.describe(r)).into(),
            }
        }));
        rows
    }
}

impl Object for Timeline {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = key.as_usize().filter(|&i| i < self.rows.len())?;
        Some(Value::from_object(TimelineEntry {
            timeline: Arc::clone(self),
            index,
        }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.rows.len())
    }
}

/// `HH:MM:SS`, and `Z` if `utc`, as a template value made without an allocation: the timeline
/// of a long incident draws two for each of its rows.
fn time_value(at: &impl chrono::Timelike, utc: bool) -> Value {
    let mut text = [b'Z'; 9];
    text[..8].copy_from_slice(&time_of_day_ascii(at));
    let len = if utc { 9 } else { 8 };
    Value::from(std::str::from_utf8(&text[..len]).unwrap_or_default())
}

/// A row of the timeline as the template sees it.
#[derive(Debug)]
pub(super) struct TimelineEntry {
    timeline: Arc<Timeline>,
    index: usize,
}

impl Object for TimelineEntry {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let row = &self.timeline.rows[self.index];
        Some(match key.as_str()? {
            "utc" => row
                .wall
                .map_or_else(|| Value::from("—"), |at| time_value(&at, true)),
            "local" => row.wall.map_or_else(
                || Value::from("—"),
                |at| time_value(&at.with_timezone(&self.timeline.local), false),
            ),
            "drill" => time_value(&row.at, false),
            "actor" => Arc::clone(&row.actor).into(),
            "what" => Arc::clone(&row.what).into(),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["utc", "local", "drill", "actor", "what"])
    }
}
