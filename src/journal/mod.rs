//! The append-only incident journal: JSON lines with a chained CRC, fsynced before an event counts.
//!
//! Each line is `{"seq":…,"at":…,"actor":…,"kind":…,…,"crc":"xxxxxxxx"}`. The CRC-32 covers the
//! previous line's CRC and every byte of this line before `,"crc"`, so an edited, dropped or
//! reordered line breaks the chain.

mod append;
mod format;
mod reader;
mod repair;
pub mod store;
#[cfg(test)]
mod tests;
pub mod writer;

use std::io;
use std::path::{Path, PathBuf};

/// The journal format this warroom writes: 2 records it on a journal's first record (format 1,
/// before it, did not). A journal of a newer format is refused by name, never read as damage.
pub const FORMAT: u32 = 2;

/// How a missing journal's error begins (the screen says JOURNAL MISSING for it).
pub const MISSING: &str = "journal missing:";

pub use append::{Journal, create_private_dir, open_private_file, team_folder};
pub use format::{Fault, Scan, encode};
pub use reader::{scan, verify};
pub use repair::Recovery;

/// The journal file name inside an incident folder.
pub const FILE_NAME: &str = "journal.jsonl";

/// Why the journal cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error(
        "{MISSING} {path} was removed or replaced while warroom wrote it; nothing more is written there"
    )]
    Missing { path: PathBuf },
    #[error(
        "{path}: journal format {found} is newer than this warroom's {ours}: upgrade warroom to open it (nothing was changed)"
    )]
    Newer {
        path: PathBuf,
        found: u64,
        ours: u32,
    },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} is being written by another warroom (its lock is held)")]
    Locked { path: PathBuf },
    #[error("{path} is open read-only: {reason}")]
    ReadOnly { path: PathBuf, reason: String },
    #[error("writing to {path} failed earlier ({reason}); nothing more is written to it")]
    Failed { path: PathBuf, reason: String },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> JournalError + '_ {
    move |source| JournalError::Io {
        path: path.to_owned(),
        source,
    }
}
