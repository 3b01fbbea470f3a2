//! Journal durability: torn tails, garbage, flipped bytes, and a writer killed at random points.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use warroom::domain::event::Event;
use warroom::journal::{self, Journal, Recovery};

fn note(i: usize) -> Event {
    Event::NoteAdded {
        text: format!("note {i} — ünïcödé 火事"),
        step: None,
    }
}

fn write_journal(dir: &Path, events: usize) -> PathBuf {
    let mut journal = Journal::create(dir).unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    for i in 0..events {
        journal.append(at, "ic@host", note(i)).unwrap();
    }
    journal.path().to_owned()
}

/// Opens a journal, waiting out a lock that a sibling test's fork may hold for an instant
/// (a forked child shares the lock until it execs).
fn open(path: &Path) -> (Journal, Vec<warroom::domain::event::Record>, Recovery) {
    for _ in 0..200 {
        match Journal::open(path) {
            Err(journal::JournalError::Locked { .. }) => {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other.unwrap(),
        }
    }
    panic!("{} stayed locked", path.display());
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

#[test]
fn truncation_anywhere_in_the_last_two_records_keeps_exactly_the_complete_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let original = fs::read(write_journal(&tmp.path().join("src"), 5)).unwrap();
    let starts = line_starts(&original);
    let third_end = starts[3];
    for cut in third_end..original.len() {
        let dir = tmp.path().join(format!("cut-{cut}"));
        let path = write_journal(&dir, 0);
        fs::write(&path, &original[..cut]).unwrap();
        let complete = starts.iter().filter(|&&s| s > 0 && s <= cut).count();
        let (mut journal, records, recovery) = open(&path);
        assert_eq!(records.len(), complete, "cut at byte {cut}");
        let torn = !starts.contains(&cut);
        assert_eq!(
            matches!(recovery, Recovery::TailRepaired { .. }),
            torn,
            "cut at byte {cut}: {recovery:?}"
        );
        let next = journal.append(Utc::now(), "ic@host", note(99)).unwrap();
        assert_eq!(next.seq, complete as u64 + 1);
        drop(journal);
        assert_eq!(
            journal::verify(&path).unwrap(),
            Ok(complete + 1),
            "cut at byte {cut}"
        );
    }
}

#[test]
fn zero_and_garbage_tails_are_cut_and_kept_aside() {
    for tail in [
        vec![0u8; 4096],
        b"\x7fELF\x02garbage\n\xff\xfe".to_vec(),
        b"{\"seq\":4,\"at\":".to_vec(),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let path = write_journal(&tmp.path().join("inc"), 3);
        let mut bytes = fs::read(&path).unwrap();
        let good_len = bytes.len();
        bytes.extend_from_slice(&tail);
        fs::write(&path, &bytes).unwrap();
        let (_journal, records, recovery) = open(&path);
        assert_eq!(records.len(), 3);
        let Recovery::TailRepaired {
            copy,
            bytes: moved,
            fault,
        } = recovery
        else {
            panic!("{recovery:?}")
        };
        assert_eq!(fault.line, 4);
        assert_eq!(moved, tail.len());
        assert_eq!(fs::read(&copy).unwrap(), tail, "the broken tail is kept");
        assert!(
            copy.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("journal.jsonl.broken-")
        );
        assert_eq!(fs::metadata(&path).unwrap().len() as usize, good_len);
    }
}

#[test]
fn a_flipped_byte_in_a_middle_record_opens_read_only_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_journal(&tmp.path().join("inc"), 6);
    let mut bytes = fs::read(&path).unwrap();
    let starts = line_starts(&bytes);
    bytes[starts[2] + 30] ^= 0x20;
    fs::write(&path, &bytes).unwrap();
    let (mut journal, records, recovery) = open(&path);
    assert_eq!(records.len(), 2);
    assert!(
        matches!(&recovery, Recovery::ReadOnly { fault } if fault.line == 3),
        "{recovery:?}"
    );
    assert!(journal.append(Utc::now(), "ic", note(0)).is_err());
    assert_eq!(fs::read(&path).unwrap(), bytes, "the file is untouched");
    assert_eq!(journal::verify(&path).unwrap().unwrap_err().line, 3);
    let siblings = fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(siblings, 1, "no .broken copy for middle damage");
}

const CHILD_DIR: &str = "WARROOM_CRASH_CHILD_DIR";

/// The writer the harness kills: appends forever, saying which sequence numbers are durable.
#[test]
fn crash_writer_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let path = dir.join(journal::FILE_NAME);
    let mut journal = if path.exists() {
        Journal::open(&path).unwrap().0
    } else {
        Journal::create(&dir).unwrap()
    };
    let mut out = std::io::stdout().lock();
    for i in 0..100_000 {
        let record = journal.append(Utc::now(), "crash", note(i)).unwrap();
        writeln!(out, "durable {}", record.seq).unwrap();
        out.flush().unwrap();
    }
}

/// A small deterministic generator, so a failing run can be repeated.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn sigkill_at_random_points_never_loses_a_durable_event() {
    const RUNS: usize = 200;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("inc");
    let exe = std::env::current_exe().unwrap();
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    let mut durable = 0u64;
    for run in 0..RUNS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, &dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| {
                    l.strip_prefix("durable ")
                        .and_then(|n| n.parse::<u64>().ok())
                })
                .max()
        });
        std::thread::sleep(Duration::from_micros(
            2_000 + next_random(&mut rng) % 20_000,
        ));
        child.kill().unwrap();
        child.wait().unwrap();
        if let Some(seq) = reader.join().unwrap() {
            durable = durable.max(seq);
        }
        let scan =
            Journal::read(&dir.join(journal::FILE_NAME)).unwrap_or_else(|_| journal::scan(b""));
        let seqs: Vec<u64> = scan.records.iter().map(|r| r.seq).collect();
        assert!(
            seqs.iter().copied().eq(1..=seqs.len() as u64),
            "run {run}: gaps or duplicates"
        );
        assert!(
            seqs.len() as u64 >= durable,
            "run {run}: {durable} reported durable, {} on disk",
            seqs.len()
        );
    }
    assert!(durable > 0, "the writer reported progress");
    let (_journal, records, _) = open(&dir.join(journal::FILE_NAME));
    assert!(records.len() as u64 >= durable);
}
