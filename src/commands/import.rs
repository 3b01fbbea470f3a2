//! `warroom import PLAN.md`: a plan read into a kit, written (or shown with `--dry-run`) with
//! its report; `warroom import --runbooks PATH`: runbooks as teams wrote them made warroom's.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::sanitize::sanitize;

use super::validate::check_kit_files;

pub(super) fn import(
    plan: &Path,
    output: Option<&Path>,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let shown = sanitize(&plan.display().to_string()).into_owned();
    let bytes = std::fs::read(plan).with_context(|| format!("cannot read {shown}"))?;
    let Ok(text) = String::from_utf8(bytes) else {
        crate::commands::say(&format!(
            "warroom: {shown} is not text (not UTF-8): a plan is a Markdown file; nothing written"
        ));
        return Ok(ExitCode::from(2));
    };
    let name = plan.file_name().map_or_else(
        || shown.clone(),
        |n| sanitize(&n.to_string_lossy()).into_owned(),
    );
    let kit = match crate::import::import(&name, &text) {
        Ok(kit) => kit,
        Err(unusable) => {
            crate::commands::say(&format!("warroom: {unusable}; nothing written"));
            return Ok(ExitCode::from(2));
        }
    };
    let default_dir = PathBuf::from(plan.file_stem().unwrap_or_default());
    let dir = output.map_or(default_dir, Path::to_path_buf);
    // Checked in memory, as `validate` would from the folder: a dry run writes nothing anywhere.
    let problems = check_kit_files(&dir, &kit.files);
    if !dry_run {
        crate::import::write(&dir, &kit.files)?;
    }
    let shown_dir = sanitize(&dir.display().to_string()).into_owned();
    let mut out = std::io::stdout().lock();
    let verb = if dry_run { "Would write" } else { "Wrote" };
    writeln!(out, "{verb} a kit from {shown} in {shown_dir}:")?;
    for (path, text) in &kit.files {
        writeln!(out, "  {path:<44} {} lines", text.lines().count())?;
    }
    writeln!(out, "From the plan:")?;
    write!(
        out,
        "{}",
        sanitize(&crate::import::report_text(&kit.report))
    )?;
    if !problems.is_empty() {
        for invalid in &problems {
            crate::commands::say(&format!("{invalid}"));
        }
        crate::commands::say(
            "warroom: the kit does not validate (a bug in import: please report it with the plan); fix the lines above by hand",
        );
        return Ok(ExitCode::from(1));
    }
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {shown_dir} && ")
    };
    let drill = kit
        .files
        .iter()
        .find(|(p, _)| p.starts_with("runbooks/drills/"))
        .map(|(p, _)| format!("\n  warroom drill {p}"))
        .unwrap_or_default();
    writeln!(
        out,
        "The kit validates. Next:\n  {cd}warroom validate .{drill}\n  warroom"
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The Markdown files `path` names: itself, or those in the folder (and below it).
fn markdown_files(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    let mut folders = vec![path.to_owned()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read {}", sanitize(&folder.display().to_string())))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `warroom import --runbooks PATH`: each runbook read and written as a warroom runbook into
/// `output` (default `runbooks`), with a line saying what it became; one that cannot be read
/// is named with why, and nothing of it is written.
pub(super) fn import_runbooks(
    path: &Path,
    output: Option<&Path>,
    dry_run: bool,
) -> anyhow::Result<ExitCode> {
    let dir = output.unwrap_or(Path::new("runbooks"));
    let mut files = Vec::new();
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for file in markdown_files(path)? {
        let name = file.display().to_string();
        let text = match std::fs::read(&file).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                crate::commands::say(&format!(
                    "warroom: {}: not text (not UTF-8); left out",
                    sanitize(&name)
                ));
                failed = true;
                continue;
            }
            Err(e) => anyhow::bail!("cannot read {}: {e}", sanitize(&name)),
        };
        match crate::runbook::import::import(&name, &text) {
            Ok(imported) if files.iter().any(|(f, _)| *f == imported.file) => {
                crate::commands::say(&format!(
                    "warroom: {}: its id makes {}, which another runbook here already makes; left out (give it an `id` in its front matter)",
                    sanitize(&name),
                    sanitize(&imported.file)
                ));
                failed = true;
            }
            Ok(imported) => {
                writeln!(out, "{}", sanitize(&imported.report))?;
                files.push((imported.file, imported.text));
            }
            Err(invalid) => {
                crate::commands::say(&format!("{invalid}"));
                crate::commands::say(&format!("warroom: {}: left out", sanitize(&name)));
                failed = true;
            }
        }
    }
    let shown_dir = sanitize(&dir.display().to_string()).into_owned();
    let runbooks = match files.len() {
        1 => "1 runbook".to_owned(),
        n => format!("{n} runbooks"),
    };
    if dry_run {
        writeln!(out, "Would write {runbooks} into {shown_dir}")?;
    } else {
        crate::import::write(dir, &files)?;
        writeln!(
            out,
            "Wrote {runbooks} into {shown_dir}; next: warroom validate {shown_dir}"
        )?;
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
