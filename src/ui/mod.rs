//! Rendering: pure functions from `&State` to a frame. No I/O, no `Result`.

mod board_columns;
mod budgets;
mod cells;
mod dashboard;
mod detail;
pub mod drill;
mod escalation;
mod journal_label;
mod overlay;
mod popup;
pub mod record;
mod review;
mod runbooks;
pub mod svg;
pub mod theme;
mod timeline;
pub use timeline::record_utc;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use strum::IntoEnumIterator;
use tui_textarea::TextArea;

use crate::domain::Health;
use crate::domain::incident::clock;
use crate::keymap::{Action, Context};
use crate::sanitize::one_line;
use crate::state::{DialogKind, JournalState, Mode, Screen, State, Viewer};
pub use theme::{Colors, Slot, Theme};

/// The smallest terminal warroom draws in.
pub const MIN_SIZE: (u16, u16) = (40, 12);
/// Below this the compact layout is used.
pub const FULL_SIZE: (u16, u16) = (80, 24);

/// Widget state that lives beside the state: the review editor and drawing options.
pub struct View {
    /// The review editor.
    pub editor: TextArea<'static>,
    /// The review text the editor was last loaded with (its `ReviewDraft::serial`).
    editor_serial: u64,
    /// The first editor line on screen (moved by drawing to keep the cursor in view).
    pub editor_top: std::cell::Cell<usize>,
    pub theme: Theme,
    pub ascii: bool,
}

impl View {
    #[must_use]
    pub fn new(theme: Theme, ascii: bool) -> Self {
        Self {
            editor: TextArea::default(),
            editor_serial: 0,
            editor_top: std::cell::Cell::new(0),
            theme,
            ascii,
        }
    }

    /// Reloads the review editor when the state replaced the review's text.
    pub fn sync(&mut self, state: &State) {
        let serial = state.ui.review.as_ref().map_or(0, |r| r.serial);
        if serial != self.editor_serial {
            self.editor_serial = serial;
            let text = state.ui.review.as_ref().map(|r| r.text.as_str());
            self.set_editor(text.unwrap_or_default());
        }
    }

    /// The review editor's text.
    #[must_use]
    pub fn editor_text(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Replaces the review editor's text.
    pub fn set_editor(&mut self, text: &str) {
        let mut editor = TextArea::from(text.lines().map(str::to_owned).collect::<Vec<_>>());
        editor.set_cursor_line_style(Style::default());
        editor.set_style(self.theme.style(Slot::Text));
        editor.set_cursor_style(
            self.theme
                .style(Slot::Selection)
                .add_modifier(ratatui::style::Modifier::REVERSED),
        );
        self.editor = editor;
    }

    /// A block with the theme's border, in box-drawing or ASCII.
    #[must_use]
    pub fn block(&self, title: impl Into<Line<'static>>) -> Block<'static> {
        let set = if self.ascii {
            ascii_border()
        } else {
            border::ROUNDED
        };
        Block::default()
            .borders(Borders::ALL)
            .border_set(set)
            .border_style(self.theme.style(Slot::Border))
            .title(title.into().style(self.theme.style(Slot::Accent)))
    }

    /// The symbol and word for a health state (the word carries the meaning in mono).
    #[must_use]
    pub fn health_label(&self, health: Health) -> String {
        let symbol = match (health, self.ascii) {
            (Health::Up, false) => "●",
            (Health::Degraded, false) => "▲",
            (Health::Down, false) => "✖",
            (Health::Unknown, false) => "?",
            (Health::Up, true) => "+",
            (Health::Degraded, true) => "~",
            (Health::Down, true) => "X",
            (Health::Unknown, true) => "?",
        };
        let word = match health {
            Health::Down => "DOWN".to_owned(),
            other => other.to_string(),
        };
        format!("{symbol} {word}")
    }

    fn separator(&self) -> &'static str {
        if self.ascii { " | " } else { " │ " }
    }
}

fn ascii_border() -> border::Set {
    border::Set {
        top_left: "+",
        top_right: "+",
        bottom_left: "+",
        bottom_right: "+",
        vertical_left: "|",
        vertical_right: "|",
        horizontal_top: "-",
        horizontal_bottom: "-",
    }
}

/// Draws the whole console.
pub fn render(frame: &mut Frame, state: &State, view: &View) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        render_too_small(frame, area, view);
        return;
    }
    let compact = area.width < FULL_SIZE.0 || area.height < FULL_SIZE.1;
    let tabs_height = u16::from(!compact);
    // The loud line wraps rather than cut who to call (at most three rows).
    let banner =
        escalation::banner(state, view).map(|line| Paragraph::new(line).wrap(Wrap { trim: true }));
    let banner_rows = banner
        .as_ref()
        .map_or(0, |b| b.line_count(area.width).min(3) as u16);
    let [status, tabs, body, banner_row, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(tabs_height),
        Constraint::Min(1),
        Constraint::Length(banner_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    if let Some(paragraph) = banner {
        frame.render_widget(paragraph, banner_row);
    }
    render_status_bar(frame, status, state, view);
    if !compact {
        render_tabs(frame, tabs, state, view);
    }
    match state.ui.screen {
        Screen::Dashboard => dashboard::render(frame, body, state, view, compact),
        Screen::Timeline => timeline::render(frame, body, state, view),
        Screen::Escalation => escalation::render_screen(frame, body, state, view),
        Screen::Runbooks => runbooks::render(frame, body, state, view),
        Screen::Review => review::render(frame, body, state, view),
        Screen::Drill => drill::render(frame, body, state, view),
    }
    render_footer(frame, footer, state, view);
    overlay::render(frame, body, state, view);
    cells::guard(frame.buffer_mut());
    if view.ascii {
        cells::fold(frame.buffer_mut());
    }
}

fn render_too_small(frame: &mut Frame, area: Rect, view: &View) {
    let text = format!(
        "Terminal too small: {}x{}. warroom needs at least {}x{}. Enlarge the window or press q to quit.",
        area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
    );
    let paragraph = Paragraph::new(text)
        .style(view.theme.style(Slot::Warn))
        .wrap(Wrap { trim: true });
    frame.render_widget(paragraph, area);
    if view.ascii {
        cells::fold(frame.buffer_mut());
    }
}

fn render_status_bar(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let sep = Span::styled(view.separator(), theme.style(Slot::Border));
    let mut spans = Vec::new();
    if state.dry_run && !state.is_drill() {
        spans.push(Span::styled(" DRY RUN ", theme.style(Slot::Drill)));
        spans.push(Span::raw(" "));
    }
    for label in mode_labels(state) {
        spans.push(Span::styled(format!(" {label} "), theme.style(Slot::Drill)));
        spans.push(Span::raw(" "));
    }
    // The drill clock on the facilitator's screen, and always in a replay (whose clock it is).
    let shown = state.ui.screen == Screen::Drill || state.viewer() == Some(Viewer::Replay);
    if let Some(label) = drill::clock_label(state, view.ascii).filter(|_| shown) {
        spans.push(Span::styled(label, theme.style(Slot::Accent)));
        spans.push(sep.clone());
    }
    match &state.incident {
        Some(incident) => {
            let severity_style = match incident.severity {
                crate::domain::Severity::P1 => theme.style(Slot::Breach),
                crate::domain::Severity::P2 => theme.style(Slot::Warn),
                _ => theme.style(Slot::Accent),
            };
            spans.push(Span::styled(
                format!(" {} ", incident.severity),
                severity_style,
            ));
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                clock(incident.elapsed(state.now)),
                theme.style(Slot::Accent),
            ));
            spans.push(sep.clone());
            spans.push(Span::styled(
                incident.status.to_string(),
                theme.style(Slot::Text),
            ));
            spans.push(sep.clone());
            spans.push(Span::styled(
                one_line(&incident.title),
                theme.style(Slot::Text),
            ));
            spans.push(sep.clone());
            spans.push(Span::styled(
                format!("IC {}", one_line(&incident.roles.commander)),
                theme.style(Slot::Text),
            ));
        }
        None => {
            spans.push(Span::styled(
                "no incident · watching",
                theme.style(Slot::Muted),
            ));
            let failing = state.world.failing().count();
            if failing > 0 {
                // A console that only shows a journal cannot declare.
                let declare = if state.viewer().is_some() {
                    ""
                } else {
                    " · D to declare"
                };
                spans.push(sep.clone());
                spans.push(Span::styled(
                    format!("{failing} failing{declare}"),
                    theme.style(Slot::Warn),
                ));
            }
        }
    }
    if crate::view::review::unsaved(state) {
        spans.push(sep.clone());
        spans.push(Span::styled("review UNSAVED", theme.style(Slot::Warn)));
    }
    spans.push(sep);
    spans.push(Span::styled(
        one_line(&state.config.service),
        theme.style(Slot::Muted),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The banners a console wears: DRILL (DEMO), FOLLOW, REPLAY.
fn mode_labels(state: &State) -> Vec<&'static str> {
    let mut labels = Vec::new();
    let kind = match state.drill() {
        Some(drill) => Some(drill.engine.scenario.kind),
        None => crate::domain::drill::recorded(&state.records).map(|d| d.kind),
    };
    if state.mode == Mode::Demo {
        labels.push("DRILL · DEMO");
    } else if state.is_drill() {
        use crate::domain::objective::DrillKind;
        labels.push(match kind {
            Some(DrillKind::Tabletop) => "DRILL · TABLETOP",
            Some(DrillKind::Walkthrough) => "DRILL · WALKTHROUGH",
            Some(DrillKind::Simulation) | None => "DRILL",
        });
    }
    match state.viewer() {
        Some(Viewer::Follow) => labels.push("FOLLOW"),
        Some(Viewer::Replay) => labels.push("REPLAY"),
        None => {}
    }
    labels
}

fn render_tabs(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let mut spans = Vec::new();
    let narrow = area.width < 100;
    for screen in Screen::iter().filter(|s| *s != Screen::Drill || state.is_drill()) {
        let current = screen == state.ui.screen;
        let style = if current {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Muted)
        };
        let label = if narrow && !current {
            format!(" {} ", screen.number())
        } else {
            format!(" {} {screen} ", screen.number())
        };
        spans.push(Span::styled(label, style));
    }
    let journal = journal_label::label(state, theme);
    let id = state
        .incident
        .as_ref()
        .map(|i| one_line(&i.id))
        .unwrap_or_default();
    // The log is not the journal, but a log that stopped is said for as long as it is off.
    let log = if state.log_off.is_some() {
        Span::styled(" log off ", theme.style(Slot::Warn))
    } else {
        Span::raw("")
    };
    let right = Line::from(vec![
        log,
        journal,
        Span::styled(format!(" {id}"), theme.style(Slot::Accent)),
    ]);
    let tabs = Line::from(spans);
    let [left, right_area] =
        Layout::horizontal([Constraint::Length(tabs.width() as u16), Constraint::Min(1)])
            .areas(area);
    frame.render_widget(Paragraph::new(tabs), left);
    frame.render_widget(
        Paragraph::new(right).alignment(Alignment::Right),
        right_area,
    );
}

fn render_footer(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    if let Some(dialog) = state.dialog().filter(|d| d.kind == DialogKind::Filter) {
        let hint = if state.ui.screen == Screen::Review {
            " the review has no rows: this text is dropped · Enter or Esc closes"
        } else {
            " Enter keep · Esc clear"
        };
        let line = overlay::filter_line(&dialog.field, area.width, view, hint);
        frame.render_widget(Paragraph::new(line), area);
        return;
    }
    let line = match (&state.ui.flash, &state.journal) {
        (Some(flash), _) => Line::styled(one_line(flash), theme.style(Slot::Accent)),
        (None, _) if state.viewer().is_some() => hints(state, view),
        (None, JournalState::Failed(reason) | JournalState::ReadOnly(reason)) => Line::styled(
            format!("Journal: {}", one_line(reason)),
            theme.style(Slot::Breach),
        ),
        (None, JournalState::Writable) => hints(state, view),
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The actions worth a hint where the keys go now, most useful first.
fn hint_actions(state: &State) -> &'static [Action] {
    use Action as A;
    let open = state.incident_open();
    match (&state.ui.overlay, state.key_contexts()[0]) {
        (Some(_), Context::Dialog | Context::Palette) => &[A::Confirm, A::Cancel],
        (Some(_), _) => &[A::Down, A::Up, A::Cancel],
        (None, Context::Editor) => &[A::Save, A::Cancel, A::Quit],
        _ if state.viewer() == Some(Viewer::Replay) => &[
            A::Pause,
            A::Faster,
            A::Slower,
            A::SeekBack,
            A::SeekForward,
            A::NextScreen,
            A::Quit,
        ],
        _ if state.viewer() == Some(Viewer::Follow) => {
            &[A::NextScreen, A::Timeline, A::Help, A::Quit]
        }
        (None, Context::Drill) if state.drill().is_some() => &[
            A::FireInject,
            A::InjectMessage,
            A::Pause,
            A::Faster,
            A::Slower,
            A::EndDrill,
            A::Help,
        ],
        (None, Context::Runbooks) if state.ui.stepper.is_some() => &[
            A::Run,
            A::MarkDone,
            A::MarkSkipped,
            A::MarkFailed,
            A::CancelRun,
            A::Note,
            A::Filter,
            A::Cancel,
        ],
        (None, Context::Review) => &[A::Edit, A::Regenerate, A::NextScreen, A::Help, A::Quit],
        _ if open => &[
            A::Note,
            A::Update,
            A::Acknowledge,
            A::Page,
            A::Severity,
            A::Status,
            A::Resolve,
            A::Filter,
            A::Help,
            A::Quit,
        ],
        _ => &[A::Declare, A::Filter, A::NextScreen, A::Help, A::Quit],
    }
}

/// Footer hints, each with the key the focused keymap binds to it: a hint never names a key that
/// does nothing here.
fn hints(state: &State, view: &View) -> Line<'static> {
    let contexts = state.key_contexts();
    let back = state.ui.overlay.is_none() && state.ui.stepper.is_some();
    let mut spans = Vec::new();
    for action in hint_actions(state) {
        if let Some(key) = state.keymap.key_for(&contexts, *action) {
            spans.push(Span::styled(
                format!(" {key} "),
                view.theme.style(Slot::Selection),
            ));
            let label = match action {
                Action::Cancel if back => "back".to_owned(),
                Action::Cancel if state.key_contexts()[0] == Context::Editor => {
                    "leave (saves)".to_owned()
                }
                other => short(*other),
            };
            spans.push(Span::styled(
                format!(" {label} "),
                view.theme.style(Slot::Muted),
            ));
        }
    }
    Line::from(spans)
}

fn short(action: Action) -> String {
    match action {
        Action::NextScreen => "screens".to_owned(),
        Action::Acknowledge => "ack".to_owned(),
        Action::FireInject => "fire".to_owned(),
        Action::InjectMessage => "message".to_owned(),
        Action::EndDrill => "end".to_owned(),
        Action::MarkDone => "done".to_owned(),
        Action::MarkSkipped => "skip".to_owned(),
        Action::MarkFailed => "failed".to_owned(),
        Action::CancelRun => "cancel run".to_owned(),
        Action::Regenerate => "regenerate".to_owned(),
        Action::Faster => "faster".to_owned(),
        Action::Slower => "slower".to_owned(),
        Action::SeekBack => "-1m".to_owned(),
        Action::SeekForward => "+1m".to_owned(),
        other => other.to_string(),
    }
}

/// `text` broken into lines of at most `width` columns, at spaces where it can, inside words
/// where it must (a phone number or a name is never cut off, only wrapped).
#[must_use]
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!line.is_empty());
        if line.width() + sep + word.width() <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if line.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Time of day in UTC for lists.
#[must_use]
pub fn time_of_day(at: DateTime<Utc>) -> String {
    format!("{}Z", crate::domain::incident::time_of_day(&at))
}

/// The rows a table `lines` high shows with row `selected` highlighted, the way a table drawn
/// afresh scrolls: from the top while the selection fits there, else ending at the selection.
pub(super) fn window(
    len: usize,
    selected: usize,
    lines: u16,
    height: impl Fn(usize) -> u16,
) -> std::ops::Range<usize> {
    let selected = selected.min(len.saturating_sub(1));
    let mut end = 0;
    let mut used = 0u16;
    while end < len && used + height(end) <= lines {
        used += height(end);
        end += 1;
    }
    if selected < end || len == 0 {
        return 0..end;
    }
    let mut start = selected + 1;
    used = 0;
    while start > 0 && used + height(start - 1) <= lines {
        start -= 1;
        used += height(start);
    }
    start.min(selected)..selected + 1
}

#[cfg(test)]
mod tests;
