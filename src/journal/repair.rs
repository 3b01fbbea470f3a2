//! Opening a journal again: a torn tail is cut off (and kept aside), damage in the middle makes it read-only.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::domain::event::Record;

use super::append::{Journal, WriteState, open_private_file, sync_dir, try_lock};
use super::format::{Fault, Scan};
use super::reader::scan;
use super::{FILE_NAME, JournalError, io_err};

/// What opening a journal found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    Clean,
    /// A torn or garbage tail was moved to `copy` and cut off.
    TailRepaired {
        fault: Fault,
        copy: PathBuf,
        bytes: usize,
    },
    /// Damage followed by valid lines: the journal is left untouched and opened read-only.
    ReadOnly {
        fault: Fault,
    },
}

impl Journal {
    /// Opens an existing journal for writing, repairing a torn tail. A journal locked by another
    /// process gives `Locked`; damage in the middle gives a read-only journal.
    pub fn open(path: &Path) -> Result<(Self, Vec<Record>, Recovery), JournalError> {
        let mut file = open_private_file(path, false)?;
        try_lock(&file, path)?;
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(io_err(path))?;
        file.read_to_end(&mut bytes).map_err(io_err(path))?;
        let scan = scan(&bytes);
        if let Some(found) = scan.newer {
            return Err(JournalError::Newer {
                path: path.to_owned(),
                found,
                ours: super::FORMAT,
            });
        }
        let recovery = match scan.fault {
            None => Recovery::Clean,
            Some(fault) if scan.damage_in_middle => Recovery::ReadOnly { fault },
            Some(fault) => Self::repair_tail(&file, path, &bytes, scan.valid_len, fault)?,
        };
        let state = match &recovery {
            Recovery::ReadOnly { fault } => WriteState::ReadOnly(format!("damaged at {fault}")),
            _ => WriteState::Open,
        };
        let journal = Self {
            path: path.to_owned(),
            file,
            next_seq: scan.records.len() as u64 + 1,
            last_crc: scan.last_crc,
            last_at: scan.records.last().map(|r| r.at),
            state,
        };
        Ok((journal, scan.records, recovery))
    }

    /// Reads a journal without locking or changing it (for followers, listings and replays).
    pub fn read(path: &Path) -> Result<Scan, JournalError> {
        Ok(scan(&fs::read(path).map_err(io_err(path))?))
    }

    fn repair_tail(
        file: &File,
        path: &Path,
        bytes: &[u8],
        valid_len: usize,
        fault: Fault,
    ) -> Result<Recovery, JournalError> {
        let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let copy = path.with_file_name(format!("{FILE_NAME}.broken-{stamp}"));
        let mut out = open_private_file(&copy, true)?;
        out.write_all(&bytes[valid_len..])
            .and_then(|()| out.sync_all())
            .map_err(io_err(&copy))?;
        file.set_len(valid_len as u64)
            .and_then(|()| file.sync_all())
            .map_err(io_err(path))?;
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
        Ok(Recovery::TailRepaired {
            fault,
            copy,
            bytes: bytes.len() - valid_len,
        })
    }
}
