//! The post-incident review: a draft generated from the journal through a replaceable template.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use minijinja::Value;
use serde::Serialize;
use std::sync::Arc;

use crate::config::{Config, Diagnostic};

use crate::domain::event::{Event, Record};
use crate::domain::incident::{Delivery, Incident, brief, clock};
use crate::review::impact::{ImpactRow, impact};
use crate::review::phases::{PhaseRow, phases};
use crate::review::timeline::Timeline;
use crate::sanitize::sanitize;

mod impact;
mod phases;
mod timeline;

/// The default template (`examples/review-template.md`), embedded.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../examples/review-template.md");

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

/// A page's delivery as the review tells it: when `PagerDuty` took it, or that it never did.
fn delivery(incident: &Incident, page: &crate::domain::incident::Page) -> String {
    match incident.page_delivery(page) {
        None => "recorded only (no PagerDuty configured)".to_owned(),
        Some(Delivery::Sent { at }) => format!(
            "delivered to PagerDuty {} ({} after it was asked for)",
            utc(*at),
            brief(*at - page.at)
        ),
        Some(Delivery::Held { .. }) => "recorded, not sent (drill)".to_owned(),
        Some(Delivery::Queued) => "not delivered (queued)".to_owned(),
        Some(Delivery::Failed {
            attempts, error, ..
        }) => cell(&format!(
            "not delivered: {} failed, the last with {error}",
            crate::domain::incident::attempts(*attempts)
        )),
    }
}

/// The time to recover, or why there is none: not resolved, or not recovered at resolution.
fn recovered(incident: &Incident, config: Option<&Config>) -> String {
    if incident.resolved.is_none() || incident.not_recovered.is_empty() {
        return span(incident.mttr(), "not resolved");
    }
    let names: Vec<String> = incident
        .not_recovered
        .iter()
        .map(|id| {
            let recorded = incident.targets.get(id).map(|t| t.name.clone());
            let configured = || config?.component(id).map(|c| c.name.clone());
            cell(&recorded.or_else(configured).unwrap_or_else(|| id.clone()))
        })
        .collect();
    format!("none: not recovered at resolution ({})", names.join(", "))
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
struct Page {
    utc: String,
    level: usize,
    contacts: String,
    /// When it was delivered, or that it never was.
    delivery: String,
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
    time_to_resolve: String,
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
            // Who was on what: each step or check given, with who gave it.
            Event::Assigned { to, .. } => actions.push(Action {
                utc: utc(r.at),
                what: cell(&format!("{} (by {})", r.event.describe(), r.actor)),
                outcome: (if to.is_some() {
                    "assigned"
                } else {
                    "taken back"
                })
                .into(),
            }),
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
        .map(|page| Page {
            utc: utc(page.at),
            level: page.level + 1,
            contacts: cell(&page.contacts.join(", ")),
            delivery: delivery(incident, page),
        })
        .collect();
    let timeline = Arc::new(Timeline::of(incident, records, local));
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
        mttr: recovered(incident, config),
        time_to_resolve: span(incident.time_to_resolve(), "not resolved"),
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
