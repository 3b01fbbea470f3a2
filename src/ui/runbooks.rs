//! Screen 2: the runbooks (those for the selected component first) and the stepper.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};

use super::{Slot, View};
use crate::domain::event::StepMark;
use crate::runbook::Part;
use crate::sanitize::one_line;
use crate::state::{Screen, State};
use crate::view::runbooks::{StepStatus, ordered, status, verification};

fn status_label(status: &StepStatus) -> (&'static str, Slot) {
    match status {
        StepStatus::Pending => ("pending", Slot::Muted),
        StepStatus::Running => ("RUNNING", Slot::Accent),
        StepStatus::Interrupted => ("INTERRUPTED, outcome unknown", Slot::Warn),
        StepStatus::LeftRunning => ("LEFT RUNNING, outcome unknown", Slot::Warn),
        StepStatus::Ran {
            succeeded: true, ..
        } => ("ran ok", Slot::Up),
        StepStatus::Ran {
            succeeded: false, ..
        } => ("FAILED", Slot::Down),
        StepStatus::Marked(StepMark::Done) => ("done", Slot::Up),
        StepStatus::Marked(StepMark::Skipped) => ("skipped", Slot::Muted),
        StepStatus::Marked(StepMark::Failed) => ("FAILED", Slot::Down),
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let [list, stepper] =
        Layout::horizontal([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(area);
    let on_what = crate::view::assignments::who_is_on_what(state);
    if on_what.is_empty() {
        render_list(frame, list, state, view);
    } else {
        let shown = u16::try_from(on_what.len().min(MOST_ON_WHAT)).unwrap_or(1);
        let [list, who] =
            Layout::vertical([Constraint::Min(6), Constraint::Length(shown + 2)]).areas(list);
        render_list(frame, list, state, view);
        render_on_what(frame, who, &on_what, view);
    }
    render_stepper(frame, stepper, state, view);
}

/// Most lines of "who is on what" shown under the runbooks (the last says how many more).
const MOST_ON_WHAT: usize = 8;

/// Who is on what: each person and the step, check or command they are on.
fn render_on_what(
    frame: &mut Frame,
    area: Rect,
    on_what: &[crate::view::assignments::OnWhat],
    view: &View,
) {
    let theme = &view.theme;
    let room = usize::from(area.height.saturating_sub(2));
    let mut lines: Vec<Line> = on_what
        .iter()
        .take(if on_what.len() > room {
            room.saturating_sub(1)
        } else {
            room
        })
        .map(|o| {
            Line::from(vec![
                Span::styled(
                    format!("{} ", one_line(&o.person)),
                    theme.style(Slot::Accent),
                ),
                Span::styled(one_line(&o.what), theme.style(Slot::Text)),
            ])
        })
        .collect();
    if on_what.len() > lines.len() {
        lines.push(Line::styled(
            format!("+{} more", on_what.len() - lines.len()),
            theme.style(Slot::Muted),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines).block(view.block(" Who is on what ")),
        area,
    );
}

fn render_list(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let mut items: Vec<ListItem> = ordered(state)
        .into_iter()
        .map(|(i, suggested)| {
            let rb = &state.runbooks[i];
            let mut detail = vec![Span::raw("  ")];
            if suggested {
                detail.push(Span::styled("suggested · ", theme.style(Slot::Accent)));
            }
            detail.push(Span::styled(
                format!(
                    "{} · {}",
                    one_line(&rb.id),
                    one_line(&rb.components.join(", "))
                ),
                theme.style(Slot::Muted),
            ));
            ListItem::new(vec![
                Line::styled(one_line(&rb.title), theme.style(Slot::Text)),
                Line::from(detail),
            ])
        })
        .collect();
    for bad in &state.invalid_runbooks {
        items.push(ListItem::new(Line::styled(
            format!("invalid: {}", one_line(&bad.to_string())),
            theme.style(Slot::Warn),
        )));
    }
    if items.is_empty() {
        let dirs: Vec<String> = state
            .config
            .runbook_dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        let text = format!(
            "No runbooks. Put Markdown runbooks in {}.",
            one_line(&dirs.join(" or "))
        );
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(view.block(" Runbooks ")),
            area,
        );
        return;
    }
    let selected = state
        .ui
        .stepper
        .and_then(|(rb, _)| ordered(state).iter().position(|&(i, _)| i == rb))
        .unwrap_or(state.ui.list(Screen::Runbooks).selected);
    let list = List::new(items)
        .highlight_style(theme.style(Slot::Selection))
        .block(view.block(" Runbooks "));
    let mut list_state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn render_stepper(frame: &mut Frame, area: Rect, state: &State, view: &View) {
    let theme = &view.theme;
    let Some((rb, step)) = state.ui.stepper else {
        let open = state
            .keymap
            .key_for(&state.key_contexts(), crate::keymap::Action::Confirm)
            .map_or_else(|| "The palette (:)".to_owned(), |k| k.to_string());
        let text = format!(
            "{open} opens the selected runbook: its steps, their commands and checks. The footer lists the stepper's keys."
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.style(Slot::Muted))
                .wrap(Wrap { trim: true })
                .block(view.block(" Stepper ")),
            area,
        );
        return;
    };
    let runbook = &state.runbooks[rb];
    let [steps, detail, output] = Layout::vertical([
        Constraint::Length(runbook.steps.len().clamp(1, 12) as u16 + 2),
        Constraint::Min(5),
        Constraint::Length(if area.height < 30 { 6 } else { 12 }),
    ])
    .areas(area);
    let visible = crate::view::runbooks::visible_steps(state, rb);
    let items: Vec<ListItem> = visible
        .iter()
        .map(|&i| (i, &runbook.steps[i]))
        .map(|(i, s)| {
            let (label, slot) = status_label(&status(state, &runbook.id, i));
            let mut spans = vec![
                Span::styled(format!("{:>2}. ", i + 1), theme.style(Slot::Text)),
                Span::styled(format!("{} ", one_line(&s.title)), theme.style(Slot::Text)),
                Span::styled(label, theme.style(slot)),
            ];
            let check = match (s.expect.is_some(), verification(state, &runbook.id, i)) {
                (true, Some(Some(true))) => Some((" · verified", Slot::Up)),
                (true, Some(Some(false))) => Some((" · NOT VERIFIED", Slot::Warn)),
                (true, Some(None)) => Some((" · verifying…", Slot::Accent)),
                _ => None,
            };
            if let Some((text, slot)) = check {
                spans.push(Span::styled(text, theme.style(slot)));
            }
            if let Some(given) = crate::view::assignments::owner(state, &runbook.id, i, None) {
                let text = format!(" · on it: {}", one_line(&given.to));
                spans.push(Span::styled(text, theme.style(Slot::Accent)));
            }
            match timing(state, runbook, i) {
                // Overdue leads the line, where a narrow terminal still shows it.
                Some((text, Slot::Warn)) => spans.insert(
                    1,
                    Span::styled(
                        format!("{} · ", text.trim_start_matches(" · ")),
                        theme.style(Slot::Warn),
                    ),
                ),
                Some((text, slot)) => spans.push(Span::styled(text, theme.style(slot))),
                None => {}
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let filter = if state.ui.step_filter.is_empty() {
        String::new()
    } else {
        format!(
            "· filter \"{}\" · {} of {} steps ",
            one_line(&state.ui.step_filter),
            visible.len(),
            runbook.steps.len()
        )
    };
    let list = List::new(items)
        .highlight_style(theme.style(Slot::Selection))
        .block(view.block(stepper_title(state, runbook, &filter, steps.width)));
    let selected = visible.iter().position(|&i| i == step);
    frame.render_stateful_widget(
        list,
        steps,
        &mut ListState::default().with_selected(selected),
    );
    let lines = if selected.is_some() {
        step_lines(state, view, runbook, step)
    } else {
        vec![Line::styled(
            "No step matches the filter; Esc clears it.",
            theme.style(Slot::Muted),
        )]
    };
    render_step(frame, detail, state, view, (rb, step), lines);
    render_output(frame, output, state, view, &runbook.id, step);
}

/// The selected step's text, scrolled as asked and never past its end; a mark at the bottom
/// says when there is more below (or above) and which key shows it.
fn render_step(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    view: &View,
    open: (usize, usize),
    lines: Vec<Line<'static>>,
) {
    // Untrimmed: nested lists and code keep their indentation.
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let (width, height) = (area.width.saturating_sub(2), area.height.saturating_sub(2));
    let total = u16::try_from(paragraph.line_count(width)).unwrap_or(u16::MAX);
    let last = total.saturating_sub(height);
    let offset = match state.ui.step_scroll {
        Some((at, offset)) if at == open => offset.min(last),
        _ => 0,
    };
    let mut block = view.block(format!(" Step {} ", open.1 + 1));
    let key = |action| state.key_name(action);
    let mark = match (offset > 0, offset < last) {
        (_, true) => Some(format!(
            " more below: {} ",
            key(crate::keymap::Action::ScrollDown)
        )),
        (true, false) => Some(format!(
            " more above: {} ",
            key(crate::keymap::Action::ScrollUp)
        )),
        (false, false) => None,
    };
    if let Some(mark) = mark {
        block = block.title_bottom(Line::styled(mark, view.theme.style(Slot::Warn)));
    }
    frame.render_widget(paragraph.scroll((offset, 0)).block(block), area);
}

/// Time since the incident was declared, the clock phases and windows count on.
fn elapsed(state: &State) -> Option<chrono::TimeDelta> {
    state
        .incident
        .as_ref()
        .map(|i| i.elapsed(state.now).max(chrono::TimeDelta::zero()))
}

/// ` · due in 3m` or ` · OVERDUE 2m` for a step not done yet that has a window.
fn timing(state: &State, runbook: &crate::runbook::Runbook, step: usize) -> Option<(String, Slot)> {
    use crate::runbook::phase::{Due, due, short};
    let elapsed = elapsed(state)?;
    let window = runbook.window(step)?;
    let done = state
        .incident
        .as_ref()
        .and_then(|i| i.steps.get(&(runbook.id.clone(), step)))
        .and_then(|p| p.completed_at().or(p.marked_at))
        .is_some();
    if done {
        return None;
    }
    let brief = |d: chrono::TimeDelta| short(d.to_std().unwrap_or_default());
    Some(match due(window, elapsed) {
        Due::Upcoming => (format!(" · from {}", short(window.from)), Slot::Muted),
        Due::Now { left } => (format!(" · due in {}", brief(left)), Slot::Accent),
        Due::Open => (" · now".to_owned(), Slot::Accent),
        Due::Overdue { by } => (format!(" · OVERDUE {}", brief(by)), Slot::Warn),
    })
}

/// The runbook's title with the current phase after it, or, where the pane is too narrow for
/// both, the current phase first: at 3 a.m. on 80 columns the phase matters more than the title.
fn stepper_title(
    state: &State,
    runbook: &crate::runbook::Runbook,
    filter: &str,
    width: u16,
) -> String {
    let title = one_line(&runbook.title);
    let Some(phase) = current_phase(state, runbook) else {
        return format!(" {title} {filter}");
    };
    let full = format!(" {title} · now: {phase} {filter}");
    if full.chars().count() + 2 <= usize::from(width) {
        full
    } else {
        format!(" now: {phase} · {title} {filter}")
    }
}

/// The runbook's phase whose window holds the incident's elapsed time, if any.
fn current_phase(state: &State, runbook: &crate::runbook::Runbook) -> Option<String> {
    let elapsed = elapsed(state)?;
    runbook
        .phases
        .iter()
        .find(|p| {
            p.window
                .is_some_and(|w| crate::runbook::phase::due(w, elapsed).is_current())
        })
        .map(|p| one_line(&p.title))
}

/// A command as the stepper shows it: its script, then what its attributes say.
fn command_lines(cmd: &crate::runbook::Command, theme: &super::Theme) -> [Line<'static>; 2] {
    [
        Line::styled(
            format!("$ {}", one_line(cmd.script.trim_end())),
            theme.style(Slot::Accent),
        ),
        Line::styled(
            format!("  {}", one_line(&cmd.terms().join(" · "))),
            theme.style(Slot::Muted),
        ),
    ]
}

/// A check as the stepper shows it: ticked (by whom, when) or not, and who is on it.
fn check_line(
    check: &str,
    (ticked, owner): (
        Option<&(String, chrono::DateTime<chrono::Utc>)>,
        Option<&crate::domain::incident::Assignment>,
    ),
    theme: &super::Theme,
) -> Line<'static> {
    let on_it = owner.map(|o| format!(" · on it: {}", one_line(&o.to)));
    let check = format!("{check}{}", on_it.unwrap_or_default());
    match ticked {
        Some((who, at)) => Line::styled(
            format!(
                "[x] {} · {} {}",
                one_line(&check),
                one_line(who),
                super::time_of_day(*at)
            ),
            theme.style(Slot::Up),
        ),
        None => Line::styled(format!("[ ] {}", one_line(&check)), theme.style(Slot::Text)),
    }
}

/// The selected step: text and commands as written, checks, expectation, notes.
fn step_lines(
    state: &State,
    view: &View,
    runbook: &crate::runbook::Runbook,
    step: usize,
) -> Vec<Line<'static>> {
    let theme = &view.theme;
    let s = &runbook.steps[step];
    let mut lines: Vec<Line<'static>> = runbook
        .plan(step)
        .map(|l| Line::styled(one_line(&l), theme.style(Slot::Muted)))
        .into_iter()
        .collect();
    let ticked = state
        .incident
        .as_ref()
        .and_then(|i| i.steps.get(&(runbook.id.clone(), step)))
        .map(|p| &p.checks);
    // The runbook's preface (meaning, impact...) comes before its first step.
    if step == 0 && !runbook.preface.is_empty() {
        lines.extend(
            runbook
                .preface
                .lines()
                .map(|l| Line::styled(one_line(l), theme.style(Slot::Muted))),
        );
        lines.push(Line::raw(""));
    }
    // The step as written: its text and, where they stand, its commands and checks.
    for part in &s.body {
        match part {
            Part::Text(text) => lines.extend(text.lines().map(|l| Line::raw(one_line(l)))),
            Part::Command(n) => lines.extend(command_lines(&s.commands[*n], theme)),
            Part::Check(n) => lines.push(check_line(
                &s.checks[*n],
                (
                    ticked.and_then(|t| t.get(n)),
                    crate::view::assignments::owner(state, &runbook.id, step, Some(*n)),
                ),
                theme,
            )),
        }
    }
    if let Some(expect) = &s.expect {
        lines.push(Line::styled(
            format!("expects {}", one_line(&expect.to_string())),
            theme.style(Slot::Muted),
        ));
    }
    let notes = state
        .incident
        .iter()
        .flat_map(|i| i.step_notes.iter())
        .filter(|n| n.step.0 == runbook.id && n.step.1 == step);
    for note in notes {
        let text = format!(
            "note {} {}: {}",
            super::time_of_day(note.at),
            one_line(&note.actor),
            one_line(&note.text)
        );
        lines.push(Line::styled(text, theme.style(Slot::Text)));
    }
    lines
}

fn render_output(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    view: &View,
    runbook: &str,
    step: usize,
) {
    let run = state
        .incident
        .as_ref()
        .and_then(|i| i.steps.get(&(runbook.to_owned(), step)))
        .and_then(|p| p.runs.last());
    let lines: Vec<String> = match run {
        None => vec!["No run yet.".to_owned()],
        Some(run) => match (state.live_runs.get(&run.started), &run.finished) {
            (Some(live), finished) => {
                let mut lines: Vec<String> = live.output.iter().map(|l| one_line(l)).collect();
                if let Some((outcome, _, _)) = finished {
                    lines.push(format!("— {outcome}"));
                }
                lines
            }
            (None, Some((outcome, _, tail))) => {
                let mut lines: Vec<String> = tail.lines().map(one_line).collect();
                lines.push(format!("— {outcome}"));
                lines
            }
            (None, None) => vec!["Interrupted: warroom stopped while this ran. Its outcome is unknown; it is not run again by itself.".to_owned()],
        },
    };
    let height = usize::from(area.height.saturating_sub(2));
    let shown: Vec<Line> = lines
        .iter()
        .skip(lines.len().saturating_sub(height))
        .map(|l| Line::raw(l.clone()))
        .collect();
    frame.render_widget(Paragraph::new(shown).block(view.block(" Output ")), area);
}
