//! `warroom review export`: the review of a recorded incident as Markdown.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::cli::Cli;
use crate::config::Invalid;
use crate::journal::store::{self, Store};
use crate::sanitize::sanitize;

use super::incident::stores;
use super::{emit, no_declaration};
use crate::runbook::load_runbooks;

/// The review template of `--config`, of the config a drill journal names, or of the config
/// found where warroom looks for one.
fn recorded_template(
    cli: &Cli,
    records: &[crate::domain::event::Record],
) -> anyhow::Result<Option<crate::config::ReviewSources>> {
    let recorded = crate::domain::drill::recorded(records).and_then(|d| d.config.clone());
    let path = cli
        .config
        .clone()
        .or(recorded.map(std::path::PathBuf::from))
        .or_else(|| crate::config::discover(None));
    match path {
        Some(path) => crate::config::load_review_template(&path).map(Some),
        None => Ok(None),
    }
}

pub(super) fn review_export(
    cli: &Cli,
    id: Option<&str>,
    output: Option<&Path>,
    demo: bool,
) -> anyhow::Result<ExitCode> {
    let Some(store::Found {
        summary,
        records,
        mode,
    }) = Store::find_any(&cli.data_dir()?, id, stores(demo))
    else {
        crate::commands::say(&format!(
            "warroom: no incident {}; `warroom incident list` shows the ids",
            sanitize(id.unwrap_or("yet"))
        ));
        return Ok(ExitCode::from(1));
    };
    let Some(incident) = summary.incident else {
        return Ok(match &summary.undeclared {
            Some(drill) => {
                let markdown = format!(
                    "# Drill: {} (never declared)\n\nNobody declared an incident during this drill.\n\n{}",
                    drill.start.title,
                    drill.scorecard.to_markdown()
                );
                write_markdown(output, &sanitize(&markdown))?;
                ExitCode::SUCCESS
            }
            None => {
                crate::commands::say(&no_declaration(&summary));
                ExitCode::from(1)
            }
        });
    };
    let stale = crate::review::saved_before_resolution(&incident, &records);
    let mut markdown = match &incident.review {
        Some(saved) if !stale => crate::sanitize::sanitize(saved).into_owned(),
        saved => {
            // The journal holds the targets; a config is read for its review template only,
            // or, for a journal written before targets were recorded, for the targets too.
            let config = if incident.targets.is_empty() {
                Some(crate::console::recorded::recorded_config(
                    cli.config.as_deref(),
                    &records,
                    mode,
                )?)
            } else {
                None
            };
            let (template, runbooks) = match &config {
                Some(config) => (config.review_template.clone(), load_runbooks(config).0),
                None => match recorded_template(cli, &records)? {
                    Some(sources) => (
                        sources.template,
                        sources
                            .runbook_dirs
                            .iter()
                            .flat_map(|d| crate::runbook::load_dir(d).0)
                            .collect(),
                    ),
                    None => (None, Vec::new()),
                },
            };
            let context = crate::review::context(
                &incident,
                &records,
                config.as_ref(),
                &runbooks,
                chrono::Utc::now(),
                crate::review::local_offset(),
            );
            let (name, template) = crate::review::template(template.as_ref());
            let fresh =
                crate::review::render(name, template, &context).map_err(|d| Invalid(vec![d]))?;
            // A review saved while the incident was open keeps what people wrote.
            match saved {
                Some(saved) => crate::update::review::merge(&fresh, &sanitize(saved)),
                None => fresh,
            }
        }
    };
    if let Some(card) = crate::review::scorecard(&incident, &records, chrono::Utc::now())
        && !markdown.contains(crate::review::SCORECARD_HEADING)
    {
        markdown.push('\n');
        markdown.push_str(&sanitize(&card));
    }
    write_markdown(output, &markdown)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes an exported document to `-o FILE`, else standard output.
fn write_markdown(output: Option<&Path>, markdown: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            use std::io::Write as _;
            crate::files::open_for_writing(path, crate::files::SHARED, false)
                .and_then(|mut file| Ok(file.write_all(markdown.as_bytes())?))
                .with_context(|| format!("choose another path with -o than {}", path.display()))?;
        }
        None => emit(markdown)?,
    }
    Ok(())
}
