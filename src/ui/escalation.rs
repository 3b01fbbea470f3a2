//! Escalation: the summary and banner, the Escalation screen, and the dashboard panel of
//! escalation over budget gauges.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::budgets::{budget_lines, fitting_budgets, mmss, rows_of};
use super::{Slot, View, time_of_day};
use crate::config::Escalation;
use crate::domain::escalation::Standing;
use crate::domain::incident::{Delivery, Incident, Outbound, Page, brief, clock};
use crate::sanitize::one_line;
use crate::state::State;
use crate::view::escalation::{standing, update_due};

fn who(state: &State, ids: &[String]) -> String {
    one_line(&state.config.who(ids))
}

/// The people to call wrapped to `width`, a phone number never split across lines.
fn who_lines(state: &State, ids: &[String], width: u16) -> Vec<Line<'static>> {
    const HOLD: char = '\u{a0}';
    let mut text = who(state, ids);
    for phone in ids
        .iter()
        .filter_map(|id| state.config.contact(id)?.phone.as_deref())
    {
        let phone = one_line(phone);
        text = text.replace(&phone, &phone.replace(' ', &HOLD.to_string()));
    }
    super::wrap(&text, usize::from(width))
        .into_iter()
        .map(|line| Line::raw(line.replace(HOLD, " ")))
        .collect()
}

/// The loud line for the commander, if anything needs doing now.
#[must_use]
pub fn banner(state: &State, view: &View) -> Option<Line<'static>> {
    let theme = &view.theme;
    if state.drill().is_some_and(|d| d.ended) || state.viewer().is_some() {
        return None;
    }
    let open = state.incident_open();
    if !open {
        let declare = state.key_name(crate::keymap::Action::Declare);
        if let Some(alert) =
            crate::domain::alert::calling(&state.alerts).filter(|_| !state.is_drill())
        {
            return Some(Line::styled(
                format!(
                    " ALERT {}. Press {declare} to declare an incident. ",
                    one_line(&alert.line())
                ),
                theme.style(Slot::Breach),
            ));
        }
        let critical_down = state
            .world
            .failing()
            .filter(|(_, h)| h.state == crate::domain::Health::Down)
            .find_map(|(id, _)| state.config.component(id).filter(|c| c.tier.rank() == 0));
        return critical_down.map(|c| {
            Line::styled(
                format!(
                    " {} is DOWN ({}). Press {declare} to declare an incident. ",
                    one_line(&c.name),
                    one_line(c.tier.name()),
                ),
                theme.style(Slot::Breach),
            )
        });
    }
    let approval = crate::view::approval::banner(state);
    // A request waiting for approval never hides what is more urgent: it is said after it.
    match (open_incident_line(state, view), approval) {
        (Some(line), Some(_)) => {
            let approve = state.key_name(crate::keymap::Action::Approve);
            let mut line = line;
            line.spans.push(Span::styled(
                format!(" + an approval waits ({approve}) "),
                theme.style(Slot::Warn),
            ));
            Some(line)
        }
        (Some(line), None) => Some(line),
        (None, Some(text)) => Some(Line::styled(text, theme.style(Slot::Warn))),
        (None, None) => None,
    }
}

/// The loud line of an open incident, most urgent first: a failed page, the level due, a
/// failed or late stakeholder update.
fn open_incident_line(state: &State, view: &View) -> Option<Line<'static>> {
    let theme = &view.theme;
    if let Some(text) = failed_page(state) {
        return Some(Line::styled(text, theme.style(Slot::Breach)));
    }
    if let Some((
        policy,
        Standing {
            due: Some(level),
            acknowledged: false,
            ..
        },
    )) = standing(state)
    {
        let contacts = who(state, &policy.levels[level].notify);
        return Some(Line::styled(
            format!(
                " LEVEL {} DUE: call {contacts} · {} ack · {} page ",
                level + 1,
                state.key_name(crate::keymap::Action::Acknowledge),
                state.key_name(crate::keymap::Action::Page)
            ),
            theme.style(Slot::Breach),
        ));
    }
    if let Some(text) = failed_update(state) {
        return Some(Line::styled(text, theme.style(Slot::Warn)));
    }
    let late = update_due(state).filter(|due| *due <= state.now)?;
    Some(Line::styled(
        format!(
            " STAKEHOLDER UPDATE LATE by {} · u to post one ",
            mmss(state.now - late)
        ),
        theme.style(Slot::Warn),
    ))
}

/// `(HTTP 500, retrying in 8s)`: why the last attempt failed and when the next one is.
fn failure(state: &State, entry: &Outbound) -> String {
    let Delivery::Failed { error, .. } = &entry.delivery else {
        return String::new();
    };
    let retry = match entry.retry_at() {
        Some(at) if at > state.now => format!("retrying in {}", brief(at - state.now)),
        _ => "retrying now".to_owned(),
    };
    format!("({}, {retry})", one_line(error))
}

/// The newest page whose delivery failed, if it has not been delivered since: whom to call.
fn failed_page(state: &State) -> Option<String> {
    let incident = state.incident.as_ref()?;
    let (page, entry) = incident.pages.iter().rev().find_map(|page| {
        let entry = incident.outbound(page.seq)?;
        matches!(entry.delivery, Delivery::Failed { .. }).then_some((page, entry))
    })?;
    Some(format!(
        " PAGE FAILED {}: call {} ",
        failure(state, entry),
        who(state, &page.contacts)
    ))
}

/// The newest chat update or `PagerDuty` follow-up whose delivery failed.
fn failed_update(state: &State) -> Option<String> {
    let incident = state.incident.as_ref()?;
    let entry = incident
        .outbox
        .iter()
        .rev()
        .find(|o| matches!(o.delivery, Delivery::Failed { .. }))?;
    Some(format!(
        " {} FAILED {}: tell them by hand ",
        entry.label(),
        failure(state, entry)
    ))
}

fn what_if(state: &State, policy: &Escalation, standing: &Standing) -> Option<String> {
    let stopped = standing.acknowledged
        && standing.next.is_none()
        && policy.after_ack == crate::domain::escalation::AfterAck::Stop
        && standing.due.is_some_and(|d| d + 1 < policy.levels.len());
    if stopped {
        return Some(format!(
            "Escalation stopped at level {}: acknowledged. A severity raise starts it again.",
            standing.due.unwrap_or_default() + 1
        ));
    }
    let (next, at) = standing.next?;
    let contacts = who(state, &policy.levels[next].notify);
    let again = if standing.due == Some(next) {
        " again"
    } else {
        " due"
    };
    let unless = match policy.after_ack {
        crate::domain::escalation::AfterAck::Stop => "if nobody acknowledges by",
        crate::domain::escalation::AfterAck::Continue => {
            "acknowledged or not (after_ack = continue), at"
        }
    };
    Some(format!(
        "Next: level {}{again} in {}: {unless} {}, call {contacts}.",
        next + 1,
        mmss(at - state.now),
        time_of_day(at)
    ))
}

fn outbox_line(state: &State) -> Option<String> {
    let incident = state.incident.as_ref()?;
    let pending = incident
        .outbox
        .iter()
        .filter(|o| matches!(o.delivery, Delivery::Queued))
        .count();
    let failed: Vec<&crate::domain::incident::Outbound> = incident
        .outbox
        .iter()
        .filter(|o| matches!(o.delivery, Delivery::Failed { .. }))
        .collect();
    if pending == 0 && failed.is_empty() {
        return None;
    }
    let mut text = format!("Notifications: {pending} pending");
    if let Some(last) = failed.last() {
        let more = match failed.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        if let Delivery::Failed {
            error, attempts, ..
        } = &last.delivery
        {
            let _ = write!(
                text,
                ", {} FAILED{more} ({}, {}; retrying)",
                last.label(),
                one_line(error),
                crate::domain::incident::attempts(*attempts)
            );
        }
    }
    Some(text)
}

/// The escalation summary: due level, acknowledgement, the next level's what-if, the update cadence.
#[must_use]
pub fn escalation_lines(state: &State, view: &View) -> Vec<Line<'static>> {
    let theme = &view.theme;
    let Some(incident) = state.incident.as_ref().filter(|i| i.is_open()) else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    match standing(state) {
        None => lines.push(Line::styled(
            format!("No escalation policy for {}.", incident.severity),
            theme.style(Slot::Muted),
        )),
        Some((policy, s)) => {
            match (s.due, s.acknowledged) {
                (Some(level), false) => lines.push(Line::styled(
                    format!(
                        "Level {} DUE: {}",
                        level + 1,
                        who(state, &policy.levels[level].notify)
                    ),
                    theme.style(Slot::Breach),
                )),
                (Some(level), true) => {
                    let at = incident
                        .acknowledged_level
                        .map(|(_, at)| time_of_day(at))
                        .unwrap_or_default();
                    lines.push(Line::styled(
                        format!("Level {} acknowledged {at}", level + 1),
                        theme.style(Slot::Up),
                    ));
                }
                (None, _) => {
                    lines.push(Line::styled("No level due yet.", theme.style(Slot::Muted)));
                }
            }
            if let Some(text) = what_if(state, policy, &s) {
                lines.push(Line::styled(text, theme.style(Slot::Text)));
            }
        }
    }
    if let Some(due) = update_due(state) {
        let (text, slot) = if due <= state.now {
            (
                format!(
                    "Stakeholder update LATE by {} (u to post)",
                    mmss(state.now - due)
                ),
                Slot::Warn,
            )
        } else {
            (
                format!(
                    "Next stakeholder update due {} (in {})",
                    time_of_day(due),
                    mmss(due - state.now)
                ),
                Slot::Muted,
            )
        };
        lines.push(Line::styled(text, theme.style(slot)));
    }
    if let Some(text) = outbox_line(state) {
        lines.push(Line::styled(text, theme.style(Slot::Warn)));
    }
    lines
}

/// Rows the whole panel would take at `width`, borders included.
#[must_use]
pub fn panel_rows(state: &State, view: &View, width: u16) -> u16 {
    let inner = width.saturating_sub(2);
    let budgets: Vec<Line<'static>> = budget_lines(state, view, width)
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    rows_of(&escalation_lines(state, view), inner) + rows_of(&budgets, inner) + 2
}

/// The dashboard panel: escalation summary over the budget gauges.
pub fn render_panel(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let block = view.block(" Escalation & budgets (most at risk first) ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let head = escalation_lines(state, view);
    // The most-at-risk gauges are drawn whatever else the panel holds: the escalation summary
    // gets what they leave (the red line above the footer says what is due in any case).
    let gauges = budget_lines(state, view, inner.width);
    let first = gauges.first().map_or(0, |(_, line)| {
        rows_of(std::slice::from_ref(line), inner.width)
    });
    let more = u16::from(gauges.len() > 1);
    let head_rows = rows_of(&head, inner.width).min(inner.height.saturating_sub(first + more));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(head_rows), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
    let budgets = fitting_budgets(&gauges, view, bottom.width, bottom.height);
    frame.render_widget(Paragraph::new(budgets).wrap(Wrap { trim: true }), bottom);
}

/// A page as it stands: `paged 12:03:04` once delivered (or when only recorded, with no
/// `PagerDuty`), `page sending`, `page FAILED`, `page held (drill)`.
fn page_words(incident: &Incident, page: &Page) -> String {
    match incident.page_delivery(page) {
        None | Some(Delivery::Sent { .. }) => format!("paged {}", time_of_day(page.at)),
        Some(Delivery::Queued) => "page sending".to_owned(),
        Some(Delivery::Held { .. }) => "page held (drill)".to_owned(),
        Some(Delivery::Failed { .. }) => "page FAILED".to_owned(),
    }
}

fn level_state(state: &State, index: usize, standing: Option<&Standing>) -> (String, Slot) {
    let incident = state.incident.as_ref();
    let page = incident.and_then(|i| Some((i, i.last_page(index)?)));
    let failed =
        page.is_some_and(|(i, p)| matches!(i.page_delivery(p), Some(Delivery::Failed { .. })));
    let paged = page
        .map(|(i, p)| format!(" · {}", page_words(i, p)))
        .unwrap_or_default();
    if failed {
        let due = standing.is_some_and(|s| s.due == Some(index));
        let head = if due { "DUE NOW" } else { "paged" };
        return (format!("{head}{paged}"), Slot::Breach);
    }
    match standing {
        Some(s) if s.due == Some(index) && s.acknowledged => {
            (format!("acknowledged{paged}"), Slot::Up)
        }
        Some(s) if s.due == Some(index) => (format!("DUE NOW{paged}"), Slot::Breach),
        Some(s) if s.due.is_some_and(|d| d > index) => (format!("passed{paged}"), Slot::Muted),
        Some(s) if s.acknowledged && s.next.is_none() && s.due.is_some_and(|d| d < index) => {
            ("held: acknowledged".to_owned(), Slot::Muted)
        }
        Some(s) => match s.next {
            Some((next, at)) if next == index => (
                format!("in {} ({})", mmss(at - state.now), time_of_day(at)),
                Slot::Accent,
            ),
            _ => ("upcoming".to_owned(), Slot::Muted),
        },
        None => (String::new(), Slot::Muted),
    }
}

/// One page in the history: asked for when, and how its delivery went.
fn page_history(state: &State, incident: &Incident, page: &Page) -> (String, Slot) {
    let asked = format!(
        "{} level {}: {}",
        time_of_day(page.at),
        page.level + 1,
        who(state, &page.contacts)
    );
    match incident.page_delivery(page) {
        None => (
            format!("{asked} (paged; recorded only, no PagerDuty)"),
            Slot::Text,
        ),
        Some(Delivery::Sent { at }) => (
            format!("{asked} (PagerDuty delivered {})", time_of_day(*at)),
            Slot::Text,
        ),
        Some(Delivery::Queued) => (format!("{asked} (PagerDuty sending)"), Slot::Warn),
        Some(Delivery::Held { .. }) => {
            (format!("{asked} (recorded, not sent: drill)"), Slot::Muted)
        }
        Some(Delivery::Failed {
            attempts, error, ..
        }) => (
            format!(
                "{asked} (PAGE FAILED: {}, {}; call them)",
                one_line(error),
                crate::domain::incident::attempts(*attempts)
            ),
            Slot::Breach,
        ),
    }
}

/// Columns of the matrix but WHO, which gets the rest and wraps.
const LEVEL_W: u16 = 5;
const AFTER_W: u16 = 6;

/// The STATE column: narrower below 80 columns, so WHO keeps its room.
fn state_width(width: u16) -> u16 {
    if width < 80 { 14 } else { 22 }
}

fn matrix_rows(
    state: &State,
    view: &View,
    policy: &Escalation,
    standing: Option<&Standing>,
    (who_width, state_w): (u16, u16),
) -> Vec<Row<'static>> {
    let filter = &state.ui.list(crate::state::Screen::Escalation).filter;
    policy
        .levels
        .iter()
        .enumerate()
        .map(|(i, level)| (i, level, level_state(state, i, standing)))
        .filter(|(i, level, (text, _))| {
            let after = humantime::format_duration(level.after).to_string();
            let who = state.config.who(&level.notify);
            let number = (i + 1).to_string();
            crate::state::matches_filter(filter, &[&number, &after, &who, text])
        })
        .map(|(i, level, (text, slot))| {
            let current = standing.is_some_and(|s| s.due == Some(i));
            let style = if current {
                view.theme.style(Slot::Selection)
            } else {
                view.theme.style(Slot::Text)
            };
            let people = who_lines(state, &level.notify, who_width);
            let state_lines: Vec<Line> = super::wrap(&text, usize::from(state_w))
                .into_iter()
                .map(Line::raw)
                .collect();
            let height = people.len().max(state_lines.len()) as u16;
            Row::new(vec![
                Cell::from(format!("{}", i + 1)),
                Cell::from(humantime::format_duration(level.after).to_string()),
                Cell::from(people),
                Cell::from(state_lines).style(view.theme.style(slot)),
            ])
            .height(height)
            .style(style)
        })
        .collect()
}

/// A list's title with the active filter, if any.
fn filter_title(title: &str, state: &State) -> String {
    let filter = &state.ui.list(crate::state::Screen::Escalation).filter;
    if filter.is_empty() {
        title.to_owned()
    } else {
        format!("{title}· filter \"{}\" ", one_line(filter))
    }
}

/// Screen 3: the escalation matrix, with the current cell highlighted and the paging history.
pub fn render_screen(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let open = state.incident.as_ref().filter(|i| i.is_open());
    let summary = escalation_lines(state, view);
    let rows = rows_of(&summary, area.width.saturating_sub(2));
    let [head, matrix, history] = Layout::vertical([
        Constraint::Length(rows + 2),
        Constraint::Min(5),
        Constraint::Length(match (open, area.height) {
            (None, _) => 0,
            (Some(_), h) if h < 20 => 0,
            (Some(_), h) if h < 30 => 5,
            (Some(_), _) => 8,
        }),
    ])
    .areas(area);
    let head_title = match open {
        Some(i) => format!(
            " {} · escalation clock {} since {} ",
            i.severity,
            clock(state.now - i.escalation_since),
            time_of_day(i.escalation_since)
        ),
        None => " No incident open: the escalation matrix for reference ".to_owned(),
    };
    frame.render_widget(
        Paragraph::new(summary)
            .wrap(Wrap { trim: true })
            .block(view.block(head_title)),
        head,
    );
    let current = standing(state);
    let policies: Vec<&Escalation> = match open {
        Some(i) => state.config.policy(i.severity).into_iter().collect(),
        None => state.config.escalation.iter().collect(),
    };
    let state_w = state_width(matrix.width);
    let who_width = matrix
        .width
        .saturating_sub(2 + LEVEL_W + AFTER_W + state_w + 3)
        .max(10);
    let mut rows = Vec::new();
    for policy in policies {
        if open.is_none() {
            rows.push(Row::new(vec![
                Cell::from(policy.severity.to_string()).style(theme.style(Slot::Accent)),
            ]));
        }
        let s = current
            .as_ref()
            .filter(|(p, _)| p.severity == policy.severity)
            .map(|(_, s)| s);
        rows.extend(matrix_rows(state, view, policy, s, (who_width, state_w)));
    }
    let widths = [
        Constraint::Length(LEVEL_W),
        Constraint::Length(AFTER_W),
        Constraint::Length(who_width),
        Constraint::Length(state_w),
    ];
    let table = Table::new(rows, widths)
        .header(
            Row::new(["LEVEL", "AFTER", "WHO (role, phone)", "STATE"])
                .style(theme.style(Slot::Muted)),
        )
        .block(view.block(filter_title(" Matrix ", state)));
    frame.render_widget(table, matrix);
    if let Some(incident) = open {
        let mut lines: Vec<Line> = Vec::new();
        for page in incident.pages.iter().rev() {
            let (text, slot) = page_history(state, incident, page);
            lines.push(Line::styled(text, theme.style(slot)));
        }
        if let Some((level, at)) = incident.acknowledged_level {
            lines.push(Line::raw(format!(
                "{} acknowledged level {}",
                time_of_day(at),
                level + 1
            )));
        }
        if lines.is_empty() {
            lines.push(Line::styled(
                "Nobody paged or acknowledged yet. a acknowledges, p pages the due level.",
                theme.style(Slot::Muted),
            ));
        }
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(view.block(" Paged and acknowledged ")),
            history,
        );
    }
}
