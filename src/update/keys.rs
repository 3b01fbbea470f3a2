//! Keys and actions: a key resolved through the keymap, typed text into the focused field, and
//! each action routed to the screen or feature that owns it.

use chrono::{DateTime, Utc};

use super::{
    PAGE, approval, dialog_action, drill, escalation, handover, open_declare, open_dialog,
    open_incident_dialog, recovery, review, runbooks, silence,
};
use crate::input::field::{Field, is_text};
use crate::keymap::{Action, Context, Key};
use crate::msg::Effect;
use crate::state::{DialogKind, Overlay, Screen, State, Viewer};
use crate::view::palette;

/// A key: text for the focused field when it types or edits, else the action bound to it.
pub(super) fn on_key(state: &mut State, key: Key, now: DateTime<Utc>) -> Vec<Effect> {
    let bound = state.keymap.lookup(&state.key_contexts(), key);
    let typing = state.field().is_some() && (is_text(key) || bound.is_none());
    if typing {
        if state.field_mut().is_some_and(|f| f.edit(key)) {
            field_changed(state);
        } else {
            unbound(state, key);
        }
        return Vec::new();
    }
    match bound {
        Some(action) => on_action(state, action, now),
        None => {
            unbound(state, key);
            Vec::new()
        }
    }
}

/// A key with no binding here does nothing, and says so.
fn unbound(state: &mut State, key: Key) {
    let help = state
        .keymap
        .key_for(&[Context::Global], Action::Help)
        .map_or_else(String::new, |k| format!(" ({k} lists the keys)"));
    state.ui.flash = Some(format!("{key} does nothing here{help}"));
}

/// A paste goes to the focused field as text, and nowhere else.
pub(super) fn paste(state: &mut State, text: &str) {
    match state.field_mut() {
        Some(field) => {
            field.insert(text);
            field_changed(state);
        }
        None => state.ui.flash = Some("Paste ignored: no text field is open".into()),
    }
}

/// What follows a change of the focused field's text.
pub(super) fn field_changed(state: &mut State) {
    let filter = match &mut state.ui.overlay {
        Some(Overlay::Palette { selected, .. }) => {
            *selected = 0;
            None
        }
        Some(Overlay::Dialog(dialog)) => {
            dialog.error = None;
            dialog.warned = false;
            (dialog.kind == DialogKind::Filter).then(|| dialog.field.text.clone())
        }
        _ => None,
    };
    if let Some(text) = filter {
        *state.ui.filter_mut() = text;
        state.ui.list_mut(state.ui.screen).selected = 0;
        runbooks::keep_visible(state);
    }
}

pub(super) fn on_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    if action == Action::Quit {
        return super::quit::asked(state);
    }
    match &state.ui.overlay {
        Some(Overlay::Help { .. } | Overlay::Detail { .. } | Overlay::Record { .. }) => {
            panel_action(state, action);
            Vec::new()
        }
        Some(Overlay::Palette { .. }) => palette_action(state, action, now),
        Some(Overlay::Dialog(_)) => dialog_action(state, action, now),
        None => screen_action(state, action, now),
    }
}

/// Keys in a read-only panel (help, component detail, a record): scroll or close.
fn panel_action(state: &mut State, action: Action) {
    let Some(
        Overlay::Help { scroll } | Overlay::Detail { scroll, .. } | Overlay::Record { scroll, .. },
    ) = &mut state.ui.overlay
    else {
        return;
    };
    match action {
        Action::Down => *scroll += 1,
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Cancel | Action::Help => state.ui.overlay = None,
        _ => {}
    }
}

fn palette_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(Overlay::Palette { field, .. }) = &state.ui.overlay else {
        return Vec::new();
    };
    let matches = palette::matches(state, &field.text);
    let Some(Overlay::Palette { selected, .. }) = &mut state.ui.overlay else {
        return Vec::new();
    };
    match action {
        Action::Down => *selected = (*selected + 1).min(matches.len().saturating_sub(1)),
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Cancel => state.ui.overlay = None,
        Action::Confirm => {
            let chosen = matches.get(*selected).map(|e| e.action);
            state.ui.overlay = None;
            if let Some(chosen) = chosen {
                return on_action(state, chosen, now);
            }
        }
        _ => {}
    }
    Vec::new()
}

// One exhaustive match over every action, so a new action cannot be forgotten here.
#[allow(clippy::too_many_lines)]
pub(super) fn screen_action(state: &mut State, action: Action, now: DateTime<Utc>) -> Vec<Effect> {
    if state.viewer().is_some() && action.info().writes {
        state.ui.flash = Some(match state.viewer() {
            Some(Viewer::Replay) => "Replay only shows the incident; nothing can be changed".into(),
            _ => "Following read-only: the writing console makes the changes".into(),
        });
        return Vec::new();
    }
    if state.ui.screen == Screen::Review
        && let Some(effects) = review::action(state, action, now)
    {
        return effects;
    }
    if state.ui.screen == Screen::Runbooks
        && let Some(effects) = runbooks::screen_action(state, action, now)
    {
        return effects;
    }
    state.ui.flash = None;
    match action {
        Action::Quit => return super::quit::asked(state),
        Action::Help => state.ui.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Palette => {
            state.ui.overlay = Some(Overlay::Palette {
                field: Field::default(),
                selected: 0,
            });
        }
        // Every screen takes what follows `/` as the filter's text, never as keys; the review,
        // which has no rows, says that it drops it.
        Action::Filter => {
            let text = state.ui.filter().to_owned();
            open_dialog(state, DialogKind::Filter, text, 0);
        }
        Action::Cancel => state.ui.filter_mut().clear(),
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => {
            move_selection(state, action);
        }
        Action::NextScreen | Action::PrevScreen => {
            let drill = state.is_drill();
            state.ui.screen = state.ui.screen.cycle(action == Action::NextScreen, drill);
            if state.ui.screen == Screen::Review {
                review::show(state);
            }
        }
        Action::Dashboard => state.ui.screen = Screen::Dashboard,
        Action::Timeline => state.ui.screen = Screen::Timeline,
        Action::Escalation => state.ui.screen = Screen::Escalation,
        Action::Runbooks => state.ui.screen = Screen::Runbooks,
        Action::Run
        | Action::MarkDone
        | Action::MarkSkipped
        | Action::MarkFailed
        | Action::TickCheck
        | Action::UntickCheck
        | Action::Assign
        | Action::CancelRun
        | Action::ScrollDown
        | Action::ScrollUp => {}
        Action::Recover => return recovery::open(state),
        Action::Review => {
            state.ui.screen = Screen::Review;
            review::show(state);
        }
        Action::Edit | Action::Save | Action::Regenerate => {}
        Action::Acknowledge => return escalation::acknowledge(state, now),
        Action::Page => return escalation::page(state, now),
        Action::Declare => open_declare(state),
        Action::Silence => silence::open(state, now),
        Action::Handover => handover::open(state),
        Action::Approve => approval::open(state),
        Action::Severity
        | Action::Status
        | Action::Roles
        | Action::Note
        | Action::Resolve
        | Action::Update => {
            open_incident_dialog(state, action);
        }
        Action::Confirm => open_detail(state),
        Action::NextChoice | Action::PrevChoice => {}
        Action::Drill
        | Action::Pause
        | Action::Faster
        | Action::Slower
        | Action::SeekBack
        | Action::SeekForward
        | Action::FireInject
        | Action::InjectMessage
        | Action::SetState
        | Action::EndDrill => return drill::action(state, action, now),
    }
    Vec::new()
}

/// Enter: the selected component's detail on the dashboard, the selected record whole on the
/// timeline.
fn open_detail(state: &mut State) {
    if state.ui.screen == Screen::Timeline && state.journal_name().is_some() {
        let selected = state.ui.list(Screen::Timeline).selected;
        let seq = state
            .timeline_index()
            .newest(selected)
            .and_then(|n| state.records.get(n))
            .map(|r| r.seq);
        if let Some(seq) = seq {
            state.ui.overlay = Some(Overlay::Record { seq, scroll: 0 });
        }
        return;
    }
    if state.ui.screen != Screen::Dashboard {
        return;
    }
    let selected = state.ui.list(Screen::Dashboard).selected;
    if let Some(&index) = state.dashboard_rows().get(selected) {
        state.ui.overlay = Some(Overlay::Detail { index, scroll: 0 });
    }
}

fn move_selection(state: &mut State, action: Action) {
    let len = match state.ui.screen {
        Screen::Dashboard => state.dashboard_rows().len(),
        Screen::Timeline => state.timeline_len(),
        Screen::Escalation => 0,
        Screen::Runbooks => crate::view::runbooks::ordered(state).len(),
        Screen::Review => 0,
        Screen::Drill => crate::view::drill::visible_injects(state).len(),
    };
    let last = len.saturating_sub(1);
    let list = state.ui.list_mut(state.ui.screen);
    list.selected = match action {
        Action::Up => list.selected.saturating_sub(1),
        Action::Down => list.selected + 1,
        Action::PageUp => list.selected.saturating_sub(PAGE),
        Action::PageDown => list.selected + PAGE,
        Action::Top => 0,
        _ => last,
    }
    .min(last);
}
