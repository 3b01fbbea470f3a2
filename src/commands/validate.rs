//! `warroom validate`: configs, themes, scenarios, runbooks, templates and kits checked, each
//! file by its kind.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::Cli;
use crate::config::{self, Config, Invalid};
use crate::sanitize::sanitize;
use crate::ui::{Colors, Theme};

use super::NoConfig;

/// What kind of file a path holds, by where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Config,
    Scenario,
    Theme,
    Runbook,
    ReviewTemplate,
}

fn kind_label(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Config => "config",
        FileKind::Scenario => "scenario",
        FileKind::Theme => "theme",
        FileKind::Runbook => "runbook",
        FileKind::ReviewTemplate => "review template",
    }
}

fn kind_of(path: &Path) -> FileKind {
    let in_dir = |name: &str| {
        path.parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == name)
    };
    let template = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().ends_with("template.md"));
    if template {
        FileKind::ReviewTemplate
    } else if path.extension().is_some_and(|e| e == "md") {
        FileKind::Runbook
    } else if in_dir("themes") {
        FileKind::Theme
    } else if in_dir("drills") {
        FileKind::Scenario
    } else {
        FileKind::Config
    }
}

fn toml_files(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            let md = entry.extension().is_some_and(|e| e == "md")
                && entry
                    .file_name()
                    .is_some_and(|n| n != "README.md" && n != "IMPORT.md");
            if entry.is_dir() || entry.extension().is_some_and(|e| e == "toml") || md {
                toml_files(&entry, out)?;
            }
        }
    } else if path.exists() {
        out.push(path.to_owned());
    } else {
        anyhow::bail!("{}: no such file or directory", path.display());
    }
    Ok(())
}

/// A file's kind and its warnings, or its errors.
fn check_file(
    path: &Path,
    config: Option<&Config>,
) -> Result<(FileKind, Vec<config::Diagnostic>), Invalid> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Invalid(vec![config::Diagnostic::new(
            &name,
            1,
            1,
            format!("cannot read: {e}"),
        )])
    })?;
    check_text(path, &text, config, None)
}

/// A file's text checked as its kind: a drill against `runbooks` when given (a kit in memory),
/// else against the runbooks its config's folders hold.
fn check_text(
    path: &Path,
    text: &str,
    config: Option<&Config>,
    runbooks: Option<&[crate::runbook::Runbook]>,
) -> Result<(FileKind, Vec<config::Diagnostic>), Invalid> {
    let name = path.display().to_string();
    let kind = kind_of(path);
    let mut warnings = Vec::new();
    match kind {
        // A variable that is not set here may be set where the console runs: a warning.
        FileKind::Config => config::parse(&name, text).map(|c| warnings = c.notify.unset),
        FileKind::Scenario => match runbooks {
            Some(runbooks) => config::parse_scenario(&name, text, config, Some(runbooks)).map(drop),
            None => crate::console::drill::check_scenario(path, text, config),
        },
        FileKind::Theme => Theme::parse(&name, text, Colors::TrueColor).map(drop),
        FileKind::ReviewTemplate => check_template(&name, text),
        FileKind::Runbook => crate::runbook::parse(&name, text).and_then(|rb| {
            let unknown = config
                .map(|c| crate::runbook::check_components(&rb, c))
                .unwrap_or_default();
            warnings = rb.warnings;
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(Invalid(unknown))
            }
        }),
    }?;
    Ok((kind, warnings))
}

/// Validates a kit held in memory as `validate` would from its folder `dir`: its config, then
/// its runbooks, drills and review template against it. Nothing is read or written.
pub(super) fn check_kit_files(dir: &Path, files: &[(String, String)]) -> Vec<Invalid> {
    let checked = |path: &str| {
        let p = Path::new(path);
        let md = p.extension().is_some_and(|e| e == "md");
        path == "warroom.toml"
            || path.ends_with("template.md")
            || (p.starts_with("runbooks") && (md || p.extension().is_some_and(|e| e == "toml")))
    };
    let mut problems = Vec::new();
    // The config reads its review template from the disk; the kit's own is checked below.
    let kit_template = files.iter().any(|(p, _)| p == "review-template.md");
    let without_template = |text: &str| -> String {
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !(kit_template && l.trim() == "template = \"review-template.md\""))
            .collect();
        kept.join("\n")
    };
    let config = files
        .iter()
        .find(|(p, _)| p == "warroom.toml")
        .and_then(|(p, text)| {
            match config::parse(&dir.join(p).display().to_string(), &without_template(text)) {
                Ok(config) => Some(config),
                Err(invalid) => {
                    problems.push(invalid);
                    None
                }
            }
        });
    let runbooks: Vec<crate::runbook::Runbook> = files
        .iter()
        .filter(|(p, _)| checked(p) && kind_of(Path::new(p)) == FileKind::Runbook)
        .filter_map(|(p, text)| {
            crate::runbook::parse(&dir.join(p).display().to_string(), text).ok()
        })
        .collect();
    for (path, text) in files
        .iter()
        .filter(|(p, _)| checked(p) && p != "warroom.toml")
    {
        if let Err(invalid) = check_text(&dir.join(path), text, config.as_ref(), Some(&runbooks)) {
            problems.push(invalid);
        }
    }
    problems
}

/// Renders a review template against a sample incident (the demo's) to find its mistakes.
fn check_template(name: &str, text: &str) -> Result<(), Invalid> {
    let state = crate::demo::showcase(chrono::Utc::now());
    let incident = state
        .incident
        .as_ref()
        .expect("the showcase declares an incident");
    let context = crate::view::review::context(&state, incident);
    crate::review::render(name, text, &context)
        .map(drop)
        .map_err(|d| Invalid(vec![d]))
}

pub(super) fn validate(cli: &Cli, paths: &[PathBuf], strict: bool) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    if paths.is_empty() {
        let config = config::discover(cli.config.as_deref())
            .ok_or_else(|| NoConfig("the user config dir".into()))?;
        files.push(config);
    }
    for path in paths {
        toml_files(path, &mut files)?;
    }
    let mut failed = false;
    let reference = cli.config.as_deref().and_then(|p| config::load(p).ok());
    let mut stdout = std::io::stdout().lock();
    for file in &files {
        match check_file(file, reference.as_ref()) {
            Ok((kind, warnings)) => {
                for warning in &warnings {
                    crate::commands::say(&format!("warning: {}", sanitize(&warning.to_string())));
                }
                failed |= strict && !warnings.is_empty();
                let said = if warnings.is_empty() {
                    "ok"
                } else {
                    "ok, with warnings"
                };
                writeln!(
                    stdout,
                    "{said}: {} ({})",
                    sanitize(&file.display().to_string()),
                    kind_label(kind)
                )?;
            }
            Err(invalid) => {
                failed = true;
                crate::commands::say(&format!("{invalid}"));
            }
        }
    }
    if failed && strict {
        crate::commands::say(
            "warroom: --strict: fix the errors and warnings above and run `warroom validate --strict` again",
        );
        return Ok(ExitCode::from(2));
    }
    if failed {
        crate::commands::say(
            "warroom: some files are invalid; fix the lines above and run `warroom validate` again",
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
