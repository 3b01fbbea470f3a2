//! Finding runbooks: every Markdown file under a config's runbook folders, each checked against
//! the service.

use std::path::{Path, PathBuf};

use crate::config::{Config, Diagnostic, Invalid, diag};

use super::{Runbook, parse};

/// Runbooks found, and the diagnostics of those that did not load.
pub type RunbookSet = (Vec<Runbook>, Vec<Diagnostic>);

/// The runbooks of a config's runbook folders.
#[must_use]
pub fn load_runbooks(config: &Config) -> RunbookSet {
    let mut runbooks: Vec<Runbook> = Vec::new();
    let mut errors = Vec::new();
    for dir in &config.runbook_dirs {
        let (found, mut bad) = load_dir(dir);
        errors.append(&mut bad);
        for rb in found {
            errors.extend(check_components(&rb, config));
            if runbooks.iter().any(|r| r.id == rb.id) {
                errors.push(Diagnostic::new(
                    &rb.path.display().to_string(),
                    2,
                    1,
                    format!("runbook id `{}` is used twice", rb.id),
                ));
            } else {
                runbooks.push(rb);
            }
        }
    }
    (runbooks, errors)
}

/// Loads every runbook under `dir` (recursively, `*.md`, skipping `drills/`): the valid ones,
/// and the diagnostics of the invalid ones. Duplicate ids are errors.
#[must_use]
pub fn load_dir(dir: &Path) -> (Vec<Runbook>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    let mut runbooks: Vec<Runbook> = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let name = path.display().to_string();
        match std::fs::read_to_string(&path).map_err(|e| e.to_string()) {
            Err(e) => errors.push(Diagnostic::new(&name, 1, 1, format!("cannot read: {e}"))),
            Ok(text) => match parse(&name, &text) {
                Ok(runbook) if runbooks.iter().any(|r| r.id == runbook.id) => {
                    errors.push(Diagnostic::new(
                        &name,
                        2,
                        1,
                        format!("runbook id `{}` is used twice", runbook.id),
                    ));
                }
                Ok(runbook) => runbooks.push(runbook),
                Err(Invalid(mut d)) => errors.append(&mut d),
            },
        }
    }
    (runbooks, errors)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() && path.file_name().is_none_or(|n| n != "drills") {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "md")
            && path.file_name().is_none_or(|n| n != "README.md")
        {
            out.push(path);
        }
    }
}

/// Checks that a runbook's components exist in the config.
#[must_use]
pub fn check_components(runbook: &Runbook, config: &Config) -> Vec<Diagnostic> {
    let ids = || config.components.iter().map(|c| c.id.as_str());
    let mut named: Vec<&str> = runbook.components.iter().map(String::as_str).collect();
    named.extend(
        runbook
            .steps
            .iter()
            .filter_map(|s| s.expect.as_ref())
            .map(|e| e.component.as_str()),
    );
    named.extend(
        runbook
            .steps
            .iter()
            .flat_map(|s| &s.commands)
            .filter_map(|c| c.recovers.as_deref()),
    );
    named
        .into_iter()
        .filter(|id| config.component(id).is_none())
        .map(|id| {
            Diagnostic::new(
                &runbook.path.display().to_string(),
                2,
                1,
                format!(
                    "runbook `{}` names unknown component `{id}`{} in {}",
                    runbook.id,
                    diag::hint(id, ids()),
                    config.source
                ),
            )
        })
        .collect()
}
