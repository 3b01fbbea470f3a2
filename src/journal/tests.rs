use super::reader::{SPLIT_FROM, read_lines};
use super::*;
use crate::domain::event::{Event, Record};
use chrono::TimeZone;
use chrono::{DateTime, Utc};
use std::fs;
use std::os::unix::fs::PermissionsExt;

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
            wall: None,
            actor: "ic".into(),
            request: None,
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

#[test]
fn a_clock_that_jumps_back_never_stamps_a_record_before_its_predecessor() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("inc");
    let mut journal = Journal::create(&dir).unwrap();
    let later = at() + chrono::TimeDelta::minutes(10);
    journal.append(later, "ic", note("first")).unwrap();
    let second = journal.append(at(), "ic", note("second")).unwrap();
    assert_eq!(second.at, later, "clamped to its predecessor's time");
    let path = journal.path().to_owned();
    drop(journal);
    // The same after the journal is opened again.
    let (mut reopened, records, _) = Journal::open(&path).unwrap();
    assert_eq!(records.len(), 2);
    let third = reopened.append(at(), "ic", note("third")).unwrap();
    assert_eq!(third.at, later);
}

#[test]
fn a_journal_of_a_newer_format_is_refused_by_name_and_left_as_it_is() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("inc");
    let mut journal = Journal::create(&dir).unwrap();
    let declared =
        crate::domain::event::Declaration::new("x", "X", crate::domain::Severity::P1, "ic");
    journal
        .append(at(), "ic", Event::Declared(Box::new(declared)))
        .unwrap();
    let path = journal.path().to_owned();
    drop(journal);
    let written = fs::read_to_string(&path).unwrap();
    assert!(
        written.contains(&format!("\"format\":{FORMAT}")),
        "{written}"
    );
    // As a newer warroom would write it: a later format and a kind this one does not know.
    let newer = written.replace(&format!("\"format\":{FORMAT}"), "\"format\":3")
        + "{\"seq\":2,\"kind\":\"from_the_future\"}\n";
    fs::write(&path, &newer).unwrap();
    let error = Journal::open(&path).unwrap_err().to_string();
    assert!(
        error.contains("journal format 3 is newer than this warroom's 2: upgrade warroom"),
        "{error}"
    );
    let read = Journal::read(&path).unwrap();
    assert_eq!(read.newer, Some(3));
    assert!(read.fault.unwrap().reason.contains("upgrade warroom"));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        newer,
        "nothing repaired"
    );
}

#[test]
fn a_journal_deleted_or_replaced_under_its_writer_takes_no_more_records() {
    for replace in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("inc");
        let mut journal = Journal::create(&dir).unwrap();
        journal.append(at(), "ic", note("before")).unwrap();
        let path = journal.path().to_owned();
        if replace {
            // As `cp journal.jsonl copy && mv copy journal.jsonl` does.
            let copy = dir.join("copy");
            fs::copy(&path, &copy).unwrap();
            fs::rename(&copy, &path).unwrap();
        } else {
            fs::remove_file(&path).unwrap();
        }
        let error = journal.append(at(), "ic", note("after")).unwrap_err();
        assert!(
            matches!(error, JournalError::Missing { .. }) && error.to_string().starts_with(MISSING),
            "{error}"
        );
        assert!(
            journal.append(at(), "ic", note("again")).is_err(),
            "writing stopped"
        );
        if replace {
            assert!(!fs::read_to_string(&path).unwrap().contains("after"));
        }
    }
}

#[test]
fn a_private_file_is_never_opened_through_a_planted_link() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("precious");
    fs::write(&target, "keep me\n").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
    // As review.md, the log or a run's log would be, planted beside the journal.
    let planted = tmp.path().join("review.md");
    std::os::unix::fs::symlink(&target, &planted).unwrap();
    assert!(open_private_file(&planted, false).is_err());
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me\n");
    let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "no chmod through the link");
}
