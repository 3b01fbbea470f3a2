//! `warroom runbook list` and `warroom runbook show ID`.

use std::fmt::Write as _;
use std::process::ExitCode;

use crate::config::{self, Config};
use crate::sanitize::sanitize;

use super::emit;
use crate::runbook::load_runbooks;

pub(super) fn runbook_list(config: &Config) -> anyhow::Result<ExitCode> {
    let (runbooks, errors) = load_runbooks(config);
    let dirs: Vec<String> = config
        .runbook_dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    if runbooks.is_empty() && errors.is_empty() {
        emit(&format!(
            "No runbooks found in {}.\n",
            sanitize(&dirs.join(", "))
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!("{:<24} {:<5} {:<24} TITLE\n", "ID", "STEPS", "COMPONENTS");
    for rb in &runbooks {
        let _ = writeln!(
            out,
            "{:<24} {:<5} {:<24} {}",
            rb.id,
            rb.steps.len(),
            rb.components.join(","),
            rb.title
        );
    }
    for error in &errors {
        let _ = writeln!(out, "INVALID {error}");
    }
    emit(&sanitize(&out))?;
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

pub(super) fn runbook_show(config: &Config, id: &str) -> anyhow::Result<ExitCode> {
    let (runbooks, _) = load_runbooks(config);
    let Some(rb) = runbooks.iter().find(|r| r.id == id) else {
        let hint = config::diag::hint(id, runbooks.iter().map(|r| r.id.as_str()));
        crate::commands::say(&format!(
            "warroom: no runbook `{}`{hint}; `warroom runbook list` shows them",
            sanitize(id)
        ));
        return Ok(ExitCode::from(1));
    };
    emit(&sanitize(&crate::runbook::show(rb)))?;
    Ok(ExitCode::SUCCESS)
}
