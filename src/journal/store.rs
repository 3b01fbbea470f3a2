//! Where incidents live on disk: `<data>/incidents/<id>/journal.jsonl` (demo: `<data>/demo/…`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::domain::drill::{self, Scorecard};
use crate::domain::event::{DrillStart, Event, Record};
use crate::domain::incident::Incident;
use crate::journal::{self, Fault, Journal, JournalError};
use crate::state::Mode;

/// The id that names the newest incident.
pub const LATEST: &str = "latest";

/// The incident folders of one data directory.
#[derive(Debug, Clone)]
pub struct Store {
    data: PathBuf,
    root: PathBuf,
}

/// One incident as listed by `warroom incident list`.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    pub incident: Option<Incident>,
    pub fault: Option<Fault>,
    /// A drill nobody declared (its journal holds the drill and no declaration).
    pub undeclared: Option<Undeclared>,
}

/// An incident found by id: its summary, its journal's records, and the store it is in.
#[derive(Debug, Clone)]
pub struct Found {
    pub summary: Summary,
    pub records: Vec<Record>,
    pub mode: Mode,
}

impl Summary {
    /// Reads the journal at `path` once: the summary, and the records of its valid prefix.
    #[must_use]
    pub fn read(path: PathBuf) -> (Self, Vec<Record>) {
        match Journal::read(&path) {
            Ok(scan) => (
                Self {
                    incident: Incident::fold(&scan.records).ok(),
                    undeclared: Undeclared::of(&scan.records),
                    fault: scan.fault,
                    path,
                },
                scan.records,
            ),
            Err(e) => (
                Self {
                    incident: None,
                    undeclared: None,
                    fault: Some(Fault {
                        line: 0,
                        reason: e.to_string(),
                    }),
                    path,
                },
                Vec::new(),
            ),
        }
    }
}

/// A drill that ran without anyone declaring: what it was and how it scored.
#[derive(Debug, Clone)]
pub struct Undeclared {
    pub id: String,
    pub start: DrillStart,
    /// When the facilitator ended it; `None` while it may still run.
    pub ended: Option<DateTime<Utc>>,
    pub scorecard: Scorecard,
}

impl Undeclared {
    /// The undeclared drill a journal holds, if that is what it holds.
    #[must_use]
    pub fn of(records: &[Record]) -> Option<Self> {
        let Some(Event::Drill(start)) = records.first().map(|r| &r.event) else {
            return None;
        };
        if records
            .iter()
            .any(|r| matches!(r.event, Event::Declared { .. }))
        {
            return None;
        }
        let ended = records.iter().find_map(|r| match r.event {
            Event::DrillEnded { .. } => Some(r.at),
            _ => None,
        });
        let at = ended
            .or(records.last().map(|r| r.at))
            .unwrap_or(start.started);
        let scorecard = drill::score(start, None, records, at);
        Some(Self {
            id: drill::journal_id(start),
            start: (**start).clone(),
            ended,
            scorecard,
        })
    }
}

impl Summary {
    /// When it was declared (a drill never declared: when it started).
    #[must_use]
    pub fn declared(&self) -> Option<DateTime<Utc>> {
        match (&self.incident, &self.undeclared) {
            (Some(i), _) => Some(i.declared),
            (None, Some(d)) => Some(d.start.started),
            (None, None) => None,
        }
    }

    /// True while the console should open it: an open incident, a resolved one that still owes
    /// notifications, or a drill nobody declared that has not ended.
    #[must_use]
    pub fn open(&self) -> bool {
        match (&self.incident, &self.undeclared) {
            (Some(i), _) => i.is_open() || i.owes(),
            (None, Some(d)) => d.ended.is_none(),
            (None, None) => false,
        }
    }
}

/// The platform data directory for warroom (`~/.local/share/warroom` on Linux).
#[must_use]
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "warroom").map(|d| d.data_dir().to_owned())
}

impl Store {
    /// The store of a data directory for a kind of console: demo incidents are kept apart under
    /// `demo/`, drills under `drills/`, so neither is ever resumed as a real incident.
    #[must_use]
    pub fn new(data_dir: &Path, mode: Mode) -> Self {
        let root = match mode {
            Mode::Live => data_dir.to_owned(),
            Mode::Demo => data_dir.join("demo"),
            Mode::Drill => data_dir.join("drills"),
        };
        Self {
            data: data_dir.to_owned(),
            root: root.join("incidents"),
        }
    }

    /// An incident by id (or the latest declared) in the given stores of a data directory: its
    /// summary, its journal's records and the mode it was found under.
    #[must_use]
    pub fn find_any(data_dir: &Path, id: Option<&str>, modes: &[Mode]) -> Option<Found> {
        modes
            .iter()
            .copied()
            .filter_map(|mode| {
                let (summary, records) = Self::new(data_dir, mode).find(id)?;
                Some(Found {
                    summary,
                    records,
                    mode,
                })
            })
            .max_by_key(|f| f.summary.declared())
    }

    /// Creates the folders (0700) if needed. With a room's group (`team`), the folder of
    /// incidents is the group's (`2770`, set-group-id) and the way to it open to the group, so
    /// any member's console may write an incident whose writer left.
    pub fn ensure(&self, team: Option<u32>) -> Result<(), JournalError> {
        if let Some(parent) = self.root.parent() {
            journal::create_private_dir(parent)?;
        }
        journal::create_private_dir(&self.root)?;
        let Some(gid) = team else { return Ok(()) };
        let shared = crate::files::make_team_folder(&self.root, gid)
            .and_then(|()| crate::files::open_way(&self.data, &self.root, gid, &self.root));
        shared.map_err(super::io_err(&self.root))
    }

    /// The folder of an incident.
    #[must_use]
    pub fn dir(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// The data directory, and the folder in it holding the incident folders.
    #[must_use]
    pub fn folders(&self) -> (&Path, &Path) {
        (&self.data, &self.root)
    }

    /// Every incident found, oldest declaration first; unreadable journals are listed with their fault.
    pub fn list(&self) -> Vec<Summary> {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut list: Vec<Summary> = entries
            .filter_map(Result::ok)
            .map(|e| e.path().join(journal::FILE_NAME))
            .filter(|p| p.is_file())
            .map(|path| Summary::read(path).0)
            .collect();
        list.sort_by_key(|s| (s.declared(), s.path.clone()));
        list
    }

    /// The most recent incident the console should open (`Summary::open`).
    #[must_use]
    pub fn latest_open(&self) -> Option<Summary> {
        self.list().into_iter().rev().find(Summary::open)
    }

    /// An incident by id (or a unique start of one), or the latest one when no id is given or
    /// the id is `latest`.
    #[must_use]
    pub fn find(&self, id: Option<&str>) -> Option<(Summary, Vec<Record>)> {
        let path = match id {
            // Only that incident's journal is read.
            Some(id) if id != LATEST => {
                Some(self.folder(id)?.join(journal::FILE_NAME)).filter(|p| p.is_file())?
            }
            _ => self.list().pop()?.path,
        };
        Some(Summary::read(path))
    }

    /// The folder of incident `id`: an id is one folder name, never a path; a folder of that
    /// name, else the only one whose name starts with it (`20261122-03` for
    /// `20261122-0300-checkout`).
    fn folder(&self, id: &str) -> Option<PathBuf> {
        let mut parts = Path::new(id).components();
        let name = matches!(
            (parts.next(), parts.next()),
            (Some(std::path::Component::Normal(_)), None)
        );
        if !name {
            return None;
        }
        if self.dir(id).is_dir() {
            return Some(self.dir(id));
        }
        let mut matching = std::fs::read_dir(&self.root)
            .ok()?
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(id))
            .map(|e| e.path());
        let only = matching.next()?;
        matching.next().is_none().then_some(only)
    }

    /// The journal of incident `id` (else the newest) whose writing console serves a room,
    /// found by the room's socket alone: a joined user may not read the writer's journal.
    #[must_use]
    pub fn room(&self, id: Option<&str>) -> Option<PathBuf> {
        let has_room = |dir: &PathBuf| crate::room::socket_path(dir).exists();
        let dir = match id {
            Some(id) => self.folder(id).filter(has_room),
            None => std::fs::read_dir(&self.root)
                .ok()?
                .filter_map(|e| Some(e.ok()?.path()))
                .filter(has_room)
                .max(),
        }?;
        Some(dir.join(journal::FILE_NAME))
    }
}
