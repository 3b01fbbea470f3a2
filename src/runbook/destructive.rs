//! Commands that destroy: deleting files, resources, tables or disks. Such a command asks for the
//! typed confirmation even when its runbook does not, and the dialog says which pattern it
//! matched. The built-in patterns are below; `[safety] destructive` adds a team's own.

use std::sync::LazyLock;

use regex::Regex;

/// A pattern that marks a command as destructive, and what it is called in the dialog.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub name: String,
    pub regex: Regex,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.regex.as_str() == other.regex.as_str()
    }
}

impl Eq for Pattern {}

/// The built-in patterns: (name, regular expression over one line of the script).
const BUILT_IN: [(&str, &str); 14] = [
    (
        "rm -rf",
        r"\brm\s+(-[a-zA-Z]*r[a-zA-Z]*f|-[a-zA-Z]*f[a-zA-Z]*r|-r\s+-f|-f\s+-r|--recursive\s+--force|--force\s+--recursive)\b",
    ),
    ("kubectl delete", r"\bkubectl\b.*\sdelete\b"),
    (
        "DROP TABLE or DATABASE",
        r"(?i)\bdrop\s+(table|database|schema)\b",
    ),
    ("TRUNCATE", r"(?i)\btruncate\s+(table\s+)?\w"),
    ("DELETE FROM without WHERE", r"(?i)\bdelete\s+from\b"),
    ("terraform destroy", r"\bterraform\b.*\sdestroy\b"),
    ("dd of=", r"\bdd\b.*\bof="),
    ("mkfs", r"\bmkfs(\.\w+)?\b"),
    ("--force", r"\s--force\b"),
    (
        "--all-namespaces with a delete",
        r"\bdelete\b.*--all-namespaces|--all-namespaces.*\bdelete\b",
    ),
    ("helm uninstall", r"\bhelm\b.*\s(uninstall|delete)\b"),
    (
        "git push --force or reset --hard",
        r"\bgit\b.*\s(push\s.*(-f|--force)|reset\s+--hard)\b",
    ),
    ("redis FLUSHALL or FLUSHDB", r"(?i)\bflush(all|db)\b"),
    ("shred or wipefs", r"\b(shred|wipefs)\b"),
];

static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    BUILT_IN
        .iter()
        .map(|(name, regex)| Pattern {
            name: (*name).to_owned(),
            regex: Regex::new(regex).expect("the built-in patterns are valid"),
        })
        .collect()
});

/// The first pattern, built-in or the team's own, that a line of `script` matches (a `DELETE
/// FROM` is destructive only when no `WHERE` follows it in the script).
#[must_use]
pub fn matched<'p>(script: &str, own: &'p [Pattern]) -> Option<&'p str> {
    let lines: Vec<&str> = script.lines().map(str::trim).collect();
    PATTERNS.iter().chain(own).find_map(|pattern| {
        let hit = lines.iter().enumerate().any(|(i, line)| {
            pattern.regex.find(line).is_some_and(|found| {
                !(pattern.name.starts_with("DELETE FROM")
                    && where_follows(&line[found.start()..], &lines[i + 1..]))
            })
        });
        hit.then_some(pattern.name.as_str())
    })
}

/// Whether a `WHERE` comes before the statement that starts `rest` (and goes on in `after`)
/// ends with a `;`.
fn where_follows(rest: &str, after: &[&str]) -> bool {
    let statement = std::iter::once(rest)
        .chain(after.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let statement = statement.split(';').next().unwrap_or_default();
    statement.to_lowercase().contains(" where ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destroying_commands_are_named_and_harmless_ones_are_not() {
        let cases = [
            ("rm -rf /var/lib/postgresql", Some("rm -rf")),
            ("sudo rm -fr ./data", Some("rm -rf")),
            ("kubectl -n prod delete pod web-0", Some("kubectl delete")),
            (
                "psql -c 'DROP TABLE payments'",
                Some("DROP TABLE or DATABASE"),
            ),
            (
                "psql -c 'delete from sessions;'",
                Some("DELETE FROM without WHERE"),
            ),
            ("psql -c \"DELETE FROM sessions WHERE age > 3\"", None),
            (
                "terraform -chdir=prod destroy -auto-approve",
                Some("terraform destroy"),
            ),
            ("dd if=/dev/zero of=/dev/sda bs=1M", Some("dd of=")),
            ("mkfs.ext4 /dev/xvdf", Some("mkfs")),
            ("kubectl get pods --all-namespaces", None),
            ("rm old.log", None),
            ("kubectl get pods", None),
            ("./promote-replica.sh --dry-run", None),
        ];
        for (script, expected) in cases {
            assert_eq!(matched(script, &[]), expected, "{script}");
        }
    }

    #[test]
    fn a_team_adds_its_own_patterns() {
        let own = [Pattern {
            name: "payments-admin purge".into(),
            regex: Regex::new(r"payments-admin\s+purge").unwrap(),
        }];
        assert_eq!(
            matched("payments-admin purge --all", &own),
            Some("payments-admin purge")
        );
    }
}
