//! The journal's line format: each record as JSON with a CRC chained to the line before.

use crate::domain::event::Record;

const CRC_PREFIX: &str = ",\"crc\":\"";
const CRC_SUFFIX_LEN: usize = CRC_PREFIX.len() + 8 + 2;

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
    /// The format of a journal newer than this warroom's (nothing of it was read).
    pub newer: Option<u64>,
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

pub(super) fn decode(line: &[u8], prev: u32, expected_seq: u64) -> Result<(Record, u32), String> {
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
