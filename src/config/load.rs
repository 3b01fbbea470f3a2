//! Finding and reading a config file: discovery, loading with diagnostics, and the part a review
//! export reads without validating the rest.

use std::path::{Path, PathBuf};

use super::Config;
use super::convert::{convert, review_template, runbook_dirs};
use super::file::ConfigFile;
use super::{Invalid, Source, tolerant};

/// A config file that exists in name only: missing or unreadable (exit code 2, like any config error).
#[derive(Debug, thiserror::Error)]
#[error("cannot read config {path}: {source}")]
pub struct Unreadable {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, anyhow::Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Unreadable {
        path: path.to_owned(),
        source,
    })?;
    Ok(parse(&path.display().to_string(), &text)?)
}

/// What a review export reads of a config file: the review template it names and the folders of
/// its runbooks (for their phases), without validating or resolving anything else (no secrets).
pub struct ReviewSources {
    pub template: Option<(String, String)>,
    pub runbook_dirs: Vec<PathBuf>,
}

/// Only the review template a config file names (relative to it) and its runbook folders.
pub fn load_review_template(path: &Path) -> Result<ReviewSources, anyhow::Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Unreadable {
        path: path.to_owned(),
        source,
    })?;
    let name = path.display().to_string();
    let src = Source::new(&name, &text);
    Ok(tolerant::parse(&src, |file: ConfigFile, errors| {
        ReviewSources {
            template: review_template(&src, file.review.template.as_ref(), errors),
            runbook_dirs: runbook_dirs(src.name, &file.runbooks.paths),
        }
    })?)
}

/// Parses and validates config text; `name` is used in diagnostics.
pub fn parse(name: &str, text: &str) -> Result<Config, Invalid> {
    let src = Source::new(name, text);
    tolerant::parse(&src, |file, errors| convert(&src, file, errors))
}

/// Where the config comes from: `--config`, `./warroom.toml`, then the user config dir.
#[must_use]
pub fn discover(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_owned());
    }
    let local = PathBuf::from("warroom.toml");
    if local.is_file() {
        return Some(local);
    }
    directories::ProjectDirs::from("", "", "warroom")
        .map(|dirs| dirs.config_dir().join("config.toml"))
        .filter(|p| p.is_file())
}
