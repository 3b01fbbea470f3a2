//! Backup streams: where a component's good copies are kept (its `recovery_point` and every
//! `[[component.backup]]`), each with the frequency it promises.

use std::time::Duration;

use super::spanned::Spanned;

use super::diag::{Diagnostic, Source};
use super::file::BackupFile;
use super::notify::{self, RecoveryPoint};
use crate::sanitize::sanitize;

/// One stream of good copies of a component's data.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    pub name: String,
    pub point: RecoveryPoint,
    /// A copy is expected at least this often; an older newest copy is stale.
    pub every: Option<Duration>,
}

/// The name the single `recovery_point` of a component goes by beside its backup streams.
pub const RECOVERY_POINT: &str = "recovery point";

/// The `recovery_point` and the backup streams of a component, each name once.
pub fn convert(
    src: &Source,
    point: Option<Spanned<notify::RecoveryPointFile>>,
    streams: Vec<Spanned<BackupFile>>,
    sources: &super::sources::Sources,
    errors: &mut Vec<Diagnostic>,
) -> Vec<Backup> {
    let mut backups: Vec<Backup> = point
        .map(|p| Backup {
            name: RECOVERY_POINT.to_owned(),
            point: notify::recovery_point(src, p, sources, errors),
            every: None,
        })
        .into_iter()
        .collect();
    for stream in streams {
        let stream = stream.into_inner();
        let name = stream.name.get_ref().trim();
        if name.is_empty() || backups.iter().any(|b| b.name == name) {
            let why = if name.is_empty() {
                "is empty"
            } else {
                "is used twice"
            };
            errors.push(src.at(
                stream.name.span(),
                format!(
                    "backup name `{}` {why}; give each stream of a component its own name",
                    sanitize(name)
                ),
            ));
        }
        backups.push(Backup {
            name: name.to_owned(),
            point: notify::recovery_point(src, stream.source, sources, errors),
            every: stream.every.map(|d| d.0),
        });
    }
    backups
}
