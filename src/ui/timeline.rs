//! Screen 4: every journal event of the incident, newest first, filterable.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Cell, Row, Table, TableState};

use super::{Slot, View, time_of_day};
use crate::sanitize::one_line;
use crate::state::{Screen, State};

pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let list = state.ui.list(Screen::Timeline);
    let filter = if list.filter.is_empty() {
        String::new()
    } else {
        format!("· filter \"{}\" ", one_line(&list.filter))
    };
    // Only the rows on screen are built: a journal of 100,000 records costs what 30 rows cost.
    let lines = area.height.saturating_sub(3);
    // A drill's records carry the drill clock's time as well, in a column of its own.
    let drill = state.incident.as_ref().is_some_and(|i| i.drill);
    let (title, len, first, rows): (String, usize, usize, Vec<Row>) = match state.journal_name() {
        Some(name) => {
            let index = state.timeline_index();
            let title = format!(
                " Timeline {} · {} events {filter}",
                one_line(&name),
                index.len()
            );
            let shown = super::window(index.len(), list.selected, lines, |_| 1);
            let rows = shown
                .clone()
                .filter_map(|n| state.records.get(index.newest(n)?))
                .map(|r| {
                    let mut cells = vec![
                        Cell::from(format!("#{}", r.seq)).style(theme.style(Slot::Muted)),
                        Cell::from(record_utc(r, drill)).style(theme.style(Slot::Muted)),
                    ];
                    if drill {
                        cells.push(
                            Cell::from(crate::domain::incident::time_of_day(&r.at))
                                .style(theme.style(Slot::Accent)),
                        );
                    }
                    cells.push(Cell::from(one_line(&r.actor)).style(theme.style(Slot::Muted)));
                    cells.push(Cell::from(one_line(&crate::view::describe(state, r))));
                    Row::new(cells)
                })
                .collect();
            (title, index.len(), shown.start, rows)
        }
        None => {
            let title = format!(" Live log · no incident open, nothing here is journaled {filter}");
            let lines_shown = state.log_rows();
            let shown = super::window(lines_shown.len(), list.selected, lines, |_| 1);
            let rows = lines_shown[shown.clone()]
                .iter()
                .map(|l| {
                    let style = if l.alert {
                        theme.style(Slot::Warn)
                    } else {
                        theme.style(Slot::Text)
                    };
                    Row::new(vec![
                        Cell::from(""),
                        Cell::from(time_of_day(l.at)).style(theme.style(Slot::Muted)),
                        Cell::from("console").style(theme.style(Slot::Muted)),
                        Cell::from(one_line(&l.text)).style(style),
                    ])
                })
                .collect();
            (title, lines_shown.len(), shown.start, rows)
        }
    };
    // `#` and the largest sequence number, whole: a cut one would name another record.
    let seq_width = state.records.last().map_or(1, |r| r.seq.to_string().len()) + 1;
    let mut widths = vec![
        Constraint::Length(seq_width.max(5) as u16),
        Constraint::Length(9),
        Constraint::Length(16),
        Constraint::Min(10),
    ];
    let mut header = vec!["SEQ", "UTC", "WHO", "WHAT"];
    if drill && state.journal_name().is_some() {
        widths.insert(2, Constraint::Length(8));
        header.insert(2, "DRILL");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.style(Slot::Muted)))
        .row_highlight_style(theme.style(Slot::Selection))
        .style(theme.style(Slot::Text))
        .block(view.block(title));
    let selected = (len > 0).then(|| list.selected.min(len - 1) - first);
    let mut table_state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, area, &mut table_state);
}

/// A record's wall-clock time as `HH:MM:SSZ`; `—` for a record of a drill (`drill`) from before
/// drill records kept the wall clock (its only time is the drill clock's, which is not UTC).
#[must_use]
pub fn record_utc(record: &crate::domain::event::Record, drill: bool) -> String {
    if drill && !record.is_drill_time() {
        "—".to_owned()
    } else {
        time_of_day(record.wall_time())
    }
}
