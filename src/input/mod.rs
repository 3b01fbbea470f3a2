//! The input pipeline: every terminal event in arrival order, held while the state waits for a
//! journal write, and routed to the state it meets once that write has landed. Nothing is
//! dropped, nothing reaches a stale screen.

pub mod field;

use std::collections::VecDeque;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::keymap::Key;
use crate::msg::Msg;
use crate::state::State;
use crate::ui::View;

/// Terminal events not yet handed to `update`, oldest first.
#[derive(Debug, Default)]
pub struct Pipeline {
    held: VecDeque<TermEvent>,
}

impl Pipeline {
    /// Takes an event from the terminal, behind those already waiting.
    pub fn push(&mut self, event: TermEvent) {
        self.held.push_back(event);
    }

    /// The next message for `update`; none while the state waits for the journal (the events
    /// stay held, in order) or when nothing waits.
    pub fn next(&mut self, state: &State, view: &mut View) -> Option<Msg> {
        while !state.awaiting_journal() {
            let event = self.held.pop_front()?;
            let event = self.split_escape(state, event);
            if let Some(msg) = route(state, view, event) {
                return Some(msg);
            }
        }
        None
    }

    /// `Esc` and the key after it in one read reach us as `Alt` + that key; unless `Alt` + key is
    /// bound, they are the two keys the person pressed (the second waits its turn).
    fn split_escape(&mut self, state: &State, event: TermEvent) -> TermEvent {
        let TermEvent::Key(key) = event else {
            return event;
        };
        let bound = || {
            state
                .keymap
                .lookup(&state.key_contexts(), Key::from(key))
                .is_some()
        };
        if !key.modifiers.contains(KeyModifiers::ALT) || bound() {
            return event;
        }
        let mut plain = key;
        plain.modifiers.remove(KeyModifiers::ALT);
        self.held.push_front(TermEvent::Key(plain));
        TermEvent::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
    }
}

/// True while the review editor has the keys.
fn editor_has_keys(state: &State) -> bool {
    state.key_contexts().first() == Some(&crate::keymap::Context::Editor)
}

/// What a terminal event means in the state it meets. The review editor (a widget beside the
/// state) takes its text keys and pastes here; everything else becomes a message.
fn route(state: &State, view: &mut View, event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) if key.kind == KeyEventKind::Release => None,
        TermEvent::Key(event) => {
            let key = Key::from(event);
            let bound = state.keymap.lookup(&state.key_contexts(), key).is_some();
            if editor_has_keys(state) && !bound {
                view.editor.input(event);
                return Some(Msg::ReviewEdited(view.editor_text()));
            }
            Some(Msg::Key(key))
        }
        TermEvent::Paste(text) if editor_has_keys(state) => {
            view.editor
                .insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
            Some(Msg::ReviewEdited(view.editor_text()))
        }
        TermEvent::Paste(text) => Some(Msg::Paste(text)),
        TermEvent::Resize(..) => Some(Msg::Resize),
        TermEvent::FocusGained | TermEvent::FocusLost | TermEvent::Mouse(_) => None,
    }
}

#[cfg(test)]
mod tests;
