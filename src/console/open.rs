//! Opening an incident for the console: resuming the store's open one, or following it when
//! another console writes it; and who is at the keyboard.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::domain::event::Record;
use crate::journal::store::Store;
use crate::journal::{Journal, JournalError, Recovery};
use crate::msg::Msg;
use crate::state::{Console, JournalState, State};
use crate::update;

/// What `resume` opened: the journal to write to, or the journal to follow.
#[derive(Default)]
pub struct Opened {
    pub journal: Option<Journal>,
    pub follow: Option<PathBuf>,
}

/// What opening a journal for writing gave.
pub type Claim = Result<(Journal, Vec<Record>, Recovery), JournalError>;

/// Opens the latest open incident of the store into the state: for writing, or, when another
/// console holds it, as a follower.
pub fn resume(store: &Store, state: &mut State) -> Opened {
    let Some(summary) = store.latest_open() else {
        return Opened::default();
    };
    resume_claimed(&summary.path, Journal::open(&summary.path), state)
}

/// Opens the incident whose journal is at `path` into the state, as `claim` (the journal
/// opened for writing, or why not) allows.
pub fn resume_claimed(path: &Path, claim: Claim, state: &mut State) -> Opened {
    let mut follow = None;
    let (journal, records) = match claim {
        Ok((journal, records, recovery)) => {
            note_recovery(state, &recovery);
            (Some(journal), records)
        }
        Err(JournalError::Locked { path: locked }) => {
            follow_as_viewer(state, &locked);
            follow = Some(locked);
            (
                None,
                Journal::read(path).map(|s| s.records).unwrap_or_default(),
            )
        }
        Err(error) => {
            state.journal = JournalState::ReadOnly(error.to_string());
            (
                None,
                Journal::read(path).map(|s| s.records).unwrap_or_default(),
            )
        }
    };
    if let Err(error) = update::resume(state, records) {
        update::log(state, format!("{}: {error}", path.display()), true);
        return Opened::default();
    }
    Opened { journal, follow }
}

/// Makes the console a follower of the journal at `path`: it shows, and never writes.
pub fn follow_as_viewer(state: &mut State, path: &std::path::Path) {
    state.console = Console::Follow;
    state.journal = JournalState::ReadOnly(format!(
        "following {} read-only; the writing console makes the changes",
        path.display()
    ));
}

/// Tails a journal: every 200 ms, records past the last one seen go to the loop.
pub(super) fn spawn_follower(path: PathBuf, mut last: u64, tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        let mut size = 0;
        loop {
            let now_size = std::fs::metadata(&path).map_or(0, |m| m.len());
            if now_size != size {
                size = now_size;
                let records: Vec<Record> = Journal::read(&path)
                    .map(|scan| scan.records)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|r| r.seq > last)
                    .collect();
                if let Some(newest) = records.last() {
                    last = newest.seq;
                    if tx.send(Msg::Followed(records)).await.is_err() {
                        return;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
}

pub(super) fn note_recovery(state: &mut State, recovery: &Recovery) {
    match recovery {
        Recovery::Clean => {}
        Recovery::TailRepaired { fault, copy, bytes } => {
            let text = format!(
                "Journal repaired: a torn tail at {fault} ({bytes} bytes) was moved to {}",
                copy.display()
            );
            tracing::warn!("{text}");
            update::log(state, text, true);
        }
        Recovery::ReadOnly { fault } => {
            let text = format!("journal damaged at {fault}; opened read-only and left untouched");
            tracing::error!("{text}");
            state.journal = JournalState::ReadOnly(text);
        }
    }
}

/// Who is at the keyboard: `$USER@host`.
#[must_use]
pub fn actor() -> String {
    use std::os::unix::fs::MetadataExt;
    match std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(user) => format!("{user}@{}", crate::room::members::host()),
        None => crate::room::members::actor_of(
            std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid()),
        ),
    }
}
