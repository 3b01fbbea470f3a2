//! Everything that can happen (`Msg`) and every piece of I/O `update` can ask for (`Effect`).

use chrono::{DateTime, Utc};

use crate::domain::event::{Channel, Event, Record};
use crate::domain::health::Sample;
use crate::keymap::{Action, Key};

/// An input to `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Time passed (the 1 Hz tick).
    Tick,
    /// The log file could not be written and is off from now on (why).
    LogFailed(String),
    /// A key from the terminal, in the state it meets.
    Key(Key),
    /// Text pasted into the terminal.
    Paste(String),
    /// An action, as a key bound to it asks (scripted sessions send these directly).
    Action(Action),
    /// The focused text field now holds this text (scripted sessions).
    Input(String),
    /// An event is durable in the journal and may be applied.
    Journaled(Record),
    /// Writing to the journal failed; nothing was recorded.
    JournalFailed(String),
    /// The journal was written again from the console's records (how many), or why not.
    JournalRewritten(Result<usize, String>),
    /// A probe of the component at `index` (config order) finished.
    Probed { index: usize, sample: Sample },
    /// Every alert Alertmanager `source` holds now, critical first.
    Alerts {
        source: String,
        alerts: Vec<crate::domain::alert::Firing>,
    },
    /// Backup stream `stream` of the component at `index` was read.
    RecoveryPoint {
        index: usize,
        stream: usize,
        reading: Result<DateTime<Utc>, String>,
    },
    /// Joined console: what the writer's probes or recovery-point readers found.
    Relayed(crate::room::protocol::Reading),
    /// A delivery attempt of the outbox entry queued at `queued` ended.
    Delivered {
        queued: u64,
        result: Result<(), String>,
    },
    /// Alertmanager answered the silence requested at `requested`: its id, or why not.
    Silenced {
        requested: u64,
        result: Result<String, String>,
    },
    /// Alertmanager was asked whether the silence requested at `requested` (whose answer a
    /// crash lost) exists: its id, `None` if it does not, or why it could not be asked.
    SilenceFound {
        requested: u64,
        result: Result<Option<String>, String>,
    },
    /// Alertmanager answered the expiry of silence `id`.
    SilenceExpired {
        id: String,
        result: Result<(), String>,
    },
    /// Output of a running runbook command (by its `step_started` sequence number).
    RunOutput { started: u64, text: String },
    /// A runbook command ended.
    RunFinished {
        started: u64,
        outcome: crate::workers::process::Outcome,
    },
    /// Records another console wrote to the followed journal.
    Followed(Vec<Record>),
    /// The review editor now holds this text.
    ReviewEdited(String),
    /// Writer: a console joined the room as `actor` and wants the records after `after`.
    RoomHello {
        conn: u64,
        actor: String,
        after: u64,
    },
    /// Writer: a joined console asks that `event` be journaled.
    Requested { peer: Peer, event: Event },
    /// Writer: the journal holds a joined console's request.
    PeerJournaled { peer: Peer, record: Record },
    /// Writer: a joined console's request could not be written.
    PeerJournalFailed { peer: Peer, error: String },
    /// Writer: a joined console left.
    RoomLeft { conn: u64, actor: String },
    /// Writer: the room is open.
    RoomOpened,
    /// Who is in the room and on which screen, the writing console first.
    Presence(Vec<(String, String)>),
    /// Joined console: the writer journaled request `id` as record `seq`, or refused it.
    Answered {
        id: u64,
        result: Result<u64, String>,
    },
    /// Joined console: the writer closed the room, and why.
    RoomClosed(String),
    /// Joined console whose writer went away: who writes the incident now (`None`: this
    /// console, which took the journal's lock).
    WriterFound(Option<String>),
    /// The terminal was resized.
    Resize,
}

impl Effect {
    /// True for the effects the journal answers with `Journaled` or `JournalFailed`.
    #[must_use]
    pub fn writes_journal(&self) -> bool {
        matches!(
            self,
            Self::Declare { .. } | Self::Append { .. } | Self::AppendAs { .. }
        )
    }
}

/// A joined console's request as the writer tracks it: the connection, the request's number
/// there, and the Unix user who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub conn: u64,
    pub id: u64,
    pub actor: String,
    /// The console's own number for the request, kept across a failover: journaled with the
    /// record, so the request sent again to the next writer is journaled once.
    pub key: Option<std::num::NonZeroU32>,
}

/// I/O that `update` asks the app to perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Create the journal of a new incident and record its declaration.
    Declare {
        id: String,
        at: DateTime<Utc>,
        event: Event,
    },
    /// Record an event in the open incident's journal.
    Append { at: DateTime<Utc>, event: Event },
    /// Writer: record a joined console's event with its user as the actor.
    AppendFor {
        at: DateTime<Utc>,
        event: Event,
        peer: Peer,
    },
    /// Writer: record an event of someone in the room (a join, a leave) as its actor.
    AppendAs {
        at: DateTime<Utc>,
        event: Event,
        actor: String,
    },
    /// Writer: send a console that joined the records after `after`, then every new one.
    Welcome {
        conn: u64,
        actor: String,
        after: u64,
    },
    /// Writer: answer a joined console.
    Answer {
        conn: u64,
        reply: crate::room::protocol::Reply,
    },
    /// Deliver an outbox entry (the sender adds the secret endpoint and key).
    Send {
        queued: u64,
        channel: Channel,
        payload: serde_json::Value,
    },
    /// Ask Alertmanager `source` for the silence whose request is journaled at `requested`.
    Silence {
        requested: u64,
        source: String,
        body: serde_json::Value,
    },
    /// Look in Alertmanager `source` for the silence requested at `requested`.
    FindSilence {
        requested: u64,
        source: String,
        sought: crate::domain::silence::Sought,
    },
    /// Expire silence `id` in Alertmanager `source`.
    ExpireSilence { source: String, id: String },
    /// Run a runbook command whose start is journaled.
    Run {
        started: u64,
        runbook: String,
        step: usize,
        component: String,
        /// The program that runs the script with `-c`.
        shell: String,
        script: String,
        timeout: std::time::Duration,
    },
    /// Run a component's recovery action whose start is journaled.
    Recover {
        started: u64,
        component: usize,
        action: usize,
    },
    /// Probe a component every second for a minute (after a recovery action).
    FastProbe { component: usize },
    /// Write the saved review to `review.md` in the incident folder.
    WriteReview { text: String },
    /// Cancel a running runbook command.
    CancelRun { started: u64 },
    /// Set the drill (or replay) clock.
    Clock { paused: bool, speed: f64 },
    /// Move the replay clock to this time.
    Seek { to: DateTime<Utc> },
    /// Leave the console (the incident stays open).
    Quit,
    /// Joined console: the writer went away with the incident open; find who writes it now, or
    /// write it (the journal's lock decides), keeping this console as it is.
    FindWriter,
    /// At quit, leave the commands running here running (the commander chose so).
    LeaveRunning,
    /// Write the journal again at its path from the records this console holds.
    RewriteJournal,
}
