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

/// Longest path a Unix socket's address holds (108 bytes with its terminating zero).
const ADDRESS_MAX: usize = 107;

/// An address for the socket at `path` that fits a Unix socket's 108 bytes however deep the data
/// directory: the path itself when it fits, else the same file reached through a descriptor of
/// its folder (`/proc/self/fd/N/room.sock`), which is returned to be kept open while it is used.
///
/// # Errors
/// The folder cannot be opened.
pub fn address(path: &Path) -> std::io::Result<(PathBuf, Option<std::fs::File>)> {
    use std::os::fd::AsRawFd;
    if path.as_os_str().len() <= ADDRESS_MAX {
        return Ok((path.to_owned(), None));
    }
    let dir = std::fs::File::open(path.parent().unwrap_or(Path::new(".")))?;
    let name = path.file_name().unwrap_or_default();
    let short = Path::new("/proc/self/fd")
        .join(dir.as_raw_fd().to_string())
        .join(name);
    Ok((short, Some(dir)))
}
