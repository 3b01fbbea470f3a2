//! Writes an open incident with a long journal, for the timeline benchmark
//! (`benches/timeline.py`): a P1 declaration, then notes, status changes and component changes.
//! With `flapping`, 40 % of the records are transitions of 100 components that fail and recover
//! in turn (the fold's worst case: a long incident of flapping components).
//! Run: `cargo run --release --example long_journal -- DATA_DIR EVENTS [flapping]`

use std::io::Write as _;

use chrono::{TimeDelta, TimeZone, Utc};
use warroom::domain::event::{Declaration, Event, Record};
use warroom::domain::{Health, Severity, Status};
use warroom::journal;

fn event(i: usize) -> Event {
    const STATUSES: [Status; 3] = [
        Status::Investigating,
        Status::Identified,
        Status::Monitoring,
    ];
    match i % 50 {
        0 => Event::StatusChanged {
            from: STATUSES[(i / 50) % 3],
            to: STATUSES[(i / 50 + 1) % 3],
        },
        25 => Event::ComponentChanged {
            component: "db".into(),
            from: if i % 100 == 25 {
                Health::Up
            } else {
                Health::Down
            },
            to: if i % 100 == 25 {
                Health::Down
            } else {
                Health::Up
            },
            detail: Some(format!("sample {i}")),
            since: None,
        },
        _ => Event::NoteAdded {
            text: format!("note {i}: replica lag {} s on db-{}", i % 97, i % 7),
            step: None,
        },
    }
}

/// Two records in five are transitions: of component `c{t % 100}`, down in even rounds of a
/// hundred transitions, up in odd ones.
fn flapping(i: usize) -> Option<Event> {
    (i % 5 < 2).then(|| {
        let t = i / 5 * 2 + i % 5;
        let failing = (t / 100).is_multiple_of(2);
        let (from, to) = if failing {
            (Health::Up, Health::Down)
        } else {
            (Health::Down, Health::Up)
        };
        Event::ComponentChanged {
            component: format!("c{}", t % 100),
            from,
            to,
            detail: None,
            since: None,
        }
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(data), Some(events)) = (args.get(1), args.get(2)) else {
        return Err("usage: long_journal DATA_DIR EVENTS".into());
    };
    let events: usize = events.parse()?;
    let flaps = args.get(3).is_some_and(|a| a == "flapping");
    let id = "20261203-0300-long-journal";
    let dir = std::path::Path::new(data).join("incidents").join(id);
    journal::create_private_dir(&dir)?;
    let mut file = std::io::BufWriter::new(journal::open_private_file(
        &dir.join(journal::FILE_NAME),
        true,
    )?);
    let start = Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap();
    let mut crc = 0;
    for i in 0..events {
        let event = if i == 0 {
            Event::Declared(Box::new(Declaration::new(
                id,
                "A long incident",
                Severity::P1,
                "ic@host",
            )))
        } else if flaps {
            flapping(i).unwrap_or_else(|| event(i))
        } else {
            event(i)
        };
        let record = Record {
            seq: i as u64 + 1,
            at: start + TimeDelta::milliseconds(i as i64 * 250),
            wall: None,
            actor: "ic@host".into(),
            request: None,
            event,
        };
        let (line, next) = journal::encode(&record, crc);
        file.write_all(line.as_bytes())?;
        crc = next;
    }
    file.flush()?;
    println!("{}", dir.join(journal::FILE_NAME).display());
    Ok(())
}
