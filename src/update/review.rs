//! The review editor: a draft from the journal, edited in place, saved to the journal by hand
//! (`Ctrl-S`), on leaving the editor, and a few seconds after the last keystroke.

use chrono::{DateTime, TimeDelta, Utc};

use crate::domain::event::{Event, Record};
use crate::keymap::Action;
use crate::msg::Effect;
use crate::state::{JournalState, ReviewDraft, State};
use crate::view::review::unsaved;

/// Seconds after the last keystroke when unsaved text is saved.
pub const AUTOSAVE_AFTER: i64 = 3;
/// Sections people write; regenerating the draft keeps what they wrote there.
pub const HUMAN_SECTIONS: [&str; 5] = [
    "Summary",
    "What went well",
    "What could be improved",
    "Action items",
    "Prevention",
];
/// Longest review kept; a bigger paste is cut here.
pub const MAX_REVIEW: usize = 256 * 1024;

/// A fresh draft of the open (or last) incident's review.
#[must_use]
pub fn generate(state: &State) -> Option<String> {
    let incident = state.incident.as_ref()?;
    let context = crate::view::review::context(state, incident);
    let (name, template) = crate::review::template(state.config.review_template.as_ref());
    Some(
        crate::review::render(name, template, &context)
            .unwrap_or_else(|d| format!("The review template failed: {d}")),
    )
}

/// The body under each `## ` heading.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            out.push((title.trim().to_owned(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// A regenerated draft with the human-written sections of `current` carried over.
#[must_use]
pub fn merge(fresh: &str, current: &str) -> String {
    let written = sections(current);
    let mut out = String::new();
    let mut skipping = false;
    for line in fresh.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            out.push_str(line);
            out.push('\n');
            skipping = false;
            if HUMAN_SECTIONS.contains(&title.trim())
                && let Some((_, body)) = written.iter().find(|(t, _)| t == title.trim())
            {
                out.push_str(body);
                skipping = true;
            }
        } else if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn saved(state: &State) -> Option<&str> {
    state.incident.as_ref()?.review.as_deref()
}

/// The review as it stands: the saved text, with its generated sections brought up to date when
/// it was saved before the incident was resolved (what people wrote is kept); else the draft.
#[must_use]
pub fn current(state: &State) -> Option<String> {
    let incident = state.incident.as_ref()?;
    match saved(state) {
        Some(saved) if crate::review::saved_before_resolution(incident, &state.records) => {
            Some(merge(&generate(state)?, saved))
        }
        Some(saved) => Some(saved.to_owned()),
        None => generate(state),
    }
}

/// Opens the review screen with the saved review, else a fresh draft.
pub fn show(state: &mut State) {
    if state.ui.review.is_none() {
        let text = current(state);
        state.ui.review = text.map(|text| ReviewDraft {
            text,
            editing: false,
            changed: None,
            serial: 1,
        });
    }
}

fn save(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    let Some(draft) = state.ui.review.as_mut() else {
        return Vec::new();
    };
    if state.journal != JournalState::Writable || state.incident.is_none() {
        state.ui.flash = Some("The review cannot be saved: the journal is not writable".into());
        return Vec::new();
    }
    draft.changed = None;
    vec![Effect::Append {
        at: now,
        event: Event::ReviewSaved {
            text: draft.text.clone(),
        },
    }]
}

/// Someone else in the room who has the review editor open.
#[must_use]
pub fn other_editor(state: &State) -> Option<String> {
    state
        .incident
        .as_ref()?
        .review_editor
        .clone()
        .filter(|editor| *editor != state.actor)
}

/// In a room, entering or leaving the editor is journaled, so one person edits at a time.
fn editing(state: &State, editing: bool, now: DateTime<Utc>) -> Vec<Effect> {
    if state.incident.as_ref().is_some_and(|i| i.room_size() > 1) {
        vec![Effect::Append {
            at: now,
            event: Event::ReviewEditing { editing },
        }]
    } else {
        Vec::new()
    }
}

/// Keys on the review screen and in the editor.
pub fn action(state: &mut State, action: Action, now: DateTime<Utc>) -> Option<Vec<Effect>> {
    match action {
        Action::Edit => {
            if state.incident.is_none() {
                state.ui.flash =
                    Some("No incident yet: declare one (D) to write its review".into());
            } else if let Some(editor) = other_editor(state) {
                state.ui.flash = Some(format!(
                    "{editor} is editing the review; it opens here once they leave the editor"
                ));
            } else if state.ui.review.is_some() {
                show_latest(state);
                if let Some(draft) = state.ui.review.as_mut() {
                    draft.editing = true;
                }
                return Some(editing(state, true, now));
            }
            Some(Vec::new())
        }
        Action::Save => Some(save(state, now)),
        Action::Cancel if state.ui.review.as_ref().is_some_and(|r| r.editing) => {
            let effects = if unsaved(state) {
                save(state, now)
            } else {
                Vec::new()
            };
            if let Some(draft) = state.ui.review.as_mut() {
                draft.editing = false;
            }
            let mut effects = effects;
            effects.extend(editing(state, false, now));
            Some(effects)
        }
        Action::Regenerate if other_editor(state).is_some() => {
            state.ui.flash = other_editor(state).map(|editor| {
                format!("{editor} is editing the review; regenerate it once they are done")
            });
            Some(Vec::new())
        }
        Action::Regenerate => {
            let current = state
                .ui
                .review
                .as_ref()
                .map(|r| r.text.clone())
                .unwrap_or_default();
            if let Some(fresh) = generate(state) {
                replace_draft(state, merge(&fresh, &current), now);
                state.ui.flash = Some("Draft regenerated; the written sections were kept".into());
            }
            Some(Vec::new())
        }
        _ => None,
    }
}

/// Replaces the draft with `text`, unsaved (autosave journals it), and reloads the editor.
fn replace_draft(state: &mut State, text: String, now: DateTime<Utc>) {
    let serial = state.ui.review.as_ref().map_or(1, |r| r.serial + 1);
    state.ui.review = Some(ReviewDraft {
        text,
        editing: false,
        changed: Some(now),
        serial,
    });
}

/// The review as last saved (by anyone) replaces the text shown, unless it holds unsaved
/// changes of this console's or is open in the editor here.
pub fn show_latest(state: &mut State) {
    let Some(draft) = state
        .ui
        .review
        .as_ref()
        .filter(|d| !d.editing && d.changed.is_none())
    else {
        return;
    };
    let serial = draft.serial + 1;
    if let Some(text) = current(state).filter(|text| *text != draft.text) {
        state.ui.review = Some(ReviewDraft {
            text,
            editing: false,
            changed: None,
            serial,
        });
    }
}

/// The editor's text changed.
pub fn edited(state: &mut State, mut text: String, now: DateTime<Utc>) {
    if let Some((cut, _)) = text.char_indices().nth(MAX_REVIEW) {
        text.truncate(cut);
    }
    if let Some(draft) = state.ui.review.as_mut() {
        draft.text = text;
        draft.changed = Some(now);
    }
}

/// Once a second: save a few seconds after the last keystroke.
pub fn autosave(state: &mut State, now: DateTime<Utc>) -> Vec<Effect> {
    let due = state
        .ui
        .review
        .as_ref()
        .and_then(|r| r.changed)
        .is_some_and(|at| now - at >= TimeDelta::seconds(AUTOSAVE_AFTER));
    if due { save(state, now) } else { Vec::new() }
}

/// After a resume: `review.md` written again from the journal's last saved review (a crash may
/// have come between the record and the file).
#[must_use]
pub fn rewrite(state: &State) -> Vec<Effect> {
    let text = state.incident.as_ref().and_then(|i| i.review.clone());
    text.map(|text| Effect::WriteReview { text })
        .into_iter()
        .collect()
}

/// After a `review_saved` record is durable: write `review.md` beside the journal. After the
/// resolution, a review saved while the incident was open is brought up to date on screen and
/// saved again shortly (unless someone is editing it).
pub fn after_record(state: &mut State, record: &Record, now: DateTime<Utc>) -> Vec<Effect> {
    match &record.event {
        Event::ReviewSaved { text } => {
            show_latest(state);
            vec![Effect::WriteReview { text: text.clone() }]
        }
        Event::Resolved { .. } if saved(state).is_some() => {
            let editing = state
                .ui
                .review
                .as_ref()
                .is_some_and(|r| r.editing || r.changed.is_some());
            if let (false, Some(text)) = (editing, current(state)) {
                replace_draft(state, text, now);
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regenerating_keeps_what_people_wrote() {
        let fresh = "# T\n\n## Summary\n\n_To be written._\n\n## Impact\n\nnew table\n\n## Prevention\n\n_To be written._\n";
        let current = "# T\n\n## Summary\n\nThe primary died.\n\n## Impact\n\nold table\n\n## Prevention\n\nAdd a standby.\n";
        let merged = merge(fresh, current);
        assert_eq!(
            merged,
            "# T\n\n## Summary\n\nThe primary died.\n\n## Impact\n\nnew table\n\n## Prevention\n\nAdd a standby.\n"
        );
    }
}
