//! Appending to a journal: the lock, private files and folders, and one fsynced line per event.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};

use crate::domain::event::{Event, Record};

use super::format::encode;
use super::{FILE_NAME, JournalError, io_err};

/// An open journal. Holds the writer lock for as long as it lives, unless read-only.
#[derive(Debug)]
pub struct Journal {
    pub(super) path: PathBuf,
    pub(super) file: File,
    pub(super) next_seq: u64,
    pub(super) last_crc: u32,
    /// The last record's time: no record is ever stamped before it.
    pub(super) last_at: Option<DateTime<Utc>>,
    pub(super) state: WriteState,
}

/// Whether a journal accepts appends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum WriteState {
    Open,
    /// Damaged in the middle: never written, so nothing more is lost.
    ReadOnly(String),
    /// A write or sync failed: the file's tail is uncertain, so writing stops.
    Failed(String),
}

/// Whether a folder is a team's: set-group-id and open to its group (`2770`, as a room's
/// `[room] group` shares the store), so that what is made in it is the group's too.
#[must_use]
pub fn team_folder(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(dir).is_ok_and(|m| m.is_dir() && m.mode() & 0o2070 == 0o2070)
}

/// Whether this process's user owns what `meta` describes (and so may set its mode).
fn mine(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == nix::unistd::geteuid().as_raw()
}

/// The modes of a folder and a file made in `parent`: the team's (`2770`, `0660`) in a team's
/// folder, else private (`0700`, `0600`), whatever the umask.
fn modes_in(parent: Option<&Path>) -> (u32, u32) {
    if parent.is_some_and(team_folder) {
        (0o2770, 0o660)
    } else {
        (0o700, 0o600)
    }
}

/// Creates a directory (and parents) private to this user (`0700`) whatever the umask, or the
/// team's (`2770`) inside a team's folder. A folder of another user is left as it is; one of
/// this user's is made private again unless it is a team's.
pub fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    let (mode, _) = modes_in(dir.parent());
    fs::DirBuilder::new()
        .recursive(true)
        .mode(mode & 0o777)
        .create(dir)
        .map_err(io_err(dir))?;
    let meta = fs::metadata(dir).map_err(io_err(dir))?;
    if !mine(&meta) {
        return Ok(());
    }
    let mode = if team_folder(dir) { 0o2770 } else { mode };
    fs::set_permissions(dir, fs::Permissions::from_mode(mode)).map_err(io_err(dir))
}

/// Opens a file for appending, never through a symbolic link, with mode `0600` whatever the
/// umask (`0660` in a team's folder). Another user's file (a teammate's journal) keeps its mode.
pub fn open_private_file(path: &Path, create_new: bool) -> Result<File, JournalError> {
    let (_, mode) = modes_in(path.parent());
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .create_new(create_new)
        .mode(mode)
        // Never through a planted link: warroom (often root) would append to, and chmod, its target.
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)
        .map_err(io_err(path))?;
    if file.metadata().is_ok_and(|m| mine(&m)) {
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(io_err(path))?;
    }
    Ok(file)
}

pub(super) fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

pub(super) fn try_lock(file: &File, path: &Path) -> Result<(), JournalError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(JournalError::Locked {
            path: path.to_owned(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io_err(path)(e)),
    }
}

impl Journal {
    /// Whether the journal's path still names the file it writes (device and inode); if not,
    /// writing stops for good.
    fn still_there(&mut self) -> Result<(), JournalError> {
        use std::os::unix::fs::MetadataExt;
        let open = self.file.metadata().map(|m| (m.dev(), m.ino()));
        let named = fs::metadata(&self.path).map(|m| (m.dev(), m.ino()));
        match (open, named) {
            (Ok(open), Ok(named)) if open == named => Ok(()),
            _ => {
                let error = JournalError::Missing {
                    path: self.path.clone(),
                };
                self.state = WriteState::Failed(error.to_string());
                Err(error)
            }
        }
    }

    /// Writes `records` as they are (sequence numbers, times, authors) to a new journal at
    /// `path`, which must not exist: a journal deleted or replaced under its writer, made again
    /// from what the console holds.
    ///
    /// # Errors
    /// Something is at `path`, or it cannot be written.
    pub fn rewrite(path: &Path, records: &[Record]) -> Result<Self, JournalError> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        let mut file = open_private_file(path, true)?;
        try_lock(&file, path)?;
        let mut crc = 0;
        let mut text = String::new();
        for record in records {
            let (line, next) = encode(record, crc);
            text.push_str(&line);
            crc = next;
        }
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io_err(path))?;
        if let Some(dir) = path.parent() {
            sync_dir(dir)?;
        }
        Ok(Self {
            path: path.to_owned(),
            file,
            next_seq: records.last().map_or(1, |r| r.seq + 1),
            last_crc: crc,
            last_at: records.last().map(|r| r.at),
            state: WriteState::Open,
        })
    }

    /// Creates a new, empty journal in `dir` (created 0700), fsyncing the file and its directory.
    pub fn create(dir: &Path) -> Result<Self, JournalError> {
        create_private_dir(dir)?;
        let path = dir.join(FILE_NAME);
        let file = open_private_file(&path, true)?;
        try_lock(&file, &path)?;
        file.sync_all().map_err(io_err(&path))?;
        sync_dir(dir)?;
        if let Some(parent) = dir.parent() {
            sync_dir(parent)?;
        }
        Ok(Self {
            path,
            file,
            next_seq: 1,
            last_crc: 0,
            last_at: None,
            state: WriteState::Open,
        })
    }

    /// Appends one event: one `write_all`, then `sync_data`. Only an `Ok` record is durable.
    /// After any write or sync error the journal refuses further writes.
    pub fn append(
        &mut self,
        at: DateTime<Utc>,
        actor: &str,
        event: Event,
    ) -> Result<Record, JournalError> {
        self.append_stamped((at, None), actor, event)
    }

    /// Appends one event at `at` on the incident's clock, with `wall`, the wall clock, when that
    /// is a drill clock.
    pub fn append_stamped(
        &mut self,
        stamp: (DateTime<Utc>, Option<DateTime<Utc>>),
        actor: &str,
        event: Event,
    ) -> Result<Record, JournalError> {
        self.append_request(stamp, (actor, None), event)
    }

    /// Appends one event as [`Self::append_stamped`] does, for `actor`'s request number
    /// `request` when a joined console asked for it.
    pub fn append_request(
        &mut self,
        (at, wall): (DateTime<Utc>, Option<DateTime<Utc>>),
        (actor, request): (&str, Option<std::num::NonZeroU32>),
        event: Event,
    ) -> Result<Record, JournalError> {
        let path = self.path.clone();
        match &self.state {
            WriteState::Open => {}
            WriteState::ReadOnly(reason) => {
                return Err(JournalError::ReadOnly {
                    path,
                    reason: reason.clone(),
                });
            }
            WriteState::Failed(reason) => {
                return Err(JournalError::Failed {
                    path,
                    reason: reason.clone(),
                });
            }
        }
        // A clock that jumped back never stamps a record before the one it follows (a note
        // before its declaration).
        let at = at.trunc_subsecs(3);
        let record = Record {
            seq: self.next_seq,
            at: self.last_at.map_or(at, |last| at.max(last)),
            wall: wall.map(|w| Box::new(w.trunc_subsecs(3))),
            actor: actor.to_owned(),
            request,
            event,
        };
        let (line, crc) = encode(&record, self.last_crc);
        // The path must still name the file this journal writes: a journal deleted, or replaced
        // by `cp` and `mv`, would take records nobody will ever read.
        self.still_there()?;
        if let Err(e) = self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
        {
            self.state = WriteState::Failed(e.to_string());
            return Err(io_err(&self.path)(e));
        }
        // Gone while this record was written: it went to a file nobody will read.
        self.still_there()?;
        self.next_seq += 1;
        self.last_crc = crc;
        self.last_at = Some(record.at);
        Ok(record)
    }

    /// Where the journal lives.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}
