//! Screen 1: component health, the incident at a glance, and the latest events.

use std::fmt::Write as _;

use std::collections::HashSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::board_columns::{Columns, latency_cell, tier_label, tls_marker};
use super::{Slot, View, time_of_day};
use crate::domain::Health;
use crate::domain::incident::since;
use crate::sanitize::{one_line, one_line_width};
use crate::state::{Screen, State};
use unicode_width::UnicodeWidthStr as _;

/// Wide enough for the side column.
const WIDE: u16 = 110;

pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &View, compact: bool) {
    if compact {
        // However small the terminal, the most-at-risk gauges stay in sight.
        let strip = if state.incident_open() {
            super::budgets::strip_rows(state, view, area.width)
        } else {
            0
        };
        // A strip that cannot hold a gauge beside half the screen of components is not drawn.
        let strip = if strip <= area.height / 2 { strip } else { 0 };
        let [components, budgets] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(strip)]).areas(area);
        render_components(frame, components, state, view, false);
        if strip > 0 {
            super::budgets::render_strip(frame, budgets, state, view);
        }
        return;
    }
    if area.width >= WIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(65), Constraint::Percentage(35)])
                .areas(area);
        let panel = grown_panel(state, view, left, 14);
        let [components, command] =
            Layout::vertical([Constraint::Min(8), Constraint::Length(panel)]).areas(left);
        render_components(frame, components, state, view, true);
        if panel > 0 {
            super::escalation::render_panel(frame, command, state, view);
        }
        let [incident, latest] =
            Layout::vertical([Constraint::Length(14), Constraint::Min(3)]).areas(right);
        render_incident(frame, incident, state, view);
        render_latest(frame, latest, state, view);
    } else {
        let bottom_rows = grown_panel(state, view, area, (area.height / 2).max(8)).max(8);
        let [components, bottom] =
            Layout::vertical([Constraint::Min(6), Constraint::Length(bottom_rows)]).areas(area);
        render_components(frame, components, state, view, false);
        if state.incident_open() {
            super::escalation::render_panel(frame, bottom, state, view);
        } else {
            render_latest(frame, bottom, state, view);
        }
    }
}

/// Rows for the escalation and budget panel under the components in `area`: what it wants, up
/// to `usual` rows, and beyond that into rows the components leave empty (never leaving them
/// fewer than 8).
fn grown_panel(state: &State, view: &View, area: Rect, usual: u16) -> u16 {
    if !state.incident_open() {
        return 0;
    }
    let wanted = super::escalation::panel_rows(state, view, area.width);
    let components = clamp_u16(state.dashboard_rows().len()).saturating_add(3);
    let room = usual.max(area.height.saturating_sub(components));
    wanted.min(room).min(area.height.saturating_sub(8))
}

/// A text sparkline of the latest latencies that fit in `width` cells, scaled to their maximum.
#[must_use]
pub fn sparkline(
    latencies: &std::collections::VecDeque<Option<u32>>,
    width: usize,
    ascii: bool,
) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    const ASCII_BARS: [char; 8] = ['_', '.', ',', '-', '~', '=', '*', '#'];
    let bars = if ascii { ASCII_BARS } else { BARS };
    let shown: Vec<Option<u32>> = latencies.iter().rev().take(width).rev().copied().collect();
    let max = shown.iter().flatten().copied().max().unwrap_or(0).max(1);
    shown
        .iter()
        .map(|sample| match sample {
            None => {
                if ascii {
                    'x'
                } else {
                    '×'
                }
            }
            Some(ms) => {
                bars[((u64::from(*ms) * 7 + u64::from(max) / 2) / u64::from(max)).min(7) as usize]
            }
        })
        .collect()
}

/// What the WHY column says: the root cause for an impacted component, else the last detail;
/// a state restored from the journal says so until a fresh sample comes in.
fn why(state: &State, index: usize) -> String {
    let health = &state.world.health[index];
    let reason = reason(state, index);
    if health.last_known {
        let at = time_of_day(health.since);
        return if reason.is_empty() {
            format!("last known since {at}, not probed yet")
        } else {
            format!("last known since {at}: {reason}")
        };
    }
    reason
}

/// How wide the WHY column wants to be for a row: a root cause's name is never cut; a probe's
/// detail is, at 24 (the detail view shows it whole).
fn why_width(state: &State, index: usize) -> usize {
    let health = &state.world.health[index];
    if health.last_known {
        return why(state, index).width();
    }
    match state.world.root_cause(index) {
        Some(root) => "impacted by ".len() + one_line_width(&state.config.components[root].name),
        None => health.detail.as_deref().map_or(0, one_line_width).min(24),
    }
}

fn reason(state: &State, index: usize) -> String {
    match state.world.root_cause(index) {
        Some(root) => format!(
            "impacted by {}",
            one_line(&state.config.components[root].name)
        ),
        None => state.world.health[index]
            .detail
            .as_deref()
            .map(one_line)
            .unwrap_or_default(),
    }
}

/// `Components 4/11 up`, with the filter and unmapped alerts when there are any.
fn components_title(state: &State) -> String {
    let list = state.ui.list(Screen::Dashboard);
    let up = state
        .world
        .health
        .iter()
        .filter(|h| h.state == Health::Up)
        .count();
    let mut title = format!(" Components {up}/{} up ", state.world.health.len());
    if !list.filter.is_empty() {
        let _ = write!(title, "· filter \"{}\" ", one_line(&list.filter));
    }
    match crate::domain::alert::unclaimed(&state.alerts).count() {
        0 => {}
        1 => title.push_str("· 1 unmapped alert "),
        n => {
            let _ = write!(title, "· {n} unmapped alerts ");
        }
    }
    title
}

fn render_components(frame: &mut Frame, area: Rect, state: &State, view: &View, wide: bool) {
    let theme = &view.theme;
    let rows = state.dashboard_rows();
    let list = state.ui.list(Screen::Dashboard);
    let title = components_title(state);
    let name_of = |i: usize| {
        let c = &state.config.components[i];
        format!("{}{}", one_line(&c.name), tls_marker(c, view.ascii))
    };
    // Column widths come from every row, so they hold still while the list scrolls.
    let name_want = rows
        .iter()
        .map(|&i| {
            let c = &state.config.components[i];
            one_line_width(&c.name) + tls_marker(c, view.ascii).width()
        })
        .max()
        .unwrap_or(0);
    let why_want = rows.iter().map(|&i| why_width(state, i)).max().unwrap_or(0);
    let columns = Columns::new(
        area.width.saturating_sub(2),
        wide,
        clamp_u16(name_want),
        clamp_u16(why_want),
    );
    let why_cells = columns.why_width(area.width.saturating_sub(2));
    let lines = area.height.saturating_sub(3);
    let wrapped = if columns.why {
        wrapped_whys(state, &rows, usize::from(lines), why_cells)
    } else {
        HashSet::new()
    };
    let row_of = |i: usize| {
        let component = &state.config.components[i];
        let health = &state.world.health[i];
        let impacted = state.world.root_cause(i).is_some();
        let why_style = theme.style(if impacted { Slot::Warn } else { Slot::Muted });
        let label = if impacted {
            format!("{}*", view.health_label(health.state))
        } else {
            view.health_label(health.state)
        };
        let why_text = why(state, i);
        let mut name_lines = vec![Line::raw(name_of(i))];
        if !columns.why && !why_text.is_empty() {
            let mut under = super::wrap(&why_text, usize::from(columns.name.saturating_sub(2)));
            under.truncate(if impacted { 3 } else { 1 });
            name_lines.extend(
                under
                    .into_iter()
                    .map(|l| Line::styled(format!("  {l}"), why_style)),
            );
        }
        let why_lines: Vec<Line> = if wrapped.contains(&i) {
            let mut lines = super::wrap(&why_text, why_cells.max(1));
            lines.truncate(2);
            lines.into_iter().map(Line::raw).collect()
        } else {
            vec![Line::raw(why_text)]
        };
        let height = name_lines.len().max(why_lines.len()) as u16;
        let mut cells = vec![
            Cell::from(label).style(theme.health(health.state)),
            Cell::from(name_lines),
            Cell::from(tier_label(&component.tier, columns.tier)).style(theme.style(Slot::Muted)),
            Cell::from(since(state.now - health.since, health.state.is_failing()))
                .style(theme.style(Slot::Muted)),
        ];
        if let Some(spark) = columns.spark {
            cells.push(latency_cell(
                health,
                spark,
                view,
                component.probe.check.asks_monitoring(),
            ));
        }
        if columns.why {
            cells.push(Cell::from(why_lines).style(why_style));
        }
        (Row::new(cells).height(height), height)
    };
    // Only the rows on screen are built: a board of 2,000 components costs what 30 rows cost.
    let selected = list.selected.min(rows.len().saturating_sub(1));
    let shown = super::window(rows.len(), selected, lines, |n| row_of(rows[n]).1);
    let table_rows = rows[shown.clone()].iter().map(|&i| row_of(i).0);
    let table = Table::new(table_rows, columns.widths())
        .header(Row::new(columns.header()).style(theme.style(Slot::Muted)))
        .row_highlight_style(theme.style(Slot::Selection))
        .style(theme.style(Slot::Text))
        .block(view.block(title));
    let mut table_state =
        TableState::default().with_selected((!rows.is_empty()).then(|| selected - shown.start));
    frame.render_stateful_widget(table, area, &mut table_state);
}

/// The rows whose WHY, longer than its column, wraps to a second line before it is cut: as many
/// as the board leaves empty rows for, so a wrapped line never pushes a component off the screen.
fn wrapped_whys(state: &State, rows: &[usize], lines: usize, width: usize) -> HashSet<usize> {
    let spare = lines.saturating_sub(rows.len());
    if spare == 0 {
        return HashSet::new();
    }
    rows.iter()
        .copied()
        .filter(|&i| why(state, i).width() > width)
        .take(spare)
        .collect()
}

fn clamp_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn render_incident(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let label = |text: &'static str| Span::styled(format!("{text:<10}"), theme.style(Slot::Muted));
    let lines: Vec<Line> = match &state.incident {
        None => vec![
            Line::styled("No incident is open.", theme.style(Slot::Text)),
            Line::styled(
                if state.viewer().is_some() {
                    "Nothing was declared at this point of the journal."
                } else if crate::view::drill::undeclared_journal(state) {
                    "The drill's journal records what happens; press D to declare."
                } else {
                    "Press D to declare one; everything from then on is journaled."
                },
                theme.style(Slot::Muted),
            ),
        ],
        Some(i) => {
            let roles = &i.roles;
            let mut lines = vec![
                Line::from(vec![label("title"), Span::raw(one_line(&i.title))]),
                Line::from(vec![
                    label("severity"),
                    Span::raw(format!(
                        "{} · {}",
                        i.severity,
                        one_line(&state.config.meaning(i.severity))
                    )),
                ]),
                Line::from(vec![label("status"), Span::raw(i.status.to_string())]),
                Line::from(vec![label("declared"), Span::raw(time_of_day(i.declared))]),
                Line::from(vec![label("roles"), Span::raw(one_line(&roles.describe()))]),
                Line::from(vec![
                    label("affected"),
                    Span::raw(if i.affected.is_empty() {
                        "none yet".to_owned()
                    } else {
                        one_line(&i.affected.join(", "))
                    }),
                ]),
                Line::from(vec![label("notes"), Span::raw(i.notes.to_string())]),
                Line::from(vec![label("times"), Span::raw(i.metrics())]),
            ];
            if let Some(room) = room_line(state) {
                lines.insert(
                    5,
                    Line::from(vec![label("room"), Span::raw(one_line(&room))]),
                );
            }
            lines
        }
    };
    let title = state.incident.as_ref().map_or_else(
        || " Incident ".to_owned(),
        |i| format!(" Incident {} ", one_line(&i.id)),
    );
    let paragraph = Paragraph::new(lines)
        .style(theme.style(Slot::Text))
        .wrap(Wrap { trim: true })
        .block(view.block(title));
    frame.render_widget(paragraph, area);
}

/// The newest events: the journal while an incident is open, else the live log.
pub fn latest_lines(state: &State, count: usize) -> Vec<(String, String, bool)> {
    if let Some(incident) = &state.incident {
        let drill = incident.drill;
        state
            .records
            .iter()
            .rev()
            .take(count)
            .map(|r| {
                (
                    super::record_utc(r, drill),
                    crate::view::describe(state, r),
                    false,
                )
            })
            .collect()
    } else {
        state
            .log
            .iter()
            .rev()
            .take(count)
            .map(|l| (time_of_day(l.at), l.text.clone(), l.alert))
            .collect()
    }
}

/// Who is in the room, their roles and screens: `dana@jump-1 (commander) on Escalation, ...`.
fn room_line(state: &State) -> Option<String> {
    if state.ui.presence.len() < 2 {
        return None;
    }
    let roles = state.incident.as_ref().map(|i| &i.roles);
    state
        .ui
        .presence
        .iter()
        .map(|(who, screen)| {
            let held = roles.map(|r| r.held_by(who)).unwrap_or_default();
            if held.is_empty() {
                format!("{who} on {screen}")
            } else {
                format!("{who} ({}) on {screen}", held.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
        .into()
}

fn render_latest(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let count = usize::from(area.height.saturating_sub(2));
    // Alerts no component claims come first: a firing alert is never hidden by the log.
    let unmapped: Vec<Line> = crate::domain::alert::unclaimed(&state.alerts)
        .take(count)
        .map(|alert| {
            Line::from(vec![
                Span::styled("unmapped  ", theme.style(Slot::Muted)),
                Span::styled(one_line(&alert.line()), theme.style(Slot::Warn)),
            ])
        })
        .collect();
    let lines: Vec<Line> = unmapped
        .iter()
        .cloned()
        .chain(
            latest_lines(state, count.saturating_sub(unmapped.len()))
                .into_iter()
                .map(|(at, text, alert)| {
                    let style = if alert {
                        theme.style(Slot::Warn)
                    } else {
                        theme.style(Slot::Text)
                    };
                    Line::from(vec![
                        Span::styled(format!("{at} "), theme.style(Slot::Muted)),
                        Span::styled(one_line(&text), style),
                    ])
                }),
        )
        .collect();
    let title = if state.incident.is_some() {
        " Latest (journal) "
    } else if crate::view::drill::undeclared_journal(state) {
        " Latest (drill journal) "
    } else {
        " Latest (live, not journaled) "
    };
    frame.render_widget(Paragraph::new(lines).block(view.block(title)), area);
}

#[cfg(test)]
mod tests {
    use super::tier_label;
    use crate::domain::Tier;

    #[test]
    fn tier_labels_fit_their_column() {
        assert_eq!(tier_label(&Tier::new("critical", 0), 4), "crit");
        assert_eq!(tier_label(&Tier::new("medium", 2), 4), "med.");
        assert_eq!(tier_label(&Tier::new("tier-1", 0), 4), "t1");
        assert_eq!(tier_label(&Tier::new("tier-12", 0), 4), "t12");
        assert_eq!(tier_label(&Tier::new("high", 1), 4), "high");
    }
}
