//! The writing console's side of the room: a Unix socket in the incident folder. Each
//! connection is checked (peer credentials, owner or `[room] group`), named by its Unix user,
//! and then its requests go to the loop as `Msg`s; what the loop answers and every journaled
//! record go back through `Room`.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;

use super::frame::{Decoder, encode};
use super::members::{Peer, actor, admit};
use super::protocol::{Reading, Reply, Request};
use crate::domain::event::Record;
use crate::msg::Msg;

/// Most consoles in one room at once.
pub const MAX_PEERS: usize = 64;
/// Most connections one Unix user holds at once: nobody fills the room alone.
pub const MAX_PER_USER: usize = 4;
/// A connection that says no hello within this is closed.
pub const HELLO_WITHIN: Duration = Duration::from_secs(2);
/// Most requests a peer may make in a second; more are refused, not journaled.
pub const MAX_REQUESTS_PER_SECOND: u32 = 20;
/// Frames queued for one peer; a peer that reads slower than this falls out of the room.
const QUEUE: usize = 4096;

/// The connections of the room, by number: the ones still catching up wait for `welcome`.
#[derive(Default)]
struct Peers {
    /// The task accepting connections, stopped by `close`.
    accept: Option<tokio::task::AbortHandle>,
    /// The socket file this room made (device and inode), to notice it removed or replaced.
    socket: Option<(u64, u64)>,
    next: u64,
    waiting: HashMap<u64, mpsc::Sender<Vec<u8>>>,
    live: HashMap<u64, mpsc::Sender<Vec<u8>>>,
    /// Each joined console's user and screen; the writer's own first, as connection 0.
    screens: std::collections::BTreeMap<u64, (String, String)>,
    /// The Unix user of each connection.
    uids: HashMap<u64, u32>,
    /// The latest reading of each component (and backup stream), for the next to join.
    readings: HashMap<(String, Option<usize>), Reading>,
}

/// The room as the loop sees it.
#[derive(Clone)]
pub struct Room {
    peers: Arc<Mutex<Peers>>,
    path: PathBuf,
    /// The data directory, the store and the incident folder (opened to the group).
    folders: Arc<(PathBuf, PathBuf, PathBuf)>,
    group: Option<String>,
    tx: mpsc::Sender<Msg>,
}

impl Room {
    /// Serves the room of the incident in `dir` (a folder of the store `store`, in the data
    /// directory `data`), open to the owner and `group`: requests go to `tx`. A file left at the
    /// socket's path by an earlier writer is replaced.
    pub fn serve(
        (data, store, dir): (&Path, &Path, &Path),
        group: Option<String>,
        tx: mpsc::Sender<Msg>,
    ) -> std::io::Result<Self> {
        let room = Self {
            peers: Arc::default(),
            path: super::socket_path(dir),
            folders: Arc::new((data.to_owned(), store.to_owned(), dir.to_owned())),
            group,
            tx,
        };
        room.bind()?;
        Ok(room)
    }

    /// Binds the socket (whatever was at its path goes) and accepts connections on it.
    fn bind(&self) -> std::io::Result<()> {
        use std::os::unix::fs::MetadataExt;
        match std::fs::symlink_metadata(&self.path) {
            Ok(_) => std::fs::remove_file(&self.path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let (address, _folder) = super::address(&self.path)?;
        let listener = UnixListener::bind(&address)?;
        let (data, store, dir) = &*self.folders;
        open_to((data, store, dir), &self.path, self.group.as_deref())?;
        let made = std::fs::symlink_metadata(&self.path).map(|m| (m.dev(), m.ino()))?;
        let (owner, serving) = (nix_uid(), self.clone());
        let accept = tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => serving.admit(stream, owner),
                    // Out of descriptors (or another passing fault): wait, never spin.
                    Err(error) => {
                        tracing::warn!(%error, "the room could not accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    }
                }
            }
        });
        let mut peers = self.peers.lock().expect("room lock");
        if let Some(old) = peers.accept.replace(accept.abort_handle()) {
            old.abort();
        }
        peers.socket = Some(made);
        Ok(())
    }

    /// Serves the socket again if someone removed or replaced it; what happened, if anything.
    /// Joined consoles keep their connections either way.
    #[must_use]
    pub fn keep(&self) -> Option<String> {
        use std::os::unix::fs::MetadataExt;
        let made = self.peers.lock().ok()?.socket?;
        let now = std::fs::symlink_metadata(&self.path).map(|m| (m.dev(), m.ino()));
        if now.as_ref().ok() == Some(&made) {
            return None;
        }
        let what = if now.is_ok() { "replaced" } else { "removed" };
        Some(match self.bind() {
            Ok(()) => format!("The room's socket was {what}; it is served again"),
            Err(error) => format!(
                "The room's socket was {what} and cannot be served again ({error}); joined consoles stay, no new one can join"
            ),
        })
    }

    /// Where the socket is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn admit(&self, stream: UnixStream, owner: u32) {
        let peer = match stream.peer_cred() {
            Ok(cred) => Peer {
                uid: cred.uid(),
                gid: cred.gid(),
            },
            Err(error) => {
                tracing::warn!(%error, "room: no peer credentials; connection closed");
                return;
            }
        };
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
        let verdict = admit(peer, owner, self.group.as_deref(), &passwd, &groups).and_then(|()| {
            let peers = self.peers.lock().expect("room lock");
            let own = peers.uids.values().filter(|&&uid| uid == peer.uid).count();
            if own >= MAX_PER_USER {
                Err(format!(
                    "you hold {MAX_PER_USER} connections to this room already; close one"
                ))
            } else if peers.waiting.len() + peers.live.len() >= MAX_PEERS {
                Err(format!("the room is full ({MAX_PEERS} consoles)"))
            } else {
                Ok(())
            }
        });
        let (out_tx, out_rx) = mpsc::channel(QUEUE);
        let (reader, writer) = stream.into_split();
        tokio::spawn(write_frames(writer, out_rx));
        if let Err(reason) = verdict {
            tracing::warn!(uid = peer.uid, %reason, "room: connection refused");
            let _ = out_tx.try_send(encode(&Reply::Closed { reason }));
            return;
        }
        let conn = {
            let mut peers = self.peers.lock().expect("room lock");
            peers.next += 1;
            let conn = peers.next;
            peers.waiting.insert(conn, out_tx.clone());
            peers.uids.insert(conn, peer.uid);
            conn
        };
        let actor = actor(&passwd, peer.uid);
        tracing::info!(conn, %actor, "room: joined");
        let (room, tx) = (self.clone(), self.tx.clone());
        tokio::spawn(async move {
            let (reason, greeted) = room.read_requests(reader, conn, &actor, &tx).await;
            let _ = out_tx.try_send(encode(&Reply::Closed { reason }));
            room.forget(conn);
            if greeted {
                let _ = tx.send(Msg::RoomLeft { conn, actor }).await;
            }
        });
    }

    fn forget(&self, conn: u64) {
        let mut peers = self.peers.lock().expect("room lock");
        peers.waiting.remove(&conn);
        peers.live.remove(&conn);
        peers.uids.remove(&conn);
        if peers.screens.remove(&conn).is_some() {
            drop(peers);
            self.presence();
        }
    }

    /// Connection `conn` (0: the writer's own console) shows `screen` now.
    pub fn screen(&self, conn: u64, actor: &str, screen: &str) {
        let mut peers = self.peers.lock().expect("room lock");
        let entry = (actor.to_owned(), screen.to_owned());
        if peers.screens.get(&conn) == Some(&entry) {
            return;
        }
        peers.screens.insert(conn, entry);
        drop(peers);
        self.presence();
    }

    /// Tells every console (the writer's through its loop) who is where.
    fn presence(&self) {
        let mut peers = self.peers.lock().expect("room lock");
        let people: Vec<(String, String)> = peers.screens.values().cloned().collect();
        let frame = encode(&Reply::Presence {
            people: people.clone(),
        });
        peers
            .live
            .retain(|_, out| out.try_send(frame.clone()).is_ok());
        drop(peers);
        let _ = self.tx.try_send(Msg::Presence(people));
    }

    /// Sends a joined console the records after its `Hello`, then lets every new one reach it.
    pub fn welcome(&self, conn: u64, actor: &str, records: &[Record]) {
        let mut peers = self.peers.lock().expect("room lock");
        let Some(out) = peers.waiting.remove(&conn) else {
            return;
        };
        let last = records.last().map_or(0, |r| r.seq);
        let mut frames = std::iter::once(encode(&Reply::Welcome {
            actor: actor.to_owned(),
            last,
        }))
        .chain(records.iter().map(|r| {
            encode(&Reply::Record {
                record: Box::new(r.clone()),
            })
        }))
        .chain(peers.readings.values().map(|reading| {
            encode(&Reply::Reading {
                reading: reading.clone(),
            })
        }));
        if frames.all(|f| out.try_send(f).is_ok()) {
            peers.live.insert(conn, out);
        }
    }

    /// Sends a journaled record to every joined console (one too slow to keep up is dropped).
    pub fn broadcast(&self, record: &Record) {
        let mut peers = self.peers.lock().expect("room lock");
        if !peers.live.is_empty() {
            let frame = encode(&Reply::Record {
                record: Box::new(record.clone()),
            });
            send_all(&mut peers.live, &frame);
        }
    }

    /// Relays what this console's probes and readers found to every joined console (which
    /// probe nothing), and keeps the latest of each for the next to join.
    pub fn reading(&self, reading: Reading) {
        let mut peers = self.peers.lock().expect("room lock");
        if !peers.live.is_empty() {
            let frame = encode(&Reply::Reading {
                reading: reading.clone(),
            });
            send_all(&mut peers.live, &frame);
        }
        let (component, stream) = reading.about();
        let key = (component.to_owned(), stream);
        peers.readings.insert(key, reading);
    }

    /// Answers one connection.
    pub fn answer(&self, conn: u64, reply: &Reply) {
        let peers = self.peers.lock().expect("room lock");
        if let Some(out) = peers.live.get(&conn).or_else(|| peers.waiting.get(&conn)) {
            let _ = out.try_send(encode(reply));
        }
    }

    /// Stops serving: no new connection, every joined console told why, the socket removed.
    pub fn close(&self, reason: &str) {
        let mut peers = self.peers.lock().expect("room lock");
        if let Some(accept) = peers.accept.take() {
            accept.abort();
        }
        peers.socket = None;
        let frame = encode(&Reply::Closed {
            reason: reason.to_owned(),
        });
        for out in peers.live.values().chain(peers.waiting.values()) {
            let _ = out.try_send(frame.clone());
        }
        peers.live.clear();
        peers.waiting.clear();
        let _ = std::fs::remove_file(&self.path);
    }

    /// How many consoles are joined.
    #[must_use]
    pub fn count(&self) -> usize {
        self.peers.lock().map_or(0, |p| p.live.len())
    }
}

/// Sends `frame` to every joined console; one too slow to keep up is dropped.
fn send_all(live: &mut HashMap<u64, mpsc::Sender<Vec<u8>>>, frame: &[u8]) {
    live.retain(|conn, out| {
        let kept = out.try_send(frame.to_vec()).is_ok();
        if !kept {
            tracing::warn!(conn, "room: a console fell behind and was dropped");
        }
        kept
    });
}

/// This process's user id.
fn nix_uid() -> u32 {
    nix::unistd::getuid().as_raw()
}

/// The socket opened to `group` (else to its owner alone) and, for the group, the way to it:
/// the data directory and every folder down to the incident's searchable, the store's listable
/// (so `warroom join` finds the incident without reading its journal).
fn open_to(
    (data, store, dir): (&Path, &Path, &Path),
    socket: &Path,
    group: Option<&str>,
) -> std::io::Result<()> {
    use std::fs::{Permissions, set_permissions};
    let Some(gid) = group.and_then(super::members::group_id) else {
        return set_permissions(socket, Permissions::from_mode(0o600));
    };
    crate::files::open_way(data, dir, gid, store)?;
    std::os::unix::fs::chown(socket, None, Some(gid))?;
    set_permissions(socket, Permissions::from_mode(0o660))
}

async fn write_frames(
    mut writer: tokio::net::unix::OwnedWriteHalf,
    mut out: mpsc::Receiver<Vec<u8>>,
) {
    while let Some(frame) = out.recv().await {
        let closing = frame_is_closed(&frame);
        if writer.write_all(&frame).await.is_err() || closing {
            break;
        }
    }
    let _ = writer.shutdown().await;
}

/// True for the `Closed` frame, after which nothing more is written.
fn frame_is_closed(frame: &[u8]) -> bool {
    frame.len() > 4 && frame[4..].starts_with(br#"{"type":"closed""#)
}

impl Room {
    /// Reads a peer's requests until it leaves or breaks the protocol: why the connection ended,
    /// and whether the peer had said hello (and so joined).
    async fn read_requests(
        &self,
        mut reader: tokio::net::unix::OwnedReadHalf,
        conn: u64,
        actor: &str,
        tx: &mpsc::Sender<Msg>,
    ) -> (String, bool) {
        let mut decoder = Decoder::default();
        let mut buffer = vec![0; 16 * 1024];
        let mut window = (Instant::now(), 0u32);
        let mut greeted = false;
        let hello_by = tokio::time::Instant::now() + HELLO_WITHIN;
        loop {
            let read = if greeted {
                reader.read(&mut buffer).await
            } else {
                match tokio::time::timeout_at(hello_by, reader.read(&mut buffer)).await {
                    Ok(read) => read,
                    Err(_) => return ("no hello within 2 s".into(), greeted),
                }
            };
            let n = match read {
                Ok(0) | Err(_) => return ("the console left".into(), greeted),
                Ok(n) => n,
            };
            decoder.push(&buffer[..n]);
            loop {
                let request = match decoder.message::<Request>() {
                    Ok(Some(request)) => request,
                    Ok(None) => break,
                    Err(error) => return (error.to_string(), greeted),
                };
                let msg = match request {
                    Request::Hello {
                        protocol, version, ..
                    } if !greeted && super::protocol::mismatch(protocol, &version).is_some() => {
                        let reason = super::protocol::mismatch(protocol, &version);
                        return (reason.unwrap_or_default(), greeted);
                    }
                    Request::Hello { after, .. } if !greeted => {
                        greeted = true;
                        Msg::RoomHello {
                            conn,
                            actor: actor.to_owned(),
                            after,
                        }
                    }
                    Request::Hello { .. } => return ("a second hello".into(), greeted),
                    Request::Screen { screen } if greeted => {
                        self.screen(conn, actor, &crate::sanitize::one_line(&screen));
                        continue;
                    }
                    Request::Screen { .. } => {
                        return ("a request before hello".into(), greeted);
                    }
                    Request::Append { .. } if !greeted => {
                        return ("a request before hello".into(), greeted);
                    }
                    Request::Append { id, key, event } => {
                        if window.0.elapsed() >= Duration::from_secs(1) {
                            window = (Instant::now(), 0);
                        }
                        window.1 += 1;
                        if window.1 > MAX_REQUESTS_PER_SECOND {
                            let reason = format!(
                                "too many requests: at most {MAX_REQUESTS_PER_SECOND} a second"
                            );
                            self.answer(conn, &Reply::Refused { id, reason });
                            continue;
                        }
                        Msg::Requested {
                            peer: crate::msg::Peer {
                                conn,
                                id,
                                actor: actor.to_owned(),
                                key,
                            },
                            event: *event,
                        }
                    }
                };
                if tx.send(msg).await.is_err() {
                    return ("the writer stopped".into(), greeted);
                }
            }
        }
    }
}
