//! `warroom check`: every component probed once, as a table or JSON, for scripts and cron.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::config::{Config, Invalid, diag};
use crate::domain::Health;
use crate::domain::health::Sample;
use crate::sanitize::sanitize;
use crate::workers::probe;

/// One line of `warroom check --json`.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub tier: String,
    pub state: Health,
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
    pub checked_at: String,
}

/// Probes the components (all, or one) concurrently, once each, without hysteresis.
pub async fn probe_all(config: &Config, only: Option<usize>) -> Result<Vec<Row>, reqwest::Error> {
    let slots = Arc::new(Semaphore::new(config.probe_concurrency.max(1)));
    let clients = probe::Clients::new()?;
    let tasks: Vec<_> = config
        .components
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
        .map(|(_, c)| {
            let (probe, slots, clients) = (c.probe.clone(), Arc::clone(&slots), clients.clone());
            tokio::spawn(async move {
                let _slot = slots.acquire().await;
                probe::run(&probe, &clients, Utc::now()).await
            })
        })
        .collect();
    let mut rows = Vec::new();
    let components = config
        .components
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i));
    for ((_, c), task) in components.zip(tasks) {
        let sample = task.await.unwrap_or_else(|e| Sample {
            at: Utc::now(),
            health: Health::Unknown,
            latency: None,
            detail: Some(format!("probe failed: {e}")),
        });
        let failed = sample.health != Health::Up;
        rows.push(Row {
            id: c.id.clone(),
            name: sanitize(&c.name).into_owned(),
            tier: c.tier.to_string(),
            state: sample.health,
            latency_ms: sample.latency.map(|l| l.as_millis() as u64),
            error: sample
                .detail
                .filter(|_| failed)
                .map(|d| sanitize(&d).into_owned()),
            checked_at: sample.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        });
    }
    Ok(rows)
}

/// The human table.
#[must_use]
pub fn table(rows: &[Row]) -> String {
    let name_width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let id_width = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let mut out = format!(
        "{:<9} {:<id_width$} {:<name_width$} {:<8} {:>8}  ERROR\n",
        "STATE", "ID", "NAME", "TIER", "LATENCY"
    );
    for r in rows {
        let state = if r.state == Health::Down {
            "DOWN".to_owned()
        } else {
            r.state.to_string()
        };
        let latency = r
            .latency_ms
            .map_or_else(|| "-".to_owned(), |l| format!("{l} ms"));
        let _ = writeln!(
            out,
            "{state:<9} {:<id_width$} {:<name_width$} {:<8} {latency:>8}  {}",
            r.id,
            r.name,
            r.tier,
            r.error.as_deref().unwrap_or_default()
        );
    }
    out
}

/// Runs the command: exit 0 when nothing is down, 1 when something is.
pub fn run(config: Config, json: bool, component: Option<&str>) -> anyhow::Result<ExitCode> {
    let only = match component {
        None => None,
        Some(id) => Some(
            config
                .components
                .iter()
                .position(|c| c.id == id)
                .ok_or_else(|| {
                    let hint = diag::hint(id, config.components.iter().map(|c| c.id.as_str()));
                    Invalid(vec![diag::Diagnostic {
                        file: config.source.clone(),
                        line: 1,
                        col: 1,
                        message: format!("no component `{}`{hint}", sanitize(id)),
                    }])
                })?,
        ),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let rows = runtime
        .block_on(probe_all(&config, only))
        .context("the HTTP clients for probes could not be built")?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", table(&rows));
    }
    let any_down = rows.iter().any(|r| r.state == Health::Down);
    Ok(if any_down {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
