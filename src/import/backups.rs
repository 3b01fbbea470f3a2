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

/// A plan that contradicts itself: every backup of a component less frequent than its RPO
/// (2-hourly backups against a 5-minute RPO) cannot meet it. Said for a human; the plan's values
/// are kept as written. Only targets the plan gives count (not assumed ones).
pub(super) fn contradictions(draft: &mut Draft) {
    let mut found = Vec::new();
    for c in &draft.components {
        let own = c
            .rpo
            .filter(|_| !c.assumed.iter().any(|a| a.starts_with("RPO")));
        let tier = draft
            .tiers
            .iter()
            .find(|t| Some(&t.name) == c.tier.as_ref());
        let of_tier = tier
            .filter(|t| !t.assumed.iter().any(|(k, _)| *k == "rpo"))
            .and_then(|t| t.rpo);
        let (Some(rpo), Some(every)) = (own.or(of_tier), c.backups.iter().map(|b| b.every).min())
        else {
            continue;
        };
        if every > rpo {
            found.push((
                c.line,
                format!(
                    "the plan contradicts itself: `{}` is backed up every {} but its RPO is {}; \
                     a copy that often can lose up to {} of data: fix the RPO or the schedule",
                    c.name,
                    human_duration(every),
                    human_duration(rpo),
                    human_duration(every)
                ),
            ));
        }
    }
    for (line, text) in found {
        draft.report.human(line, text);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backups_less_frequent_than_the_rpo_are_flagged_not_changed() {
        let plan = "# Shop DR\n\n| Component | RTO | RPO |\n|---|---|---|\n\
            | Orders DB | 1h | 5 minutes |\n| Cache | 4h | 24h |\n\n## Backup Schedule\n\n\
            - **Orders DB backups**: every 2 hours\n- **Cache snapshots**: daily\n";
        let (kit, config) = crate::import::imported(plan);
        let flagged: Vec<&str> = kit
            .report
            .human
            .iter()
            .map(|e| e.text.as_str())
            .filter(|t| t.starts_with("the plan contradicts itself"))
            .collect();
        assert_eq!(
            flagged,
            [
                "the plan contradicts itself: `Orders DB` is backed up every 2h but its RPO is 5m; \
              a copy that often can lose up to 2h of data: fix the RPO or the schedule"
            ]
        );
        assert!(config.contains("rpo = \"5m\""), "kept as written: {config}");
    }
}
