//! `warroom import --runbooks`: runbooks as teams wrote them (YAML front matter or none) made
//! warroom runbooks: TOML front matter with the id, title and where the steps are, then the text
//! exactly as written, with a line saying what each became.

use super::front_matter::front_matter;
use super::{Runbook, parse};
use crate::config::Invalid;

/// One runbook read: the file to write (its name and text) and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub file: String,
    pub text: String,
    pub report: String,
}

/// Reads the runbook `name` holds `text` of.
pub fn import(name: &str, text: &str) -> Result<Imported, Invalid> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let runbook = parse(name, text)?;
    let (_, body_start, _) = front_matter(name, text)?;
    let file = format!("{}.md", runbook.id);
    let written = if text.starts_with("+++") {
        text.to_owned()
    } else {
        format!(
            "+++\n{}+++\n\n{}",
            toml_front_matter(&runbook),
            text[body_start..].trim_start_matches(['\n', '\r'])
        )
    };
    Ok(Imported {
        report: report(name, &file, &runbook),
        file,
        text: written,
    })
}

/// The front matter warroom reads, in TOML: what the runbook's own said, and where its steps are.
fn toml_front_matter(runbook: &Runbook) -> String {
    let mut table = toml::Table::new();
    let mut put = |key: &str, value: toml::Value| {
        table.insert(key.to_owned(), value);
    };
    put("id", runbook.id.clone().into());
    put("title", runbook.title.clone().into());
    put("steps", runbook.steps_from.to_string().into());
    if runbook.summary != runbook.preface && !runbook.summary.is_empty() {
        put("summary", runbook.summary.clone().into());
    }
    let strings =
        |items: Vec<String>| toml::Value::Array(items.into_iter().map(Into::into).collect());
    if !runbook.components.is_empty() {
        put("components", strings(runbook.components.clone()));
    }
    if !runbook.severities.is_empty() {
        put(
            "severities",
            strings(runbook.severities.iter().map(ToString::to_string).collect()),
        );
    }
    if !runbook.tags.is_empty() {
        put("tags", strings(runbook.tags.clone()));
    }
    if let Some(automation) = runbook.automation {
        put("automation", automation.to_string().into());
    }
    toml::to_string(&table).unwrap_or_default()
}

/// `kubepodcrashlooping.md ← KubePodCrashLooping.md: 4 steps (h2), 2 commands, 1 check, ...`.
fn report(name: &str, file: &str, runbook: &Runbook) -> String {
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let commands: usize = runbook.steps.iter().map(|s| s.commands.len()).sum();
    let checks: usize = runbook.steps.iter().map(|s| s.checks.len()).sum();
    format!(
        "{file} ← {name}: {} ({}), {}, {}, {}, {}",
        count(runbook.steps.len(), "step", "steps"),
        runbook.steps_from,
        count(commands, "command", "commands"),
        count(checks, "check", "checks"),
        count(runbook.transcripts, "transcript", "transcripts"),
        count(runbook.warnings.len(), "warning", "warnings"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runbook_without_warroom_front_matter_gets_it_and_keeps_its_text() {
        let text = "---\ntitle: Disk full\nweight: 20\ntags: [disk]\n---\n\n# Disk full\n\n1. Find big files\n2. Delete old logs\n\n   ```sh\n   rm /var/log/app/*.gz\n   ```\n";
        let imported = import("content/DiskFull.md", text).unwrap();
        assert_eq!(imported.file, "diskfull.md");
        let (front, body) = imported.text.split_once("+++\n\n").unwrap();
        for line in [
            "id = \"diskfull\"",
            "title = \"Disk full\"",
            "steps = \"list\"",
            "tags = [\"disk\"]",
        ] {
            assert!(front.contains(line), "{front}");
        }
        assert!(
            body.starts_with("# Disk full\n\n1. Find big files\n"),
            "the text as written"
        );
        assert_eq!(
            imported.report,
            "diskfull.md ← content/DiskFull.md: 2 steps (list), 1 command, 0 checks, 0 transcripts, 0 warnings"
        );
        let again = parse("diskfull.md", &imported.text).unwrap();
        assert_eq!(again.steps.len(), 2, "what it writes reads back the same");
    }
}
