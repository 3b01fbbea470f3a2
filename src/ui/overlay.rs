//! Overlays: dialogs, the help generated from the keymap, and the command palette.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::popup::popup_area;
use super::{Slot, View};
use crate::input::field::Field;
use crate::keymap::Context;
use crate::sanitize::{one_line, sanitize_text};
use crate::state::{Dialog, DialogKind, Overlay, State};
use crate::view::palette;

pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    match &state.ui.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => render_help(frame, area, state, view, *scroll),
        Some(Overlay::Palette { selected, .. }) => {
            render_palette(frame, area, state, view, *selected);
        }
        Some(Overlay::Dialog(dialog)) if dialog.kind == DialogKind::Filter => {}
        Some(Overlay::Dialog(dialog)) => render_dialog(frame, area, state, view, dialog),
        Some(Overlay::Detail { index, scroll }) => {
            super::detail::render(frame, area, state, view, *index, *scroll);
        }
        Some(Overlay::Record { seq, scroll }) => {
            super::record::render(frame, area, state, view, *seq, *scroll);
        }
    }
}

/// A centred box of at most `width` x `height` inside `area`, cleared.
fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let cell = popup_area(area, width, height);
    frame.render_widget(Clear, cell);
    cell
}

fn title_of(dialog: &Dialog, state: &State) -> String {
    let id = state
        .incident
        .as_ref()
        .map(|i| one_line(&i.id))
        .unwrap_or_default();
    match dialog.kind {
        DialogKind::Declare => " Declare an incident ".to_owned(),
        DialogKind::Severity => format!(" Severity of {id} "),
        DialogKind::Status => format!(" Status of {id} "),
        DialogKind::Roles => " Assign a role ".to_owned(),
        DialogKind::Note => " Add a note ".to_owned(),
        DialogKind::Resolve => format!(" Resolve {id}? "),
        DialogKind::Filter => " Filter ".to_owned(),
        DialogKind::Update => format!(" Stakeholder update for {id} "),
        DialogKind::ConfirmRun { destructive: false } => " Run this command? ".to_owned(),
        DialogKind::ConfirmRun { destructive: true } => {
            " Run this command? It destroys ".to_owned()
        }
        DialogKind::ConfirmDone => " Mark the step done? ".to_owned(),
        DialogKind::RecoveryChoose => " Recovery actions ".to_owned(),
        DialogKind::RecoveryConfirm => " Run this recovery action? ".to_owned(),
        DialogKind::Inject => " Message to the team (inject) ".to_owned(),
        DialogKind::SetState => " Set a component's state ".to_owned(),
        DialogKind::EndDrill => " End the drill? ".to_owned(),
        DialogKind::ConfirmQuit => " A command is still running here ".to_owned(),
        DialogKind::RewriteJournal => " JOURNAL MISSING ".to_owned(),
        DialogKind::ConfirmPage { .. } => " Page? ".to_owned(),
        DialogKind::ConfirmAck { .. } => " Acknowledge? ".to_owned(),
        DialogKind::Silence => " Silence in Alertmanager? ".to_owned(),
        DialogKind::ExpireSilences => " Expire the silences? ".to_owned(),
        DialogKind::Handover => format!(" Hand command of {id} to "),
        DialogKind::HandedOver => " Command handed over ".to_owned(),
        DialogKind::Approve => " Approve? (two-person rule) ".to_owned(),
        DialogKind::Assign => " Who is on it? ".to_owned(),
    }
}

/// The prompt, raw (sanitised when drawn); confirmations name in full what they confirm.
fn prompt_text(state: &State, kind: DialogKind) -> String {
    match kind {
        DialogKind::ConfirmRun { .. } => run_prompt(state).unwrap_or_default(),
        DialogKind::ConfirmDone => crate::view::checklist::prompt(state),
        DialogKind::RecoveryConfirm => crate::view::recovery::prompt(state),
        DialogKind::ConfirmPage { .. } | DialogKind::ConfirmAck { .. } => {
            crate::view::escalation::confirm_prompt(state, kind)
        }
        DialogKind::Silence | DialogKind::ExpireSilences => {
            crate::view::silence::prompt(state, kind)
        }
        DialogKind::HandedOver => crate::view::handover::prompt(state),
        DialogKind::Approve => crate::view::approval::prompt(state),
        DialogKind::Roles | DialogKind::Assign => {
            let people = state
                .incident
                .as_ref()
                .map(|i| i.people())
                .unwrap_or_default();
            if people.is_empty() {
                prompt_of(kind).to_owned()
            } else {
                format!("{}\nIn the room: {}", prompt_of(kind), people.join(", "))
            }
        }
        _ => prompt_of(kind).to_owned(),
    }
}

/// The step, its component, the working directory and every line of the command.
fn run_prompt(state: &State) -> Option<String> {
    let (rb, step, cmd) = state.ui.confirm_run?;
    let runbook = state.runbooks.get(rb)?;
    let s = runbook.steps.get(step)?;
    let command = s.commands.get(cmd)?;
    let component = runbook.components.first().map_or("none", String::as_str);
    let dir = state.workdir();
    let words = state.run_words();
    let ask = match crate::view::runbooks::danger(state, (rb, step, cmd)) {
        Some((pattern, word)) => format!(
            "It matches `{pattern}`: it destroys what it names. Type `{word}` and Enter to {} it, Esc does not.",
            words.verb
        ),
        None => format!("Enter {}s it, Esc does not.", words.verb),
    };
    Some(format!(
        "Step {} \"{}\" of {} {}, for component {component}, in {dir}:\n{}\n{ask}",
        step + 1,
        s.title,
        runbook.id,
        words.runs,
        command.script.trim_end(),
    ))
}

fn prompt_of(kind: DialogKind) -> &'static str {
    match kind {
        DialogKind::Declare => "Title (what is broken, for whom):",
        DialogKind::Severity => "New severity:",
        DialogKind::Status => "New status:",
        DialogKind::Roles => "Role, then who takes it:",
        DialogKind::Note => "Note (recorded in the journal with your name and the time):",
        DialogKind::Resolve => {
            "Resolution summary (optional; Up/Down: a template). Enter resolves the incident:"
        }
        DialogKind::Filter => "Show only rows containing:",
        DialogKind::Update => {
            "What stakeholders should know now (journaled; posted to chat when configured):"
        }
        DialogKind::ConfirmRun { .. } | DialogKind::ConfirmDone => "",
        DialogKind::RecoveryChoose => "Choose the action to run:",
        DialogKind::RecoveryConfirm => "Confirm the recovery action:",
        DialogKind::Inject => "Delivered to the team now, and journaled as a scenario message:",
        DialogKind::SetState => {
            "Type a component (its id or part of its name), then choose its state (journaled as set by the facilitator):"
        }
        DialogKind::ConfirmQuit => {
            "Quitting ends what runs here unless you leave it running. Esc stays."
        }
        DialogKind::RewriteJournal => {
            "The incident's journal was removed or replaced while this console wrote it, and nothing more is recorded. Enter writes it again at its path from the records this console holds (their times and authors as they were), and recording goes on. Esc leaves it unrecorded; q quits."
        }
        DialogKind::EndDrill => {
            "Enter ends it: no more injects, the incident is resolved, the scorecard is final."
        }
        DialogKind::ConfirmPage { .. }
        | DialogKind::ConfirmAck { .. }
        | DialogKind::Silence
        | DialogKind::ExpireSilences
        | DialogKind::HandedOver
        | DialogKind::Approve => "",
        DialogKind::Handover => {
            "Who takes command (they and you see a summary of where things stand; it is journaled):"
        }
        DialogKind::Assign => {
            "The step or one of its checks, then who is on it (empty: nobody, taken back):"
        }
    }
}

/// The prompt as drawn: every line sanitised, commands shown line by line.
fn prompt_lines(state: &State, dialog: &Dialog, view: &View, width: u16) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = sanitize_text(&prompt_text(state, dialog.kind))
        .lines()
        .map(|l| Line::styled(l.to_owned(), view.theme.style(Slot::Text)))
        .collect();
    if dialog.kind == DialogKind::SetState {
        lines.push(settable_line(state, &dialog.field.text, view));
    }
    // A message longer than the field is read whole before it goes to stakeholders.
    let text = &dialog.field.text;
    let field_width = usize::from(width.saturating_sub(6));
    if matches!(dialog.kind, DialogKind::Update | DialogKind::Resolve)
        && text.chars().count() > field_width
    {
        lines.push(Line::styled(
            format!("It reads: {}", one_line(text)),
            view.theme.style(Slot::Muted),
        ));
    }
    lines
}

/// The components the set-state dialog's text picks, with their state now; Enter takes the only
/// one (or the one whose id it is).
fn settable_line(state: &State, typed: &str, view: &View) -> Line<'static> {
    let picked = crate::view::drill::settable(state, typed);
    let shown: Vec<String> = picked
        .iter()
        .take(8)
        .map(|&i| {
            let c = &state.config.components[i];
            format!(
                "{} ({}, {})",
                one_line(&c.id),
                one_line(&c.name),
                state.world.health[i].state
            )
        })
        .collect();
    let more = picked.len().saturating_sub(shown.len());
    let text = match (picked.len(), more) {
        (0, _) => "No simulated component matches; Enter says which were meant.".to_owned(),
        (1, _) => format!("Enter sets {}", shown.join("")),
        (_, 0) => format!("Matches: {}", shown.join(" · ")),
        (_, more) => format!("Matches: {} · +{more} more", shown.join(" · ")),
    };
    Line::styled(text, view.theme.style(Slot::Muted))
}

fn render_dialog(frame: &mut Frame, area: Rect, state: &State, view: &View, dialog: &Dialog) {
    let theme = &view.theme;
    let choices = dialog.choices();
    let text_rows = u16::from(dialog.has_text()) * 3;
    let width = area.width.saturating_sub(4).min(100);
    let status = match (&dialog.error, dialog.pending) {
        (Some(error), _) => Line::styled(one_line(error), theme.style(Slot::Breach)),
        (None, true) => Line::styled("Writing to the journal…", theme.style(Slot::Muted)),
        (None, false) => Line::raw(""),
    };
    // An error is read whole: it wraps onto as many rows as it needs.
    let status = Paragraph::new(status).wrap(Wrap { trim: true });
    let status_rows = (status.line_count(width.saturating_sub(2)) as u16).max(1);
    let fixed = text_rows + choices.len() as u16 + status_rows + 1;
    let prompt =
        Paragraph::new(prompt_lines(state, dialog, view, width)).wrap(Wrap { trim: false });
    let prompt_rows = prompt.line_count(width.saturating_sub(2)) as u16;
    let outer = popup(frame, area, width, prompt_rows + fixed + 2);
    let block = view.block(title_of(dialog, state));
    let inner = block.inner(outer);
    frame.render_widget(block, outer);
    let room = inner.height.saturating_sub(fixed).max(1);
    let hidden = prompt_rows.saturating_sub(room);
    let scroll = (dialog.scroll as u16).min(hidden);
    let [prompt_area, input, list, message, hint] = Layout::vertical([
        Constraint::Length(room),
        Constraint::Length(text_rows),
        Constraint::Length(choices.len() as u16),
        Constraint::Length(status_rows),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(prompt.scroll((scroll, 0)), prompt_area);
    if dialog.has_text() {
        render_field(frame, input, "", &dialog.field, view);
    }
    let lines: Vec<Line> = choices
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let selected = i == dialog.choice;
            let marker = if selected { "> " } else { "  " };
            let style = if selected {
                theme.style(Slot::Selection)
            } else {
                theme.style(Slot::Text)
            };
            Line::styled(format!("{marker}{}", one_line(label)), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    frame.render_widget(status, message);
    let more = match (scroll > 0, scroll < hidden) {
        (_, true) => format!("↓ {} more lines · ", hidden - scroll),
        (true, false) => "↑ back to the top · ".to_owned(),
        (false, false) => String::new(),
    };
    let keys = if choices.is_empty() {
        format!("{more}Enter confirm · Esc cancel")
    } else {
        format!("{more}↑/↓ choose · Enter confirm · Esc cancel")
    };
    frame.render_widget(Paragraph::new(keys).style(theme.style(Slot::Muted)), hint);
}

fn render_help(frame: &mut Frame, area: Rect, state: &State, view: &View, scroll: usize) {
    let theme = &view.theme;
    let sections = [
        (
            format!("{} screen", state.ui.screen),
            vec![state.ui.screen.context(), Context::Global],
        ),
        ("In dialogs".to_owned(), vec![Context::Dialog]),
        ("In the command palette".to_owned(), vec![Context::Palette]),
        ("Everywhere".to_owned(), vec![Context::Any]),
    ];
    let mut lines = Vec::new();
    for (title, contexts) in sections {
        lines.push(Line::styled(title, theme.style(Slot::Accent)));
        for (keys, action) in state.keymap.help(&contexts) {
            let keys: Vec<String> = keys.iter().map(ToString::to_string).collect();
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<18}", keys.join(", ")),
                    theme.style(Slot::Selection),
                ),
                Span::styled(format!(" {}", action.info().label), theme.style(Slot::Text)),
            ]));
        }
        lines.push(Line::raw(""));
    }
    let outer = popup(frame, area, 70, area.height);
    let max_scroll = lines
        .len()
        .saturating_sub(usize::from(outer.height.saturating_sub(2)));
    let paragraph = Paragraph::new(lines)
        .scroll((scroll.min(max_scroll) as u16, 0))
        .block(view.block(" Keys · j/k scroll · Esc close "));
    frame.render_widget(paragraph, outer);
}

fn render_palette(frame: &mut Frame, area: Rect, state: &State, view: &View, selected: usize) {
    let theme = &view.theme;
    let Some(Overlay::Palette { field, .. }) = &state.ui.overlay else {
        return;
    };
    let matches = palette::matches(state, &field.text);
    let height = 3 + 2 + matches.len().max(1) as u16;
    let outer = popup(frame, area, 72, height);
    let block = view.block(" Command palette · fuzzy: sv finds severity ");
    let inner = block.inner(outer);
    frame.render_widget(block, outer);
    let [input, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(inner);
    render_field(frame, input, ":", field, view);
    if matches.is_empty() {
        let none = Line::styled("No command matches.", theme.style(Slot::Muted));
        frame.render_widget(Paragraph::new(none), list);
        return;
    }
    let items: Vec<ListItem> = matches.iter().map(|e| palette_item(view, *e)).collect();
    let widget = List::new(items).highlight_style(theme.style(Slot::Selection));
    let mut list_state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(widget, list, &mut list_state);
}

fn palette_item(view: &View, entry: palette::Entry) -> ListItem<'static> {
    ListItem::new(Line::from(vec![
        Span::styled(
            format!(
                " {:<14} {:<44}",
                entry.action.to_string(),
                entry.action.info().label
            ),
            view.theme.style(Slot::Text),
        ),
        Span::styled(format!(" {}", entry.key), view.theme.style(Slot::Muted)),
    ]))
}

/// Width of `text` on screen.
fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// The end of `text` that fits in `room` columns.
fn tail(text: &str, room: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices().rev() {
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used > room {
            return &text[i + c.len_utf8()..];
        }
    }
    text
}

/// A one-line text field as drawn: sanitised, the cursor shown, scrolled so the cursor is visible.
#[must_use]
pub fn field_line(field: &Field, columns: u16, view: &View) -> Line<'static> {
    let (before, under, after) = field.split();
    let before = one_line(before);
    let under = under.map_or_else(|| " ".to_owned(), |c| one_line(c.encode_utf8(&mut [0; 4])));
    let room = usize::from(columns).saturating_sub(width(&under));
    let before = tail(&before, room).to_owned();
    let text = view.theme.style(Slot::Text);
    let cursor = view
        .theme
        .style(Slot::Selection)
        .add_modifier(Modifier::REVERSED);
    Line::from(vec![
        Span::styled(before, text),
        Span::styled(under, cursor),
        Span::styled(one_line(after), text),
    ])
}

/// The filter's prompt line in the footer: `/` and the text, the list stays in view above.
#[must_use]
pub fn filter_line(field: &Field, columns: u16, view: &View, hint: &'static str) -> Line<'static> {
    let room = columns.saturating_sub(1 + hint.len() as u16);
    let mut line = field_line(field, room, view);
    line.spans
        .insert(0, Span::styled("/", view.theme.style(Slot::Accent)));
    line.spans
        .push(Span::styled(hint, view.theme.style(Slot::Muted)));
    line
}

/// Draws a text field in a bordered box.
fn render_field(frame: &mut Frame, area: Rect, title: &str, field: &Field, view: &View) {
    let block = view.block(title.to_owned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    frame.render_widget(Paragraph::new(field_line(field, inner.width, view)), inner);
}
