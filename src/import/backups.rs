//! Backups: the lists that say how each component is backed up, resolved to components.

use super::dependencies::distinctive;
use super::outline::List;
use super::words::{human_duration, mentions};
use super::{BackupDraft, Draft, words};

/// Schedules: `**Frequency**: Every 6 hours` under "Database Backups", or
/// `**Critical databases**: Every 2 hours`.
pub(super) fn backup_list(list: &List, title: &str, draft: &mut Draft) {
    const NOT_SCHEDULES: [&str; 9] = [
        "retention",
        "storage",
        "verification",
        "verify",
        "location",
        "encryption",
        "owner",
        "tool",
        "test",
    ];
    for item in &list.items {
        let Some(label) = item.text.label.as_deref() else {
            continue;
        };
        if mentions(label, &NOT_SCHEDULES) {
            continue;
        }
        let schedule = mentions(
            label,
            &["frequency", "schedule", "cadence", "interval", "how often"],
        );
        let name = if schedule {
            words::strip_numbering(title)
        } else {
            label.to_owned()
        };
        match words::frequency(&item.text.rest) {
            Some(every) => {
                draft.backups.push((
                    title.to_owned(),
                    BackupDraft {
                        name,
                        every,
                        line: item.line,
                    },
                ));
            }
            None if schedule => draft.report.human(
                item.line,
                format!(
                    "backup schedule `{}` of `{name}` is not a period; no stream made",
                    item.text.rest
                ),
            ),
            None => {}
        }
    }
}

/// Backup streams go to the components their section or name points at: by name (`Database
/// Backups` → the database), else by tier (`Critical databases` → every critical component).
pub(super) fn backups(draft: &mut Draft) {
    for (section, backup) in std::mem::take(&mut draft.backups) {
        let text = format!("{section} {}", backup.name).to_lowercase();
        let by_name: Vec<usize> = (0..draft.components.len())
            .filter(|&i| {
                let name = draft.components[i].name.to_lowercase();
                let words = distinctive(&name);
                (name.contains("database") && text.contains("database"))
                    || words.iter().any(|w| text.contains(w.as_str()))
            })
            .collect();
        let targets = if by_name.is_empty() {
            match words::priority(&backup.name) {
                Some((tier, _)) => (0..draft.components.len())
                    .filter(|&i| draft.components[i].tier.as_deref() == Some(tier.as_str()))
                    .collect(),
                None => Vec::new(),
            }
        } else {
            by_name
        };
        if targets.is_empty() {
            draft.report.human(
                backup.line,
                format!("backup stream `{}` matches no component; add it under the right [[component]] by hand", backup.name),
            );
            continue;
        }
        let names: Vec<String> = targets
            .iter()
            .map(|&i| draft.components[i].id.clone())
            .collect();
        draft.report.made(
            backup.line,
            format!(
                "backup stream `{}` (every {}) → {}",
                backup.name,
                human_duration(backup.every),
                names.join(", ")
            ),
        );
        for i in targets {
            draft.components[i].backups.push(backup.clone());
        }
    }
}
