//! The facilitator screen (6): the scenario, its clock, the injects fired and to come, and the
//! scorecard as it stands.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState, Wrap};

use super::{Slot, View};
use crate::domain::drill::{Scorecard, Verdict};
use crate::domain::incident::clock;
use crate::keymap::{Action, Context};
use crate::sanitize::one_line;
use crate::state::{Screen, State};

/// `T+00:04:12 ×10 PAUSED`: the drill clock for the status bar and this screen.
#[must_use]
pub fn clock_label(state: &State, ascii: bool) -> Option<String> {
    let started = match state.drill() {
        Some(drill) => drill.engine.started,
        None => {
            let records = &state.player()?.records;
            crate::domain::drill::recorded(records)
                .map(|d| d.started)
                .or(records.first().map(|r| r.at))?
        }
    };
    let ended = state.drill().is_some_and(|d| d.ended);
    let run = if ended {
        " ENDED"
    } else if state.paused {
        " PAUSED"
    } else {
        ""
    };
    let times = if ascii { 'x' } else { '×' };
    Some(format!(
        "T+{} {times}{}{run}",
        clock(state.now - started),
        state.speed
    ))
}

/// Draws the facilitator screen.
pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let card = crate::view::drill::scorecard(state);
    let card_rows = card.as_ref().map_or(3, |c| c.objectives.len() as u16 + 4);
    let header_rows = if area.height < 24 { 4 } else { 6 };
    let [header, injects, score] = Layout::vertical([
        Constraint::Length(header_rows),
        Constraint::Min(3),
        Constraint::Length(card_rows.min(area.height / 2)),
    ])
    .areas(area);
    render_header(frame, header, state, view);
    render_injects(frame, injects, state, view);
    render_scorecard(frame, score, card.as_ref(), view);
}

fn render_header(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let (title, briefing, commands, notify) = match state.drill() {
        Some(drill) => {
            let s = &drill.engine.scenario;
            (
                s.title.clone(),
                s.briefing.clone(),
                s.allow_commands && !state.dry_run,
                s.allow_notify,
            )
        }
        None => {
            let recorded = crate::domain::drill::recorded(&state.records)
                .map(|d| (d.title.clone(), d.allow_commands, d.allow_notify));
            let (title, commands, notify) =
                recorded.unwrap_or_else(|| ("not declared yet".to_owned(), false, false));
            let briefing = "A recorded drill: the scorecard below is measured from its journal.";
            (title, briefing.to_owned(), commands, notify)
        }
    };
    // What a drill does for real is loud; what it holds back is muted.
    let flag = |loud: bool, on: &'static str, off: &'static str| {
        let (text, slot) = if loud {
            (on, Slot::Breach)
        } else {
            (off, Slot::Muted)
        };
        Span::styled(text, theme.style(slot))
    };
    let separator = || Span::styled(view.separator(), theme.style(Slot::Border));
    let pager_failing = state.pager_failing();
    let safety = Line::from(vec![
        flag(commands, "commands RUN FOR REAL", "commands dry-run"),
        separator(),
        flag(
            notify,
            "notifications SENT",
            "notifications recorded, not sent",
        ),
        separator(),
        flag(pager_failing, "pager FAILING (inject)", "pager working"),
    ]);
    let mut lines = vec![safety];
    let briefing: Vec<&str> = briefing.split_whitespace().collect();
    lines.push(Line::styled(
        one_line(&briefing.join(" ")),
        theme.style(Slot::Text),
    ));
    let block = view.block(format!(" Drill: {} ", one_line(&title)));
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

fn render_injects(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let Some(drill) = state.drill() else {
        let block = view.block(" Injects ");
        frame.render_widget(
            Paragraph::new("The injects of a recorded drill are in its timeline (4).")
                .style(theme.style(Slot::Muted))
                .block(block),
            area,
        );
        return;
    };
    let keys: Vec<String> = [
        (Action::FireInject, "fire now"),
        (Action::InjectMessage, "message"),
        (Action::SetState, "set a state"),
        (Action::EndDrill, "end"),
    ]
    .iter()
    .filter_map(|(action, what)| {
        let key = state.keymap.key_for(&[Context::Drill], *action)?;
        Some(format!("{key} {what}"))
    })
    .collect();
    let block = view.block(format!(" Injects  ({}) ", keys.join(" · ")));
    let engine = &drill.engine;
    let offset = engine.offset(state.now);
    let rows: Vec<Row> = crate::view::drill::visible_injects(state)
        .into_iter()
        .map(|i| (i, &engine.scenario.injects[i]))
        .map(|(i, inject)| {
            let fired = engine.fired_at(i).is_some();
            let mark = match (fired, view.ascii) {
                (true, false) => "✓",
                (true, true) => "x",
                (false, _) => " ",
            };
            let when = if fired {
                "fired".to_owned()
            } else if drill.ended {
                "not fired".to_owned()
            } else {
                format!(
                    "in {}",
                    crate::domain::incident::brief(
                        chrono::TimeDelta::from_std(inject.at.saturating_sub(offset))
                            .unwrap_or_default()
                    )
                )
            };
            let at = clock(chrono::TimeDelta::from_std(inject.at).unwrap_or_default());
            let style = theme.style(if fired { Slot::Muted } else { Slot::Text });
            Row::new(vec![
                mark.to_owned(),
                at,
                when,
                one_line(&inject.describe()),
            ])
            .style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(8),
            Constraint::Length(10),
            Constraint::Min(10),
        ],
    )
    .header(Row::new(vec!["", "AT", "", "INJECT"]).style(theme.style(Slot::Muted)))
    .row_highlight_style(theme.style(Slot::Selection))
    .block(block);
    let mut table_state =
        TableState::default().with_selected(Some(state.ui.list(Screen::Drill).selected));
    frame.render_stateful_widget(table, area, &mut table_state);
}

fn render_scorecard(frame: &mut Frame, area: Rect, card: Option<&Scorecard>, view: &View) {
    let theme = &view.theme;
    let Some(card) = card else {
        return;
    };
    let title = if card.finished {
        format!(" Scorecard ({}): {} ", card.kind, card.summary())
    } else {
        format!(" Objectives so far: {} ", card.summary())
    };
    let mut lines: Vec<Line> = card
        .objectives
        .iter()
        .map(|s| {
            let slot = match s.verdict {
                Verdict::Met => Slot::Up,
                Verdict::Missed => Slot::Breach,
                Verdict::Open => Slot::Muted,
            };
            Line::from(vec![
                Span::styled(format!("{:<7}", s.verdict.to_string()), theme.style(slot)),
                Span::styled(s.objective.describe(), theme.style(Slot::Text)),
                Span::styled(format!("  {}", s.measured), theme.style(Slot::Muted)),
            ])
        })
        .collect();
    if card.objectives.is_empty() {
        lines.push(Line::styled(
            "The scenario sets no objectives.",
            theme.style(Slot::Muted),
        ));
    }
    lines.push(Line::styled(
        card.metrics.clone(),
        theme.style(Slot::Accent),
    ));
    lines.push(Line::styled(card.steps.clone(), theme.style(Slot::Muted)));
    frame.render_widget(Paragraph::new(lines).block(view.block(title)), area);
}
