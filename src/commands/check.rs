//! `warroom check`: every component probed once and every backup stream read once, as a table or
//! JSON, for scripts and cron.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::config::{Config, Invalid, diag};
use crate::domain::Health;
use crate::domain::backup::{Freshness, Reading, freshness};
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
    /// A measured value, for a probe that reads one (a Prometheus query's, with its unit).
    pub reading: Option<String>,
    pub error: Option<String>,
    pub checked_at: String,
    /// The RPO, counted from the newest good copy of any backup stream.
    pub rpo_secs: u64,
    /// Whether the newest good copy is within the RPO now; `null` without a readable stream.
    pub rpo_met: Option<bool>,
    pub backups: Vec<BackupRow>,
}

/// One backup stream of a component, read once.
#[derive(Debug, Serialize)]
pub struct BackupRow {
    pub name: String,
    pub source: String,
    /// `fresh`, `stale` (older than `every`) or `unreadable`.
    pub state: &'static str,
    pub last_good: Option<String>,
    pub age_secs: Option<u64>,
    pub every_secs: Option<u64>,
    pub error: Option<String>,
}

impl Row {
    /// True when the component's data needs a look: a stream stale or unreadable, or the newest
    /// copy older than the RPO.
    #[must_use]
    pub fn backup_fault(&self) -> bool {
        self.rpo_met == Some(false) || self.backups.iter().any(|b| b.state != "fresh")
    }
}

/// Reads every backup stream of a component once, concurrently.
async fn read_backups(
    component: &crate::config::Component,
    clients: &probe::Clients,
    now: chrono::DateTime<Utc>,
) -> Vec<(Reading, BackupRow)> {
    let readings = futures_util::future::join_all(component.backups.iter().map(|b| {
        crate::workers::recovery_point::read_point(
            clients.for_point(&b.point.source),
            &b.point,
            now,
        )
    }))
    .await;
    component
        .backups
        .iter()
        .zip(readings)
        .map(|(backup, reading)| {
            let reading = Some(reading);
            let (state, error) = match freshness(&reading, backup.every, now) {
                Freshness::Unreadable(why) => ("unreadable", Some(sanitize(&why).into_owned())),
                Freshness::Stale { .. } => ("stale", None),
                Freshness::Fresh { .. } | Freshness::Waiting => ("fresh", None),
            };
            let good = reading.as_ref().and_then(|r| r.as_ref().ok()).copied();
            let row = BackupRow {
                name: sanitize(&backup.name).into_owned(),
                source: sanitize(&backup.point.source.describe()).into_owned(),
                state,
                last_good: good.map(|g| g.to_rfc3339_opts(SecondsFormat::Secs, true)),
                age_secs: good.map(|g| (now - g).num_seconds().max(0).unsigned_abs()),
                every_secs: backup.every.map(|e| e.as_secs()),
                error,
            };
            (reading, row)
        })
        .collect()
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
    let chosen = || {
        config
            .components
            .iter()
            .enumerate()
            .filter(|(i, _)| only.is_none_or(|o| o == *i))
            .map(|(_, c)| c)
    };
    let now = Utc::now();
    let backups =
        futures_util::future::join_all(chosen().map(|c| read_backups(c, &clients, now))).await;
    let mut rows = Vec::new();
    for ((c, task), backups) in chosen().zip(tasks).zip(backups) {
        let sample = task.await.unwrap_or_else(|e| Sample {
            at: Utc::now(),
            health: Health::Unknown,
            latency: None,
            detail: Some(format!("probe failed: {e}")),
            reading: None,
        });
        let failed = sample.health != Health::Up;
        let (readings, backups): (Vec<Reading>, Vec<BackupRow>) = backups.into_iter().unzip();
        let names: Vec<&str> = c.backups.iter().map(|b| b.name.as_str()).collect();
        let rpo = config.budget(c).rpo;
        let rpo_met = match crate::domain::backup::newest(&names, &readings) {
            Some(Ok(newest)) => Some(crate::domain::budget::within(now - newest, rpo)),
            _ => None,
        };
        rows.push(Row {
            id: c.id.clone(),
            name: sanitize(&c.name).into_owned(),
            tier: c.tier.to_string(),
            state: sample.health,
            latency_ms: sample.latency.map(|l| l.as_millis() as u64),
            reading: sample.reading.map(|r| sanitize(&r).into_owned()),
            error: sample
                .detail
                .filter(|_| failed)
                .map(|d| sanitize(&d).into_owned()),
            checked_at: sample.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            rpo_secs: rpo.as_secs(),
            rpo_met,
            backups,
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
        let latency = match (&r.reading, r.latency_ms) {
            (Some(reading), _) => reading.clone(),
            (None, Some(l)) => format!("{l} ms"),
            (None, None) => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "{state:<9} {:<id_width$} {:<name_width$} {:<8} {latency:>8}  {}",
            r.id,
            r.name,
            r.tier,
            r.error.as_deref().unwrap_or_default()
        );
    }
    out.push_str(&backup_table(rows));
    out
}

/// The backup streams, after the components: each stream's age against its frequency, and each
/// component's newest copy against its RPO.
fn backup_table(rows: &[Row]) -> String {
    let streams: Vec<(&Row, &BackupRow)> = rows
        .iter()
        .flat_map(|r| r.backups.iter().map(move |b| (r, b)))
        .collect();
    if streams.is_empty() {
        return String::new();
    }
    let id_width = streams
        .iter()
        .map(|(r, _)| r.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let name_width = streams
        .iter()
        .map(|(_, b)| b.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let every = |s: Option<u64>| {
        s.map_or_else(
            || "-".to_owned(),
            |s| crate::domain::backup::period(std::time::Duration::from_secs(s)),
        )
    };
    let secs = |s: Option<u64>| {
        s.map_or_else(
            || "-".to_owned(),
            |s| crate::domain::incident::brief(chrono::TimeDelta::seconds(s as i64)),
        )
    };
    let mut out = format!(
        "\n{:<10} {:<id_width$} {:<name_width$} {:>8} {:>8} {:>8}  SOURCE\n",
        "BACKUP", "ID", "STREAM", "AGE", "EVERY", "RPO"
    );
    for (row, b) in streams {
        let state = match b.state {
            "fresh" => "ok",
            "stale" => "STALE",
            _ => "UNREADABLE",
        };
        let detail = b
            .error
            .as_deref()
            .map_or_else(|| b.source.clone(), |e| format!("{}: {e}", b.source));
        let _ = writeln!(
            out,
            "{state:<10} {:<id_width$} {:<name_width$} {:>8} {:>8} {:>8}  {detail}",
            row.id,
            b.name,
            secs(b.age_secs),
            every(b.every_secs),
            every(Some(row.rpo_secs)),
        );
    }
    for row in rows.iter().filter(|r| r.rpo_met == Some(false)) {
        let _ = writeln!(
            out,
            "RPO MISSED {}: the newest good copy of any stream is older than {}",
            row.id,
            every(Some(row.rpo_secs))
        );
    }
    out
}

/// Runs the command: exit 0 when all is well, 1 when a component is down, 3 when none is down but
/// backups need a look (a stream stale or unreadable, or a newest copy older than the RPO).
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
                    Invalid(vec![diag::Diagnostic::new(
                        &config.source,
                        1,
                        1,
                        format!("no component `{}`{hint}", sanitize(id)),
                    )])
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
        crate::commands::emit(&format!("{}\n", serde_json::to_string_pretty(&rows)?))?;
    } else {
        crate::commands::emit(&table(&rows))?;
    }
    // Unknown is not well: a script asking "is everything fine?" must not hear yes.
    Ok(
        if rows
            .iter()
            .any(|r| matches!(r.state, Health::Down | Health::Unknown))
        {
            ExitCode::from(1)
        } else if rows.iter().any(Row::backup_fault) {
            ExitCode::from(3)
        } else {
            ExitCode::SUCCESS
        },
    )
}
