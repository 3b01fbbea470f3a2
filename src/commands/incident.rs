//! `warroom incident list`, `warroom incident show ID` and `warroom journal verify FILE`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::Cli;
use crate::domain::incident::{Incident, clock};
use crate::journal;
use crate::journal::store::{self, Store};
use crate::sanitize::sanitize;
use crate::state::Mode;

use super::{emit, no_declaration};

fn duration_of(incident: &Incident) -> String {
    incident
        .resolved
        .map_or_else(|| "open".to_owned(), |at| clock(at - incident.declared))
}

/// The stores the incident commands look in: the demo's, or the real and drill incidents.
pub(super) fn stores(demo: bool) -> &'static [Mode] {
    if demo {
        &[Mode::Demo]
    } else {
        &[Mode::Live, Mode::Drill]
    }
}

pub(super) fn list(cli: &Cli, demo: bool) -> anyhow::Result<ExitCode> {
    let data = cli.data_dir()?;
    let mut summaries: Vec<store::Summary> = stores(demo)
        .iter()
        .flat_map(|mode| Store::new(&data, *mode).list())
        .collect();
    summaries.sort_by_key(store::Summary::declared);
    if summaries.is_empty() {
        emit("No incidents yet. Declare one in the console with D.\n")?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = format!(
        "{:<44} {:<3} {:<13} {:<20} {:<10} TITLE\n",
        "ID", "SEV", "STATUS", "DECLARED (UTC)", "DURATION"
    );
    for summary in summaries {
        match (&summary.incident, &summary.fault) {
            (Some(i), fault) => {
                let damaged = if fault.is_some() {
                    " [journal damaged]"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "{:<44} {:<3} {:<13} {:<20} {:<10} {}{damaged}",
                    i.id,
                    i.severity,
                    i.status,
                    i.declared.format("%Y-%m-%d %H:%M:%S"),
                    duration_of(i),
                    i.title
                );
            }
            (None, None) if summary.undeclared.is_some() => {
                let Some(d) = &summary.undeclared else {
                    continue;
                };
                let state = if d.ended.is_some() {
                    "drill ended"
                } else {
                    "drill running"
                };
                let _ = writeln!(
                    out,
                    "{:<44} {:<3} {:<13} {:<20} {:<10} {} (never declared; {})",
                    d.id,
                    "-",
                    state,
                    d.start.started.format("%Y-%m-%d %H:%M:%S"),
                    "-",
                    d.start.title,
                    d.scorecard.summary()
                );
            }
            (None, fault) => {
                let why = fault
                    .as_ref()
                    .map_or_else(|| "no declaration".to_owned(), ToString::to_string);
                let _ = writeln!(out, "{} (unreadable: {why})", summary.path.display());
            }
        }
    }
    emit(&sanitize(&out))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn show(cli: &Cli, id: &str, demo: bool) -> anyhow::Result<ExitCode> {
    let Some(store::Found {
        summary, records, ..
    }) = Store::find_any(&cli.data_dir()?, Some(id), stores(demo))
    else {
        crate::commands::say(&format!(
            "warroom: no incident `{}`; `warroom incident list` shows the ids",
            sanitize(id)
        ));
        return Ok(ExitCode::from(1));
    };
    let Some(i) = summary.incident else {
        crate::commands::say(&no_declaration(&summary));
        return Ok(ExitCode::from(1));
    };
    // Room for a line a record is made once (grown by doubling, a long journal's listing would
    // touch twice the memory it keeps).
    let mut out = String::with_capacity(records.len() * 96);
    let _ = writeln!(out, "{} — {}", i.id, i.title);
    let _ = writeln!(
        out,
        "severity {} · status {} · drill {}",
        i.severity,
        i.status,
        if i.drill { "yes" } else { "no" }
    );
    let _ = writeln!(out, "{}", i.roles.describe());
    let _ = writeln!(
        out,
        "declared {} · duration {} · {}",
        i.declared.to_rfc3339(),
        duration_of(&i),
        i.metrics()
    );
    let affected = if i.affected.is_empty() {
        "none".to_owned()
    } else {
        i.affected.join(", ")
    };
    let _ = writeln!(
        out,
        "affected {affected}\njournal {}\n",
        summary.path.display()
    );
    for record in &records {
        // A drill record: its wall-clock time, then its drill-clock time, marked as such.
        let drill = if i.drill {
            format!(
                " drill {}",
                crate::domain::incident::time_of_day(&record.at)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "#{:<4} {:<9}{drill} {:<20} {}",
            record.seq,
            crate::ui::record_utc(record, i.drill),
            record.actor,
            i.describe(record)
        );
    }
    if let Some(fault) = &summary.fault {
        let _ = writeln!(
            out,
            "\njournal fault at {fault}: events after it are not shown"
        );
    }
    emit(&sanitize(&out))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn verify(file: &Path) -> anyhow::Result<ExitCode> {
    let name = sanitize(&file.display().to_string()).into_owned();
    Ok(match journal::verify(file) {
        Ok(Ok(count)) => {
            emit(&format!("intact: {count} events\n"))?;
            ExitCode::SUCCESS
        }
        Ok(Err(fault)) => {
            emit(&format!(
                "{name}:{}: {}\n",
                fault.line,
                sanitize(&fault.reason)
            ))?;
            ExitCode::from(1)
        }
        Err(error) => {
            crate::commands::say(&format!("warroom: {}", sanitize(&error.to_string())));
            ExitCode::from(1)
        }
    })
}
