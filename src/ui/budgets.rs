//! Budget gauges: each failing component's RTO and RPO used, most at risk first, fitted to the
//! rows a panel has.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Slot, View, time_of_day};
use crate::domain::budget::{self, Level};
use crate::sanitize::one_line;
use crate::state::State;

fn level_style(view: &View, level: Level) -> Style {
    view.theme.style(match level {
        Level::Ok => Slot::Up,
        Level::Warn => Slot::Warn,
        Level::Critical => Slot::Down,
        Level::Breach => Slot::Breach,
    })
}

/// A text gauge `[████░░░░░░]` of a fraction (capped at full).
fn gauge(fraction: f64, width: usize, ascii: bool) -> String {
    let filled = ((fraction.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    let (full, empty) = if ascii { ('#', '-') } else { ('█', '░') };
    format!(
        "[{}{}]",
        full.to_string().repeat(filled),
        empty.to_string().repeat(width - filled)
    )
}

pub(super) fn mmss(delta: chrono::TimeDelta) -> String {
    crate::domain::incident::brief(delta)
}

fn budget_text(
    label: &str,
    fraction: f64,
    level: Level,
    used: chrono::TimeDelta,
    target: std::time::Duration,
    width: usize,
    ascii: bool,
) -> String {
    let flag = match level {
        Level::Ok => "",
        Level::Warn => " WARN",
        Level::Critical => " CRIT",
        Level::Breach => " BREACH",
    };
    format!(
        "{label} {} {:>3.0}%{flag} {}/{} ",
        gauge(fraction, width, ascii),
        (fraction * 100.0).min(999.0),
        mmss(used),
        humantime::format_duration(target)
    )
}

/// One budget line per affected component, most at risk first, with the component's name.
#[must_use]
pub(super) fn budget_lines(state: &State, view: &View, width: u16) -> Vec<(String, Line<'static>)> {
    let Some(incident) = &state.incident else {
        return Vec::new();
    };
    let gauge_width = if width >= 100 { 10 } else { 6 };
    let mut rows: Vec<(f64, String, Line<'static>)> = Vec::new();
    for id in &incident.affected {
        let Some(index) = state.world.index(id) else {
            continue;
        };
        let component = &state.config.components[index];
        let targets = state.config.budget(component);
        let rto = incident
            .outage(id)
            .map(|o| budget::rto(o.start, o.end, targets.rto, state.now));
        let rpo = match state.recovery.get(index) {
            Some(Some(Ok(last))) => Some(budget::rpo(*last, targets.rpo, state.now)),
            _ => None,
        };
        let mut spans = vec![Span::styled(
            format!("{:<16.16} ", one_line(&component.name)),
            view.theme.style(Slot::Text),
        )];
        let mut worst: f64 = 0.0;
        if let Some(r) = &rto {
            worst = worst.max(r.fraction);
            let mut text = budget_text(
                "RTO",
                r.fraction,
                r.level,
                r.elapsed,
                r.target,
                gauge_width,
                view.ascii,
            );
            if r.end.is_some() {
                text.push_str("met ");
            } else if r.level != Level::Breach && width >= 100 {
                let _ = write!(text, "→{} ", time_of_day(r.breach_at));
            }
            spans.push(Span::styled(text, level_style(view, r.level)));
        }
        match (&rpo, state.recovery.get(index)) {
            // Simulated copies measure nothing: no gauge, no breach.
            (Some(_), _) if component.copies_simulated() && !state.is_drill() => {
                spans.push(Span::styled(
                    "RPO simulated, not measured ".to_owned(),
                    view.theme.style(Slot::Muted),
                ));
            }
            (Some(p), _) => {
                worst = worst.max(p.fraction);
                let text = budget_text(
                    "RPO",
                    p.fraction,
                    p.level,
                    p.exposure,
                    p.target,
                    gauge_width,
                    view.ascii,
                );
                spans.push(Span::styled(text, level_style(view, p.level)));
            }
            (None, Some(Some(Err(e)))) => spans.push(Span::styled(
                format!("RPO unknown: {}", one_line(e)),
                view.theme.style(Slot::Warn),
            )),
            _ => {}
        }
        // Where the line has room: the detail view (Enter) always lists the streams.
        let used: usize = spans.iter().map(Span::width).sum();
        if let Some(faults) = backup_faults(state, index)
            .filter(|f| rpo.is_some() && used + f.chars().count() <= usize::from(width))
        {
            spans.push(Span::styled(faults, view.theme.style(Slot::Warn)));
        }
        rows.push((worst, component.name.clone(), Line::from(spans)));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    rows.into_iter()
        .map(|(_, name, line)| (name, line))
        .collect()
}

/// How many backup streams of a component are stale or cannot be read, when any are.
fn backup_faults(state: &State, index: usize) -> Option<String> {
    use crate::domain::backup::Freshness;
    if state.config.components[index].copies_simulated() && !state.is_drill() {
        return None;
    }
    let (mut stale, mut unreadable) = (0, 0);
    for (_, freshness) in state.streams(index) {
        match freshness {
            Freshness::Stale { .. } => stale += 1,
            Freshness::Unreadable(_) => unreadable += 1,
            Freshness::Waiting | Freshness::Fresh { .. } => {}
        }
    }
    let parts: Vec<String> = [(stale, "stale"), (unreadable, "unreadable")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    (!parts.is_empty()).then(|| format!(" backups: {}", parts.join(", ")))
}

/// Rows `lines` take when wrapped to `width`.
pub(super) fn rows_of(lines: &[Line<'static>], width: u16) -> u16 {
    Paragraph::new(lines.to_vec())
        .wrap(Wrap { trim: true })
        .line_count(width) as u16
}

/// The budget lines that fit in `room` rows, most at risk first, and a `+N more` line naming the
/// rest when they do not all fit.
pub(super) fn fitting_budgets(
    budgets: &[(String, Line<'static>)],
    view: &View,
    width: u16,
    room: u16,
) -> Vec<Line<'static>> {
    let mut shown = Vec::new();
    let mut used = 0;
    for (i, (_, line)) in budgets.iter().enumerate() {
        let rows = rows_of(std::slice::from_ref(line), width);
        let reserve = u16::from(i + 1 < budgets.len());
        if used + rows + reserve > room {
            break;
        }
        shown.push(line.clone());
        used += rows;
    }
    let hidden = &budgets[shown.len()..];
    if !hidden.is_empty() {
        let names: Vec<&str> = hidden.iter().map(|(name, _)| name.as_str()).collect();
        shown.push(Line::styled(
            one_line(&format!("+{} more: {}", hidden.len(), names.join(", "))),
            view.theme.style(Slot::Warn),
        ));
    }
    shown
}

/// Rows the budget strip of the compact dashboard takes at `width`: the most-at-risk line, a
/// `+N more` line when there are others, and borders; none without budgets.
#[must_use]
pub(super) fn strip_rows(state: &State, view: &View, width: u16) -> u16 {
    let inner = width.saturating_sub(2);
    let budgets = budget_lines(state, view, inner);
    match budgets.first() {
        None => 0,
        Some((_, line)) => {
            rows_of(std::slice::from_ref(line), inner) + u16::from(budgets.len() > 1) + 2
        }
    }
}

/// The compact dashboard's budget strip: the gauges that fit, most at risk first.
pub(super) fn render_strip(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let block = view.block(" Budgets (most at risk first) ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let budgets = budget_lines(state, view, inner.width);
    let lines = fitting_budgets(&budgets, view, inner.width, inner.height);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}
