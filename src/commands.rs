//! The subcommands: each turns arguments into work and an exit code.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory;

use crate::cli::{Cli, Command, IncidentCommand, JournalCommand, ReviewCommand, RunbookCommand};
use crate::config::{self, Config, Invalid};
use crate::domain::incident::{Incident, clock};
use crate::journal;
use crate::journal::store::{self, Store};
use crate::sanitize::sanitize;
use crate::state::Mode;
use crate::ui::{Colors, Theme, time_of_day};

/// No config file was found: exit 2 with directions.
#[derive(Debug, thiserror::Error)]
#[error(
    "no config found: looked for --config, ./warroom.toml and {0}. Try `warroom demo` for the built-in demo, or `warroom init` to write a starter kit here (a config, a runbook and a drill) and then run `warroom`"
)]
pub struct NoConfig(String);

use crate::console::{self, Launch, follow, join, replay};
use crate::runbook::load_runbooks;

/// Runs the command line.
/// Writes what a command prints to standard output. A reader that went away (`| head -1`) is
/// an error the caller returns, and `main` ends quietly on it.
pub fn emit(text: &str) -> std::io::Result<()> {
    std::io::stdout().lock().write_all(text.as_bytes())
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        None => {
            let config = load_config(&cli)?;
            let runbooks = load_runbooks(&config);
            console::open(&cli, Launch::live(config, runbooks))
        }
        Some(Command::Demo { speed }) => console::open(&cli, Launch::demo(*speed)),
        Some(Command::Drill { scenario, speed }) => {
            let (config, scenario, runbooks) =
                console::drill::drill(scenario, cli.config.as_deref())?;
            console::open(&cli, Launch::drill(config, scenario, runbooks, *speed))
        }
        Some(Command::Replay { journal, speed }) => replay(&cli, journal, *speed),
        Some(Command::Follow { id }) => follow(&cli, id.as_deref()),
        Some(Command::Join { id, take_over }) => join(&cli, id.as_deref(), take_over.as_deref()),
        Some(Command::Validate { paths }) => validate(&cli, paths),
        Some(Command::Init { dir }) => {
            let report = crate::init::write(dir.as_deref().unwrap_or(Path::new(".")))?;
            emit(&report)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Schema { of }) => {
            emit(&crate::config::schema::text(*of))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import {
            plan,
            output,
            dry_run,
        }) => import(plan, output.as_deref(), *dry_run),
        Some(Command::Check { json, component }) => {
            crate::check::run(load_config(&cli)?, *json, component.as_deref())
        }
        Some(Command::Journal(JournalCommand::Verify { file })) => verify(file),
        Some(Command::Runbook(RunbookCommand::List)) => runbook_list(&load_config(&cli)?),
        Some(Command::Runbook(RunbookCommand::Show { id })) => {
            runbook_show(&load_config(&cli)?, id)
        }
        Some(Command::Review(ReviewCommand::Export { id, output, demo })) => {
            review_export(&cli, id.as_deref(), output.as_deref(), *demo)
        }
        Some(Command::Incident(IncidentCommand::List { demo })) => list(&cli, *demo),
        Some(Command::Incident(IncidentCommand::Show { id, demo })) => show(&cli, id, *demo),
        Some(Command::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "warroom", &mut script);
            std::io::stdout().lock().write_all(&script)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let path = config::discover(cli.config.as_deref()).ok_or_else(|| {
        let user = directories::ProjectDirs::from("", "", "warroom").map_or_else(
            || "the user config dir".to_owned(),
            |d| d.config_dir().join("config.toml").display().to_string(),
        );
        NoConfig(user)
    })?;
    config::load(&path)
}

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

fn check_file(path: &Path, config: Option<&Config>) -> Result<FileKind, Invalid> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Invalid(vec![config::Diagnostic::new(
            &name,
            1,
            1,
            format!("cannot read: {e}"),
        )])
    })?;
    let kind = kind_of(path);
    match kind {
        FileKind::Config => config::parse(&name, &text).map(drop),
        FileKind::Scenario => console::drill::check_scenario(path, &text, config),
        FileKind::Theme => Theme::parse(&name, &text, Colors::TrueColor).map(drop),
        FileKind::ReviewTemplate => check_template(&name, &text),
        FileKind::Runbook => crate::runbook::parse(&name, &text).and_then(|rb| {
            let unknown = config
                .map(|c| crate::runbook::check_components(&rb, c))
                .unwrap_or_default();
            if unknown.is_empty() {
                Ok(())
            } else {
                Err(Invalid(unknown))
            }
        }),
    }?;
    Ok(kind)
}

/// Renders a review template against a sample incident (the demo's) to find its mistakes.
fn check_template(name: &str, text: &str) -> Result<(), Invalid> {
    let state = crate::demo::showcase(chrono::Utc::now());
    let incident = state
        .incident
        .as_ref()
        .expect("the showcase declares an incident");
    let context = crate::review::context(
        incident,
        &state.records,
        Some(&state.config),
        &state.runbooks,
        state.now,
        crate::review::local_offset(),
    );
    crate::review::render(name, text, &context)
        .map(drop)
        .map_err(|d| Invalid(vec![d]))
}

fn validate(cli: &Cli, paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
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
            Ok(kind) => writeln!(
                stdout,
                "ok: {} ({})",
                sanitize(&file.display().to_string()),
                kind_label(kind)
            )?,
            Err(invalid) => {
                failed = true;
                eprintln!("{invalid}");
            }
        }
    }
    if failed {
        eprintln!(
            "warroom: some files are invalid; fix the lines above and run `warroom validate` again"
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

/// Every problem of a kit's files, checked against the kit's own config.
fn check_kit(dir: &Path) -> anyhow::Result<Vec<Invalid>> {
    let mut files = Vec::new();
    toml_files(dir, &mut files)?;
    let config = config::load(&dir.join("warroom.toml"));
    let mut problems = Vec::new();
    if let Err(e) = &config {
        problems.push(Invalid(vec![config::Diagnostic::new(
            &dir.join("warroom.toml").display().to_string(),
            1,
            1,
            format!("{e:#}"),
        )]));
    }
    for file in &files {
        if let Err(invalid) = check_file(file, config.as_ref().ok()) {
            problems.push(invalid);
        }
    }
    Ok(problems)
}

fn import(plan: &Path, output: Option<&Path>, dry_run: bool) -> anyhow::Result<ExitCode> {
    let shown = sanitize(&plan.display().to_string()).into_owned();
    let bytes = std::fs::read(plan).with_context(|| format!("cannot read {shown}"))?;
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!(
            "warroom: {shown} is not text (not UTF-8): a plan is a Markdown file; nothing written"
        );
        return Ok(ExitCode::from(2));
    };
    let name = plan.file_name().map_or_else(
        || shown.clone(),
        |n| sanitize(&n.to_string_lossy()).into_owned(),
    );
    let kit = match crate::import::import(&name, &text) {
        Ok(kit) => kit,
        Err(unusable) => {
            eprintln!("warroom: {unusable}; nothing written");
            return Ok(ExitCode::from(2));
        }
    };
    let default_dir = PathBuf::from(plan.file_stem().unwrap_or_default());
    let dir = output.map_or(default_dir, Path::to_path_buf);
    let scratch = std::env::temp_dir().join(format!("warroom-import-{}", std::process::id()));
    let target = if dry_run { &scratch } else { &dir };
    if dry_run {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    crate::import::write(target, &kit.files)?;
    let problems = check_kit(target)?;
    if dry_run {
        let _ = std::fs::remove_dir_all(&scratch);
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
            eprintln!("{invalid}");
        }
        eprintln!(
            "warroom: the kit does not validate (a bug in import: please report it with the plan); fix the lines above by hand"
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

fn verify(file: &Path) -> anyhow::Result<ExitCode> {
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
            eprintln!("warroom: {}", sanitize(&error.to_string()));
            ExitCode::from(1)
        }
    })
}

fn runbook_list(config: &Config) -> anyhow::Result<ExitCode> {
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

fn runbook_show(config: &Config, id: &str) -> anyhow::Result<ExitCode> {
    let (runbooks, _) = load_runbooks(config);
    let Some(rb) = runbooks.iter().find(|r| r.id == id) else {
        let hint = config::diag::hint(id, runbooks.iter().map(|r| r.id.as_str()));
        eprintln!(
            "warroom: no runbook `{}`{hint}; `warroom runbook list` shows them",
            sanitize(id)
        );
        return Ok(ExitCode::from(1));
    };
    let mut out = format!("{} — {}\n{}\n", rb.id, rb.title, rb.path.display());
    let severities: Vec<String> = rb.severities.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        out,
        "components {} · severities {} · tags {}",
        rb.components.join(", "),
        severities.join(", "),
        rb.tags.join(", ")
    );
    if !rb.summary.is_empty() {
        let _ = writeln!(out, "\n{}", rb.summary);
    }
    for (n, step) in rb.steps.iter().enumerate() {
        let _ = writeln!(out, "\n{}. {}", n + 1, step.title);
        if let Some(plan) = rb.plan(n) {
            let _ = writeln!(out, "   {plan}");
        }
        for line in step.text.lines() {
            let _ = writeln!(out, "{}", format!("   {line}").trim_end());
        }
        for check in &step.checks {
            let _ = writeln!(out, "   [ ] {check}");
        }
        for cmd in &step.commands {
            let confirm = if cmd.confirm {
                ", asks for confirmation"
            } else {
                ""
            };
            let recovers = cmd
                .recovers
                .as_ref()
                .map_or_else(String::new, |c| format!(", recovers {c}"));
            let _ = writeln!(
                out,
                "   $ {}   (timeout {}, on failure {}{confirm}{recovers})",
                cmd.script.trim_end().replace('\n', "\n     "),
                humantime::format_duration(cmd.timeout),
                cmd.on_fail
            );
        }
        if let Some(expect) = &step.expect {
            let _ = writeln!(out, "   expects {expect}");
        }
    }
    emit(&sanitize(&out))?;
    Ok(ExitCode::SUCCESS)
}

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

fn review_export(
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
        eprintln!(
            "warroom: no incident {}; `warroom incident list` shows the ids",
            sanitize(id.unwrap_or("yet"))
        );
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
                eprintln!("warroom: {} holds no declaration", summary.path.display());
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
                Some(console::recorded::recorded_config(
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
        Some(path) => std::fs::write(path, markdown).with_context(|| {
            format!(
                "cannot write {}; choose another path with -o",
                path.display()
            )
        })?,
        None => emit(markdown)?,
    }
    Ok(())
}

fn duration_of(incident: &Incident) -> String {
    incident
        .resolved
        .map_or_else(|| "open".to_owned(), |at| clock(at - incident.declared))
}

/// The stores the incident commands look in: the demo's, or the real and drill incidents.
fn stores(demo: bool) -> &'static [Mode] {
    if demo {
        &[Mode::Demo]
    } else {
        &[Mode::Live, Mode::Drill]
    }
}

fn list(cli: &Cli, demo: bool) -> anyhow::Result<ExitCode> {
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

fn show(cli: &Cli, id: &str, demo: bool) -> anyhow::Result<ExitCode> {
    let Some(store::Found {
        summary, records, ..
    }) = Store::find_any(&cli.data_dir()?, Some(id), stores(demo))
    else {
        eprintln!(
            "warroom: no incident `{}`; `warroom incident list` shows the ids",
            sanitize(id)
        );
        return Ok(ExitCode::from(1));
    };
    let Some(i) = summary.incident else {
        eprintln!("warroom: {} holds no declaration", summary.path.display());
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
        let _ = writeln!(
            out,
            "#{:<4} {} {:<20} {}",
            record.seq,
            time_of_day(record.at),
            record.actor,
            record.event.describe()
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
