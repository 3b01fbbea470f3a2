//! A one-line text field: its text and a cursor, edited by keys. Pure: no terminal, no widget.

use crossterm::event::{KeyCode, KeyModifiers};

use crate::keymap::Key;

/// Longest text a field accepts; a bigger paste is cut here.
pub const MAX_INPUT: usize = 4000;

/// A one-line text field (dialogs, filter, palette).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    /// The cursor, in characters from the start.
    pub cursor: usize,
}

impl Field {
    /// A field holding `text` (newlines become spaces), the cursor at its end. Prefilled text
    /// (a component's name from the config) is kept as it is, shown escaped.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut field = Self::default();
        field.put(text, false);
        field
    }

    /// The text before the cursor, the character under it (if any) and the rest.
    #[must_use]
    pub fn split(&self) -> (&str, Option<char>, &str) {
        let at = self.byte(self.cursor);
        let (before, rest) = self.text.split_at(at);
        let mut chars = rest.chars();
        let under = chars.next();
        (before, under, chars.as_str())
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte(&self, at: usize) -> usize {
        self.text
            .char_indices()
            .nth(at)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Inserts typed or pasted text at the cursor: newlines, carriage returns and tabs become
    /// spaces, other control characters (the escape sequences of a coloured terminal's copy)
    /// are not text and are left out, and the field never grows past [`MAX_INPUT`] characters.
    pub fn insert(&mut self, text: &str) {
        self.put(text, true);
    }

    fn put(&mut self, text: &str, typed: bool) {
        let room = MAX_INPUT.saturating_sub(self.len());
        let clean: String = text
            .chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !(typed && c.is_control()))
            .take(room)
            .collect();
        let at = self.byte(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Replaces the text, the cursor at its end.
    pub fn set(&mut self, text: &str) {
        *self = Self::new(text);
    }

    fn remove(&mut self, from: usize, to: usize) {
        let (a, b) = (self.byte(from), self.byte(to));
        self.text.replace_range(a..b, "");
        self.cursor = from;
    }

    /// The start of the word before the cursor (readline's `Ctrl-W`).
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.text.chars().take(self.cursor).collect();
        let mut at = chars.len();
        while at > 0 && chars[at - 1] == ' ' {
            at -= 1;
        }
        while at > 0 && chars[at - 1] != ' ' {
            at -= 1;
        }
        at
    }

    /// Applies an editing key; false when the key is not one a text field knows.
    pub fn edit(&mut self, key: Key) -> bool {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char(c) if !ctrl && !key.mods.contains(KeyModifiers::ALT) => {
                self.insert(c.encode_utf8(&mut [0; 4]));
            }
            KeyCode::Char('u') if ctrl => self.remove(0, self.cursor),
            KeyCode::Char('k') if ctrl => self.remove(self.cursor, self.len()),
            KeyCode::Char('w') if ctrl => self.remove(self.word_start(), self.cursor),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Backspace if self.cursor > 0 => self.remove(self.cursor - 1, self.cursor),
            KeyCode::Delete if self.cursor < self.len() => {
                self.remove(self.cursor, self.cursor + 1);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }
}

/// True for a key that types a character (no Ctrl or Alt).
#[must_use]
pub fn is_text(key: Key) -> bool {
    matches!(key.code, KeyCode::Char(_))
        && !key
            .mods
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> Key {
        Key::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn typing_inserts_at_the_cursor() {
        let mut field = Field::new("helo");
        field.edit(key(KeyCode::Left));
        field.edit(key(KeyCode::Char('l')));
        assert_eq!(field.text, "hello");
        assert_eq!(field.cursor, 4);
        field.edit(key(KeyCode::Home));
        field.edit(key(KeyCode::Delete));
        assert_eq!(field.text, "ello");
    }

    #[test]
    fn readline_keys_cut_words_and_lines() {
        let mut field = Field::new("page the  dba");
        field.edit(ctrl('w'));
        assert_eq!(field.text, "page the  ");
        field.edit(ctrl('w'));
        assert_eq!(field.text, "page ");
        field.edit(ctrl('u'));
        assert_eq!(field.text, "");
        assert!(!field.edit(key(KeyCode::Enter)));
    }

    #[test]
    fn pastes_lose_newlines_and_stop_at_the_cap() {
        let mut field = Field::new("a\nb\r");
        assert_eq!(field.text, "a b ");
        field.insert(&"x".repeat(MAX_INPUT * 2));
        assert_eq!(field.text.chars().count(), MAX_INPUT);
    }

    #[test]
    fn multibyte_text_edits_by_character() {
        let mut field = Field::new("火事🔥");
        field.edit(key(KeyCode::Backspace));
        field.edit(key(KeyCode::Left));
        field.edit(key(KeyCode::Char('x')));
        assert_eq!(field.text, "火x事");
    }
}
