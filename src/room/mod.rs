//! The war room: the writing console serves a Unix socket in the incident folder, and joined
//! consoles send it the events they want journaled. The writer journals each as the Unix user
//! of the peer process (read from the socket, never from what the peer says) and sends every
//! record to every joined console as it is written.

pub mod client;
pub mod frame;
pub mod members;
pub mod protocol;
pub mod server;

use std::path::{Path, PathBuf};

/// The socket of an incident's room.
#[must_use]
pub fn socket_path(incident_dir: &Path) -> PathBuf {
    incident_dir.join("room.sock")
}
