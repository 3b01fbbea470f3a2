//! The append-only incident journal: JSON lines with a chained CRC, fsynced before an event counts.
//!
//! Each line is `{"seq":…,"at":…,"actor":…,"kind":…,…,"crc":"xxxxxxxx"}`. The CRC-32 covers the
//! previous line's CRC and every byte of this line before `,"crc"`, so an edited, dropped or
//! reordered line breaks the chain.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};

use crate::domain::event::{Event, Record};

/// The journal file name inside an incident folder.
pub const FILE_NAME: &str = "journal.jsonl";
const CRC_PREFIX: &str = ",\"crc\":\"";
const CRC_SUFFIX_LEN: usize = CRC_PREFIX.len() + 8 + 2;

/// Why the journal cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
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

/// The first fault found in a journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// 1-based line number.
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The result of reading a journal's bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    pub records: Vec<Record>,
    /// Byte length of the valid prefix.
    pub valid_len: usize,
    pub last_crc: u32,
    pub fault: Option<Fault>,
    /// True when a well-formed line follows the fault: the damage is in the middle, not a torn tail.
    pub damage_in_middle: bool,
}

fn crc_of(prev: u32, body: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&prev.to_be_bytes());
    hasher.update(body);
    hasher.finalize()
}

/// Encodes a record as one journal line, chained to `prev`.
#[must_use]
pub fn encode(record: &Record, prev: u32) -> (String, u32) {
    let json = serde_json::to_string(record).expect("journal records always serialise");
    let body = &json[..json.len() - 1];
    let crc = crc_of(prev, body.as_bytes());
    (format!("{body}{CRC_PREFIX}{crc:08x}\"}}\n"), crc)
}

fn decode(line: &[u8], prev: u32, expected_seq: u64) -> Result<(Record, u32), String> {
    let text = std::str::from_utf8(line).map_err(|_| "not UTF-8".to_owned())?;
    if text.len() < CRC_SUFFIX_LEN || !text.ends_with("\"}") {
        return Err("not a journal record (no checksum)".into());
    }
    let (body, suffix) = text.split_at(text.len() - CRC_SUFFIX_LEN);
    let hex = suffix
        .strip_prefix(CRC_PREFIX)
        .and_then(|s| s.strip_suffix("\"}"))
        .ok_or("not a journal record (no checksum)")?;
    let stored = u32::from_str_radix(hex, 16).map_err(|_| format!("bad checksum `{hex}`"))?;
    let actual = crc_of(prev, body.as_bytes());
    if stored != actual {
        return Err(format!(
            "checksum mismatch (stored {stored:08x}, computed {actual:08x})"
        ));
    }
    // The whole line is the record's JSON with one more key, `crc`, which the record ignores.
    let record: Record =
        serde_json::from_str(text).map_err(|e| format!("unreadable record: {e}"))?;
    if record.seq != expected_seq {
        return Err(format!(
            "sequence {} where {expected_seq} was expected",
            record.seq
        ));
    }
    Ok((record, stored))
}

fn looks_like_record(line: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(line)
        .is_ok_and(|v| v.get("seq").is_some() && v.get("crc").is_some())
}

/// Reads journal bytes: the longest valid prefix, and the first fault after it. A long journal
/// is read in two halves at once (the second half's chain starts from the checksum stored on
/// the line before it, which the first half checks), so resuming or exporting an incident of
/// 100,000 records takes half the time on two cores.
#[must_use]
pub fn scan(bytes: &[u8]) -> Scan {
    let (first, second) = match halves(bytes) {
        Some((split, prev)) => std::thread::scope(|threads| {
            let (lines_before, lines_after) =
                (line_count(&bytes[..split]), line_count(&bytes[split..]));
            let read_second = move || read_lines(&bytes[split..], lines_before, prev, lines_after);
            let second = threads.spawn(read_second);
            // The second half's records are moved after the first's: room for all is made once.
            let first = read_lines(&bytes[..split], 0, 0, lines_before + lines_after);
            // A thread that failed is read again here, never left out.
            (first, Some(second.join().unwrap_or_else(|_| read_second())))
        }),
        None => (read_lines(bytes, 0, 0, line_count(bytes)), None),
    };
    let mut part = first;
    if part.fault.is_none()
        && let Some(second) = second
    {
        part.records.extend(second.records);
        part.valid_len += second.valid_len;
        part.last_crc = second.last_crc;
        part.fault = second.fault;
    }
    let damage_in_middle = part.fault.is_some()
        && bytes[part.valid_len..]
            .split(|&b| b == b'\n')
            .skip(1)
            .any(looks_like_record);
    Scan {
        records: part.records,
        valid_len: part.valid_len,
        last_crc: part.last_crc,
        fault: part.fault,
        damage_in_middle,
    }
}

/// How many whole lines `bytes` holds.
fn line_count(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Below this size a journal is read in one piece.
const SPLIT_FROM: usize = 1 << 20;

/// Where to cut a long journal in two: just after the line ending nearest its middle, and the
/// checksum stored on that line (the chain's start for the second half).
fn halves(bytes: &[u8]) -> Option<(usize, u32)> {
    if bytes.len() < SPLIT_FROM {
        return None;
    }
    let split = bytes.len() / 2 + bytes[bytes.len() / 2..].iter().position(|&b| b == b'\n')? + 1;
    let line = bytes[..split - 1].rsplit(|&b| b == b'\n').next()?;
    let hex = line.get(line.len().checked_sub(10)?..line.len() - 2)?;
    let prev = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
    (split < bytes.len()).then_some((split, prev))
}

/// A run of whole lines read from one point of the chain.
struct Lines {
    records: Vec<Record>,
    valid_len: usize,
    last_crc: u32,
    fault: Option<Fault>,
}

/// Reads `bytes` as journal lines that follow `lines_before` lines whose last checksum is
/// `prev`, up to the first fault, into room for `capacity` records.
fn read_lines(bytes: &[u8], lines_before: usize, prev: u32, capacity: usize) -> Lines {
    let mut lines = Lines {
        records: Vec::with_capacity(capacity),
        valid_len: 0,
        last_crc: prev,
        fault: None,
    };
    let mut rest = bytes;
    while !rest.is_empty() {
        let line_no = lines_before + lines.records.len() + 1;
        let Some(end) = memchr::memchr(b'\n', rest) else {
            lines.fault = Some(Fault {
                line: line_no,
                reason: "incomplete last line (torn write)".into(),
            });
            break;
        };
        match decode(&rest[..end], lines.last_crc, line_no as u64) {
            Ok((record, crc)) => {
                lines.records.push(record);
                lines.last_crc = crc;
                lines.valid_len += end + 1;
                rest = &rest[end + 1..];
            }
            Err(reason) => {
                lines.fault = Some(Fault {
                    line: line_no,
                    reason,
                });
                break;
            }
        }
    }
    lines
}

/// Checks a journal file: `Ok(n)` with its event count, or the first fault.
pub fn verify(path: &Path) -> Result<Result<usize, Fault>, JournalError> {
    let bytes = fs::read(path).map_err(io_err(path))?;
    let scan = scan(&bytes);
    Ok(match scan.fault {
        Some(fault) => Err(fault),
        None => Ok(scan.records.len()),
    })
}

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

/// An open journal. Holds the writer lock for as long as it lives, unless read-only.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    next_seq: u64,
    last_crc: u32,
    state: WriteState,
}

/// Whether a journal accepts appends.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WriteState {
    Open,
    /// Damaged in the middle: never written, so nothing more is lost.
    ReadOnly(String),
    /// A write or sync failed: the file's tail is uncertain, so writing stops.
    Failed(String),
}

/// Creates a directory (and parents) with mode 0700 whatever the umask.
pub fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io_err(dir))?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))
}

/// Opens a file for appending with mode 0600 whatever the umask.
pub fn open_private_file(path: &Path, create_new: bool) -> Result<File, JournalError> {
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .create_new(create_new)
        .mode(0o600)
        .open(path)
        .map_err(io_err(path))?;
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(io_err(path))?;
    Ok(file)
}

fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir))
}

fn try_lock(file: &File, path: &Path) -> Result<(), JournalError> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(fs::TryLockError::WouldBlock) => Err(JournalError::Locked {
            path: path.to_owned(),
        }),
        Err(fs::TryLockError::Error(e)) => Err(io_err(path)(e)),
    }
}

impl Journal {
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
            state: WriteState::Open,
        })
    }

    /// Opens an existing journal for writing, repairing a torn tail. A journal locked by another
    /// process gives `Locked`; damage in the middle gives a read-only journal.
    pub fn open(path: &Path) -> Result<(Self, Vec<Record>, Recovery), JournalError> {
        let mut file = open_private_file(path, false)?;
        try_lock(&file, path)?;
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(io_err(path))?;
        file.read_to_end(&mut bytes).map_err(io_err(path))?;
        let scan = scan(&bytes);
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

    /// Appends one event: one `write_all`, then `sync_data`. Only an `Ok` record is durable.
    /// After any write or sync error the journal refuses further writes.
    pub fn append(
        &mut self,
        at: DateTime<Utc>,
        actor: &str,
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
        let record = Record {
            seq: self.next_seq,
            at: at.trunc_subsecs(3),
            actor: actor.to_owned(),
            event,
        };
        let (line, crc) = encode(&record, self.last_crc);
        if let Err(e) = self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
        {
            self.state = WriteState::Failed(e.to_string());
            return Err(io_err(&self.path)(e));
        }
        self.next_seq += 1;
        self.last_crc = crc;
        Ok(record)
    }

    /// Where the journal lives.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
    }

    fn note(text: &str) -> Event {
        Event::NoteAdded {
            text: text.into(),
            step: None,
        }
    }

    fn journal_with(n: usize) -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("inc");
        let mut journal = Journal::create(&dir).unwrap();
        for i in 0..n {
            journal
                .append(at(), "ic", note(&format!("note {i}")))
                .unwrap();
        }
        let path = journal.path().to_owned();
        (tmp, path)
    }

    /// A journal long enough to be read in two halves, built in memory.
    fn long_journal() -> Vec<u8> {
        let (mut bytes, mut prev) = (Vec::new(), 0);
        for seq in 1..=12_000 {
            let record = Record {
                seq,
                at: at(),
                actor: "ic".into(),
                event: note(&format!("note {seq}: replica lag on db-1")),
            };
            let (line, crc) = encode(&record, prev);
            bytes.extend_from_slice(line.as_bytes());
            prev = crc;
        }
        assert!(bytes.len() > SPLIT_FROM);
        bytes
    }

    /// Reading in halves finds what reading line by line finds.
    fn same_as_in_one_piece(bytes: &[u8]) -> Scan {
        let halved = scan(bytes);
        let whole = read_lines(bytes, 0, 0, 0);
        assert_eq!(halved.records.len(), whole.records.len());
        assert_eq!(halved.records.last(), whole.records.last());
        assert_eq!(
            (halved.valid_len, halved.last_crc, &halved.fault),
            (whole.valid_len, whole.last_crc, &whole.fault)
        );
        halved
    }

    #[test]
    fn a_long_journal_read_in_halves_reads_as_in_one_piece() {
        let bytes = long_journal();
        let intact = same_as_in_one_piece(&bytes);
        assert_eq!((intact.records.len(), intact.fault), (12_000, None));
        let line_at = |fraction: f64| {
            let from = (bytes.len() as f64 * fraction) as usize;
            from + bytes[from..].iter().position(|&b| b == b'\n').unwrap() + 10
        };
        for fraction in [0.25, 0.5, 0.75] {
            let mut damaged = bytes.clone();
            damaged[line_at(fraction)] = b'#';
            let read = same_as_in_one_piece(&damaged);
            assert!(read.fault.is_some() && read.damage_in_middle, "{fraction}");
        }
        let mut torn = bytes.clone();
        torn.truncate(bytes.len() - 20);
        let read = same_as_in_one_piece(&torn);
        assert!(read.fault.is_some() && !read.damage_in_middle);
    }

    #[test]
    fn appended_records_read_back_intact() {
        let (_tmp, path) = journal_with(3);
        assert_eq!(verify(&path).unwrap(), Ok(3));
        let (mut journal, records, recovery) = Journal::open(&path).unwrap();
        assert_eq!(recovery, Recovery::Clean);
        assert_eq!(records[2].event, note("note 2"));
        assert_eq!(journal.append(at(), "ic", note("more")).unwrap().seq, 4);
    }

    #[test]
    fn files_and_dirs_are_private_whatever_the_umask() {
        let (_tmp, path) = journal_with(1);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn a_second_writer_is_refused() {
        let (_tmp, path) = journal_with(1);
        let (_first, _, _) = Journal::open(&path).unwrap();
        assert!(matches!(
            Journal::open(&path),
            Err(JournalError::Locked { .. })
        ));
    }

    #[test]
    fn a_dropped_middle_line_breaks_the_chain() {
        let (_tmp, path) = journal_with(3);
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        fs::write(&path, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
        let fault = verify(&path).unwrap().unwrap_err();
        assert_eq!(fault.line, 2);
        assert!(fault.reason.contains("checksum"), "{fault}");
    }

    #[test]
    fn a_read_only_journal_refuses_appends() {
        let (_tmp, path) = journal_with(3);
        let mut bytes = fs::read(&path).unwrap();
        let second = bytes.iter().position(|&b| b == b'\n').unwrap() + 20;
        bytes[second] ^= 0x01;
        fs::write(&path, &bytes).unwrap();
        let (mut journal, records, recovery) = Journal::open(&path).unwrap();
        assert_eq!(records.len(), 1);
        assert!(matches!(recovery, Recovery::ReadOnly { fault } if fault.line == 2));
        assert!(matches!(
            journal.append(at(), "ic", note("x")),
            Err(JournalError::ReadOnly { .. })
        ));
        assert_eq!(fs::read(&path).unwrap(), bytes);
    }
}
