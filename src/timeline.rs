//! The timeline's index: which journal records its filter matches, kept as records arrive and
//! as the filter changes, so showing the timeline of a long journal touches only the rows on
//! screen and never describes every record again.

use crate::domain::event::Record;

/// The records (by position in the journal) that the timeline's filter matches, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    /// The filter, lower-cased.
    filter: String,
    /// How many records were looked at, and the sequence number of the last one (a journal
    /// replaced by another of the same length is noticed by it).
    scanned: usize,
    last_seq: Option<u64>,
    /// What a filter is matched against, per record: its description and actor, lower-cased
    /// (made once per record, so a key typed in the filter only searches).
    texts: Vec<Box<str>>,
    matched: Vec<u32>,
}

impl Index {
    /// Brings the index up to `records` and `filter`: new records are looked at once; a filter
    /// that narrows the last one looks again only at what matched; anything else starts over.
    pub fn refresh(&mut self, records: &[Record], filter: &str) {
        if !self.follows(records) {
            *self = Self::default();
        }
        let filter = filter.to_lowercase();
        if filter != self.filter {
            let texts = &self.texts;
            if filter.contains(&self.filter) {
                self.matched
                    .retain(|&i| texts[i as usize].contains(&filter));
            } else {
                self.matched = (0..texts.len())
                    .filter(|&i| texts[i].contains(&filter))
                    .map(position)
                    .collect();
            }
            self.filter = filter;
        }
        for record in &records[self.scanned..] {
            let text = format!("{}\n{}", record.event.describe(), record.actor).to_lowercase();
            if text.contains(&self.filter) {
                self.matched.push(position(self.texts.len()));
            }
            self.texts.push(text.into_boxed_str());
        }
        self.scanned = records.len();
        self.last_seq = records.last().map(|r| r.seq);
    }

    /// Whether the records scanned are still the first ones of `records`.
    fn follows(&self, records: &[Record]) -> bool {
        self.scanned <= records.len()
            && self.scanned.checked_sub(1).map(|i| records[i].seq) == self.last_seq
    }

    /// Whether the index is that of `records` under `filter`.
    #[must_use]
    pub fn is_of(&self, records: &[Record], filter: &str) -> bool {
        self.filter == filter.to_lowercase()
            && self.scanned == records.len()
            && self.follows(records)
    }

    /// How many records match.
    #[must_use]
    pub fn len(&self) -> usize {
        self.matched.len()
    }

    /// Whether no record matches.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.matched.is_empty()
    }

    /// The position in the journal of the `n`-th matching record, newest first.
    #[must_use]
    pub fn newest(&self, n: usize) -> Option<usize> {
        let from_end = self.matched.len().checked_sub(n + 1)?;
        Some(self.matched[from_end] as usize)
    }
}

fn position(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::Event;

    fn note(seq: u64, text: &str) -> Record {
        Record {
            seq,
            at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
            wall: None,
            actor: "ana@host".into(),
            request: None,
            event: Event::NoteAdded {
                text: text.into(),
                step: None,
            },
        }
    }

    fn shown(index: &Index, records: &[Record]) -> Vec<u64> {
        (0..index.len())
            .map(|n| records[index.newest(n).unwrap()].seq)
            .collect()
    }

    #[test]
    fn the_index_follows_records_and_filters_as_a_fresh_scan_would() {
        let mut records: Vec<Record> = ["db down", "web slow", "db failover", "DB back"]
            .iter()
            .enumerate()
            .map(|(i, t)| note(i as u64 + 1, t))
            .collect();
        let mut index = Index::default();
        index.refresh(&records, "");
        assert_eq!(shown(&index, &records), [4, 3, 2, 1]);
        index.refresh(&records, "d");
        assert_eq!(shown(&index, &records), [4, 3, 1]);
        index.refresh(&records, "db f");
        assert_eq!(shown(&index, &records), [3], "narrowed from what matched");
        index.refresh(&records, "slow");
        assert_eq!(
            shown(&index, &records),
            [2],
            "a different filter starts over"
        );
        records.push(note(5, "web slow again"));
        assert!(!index.is_of(&records, "slow"));
        index.refresh(&records, "slow");
        assert_eq!(shown(&index, &records), [5, 2]);
        // Another journal of the same length: started over.
        let other: Vec<Record> = (0..5).map(|i| note(100 + i, "slow")).collect();
        index.refresh(&other, "slow");
        assert_eq!(shown(&index, &other), [104, 103, 102, 101, 100]);
        let mut fresh = Index::default();
        fresh.refresh(&other, "slow");
        assert_eq!(index, fresh);
    }
}
