//! Screen 5: the post-incident review, drafted from the journal and edited in place.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Slot, View};
use crate::sanitize::sanitize;
use crate::state::State;
use crate::update::review::unsaved;

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
        let title = format!(" Review · editing · {saved} · Ctrl-S save · Esc leave (saves) ");
        let block = view.block(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(&view.editor, inner);
    } else {
        let title = format!(" Review · {saved} · e edit · g regenerate (keeps written sections) ");
        let text = sanitize(&draft.text).into_owned();
        let paragraph = Paragraph::new(text)
            .style(theme.style(Slot::Text))
            .wrap(Wrap { trim: false })
            .block(view.block(title));
        frame.render_widget(paragraph, area);
    }
}
