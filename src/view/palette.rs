//! The command palette: every action of the current screen and the global ones, with its key,
//! ranked by a fuzzy matcher so `sv` finds "severity" and `pg` finds "page".

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::keymap::{Action, Key};
use crate::state::State;

/// An action the palette offers, with the key that does the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    pub key: Key,
}

/// The palette's entries: the actions bound on the current screen and globally, in keymap order.
fn entries(state: &State) -> Vec<Entry> {
    let contexts = [state.ui.screen.context(), crate::keymap::Context::Global];
    state
        .keymap
        .help(&contexts)
        .into_iter()
        .filter(|(_, action)| !matches!(action, Action::Palette | Action::Cancel | Action::Confirm))
        .map(|(keys, action)| Entry {
            action,
            key: keys[0],
        })
        .collect()
}

/// The entries matching `query`, best first (ties in keymap order); all of them for no query.
#[must_use]
pub fn matches(state: &State, query: &str) -> Vec<Entry> {
    let entries = entries(state);
    let query = query.trim();
    if query.is_empty() {
        return entries;
    }
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize, Entry)> = entries
        .into_iter()
        .enumerate()
        .filter_map(|(order, entry)| {
            let name = entry.action.to_string();
            let name_score = pattern.score(Utf32Str::new(&name, &mut buf), &mut matcher);
            let text = format!("{name} {}", entry.action.info().label);
            let text_score = pattern.score(Utf32Str::new(&text, &mut buf), &mut matcher);
            let score = name_score.map(|s| s * 2).max(text_score)?;
            Some((score, order, entry))
        })
        .collect();
    scored.sort_by_key(|&(score, order, _)| (std::cmp::Reverse(score), order));
    scored.into_iter().map(|(_, _, entry)| entry).collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn first(query: &str) -> Action {
        let state = crate::demo::state(
            "ic@host",
            chrono::Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap(),
        );
        matches(&state, query)[0].action
    }

    #[test]
    fn abbreviations_find_their_action() {
        assert_eq!(first("sv"), Action::Severity);
        assert_eq!(first("pg"), Action::Page);
        assert_eq!(first("ack"), Action::Acknowledge);
        assert_eq!(first("rec"), Action::Recover);
        assert_eq!(first("note"), Action::Note);
    }

    #[test]
    fn every_action_of_the_screen_is_offered_with_its_key() {
        let state = crate::demo::state(
            "ic@host",
            chrono::Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap(),
        );
        let all = matches(&state, "");
        for action in [
            Action::Recover,
            Action::Filter,
            Action::Declare,
            Action::Quit,
            Action::Help,
        ] {
            assert!(all.iter().any(|e| e.action == action), "{action} missing");
        }
        let recover = all.iter().find(|e| e.action == Action::Recover).unwrap();
        assert_eq!(recover.key.to_string(), "r");
        assert!(matches(&state, "zzzz").is_empty());
    }
}
