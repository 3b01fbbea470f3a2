//! A joined console's side of the room: it connects to the writer's socket, reads the
//! incident so far, then receives every record as it is journaled and sends its requests.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::num::NonZeroU32;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use super::frame::{Decoder, encode};
use super::protocol::{Reply, Request};
use crate::domain::event::{Event, Record};
use crate::msg::Msg;

/// How long joining may take (connecting and reading the incident so far).
const JOIN_TIMEOUT: Duration = Duration::from_secs(15);

/// A console that has joined a room, before its loop starts.
pub struct Joined {
    /// The incident's journal (the writer's).
    pub journal: std::path::PathBuf,
    /// This console's user as the writer journals it.
    pub actor: String,
    /// The incident's records so far.
    pub records: Vec<Record>,
    /// Who writes it: the user of the process serving the room (`sam@jump-1`).
    pub writer: String,
    stream: UnixStream,
    decoder: Decoder,
}

/// Joins the room of the incident whose journal is `journal`: connects, checks that the
/// process serving it is the journal's owner, and reads the records so far.
pub fn join(journal: &Path) -> anyhow::Result<Joined> {
    join_after(journal, 0)
}

/// Joins as [`join`] does, reading only the records after `after` (a console that held the
/// incident up to there when its writer went away).
pub fn join_after(journal: &Path, after: u64) -> anyhow::Result<Joined> {
    let dir = journal.parent().unwrap_or(Path::new("."));
    let socket = super::socket_path(dir);
    let (address, _folder) = super::address(&socket)?;
    let mut stream = match UnixStream::connect(&address) {
        Ok(stream) => stream,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => bail!(
            "you may not join the room at {}: it is open to the user who writes the incident and the members of its [room] group",
            socket.display()
        ),
        Err(_) => bail!(
            "no console is writing this incident (no room at {}): run `warroom` to write it, or `warroom follow` to watch it",
            socket.display()
        ),
    };
    let meta =
        std::fs::metadata(journal).with_context(|| format!("cannot read {}", journal.display()))?;
    let server = nix::sys::socket::getsockopt(&stream, nix::sys::socket::sockopt::PeerCredentials)
        .context("cannot read who serves the room")?;
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    if server.uid() != meta.uid() && !holds_lock(&locks, server.pid(), meta.ino()) {
        bail!(
            "{} is served by uid {}, which neither owns the journal (uid {}) nor writes it: not joining an impostor",
            socket.display(),
            server.uid(),
            meta.uid()
        );
    }
    stream.set_read_timeout(Some(JOIN_TIMEOUT))?;
    // A writer that refuses this console (not a member, the room full) says why and closes: a
    // failed hello is not the end, the reason waits to be read below.
    let _ = stream.write_all(&encode(&super::protocol::hello(after)));
    let mut decoder = Decoder::default();
    let mut buffer = vec![0; 64 * 1024];
    let mut welcome: Option<(String, u64)> = None;
    let mut records = Vec::new();
    loop {
        while let Some(reply) = decoder.message::<Reply>()? {
            match reply {
                Reply::Welcome { actor, last } => welcome = Some((actor, last)),
                Reply::Record { record } => records.push(*record),
                Reply::Closed { reason } => bail!("the writing console refused: {reason}"),
                // Readings come after the records: the loop takes them from here on.
                Reply::Accepted { .. }
                | Reply::Refused { .. }
                | Reply::Presence { .. }
                | Reply::Reading { .. } => {}
            }
            if let Some((actor, last)) = &welcome
                && records.last().map_or(after, |r: &Record| r.seq) >= *last
            {
                stream.set_read_timeout(None)?;
                return Ok(Joined {
                    journal: journal.to_owned(),
                    actor: actor.clone(),
                    records,
                    writer: super::members::actor_of(server.uid()),
                    stream,
                    decoder,
                });
            }
        }
        let n = stream
            .read(&mut buffer)
            .context("the writing console did not send the incident")?;
        if n == 0 {
            bail!("the writing console closed the connection while joining");
        }
        decoder.push(&buffer[..n]);
    }
}

/// Whether process `pid` holds the writer's lock of the file with inode `inode`, as
/// `/proc/locks` (`1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF`) tells: in a team's store
/// the writer may be any member, and it is the console holding the journal's lock.
fn holds_lock(locks: &str, pid: i32, inode: u64) -> bool {
    locks.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 5
            && fields[1] == "FLOCK"
            && fields[3] == "WRITE"
            && fields[4].parse() == Ok(pid)
            && fields[5].rsplit(':').next().and_then(|i| i.parse().ok()) == Some(inode)
    })
}

/// A request sent and not yet answered: its key, and the event asked for.
type Unanswered = BTreeMap<u64, (NonZeroU32, Event)>;

/// A joined console's connection, once its loop runs.
pub struct Client {
    out: mpsc::UnboundedSender<Vec<u8>>,
    next_id: u64,
    /// Requests not yet answered, by id: sent again, with the same keys, to the next writer.
    unanswered: Unanswered,
}

impl Joined {
    /// Starts reading the writer's frames into `tx` (records as `Followed`, answers as
    /// `Answered`, the end as `RoomClosed`), and returns the way to send requests.
    pub fn start(self, tx: mpsc::Sender<Msg>) -> anyhow::Result<Client> {
        self.stream.set_nonblocking(true)?;
        let stream = tokio::net::UnixStream::from_std(self.stream)?;
        let (mut reader, mut writer) = stream.into_split();
        let (out, mut queue) = mpsc::unbounded_channel::<Vec<u8>>();
        tokio::spawn(async move {
            while let Some(frame) = queue.recv().await {
                if writer.write_all(&frame).await.is_err() {
                    return;
                }
            }
        });
        let mut decoder = self.decoder;
        tokio::spawn(async move {
            let mut buffer = vec![0; 64 * 1024];
            let reason = loop {
                loop {
                    let msg = match decoder.message::<Reply>() {
                        Ok(Some(Reply::Record { record })) => Msg::Followed(vec![*record]),
                        Ok(Some(Reply::Accepted { id, seq })) => Msg::Answered {
                            id,
                            result: Ok(seq),
                        },
                        Ok(Some(Reply::Refused { id, reason })) => Msg::Answered {
                            id,
                            result: Err(reason),
                        },
                        Ok(Some(Reply::Closed { reason })) => {
                            let _ = tx.send(Msg::RoomClosed(reason)).await;
                            return;
                        }
                        Ok(Some(Reply::Presence { people })) => Msg::Presence(people),
                        Ok(Some(Reply::Reading { reading })) => Msg::Relayed(reading),
                        Ok(Some(Reply::Welcome { .. })) => continue,
                        Ok(None) => break,
                        Err(error) => {
                            let _ = tx.send(Msg::RoomClosed(error.to_string())).await;
                            return;
                        }
                    };
                    if tx.send(msg).await.is_err() {
                        return;
                    }
                }
                match reader.read(&mut buffer).await {
                    Ok(0) | Err(_) => break "the writing console went away".to_owned(),
                    Ok(n) => decoder.push(&buffer[..n]),
                }
            };
            let _ = tx.send(Msg::RoomClosed(reason)).await;
        });
        Ok(Client {
            out,
            next_id: 0,
            unanswered: Unanswered::new(),
        })
    }
}

impl Client {
    /// Tells the room which screen this console shows.
    pub fn screen(&self, screen: &str) {
        let _ = self.out.send(encode(&Request::Screen {
            screen: screen.to_owned(),
        }));
    }

    /// Asks the writer to journal `event`. Kept until answered: when the writer goes away
    /// first, the request goes to the next one.
    pub fn request(&mut self, event: Event) {
        self.next_id += 1;
        let key = new_key(self.next_id);
        self.send(self.next_id, key, &event);
        self.unanswered.insert(self.next_id, (key, event));
    }

    fn send(&self, id: u64, key: NonZeroU32, event: &Event) {
        let _ = self.out.send(encode(&Request::Append {
            id,
            key: Some(key),
            event: Box::new(event.clone()),
        }));
    }

    /// Request `id` was answered (journaled or refused).
    pub fn answered(&mut self, id: u64) {
        self.unanswered.remove(&id);
    }

    /// The connection to the next writer carries on from `old`: the requests the last writer
    /// never answered are sent again, in order, with their keys (journaled once either way).
    pub fn carry_on(&mut self, old: Client) {
        self.next_id = old.next_id;
        self.unanswered = old.unanswered;
        for (id, (key, event)) in &self.unanswered {
            self.send(*id, *key, event);
        }
    }

    /// The requests never answered, once this console writes the incident itself: their ids,
    /// keys and events, in the order asked.
    #[must_use]
    pub fn into_unanswered(self) -> Vec<(u64, NonZeroU32, Event)> {
        self.unanswered
            .into_iter()
            .map(|(id, (key, event))| (id, key, event))
            .collect()
    }
}

/// A request's key: random per console and request, never zero.
fn new_key(id: u64) -> NonZeroU32 {
    use std::hash::BuildHasher;
    static SEED: std::sync::OnceLock<std::hash::RandomState> = std::sync::OnceLock::new();
    let hash = SEED.get_or_init(std::hash::RandomState::new).hash_one(id);
    NonZeroU32::new(u32::try_from(hash >> 32).unwrap_or(1)).unwrap_or(NonZeroU32::MIN)
}

#[cfg(test)]
mod tests {
    use super::holds_lock;

    #[test]
    fn the_writer_is_the_process_holding_the_journals_lock() {
        let locks = "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234 0 EOF\n\
                     2: POSIX  ADVISORY  WRITE 77 08:01:99 0 EOF\n\
                     3: FLOCK  ADVISORY  READ 5 08:01:1234 0 EOF\n";
        assert!(holds_lock(locks, 4242, 1234));
        assert!(!holds_lock(locks, 4242, 1235), "another file");
        assert!(
            !holds_lock(locks, 77, 99),
            "a POSIX lock is not the journal's"
        );
        assert!(!holds_lock(locks, 5, 1234), "a shared lock writes nothing");
        assert!(!holds_lock("", 4242, 1234));
    }
}
