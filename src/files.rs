//! Writing files safely: never through a symbolic link, with the mode warroom means whatever the
//! umask, and a data directory refused when others could plant files in it (as ssh's
//! `StrictModes` refuses a home folder).

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context as _, bail};

/// Mode of what others may read and only warroom's user may change (kits, exports).
pub const SHARED: u32 = 0o644;
/// Mode of a folder of a kit.
pub const SHARED_DIR: u32 = 0o755;

/// Opens `path` for writing with `mode` exactly, never through a symbolic link: `new` creates it
/// and fails if anything is there; otherwise an existing file is emptied first.
///
/// # Errors
/// The path is a symbolic link, exists when `new`, or cannot be written.
pub fn open_for_writing(path: &Path, mode: u32, new: bool) -> anyhow::Result<File> {
    let mut options = OpenOptions::new();
    options
        .write(true)
        .mode(mode)
        .custom_flags(nix::libc::O_NOFOLLOW);
    if new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    let file = options.open(path).map_err(|error| {
        if error.raw_os_error() == Some(nix::libc::ELOOP) {
            anyhow::anyhow!(
                "{} is a symbolic link; warroom writes nothing through one: remove it or choose another path",
                path.display()
            )
        } else {
            anyhow::Error::new(error).context(format!("cannot write {}", path.display()))
        }
    })?;
    // The umask may have taken bits away, or (000) left others write access: set it exactly.
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    Ok(file)
}

/// Makes `dir` and the folders under `root` (which must exist) leading to it, each with `mode`
/// exactly, refusing a symbolic link anywhere below `root`.
///
/// # Errors
/// A part is a symbolic link or cannot be made.
pub fn make_dirs(root: &Path, dir: &Path, mode: u32) -> anyhow::Result<()> {
    let mut at = root.to_path_buf();
    let parts: Vec<_> = dir.strip_prefix(root).unwrap_or(dir).components().collect();
    for part in parts {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => bail!(
                "{} is a symbolic link; warroom writes nothing through one: remove it or choose another folder",
                at.display()
            ),
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => bail!("{} is a file, not a folder", at.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir(&at)
                    .with_context(|| format!("cannot create {}", at.display()))?;
                std::fs::set_permissions(&at, std::fs::Permissions::from_mode(mode))
                    .with_context(|| format!("cannot set the mode of {}", at.display()))?;
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", at.display())),
        }
    }
    Ok(())
}

/// Refuses a data directory others could plant files in: writable by every user without the
/// sticky bit, or (for a user but root) owned by another user but root and not shared with a
/// group of this user.
///
/// # Errors
/// What is wrong with it and what to do.
pub fn check_data_dir(dir: &Path) -> anyhow::Result<()> {
    let Ok(meta) = std::fs::metadata(dir) else {
        return Ok(());
    };
    let mode = meta.mode() & 0o7777;
    if mode & 0o002 != 0 && mode & 0o1000 == 0 {
        bail!(
            "the data directory {} is writable by every user (mode {mode:o}) without the sticky bit: anyone could plant files warroom reads. Run `chmod o-w {}` or choose another with --data-dir",
            dir.display(),
            dir.display()
        );
    }
    let me = nix::unistd::geteuid().as_raw();
    // A teammate's data directory the room's group may search (`0710`, as a room opens it):
    // its incidents are shared folder by folder.
    let shared = mode & 0o010 != 0
        && nix::unistd::getgroups()
            .unwrap_or_default()
            .iter()
            .chain(std::iter::once(&nix::unistd::getegid()))
            .any(|g| g.as_raw() == meta.gid());
    // Root may work in anyone's folder (a takeover of another user's incident); the mode check
    // above still holds for it.
    if meta.uid() != me && me != 0 && meta.uid() != 0 && !shared {
        bail!(
            "the data directory {} belongs to another user (uid {}) and is not shared with a group of yours: choose your own with --data-dir, or ask its owner to share it with the room's group",
            dir.display(),
            meta.uid()
        );
    }
    Ok(())
}

/// Opens the way from the data directory `data` down to `to` (both included) to group `gid`:
/// each folder of this user's gets the group and `0710` (`listable` ones `0750`), so members
/// reach what is shared below. A team's folder (`2770`) and another user's are left as they are.
///
/// # Errors
/// A folder of this user's cannot be given the group or the mode.
pub fn open_way(data: &Path, to: &Path, gid: u32, listable: &Path) -> std::io::Result<()> {
    let me = nix::unistd::geteuid().as_raw();
    for folder in to.ancestors().take_while(|p| p.starts_with(data)) {
        let meta = std::fs::metadata(folder)?;
        if meta.uid() != me || crate::journal::team_folder(folder) {
            continue;
        }
        let mode = if folder == listable { 0o750 } else { 0o710 };
        std::os::unix::fs::chown(folder, None, Some(gid))?;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// Makes `folder` (this user's) the team's: group `gid`, set-group-id and `2770`, so the
/// incident folders, journals and locks made in it are the group's and any member's console
/// can write the incident when its writer leaves. Another user's folder is left as it is.
///
/// # Errors
/// The folder cannot be given the group or the mode.
pub fn make_team_folder(folder: &Path, gid: u32) -> std::io::Result<()> {
    let meta = std::fs::metadata(folder)?;
    if meta.uid() != nix::unistd::geteuid().as_raw() {
        return Ok(());
    }
    std::os::unix::fs::chown(folder, None, Some(gid))?;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o2770))
}
