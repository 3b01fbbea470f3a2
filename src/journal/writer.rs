//! The journal writer: a thread that owns the open journal, so an fsync never stalls the screen.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::mpsc as std_mpsc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::domain::event::Event;
use crate::journal::Journal;
use crate::msg::{Msg, Peer};

/// Where the journal being written lives, for the panic message.
pub static CURRENT_PATH: Mutex<Option<PathBuf>> = Mutex::new(None);

/// A request to the writer.
#[derive(Debug)]
pub enum Command {
    /// Create a new incident journal in `dir` and record its declaration.
    Create {
        dir: PathBuf,
        at: DateTime<Utc>,
        /// The wall clock, when `at` is a drill clock's time.
        wall: Option<DateTime<Utc>>,
        actor: String,
        event: Event,
    },
    /// Write the journal again at its path from `records` (it was removed or replaced).
    Rewrite {
        records: Vec<crate::domain::event::Record>,
    },
    /// Record an event; for a joined console's request, `peer` says whose (the answer names it).
    Append {
        at: DateTime<Utc>,
        wall: Option<DateTime<Utc>>,
        actor: String,
        event: Event,
        peer: Option<Peer>,
    },
}

fn remember(journal: &Journal) {
    if let Ok(mut current) = CURRENT_PATH.lock() {
        *current = Some(journal.path().to_owned());
    }
}

/// Starts the writer with the journal already open (if any). Answers arrive as `Msg`s in order.
#[must_use]
pub fn spawn(
    mut journal: Option<Journal>,
    replies: mpsc::Sender<Msg>,
) -> std_mpsc::Sender<Command> {
    let (tx, rx) = std_mpsc::channel::<Command>();
    if let Some(j) = &journal {
        remember(j);
    }
    std::thread::Builder::new()
        .name("journal".into())
        .spawn(move || {
            for command in rx {
                if let Command::Rewrite { records } = command {
                    let reply = Msg::JournalRewritten(rewrite(&mut journal, &records));
                    if replies.blocking_send(reply).is_err() {
                        break;
                    }
                    continue;
                }
                let peer = match &command {
                    Command::Append { peer, .. } => peer.clone(),
                    Command::Create { .. } | Command::Rewrite { .. } => None,
                };
                let reply = match (handle(&mut journal, command), peer) {
                    (Ok(record), None) => Msg::Journaled(record),
                    (Ok(record), Some(peer)) => Msg::PeerJournaled { peer, record },
                    (Err(error), peer) => {
                        tracing::error!(%error, "journal write failed");
                        match peer {
                            None => Msg::JournalFailed(error),
                            Some(peer) => Msg::PeerJournalFailed { peer, error },
                        }
                    }
                };
                if replies.blocking_send(reply).is_err() {
                    break;
                }
            }
        })
        .expect("the journal thread starts");
    tx
}

/// Makes the journal again at its path from `records`; the new journal is the one written on.
fn rewrite(
    journal: &mut Option<Journal>,
    records: &[crate::domain::event::Record],
) -> Result<usize, String> {
    let path = journal
        .as_ref()
        .map(|j| j.path().to_owned())
        .ok_or("no incident journal is open")?;
    let made = Journal::rewrite(&path, records).map_err(|e| e.to_string())?;
    remember(&made);
    tracing::info!(path = %path.display(), records = records.len(), "journal written again");
    *journal = Some(made);
    Ok(records.len())
}

fn handle(
    journal: &mut Option<Journal>,
    command: Command,
) -> Result<crate::domain::event::Record, String> {
    match command {
        Command::Rewrite { .. } => Err("a rewrite is answered on its own".into()),
        Command::Create {
            dir,
            at,
            wall,
            actor,
            event,
        } => {
            if dir.exists() {
                return Err(format!(
                    "an incident folder {} already exists; choose another title",
                    dir.display()
                ));
            }
            let mut created = Journal::create(&dir).map_err(|e| e.to_string())?;
            let record = created
                .append_stamped((at, wall), &actor, event)
                .map_err(|e| e.to_string())?;
            remember(&created);
            tracing::info!(path = %created.path().display(), "incident journal created");
            *journal = Some(created);
            Ok(record)
        }
        Command::Append {
            at,
            wall,
            actor,
            event,
            peer,
        } => {
            let journal = journal.as_mut().ok_or("no incident journal is open")?;
            let key = peer.and_then(|p| p.key);
            journal
                .append_request((at, wall), (&actor, key), event)
                .map_err(|e| e.to_string())
        }
    }
}
