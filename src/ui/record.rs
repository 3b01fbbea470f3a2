//! One journal record whole, opened with Enter on a timeline row: who, when by the wall clock
//! (and the drill clock), what in words, and every field as journaled.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Slot, View};
use crate::sanitize::one_line;
use crate::state::State;

/// The lines of record `seq` as the panel shows them (sanitised), if the journal holds it.
#[must_use]
pub fn lines(state: &State, seq: u64) -> Option<Vec<String>> {
    let index = state.records.partition_point(|r| r.seq < seq);
    let record = state.records.get(index).filter(|r| r.seq == seq)?;
    let drill = state.incident.as_ref().is_some_and(|i| i.drill);
    let mut lines = vec![
        format!(
            "#{} · {} · by {}",
            record.seq,
            record.event.kind(),
            one_line(&record.actor)
        ),
        format!(
            "UTC {}",
            if drill && !record.is_drill_time() {
                "unknown (a drill record from before drill records kept the wall clock)".to_owned()
            } else {
                record
                    .wall_time()
                    .format("%Y-%m-%d %H:%M:%S%.3fZ")
                    .to_string()
            }
        ),
    ];
    if drill {
        lines.push(format!(
            "drill clock {}",
            record.at.format("%Y-%m-%d %H:%M:%S%.3f")
        ));
    }
    lines.push(String::new());
    lines.extend(crate::view::describe(state, record).lines().map(one_line));
    lines.push(String::new());
    lines.push("As journaled:".to_owned());
    let journaled = serde_json::to_string_pretty(record).unwrap_or_default();
    lines.extend(journaled.lines().map(one_line));
    Some(lines)
}

/// The record panel, scrolled by `scroll` lines.
pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &View, seq: u64, scroll: usize) {
    let Some(lines) = lines(state, seq) else {
        return;
    };
    let theme = &view.theme;
    let lines: Vec<Line> = lines
        .into_iter()
        .enumerate()
        .map(|(n, text)| match n {
            0 => Line::styled(text, theme.style(Slot::Accent)),
            _ => Line::styled(text, theme.style(Slot::Text)),
        })
        .collect();
    let outer = super::popup::popup_area(area, 100, area.height);
    frame.render_widget(Clear, outer);
    let title = format!(" Record #{seq} · j/k scroll · Esc close ");
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll.min(usize::from(u16::MAX)) as u16, 0))
        .block(view.block(title));
    frame.render_widget(paragraph, outer);
}
