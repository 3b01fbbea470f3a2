//! Screen 5: the post-incident review, drafted from the journal and edited in place.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Slot, View};
use crate::sanitize::{one_line, sanitize};
use crate::state::State;
use crate::view::review::unsaved;

pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let Some(draft) = &state.ui.review else {
        let text = "No incident yet: the review is drafted from an incident's journal. Declare one with D.";
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.style(Slot::Muted))
                .block(view.block(" Review ")),
            area,
        );
        return;
    };
    let saved = if unsaved(state) { "UNSAVED" } else { "saved" };
    if draft.editing {
        let title = format!(" Review · editing · {saved} ");
        let block = view.block(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        render_editor(frame, inner, view);
    } else {
        let title = format!(" Review · {saved} ");
        let text = sanitize(&draft.text).into_owned();
        let paragraph = Paragraph::new(text)
            .style(theme.style(Slot::Text))
            .wrap(Wrap { trim: false })
            .block(view.block(title));
        frame.render_widget(paragraph, area);
    }
}

/// The editor's text as drawn: every line sanitised, the cursor shown, scrolled to keep it in view.
fn render_editor(frame: &mut Frame, area: Rect, view: &View) {
    let (row, col) = view.editor.cursor();
    let height = usize::from(area.height.max(1));
    let top = view.editor_top.get();
    let top = if row < top {
        row
    } else if row >= top + height {
        row + 1 - height
    } else {
        top
    };
    view.editor_top.set(top);
    let text = view.theme.style(Slot::Text);
    let cursor_style = view
        .theme
        .style(Slot::Selection)
        .add_modifier(Modifier::REVERSED);
    let mut cursor_x = 0;
    let lines: Vec<Line> = view
        .editor
        .lines()
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(i, line)| {
            if i != row {
                return Line::styled(one_line(line), text);
            }
            let at = line.char_indices().nth(col).map_or(line.len(), |(b, _)| b);
            let (before, rest) = line.split_at(at);
            let mut chars = rest.chars();
            let under = chars
                .next()
                .map_or_else(|| " ".to_owned(), |c| one_line(c.encode_utf8(&mut [0; 4])));
            let before = one_line(before);
            cursor_x = unicode_width::UnicodeWidthStr::width(before.as_str());
            Line::from(vec![
                Span::styled(before, text),
                Span::styled(under, cursor_style),
                Span::styled(one_line(chars.as_str()), text),
            ])
        })
        .collect();
    let left = cursor_x.saturating_sub(usize::from(area.width.saturating_sub(1)));
    frame.render_widget(Paragraph::new(lines).scroll((0, left as u16)), area);
}
