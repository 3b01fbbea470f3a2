//! Where an overlay sits: a centred area of the screen.

use ratatui::layout::{Constraint, Flex, Layout, Rect};

/// A centred box of at most `width` x `height` inside `area`.
#[must_use]
pub fn popup_area(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
