//! The post-incident review: a draft generated from the journal through a replaceable template.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{Config, Diagnostic};
use std::time::Duration;

use crate::domain::event::{Event, Record, Target};
use crate::domain::incident::{Incident, brief, clock, time_of_day_ascii};
use crate::sanitize::sanitize;

/// The default template (`examples/review-template.md`), embedded.
pub const DEFAULT_TEMPLATE: &str = include_str!("../examples/review-template.md");

/// Untrusted text made safe for one Markdown table cell or list item.
fn cell(text: &str) -> String {
    let clean = sanitize(text);
    if clean.contains(['\n', '|']) {
        clean.replace('\n', " ").replace('|', "\\|")
    } else {
        clean.into_owned()
    }
}

/// `cell` of a string already owned, which is kept when it is safe as it is.
fn cell_of(text: String) -> String {
    if matches!(sanitize(&text), std::borrow::Cow::Borrowed(_)) && !text.contains(['\n', '|']) {
        text
    } else {
        cell(&text)
    }
}

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

fn span(d: Option<TimeDelta>, missing: &str) -> String {
    d.map_or_else(|| missing.to_owned(), brief)
}

#[derive(Debug, Serialize)]
struct SeverityChange {
    utc: String,
    from: String,
    to: String,
}

#[derive(Debug, Serialize)]
struct ImpactRow {
    id: String,
    name: String,
    outage_start: String,
    outage_end: String,
    duration: String,
    rto_target: String,
    rto_result: String,
    rpo_target: String,
    /// Failure start minus the last good copy before it.
    data_at_risk: String,
    /// Recovery (or resolution) minus the last good copy before it.
    at_recovery: String,
    rpo_result: String,
}

/// One key event of the timeline: its text made safe once, its times formatted when read.
#[derive(Debug)]
struct TimelineRow {
    at: DateTime<Utc>,
    actor: Arc<str>,
    what: Arc<str>,
}

/// The journal's key events as the template reads them (`timeline`, a list of rows with `utc`,
/// `local`, `actor` and `what`). A row becomes a template value only when the template reaches
/// it, so 100,000 records are not first turned into 100,000 template maps.
#[derive(Debug)]
struct Timeline {
    rows: Vec<TimelineRow>,
    local: FixedOffset,
}

impl Timeline {
    /// Below this many records the timeline is made on one thread.
    const SPLIT_FROM: usize = 10_000;

    fn of(records: &[Record], local: FixedOffset) -> Self {
        let rows = if records.len() < Self::SPLIT_FROM {
            Self::rows(records, records.len())
        } else {
            // A long journal's rows are made in two halves at once.
            let (first, second) = records.split_at(records.len() / 2);
            std::thread::scope(|threads| {
                let later = threads.spawn(|| Self::rows(second, second.len()));
                // Room for both halves is made once.
                let mut rows = Self::rows(first, records.len());
                rows.extend(later.join().unwrap_or_else(|_| Self::rows(second, 0)));
                rows
            })
        };
        Self { rows, local }
    }

    /// About how many bytes the timeline takes as a Markdown table.
    fn text_len(&self) -> usize {
        self.rows
            .iter()
            .map(|row| row.actor.len() + row.what.len() + "| 00:00:00Z | 00:00:00 |  |  |\n".len())
            .sum()
    }

    /// The rows of `records`, in room for `capacity` rows (a vector grown by doubling touches
    /// twice the memory it keeps).
    fn rows(records: &[Record], capacity: usize) -> Vec<TimelineRow> {
        // Actors are few: each name is held once.
        let mut actors: HashMap<&str, Arc<str>> = HashMap::new();
        let mut rows = Vec::with_capacity(capacity);
        rows.extend(records.iter().filter(|r| key_event(&r.event)).map(|r| {
            TimelineRow {
                at: r.at,
                actor: actors
                    .entry(&r.actor)
                    .or_insert_with(|| cell(&r.actor).into())
                    .clone(),
                what: cell_of(r.event.describe()).into(),
            }
        }));
        rows
    }
}

impl Object for Timeline {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = key.as_usize().filter(|&i| i < self.rows.len())?;
        Some(Value::from_object(TimelineEntry {
            timeline: Arc::clone(self),
            index,
        }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.rows.len())
    }
}

/// `HH:MM:SS`, and `Z` if `utc`, as a template value made without an allocation: the timeline
/// of a long incident draws two for each of its rows.
fn time_value(at: &impl chrono::Timelike, utc: bool) -> Value {
    let mut text = [b'Z'; 9];
    text[..8].copy_from_slice(&time_of_day_ascii(at));
    let len = if utc { 9 } else { 8 };
    Value::from(std::str::from_utf8(&text[..len]).unwrap_or_default())
}

/// A row of the timeline as the template sees it.
#[derive(Debug)]
struct TimelineEntry {
    timeline: Arc<Timeline>,
    index: usize,
}

impl Object for TimelineEntry {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let row = &self.timeline.rows[self.index];
        Some(match key.as_str()? {
            "utc" => time_value(&row.at, true),
            "local" => time_value(&row.at.with_timezone(&self.timeline.local), false),
            "actor" => Arc::clone(&row.actor).into(),
            "what" => Arc::clone(&row.what).into(),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["utc", "local", "actor", "what"])
    }
}

#[derive(Debug, Serialize)]
struct Page {
    utc: String,
    level: usize,
    contacts: String,
}

#[derive(Debug, Serialize)]
struct Action {
    utc: String,
    what: String,
    outcome: String,
}

/// Everything a review template can use.
#[derive(Debug, Serialize)]
pub struct Context {
    id: String,
    title: String,
    drill: bool,
    severity: String,
    severity_changes: Vec<SeverityChange>,
    status: String,
    commander: String,
    scribe: String,
    comms: String,
    /// The other roles of the service held in the incident ("technical lead"), by name.
    other_roles: Vec<RoleRow>,
    /// The resolution summary, as the resolve dialog journaled it.
    resolution: Option<String>,
    start_utc: String,
    end_utc: String,
    duration: String,
    impact: Vec<ImpactRow>,
    mttd: String,
    mtta: String,
    mttr: String,
    escalation: Vec<Page>,
    acknowledged: Option<String>,
    actions: Vec<Action>,
    /// Given to the template as an object of its own (see `render`).
    #[serde(skip)]
    timeline: Arc<Timeline>,
    /// A drill's scorecard as Markdown (its own `##` section).
    scorecard: Option<String>,
    /// Planned against actual, per phase of the runbooks worked.
    phases: Vec<PhaseRow>,
}

/// A role beyond commander, scribe and comms, and who holds it.
#[derive(Debug, Serialize)]
struct RoleRow {
    role: String,
    who: String,
}

/// One phase of a runbook worked in the incident: its window against when its steps ran.
#[derive(Debug, Serialize)]
struct PhaseRow {
    runbook: String,
    phase: String,
    planned: String,
    actual: String,
    result: String,
}

/// The phases with a window of every runbook with a step worked in the incident.
fn phases(incident: &Incident, runbooks: &[crate::runbook::Runbook]) -> Vec<PhaseRow> {
    let offset = |at: DateTime<Utc>| {
        crate::runbook::phase::short((at - incident.declared).to_std().unwrap_or_default())
    };
    let mut rows = Vec::new();
    for runbook in runbooks {
        let progress = |step: usize| incident.steps.get(&(runbook.id.clone(), step));
        if !(0..runbook.steps.len()).any(|i| progress(i).is_some()) {
            continue;
        }
        for (index, phase) in runbook.phases.iter().enumerate() {
            let Some(window) = phase.window else {
                continue;
            };
            let steps: Vec<usize> = (0..runbook.steps.len())
                .filter(|&i| runbook.steps[i].phase == Some(index))
                .collect();
            let began = steps
                .iter()
                .filter_map(|&i| first_touch(progress(i)?))
                .min();
            let ended: Option<Vec<DateTime<Utc>>> = steps
                .iter()
                .map(|&i| progress(i).and_then(settled_at))
                .collect();
            let ended = ended.and_then(|e| e.into_iter().max());
            let deadline = window
                .to
                .map(|to| incident.declared + TimeDelta::from_std(to).unwrap_or_default());
            let (actual, result) = match (began, ended) {
                (None, _) => ("not started".to_owned(), "not done".to_owned()),
                (Some(b), None) => (format!("{}–", offset(b)), "not finished".to_owned()),
                (Some(b), Some(e)) => (
                    format!("{}–{}", offset(b), offset(e)),
                    match deadline {
                        Some(d) if e > d => format!("late by {}", clock(e - d)),
                        _ => "met".to_owned(),
                    },
                ),
            };
            rows.push(PhaseRow {
                runbook: cell(&runbook.title),
                phase: cell(&phase.title),
                planned: window.to_string(),
                actual,
                result,
            });
        }
    }
    rows
}

/// When work on a step began: its first run, check tick or mark.
fn first_touch(p: &crate::domain::incident::StepProgress) -> Option<DateTime<Utc>> {
    let run = p.runs.iter().map(|r| r.at).min();
    let tick = p.checks.values().map(|(_, at)| *at).min();
    [run, tick, p.marked_at].into_iter().flatten().min()
}

/// When a step was settled: done (by a run or a mark) or marked skipped or failed.
fn settled_at(p: &crate::domain::incident::StepProgress) -> Option<DateTime<Utc>> {
    p.completed_at().or(p.marked_at)
}

/// True when the saved review was saved while the incident was open and it is resolved since: its
/// generated sections ("still open", durations so far) no longer state what happened.
#[must_use]
pub fn saved_before_resolution(incident: &Incident, records: &[Record]) -> bool {
    let saved = records.iter().rev().find_map(|r| match r.event {
        Event::ReviewSaved { .. } => Some(r.seq),
        _ => None,
    });
    matches!((saved, incident.resolved_by), (Some(s), Some(r)) if s < r)
}

/// The heading the scorecard section starts with.
pub const SCORECARD_HEADING: &str = "## Drill scorecard";

/// A drill journal's scorecard as Markdown; `None` for a real incident.
#[must_use]
pub fn scorecard(incident: &Incident, records: &[Record], now: DateTime<Utc>) -> Option<String> {
    crate::domain::drill::score_recorded(incident, records, now).map(|card| card.to_markdown())
}

/// A component's objectives: as the declaration recorded them, else (journals from before
/// they were recorded) as the config sets them.
fn target_of(incident: &Incident, config: Option<&Config>, id: &str) -> Option<Target> {
    if let Some(target) = incident.targets.get(id) {
        return Some(target.clone());
    }
    let component = config?.component(id)?;
    let budget = config?.budget(component);
    Some(Target {
        component: id.to_owned(),
        name: component.name.clone(),
        rto_secs: budget.rto.as_secs(),
        rpo_secs: budget.rpo.as_secs(),
        last_good: None,
    })
}

/// Met or missed against a target; an outage still going is `open`, or at resolution `not
/// recovered, within`.
fn verdict(
    used: Option<TimeDelta>,
    target: Option<Duration>,
    open: bool,
    resolved: bool,
) -> String {
    match (used, target) {
        (Some(used), Some(target)) if !crate::domain::budget::within(used, target) => {
            "missed".to_owned()
        }
        (Some(_), Some(_)) if open && resolved => "not recovered, within".to_owned(),
        (Some(_), Some(_)) if open => "open".to_owned(),
        (Some(_), Some(_)) => "met".to_owned(),
        _ => "n/a".to_owned(),
    }
}

fn impact(incident: &Incident, config: Option<&Config>, now: DateTime<Utc>) -> Vec<ImpactRow> {
    let resolved = incident.resolved.is_some();
    let ongoing = if resolved {
        "not recovered at resolution"
    } else {
        "ongoing"
    };
    let duration = |d: Option<Duration>| {
        d.map_or_else(|| "-".into(), |d| humantime::format_duration(d).to_string())
    };
    incident
        .affected
        .iter()
        .map(|id| {
            let target = target_of(incident, config, id);
            let rto = target.as_ref().map(|t| Duration::from_secs(t.rto_secs));
            let rpo = target.as_ref().map(|t| Duration::from_secs(t.rpo_secs));
            let outage = incident.outage(id);
            let open = outage.is_some_and(|o| o.end.is_none());
            let end = outage.map(|o| o.end.unwrap_or(now));
            let elapsed = outage
                .zip(end)
                .map(|(o, end)| (end - o.start).max(TimeDelta::zero()));
            let at_risk = incident.data_at_risk(id);
            let at_recovery = end.and_then(|end| incident.copy_gap(id, end));
            ImpactRow {
                id: cell(id),
                name: cell(target.as_ref().map_or(id.as_str(), |t| t.name.as_str())),
                outage_start: outage.map_or_else(|| "-".into(), |o| utc(o.start)),
                outage_end: outage
                    .and_then(|o| o.end)
                    .map_or_else(|| if open { ongoing.into() } else { "-".into() }, utc),
                duration: span(elapsed, "-"),
                rto_target: duration(rto),
                rto_result: verdict(elapsed, rto, open, resolved),
                rpo_target: duration(rpo),
                data_at_risk: span(at_risk, "unknown"),
                at_recovery: span(at_recovery, "unknown"),
                rpo_result: verdict(at_risk, rpo, false, resolved),
            }
        })
        .collect()
}

fn key_event(event: &Event) -> bool {
    !matches!(
        event,
        Event::NotifyQueued { .. }
            | Event::NotifySent { .. }
            | Event::NotifyFailed { .. }
            | Event::Budgets { .. }
    )
}

/// Severity changes, and runbook steps and recovery actions with their outcomes, from the journal.
fn changes_and_actions(records: &[Record]) -> (Vec<SeverityChange>, Vec<Action>) {
    let mut severity_changes = Vec::new();
    let mut actions = Vec::new();
    let mut outcomes = std::collections::HashMap::new();
    for r in records {
        if let Event::CommandFinished {
            started, outcome, ..
        } = &r.event
        {
            outcomes.entry(*started).or_insert(outcome.as_str());
        }
    }
    let finished = |started: u64| outcomes.get(&started).map(|outcome| cell(outcome));
    for r in records {
        match &r.event {
            Event::SeverityChanged { from, to } => severity_changes.push(SeverityChange {
                utc: utc(r.at),
                from: from.to_string(),
                to: to.to_string(),
            }),
            Event::StepStarted { runbook, step, .. } => actions.push(Action {
                utc: utc(r.at),
                what: cell(&format!(
                    "runbook {runbook}, step {} (by {})",
                    step + 1,
                    r.actor
                )),
                outcome: finished(r.seq).unwrap_or_else(|| "interrupted, outcome unknown".into()),
            }),
            Event::RecoveryStarted {
                component, name, ..
            } => actions.push(Action {
                utc: utc(r.at),
                what: cell(&format!(
                    "recovery \"{name}\" on {component} (by {})",
                    r.actor
                )),
                outcome: finished(r.seq).unwrap_or_else(|| "interrupted, outcome unknown".into()),
            }),
            Event::StepMarked {
                runbook,
                step,
                state,
            } => {
                actions.push(Action {
                    utc: utc(r.at),
                    what: cell(&format!("runbook {runbook}, step {}", step + 1)),
                    outcome: format!("marked {state}"),
                });
            }
            Event::StepVerified {
                runbook,
                step,
                verified,
                expect,
            } => actions.push(Action {
                utc: utc(r.at),
                what: cell(&format!(
                    "runbook {runbook}, step {} expects {expect}",
                    step + 1
                )),
                outcome: (if *verified {
                    "verified"
                } else {
                    "not verified"
                })
                .into(),
            }),
            _ => {}
        }
    }
    (severity_changes, actions)
}

/// Builds the template context from an incident's journal.
#[must_use]
pub fn context(
    incident: &Incident,
    records: &[Record],
    config: Option<&Config>,
    runbooks: &[crate::runbook::Runbook],
    now: DateTime<Utc>,
    local: FixedOffset,
) -> Context {
    // Everything in a resolved incident's review is as it stood at resolution, however late the
    // export.
    let now = incident.resolved.unwrap_or(now);
    let (severity_changes, actions) = changes_and_actions(records);
    let escalation = incident
        .pages
        .iter()
        .map(|(level, at, contacts)| Page {
            utc: utc(*at),
            level: level + 1,
            contacts: cell(&contacts.join(", ")),
        })
        .collect();
    let timeline = Arc::new(Timeline::of(records, local));
    let optional =
        |who: &Option<String>| who.as_deref().map_or_else(|| "unassigned".to_owned(), cell);
    Context {
        id: cell(&incident.id),
        title: cell(&incident.title),
        drill: incident.drill,
        severity: incident.severity.to_string(),
        severity_changes,
        status: incident.status.to_string(),
        commander: cell(&incident.roles.commander),
        scribe: optional(&incident.roles.scribe),
        comms: optional(&incident.roles.comms),
        other_roles: incident
            .roles
            .others
            .iter()
            .map(|(role, who)| RoleRow {
                role: cell(&capitalized(role)),
                who: cell(who),
            })
            .collect(),
        resolution: resolution(records),
        start_utc: utc(incident.declared),
        end_utc: incident.resolved.map_or_else(|| "still open".into(), utc),
        duration: clock(incident.elapsed(now)),
        impact: impact(incident, config, now),
        mttd: span(incident.mttd(), "n/a"),
        mtta: span(incident.mtta(), "not acknowledged"),
        mttr: span(incident.mttr(), "not resolved"),
        escalation,
        acknowledged: incident.acknowledged.map(utc),
        actions,
        timeline,
        scorecard: scorecard(incident, records, now).map(|s| s.trim_end().to_owned()),
        phases: phases(incident, runbooks),
    }
}

/// The summary the incident was resolved with, if it was given one.
fn resolution(records: &[Record]) -> Option<String> {
    records.iter().rev().find_map(|r| match &r.event {
        Event::Resolved { summary, .. } => summary
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(cell),
        _ => None,
    })
}

/// "technical lead" → "Technical lead", as the header's other rows read.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn environment(template: &str) -> Result<minijinja::Environment<'_>, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("review", template)?;
    Ok(env)
}

fn diagnostic(name: &str, error: &minijinja::Error) -> Diagnostic {
    Diagnostic::new(
        name,
        error.line().unwrap_or(1),
        1,
        error.detail().unwrap_or("template error").to_owned(),
    )
}

/// The template a config asks for (`[review] template`), else the embedded default: (name, text).
#[must_use]
pub fn template(custom: Option<&(String, String)>) -> (&str, &str) {
    custom.map_or(
        ("the default review template", DEFAULT_TEMPLATE),
        |(name, text)| (name.as_str(), text.as_str()),
    )
}

/// The local time zone's current offset, for the timeline's local column.
#[must_use]
pub fn local_offset() -> FixedOffset {
    *chrono::Local::now().offset()
}

/// Renders the review; a template error names the template file and line.
pub fn render(name: &str, template: &str, context: &Context) -> Result<String, Diagnostic> {
    let env = environment(template).map_err(|e| diagnostic(name, &e))?;
    let tmpl = env
        .get_template("review")
        .map_err(|e| diagnostic(name, &e))?;
    // Room for the draft is made once: a long incident's is megabytes, grown by doubling else.
    let mut out = Vec::with_capacity(template.len() + context.timeline.text_len());
    tmpl.render_captured_to(
        minijinja::context! {
            timeline => Value::from_dyn_object(Arc::clone(&context.timeline)),
            ..Value::from(minijinja::value::Serde(context))
        },
        &mut out,
    )
    .map_err(|e| diagnostic(name, &e))?;
    // Written from strings only, so always UTF-8.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}
