//! The status bar's word on the journal: who writes it (this console, another in the room, or
//! nobody for the moment), whether it is read-only, missing or failing.

use ratatui::text::Span;

use super::{Slot, Theme};
use crate::sanitize::one_line;
use crate::state::{JournalState, State, Viewer};

/// The label, styled as the state it names.
pub fn label(state: &State, theme: &Theme) -> Span<'static> {
    match (&state.journal, state.viewer()) {
        (_, Some(Viewer::Replay)) => Span::styled(" REPLAY · read-only ", theme.style(Slot::Drill)),
        (_, Some(Viewer::Follow)) => Span::styled(" FOLLOW · read-only ", theme.style(Slot::Drill)),
        (JournalState::Writable, None) if state.writer_gone.is_some() => Span::styled(
            " WRITER GONE · finding who writes ",
            theme.style(Slot::Breach),
        ),
        (JournalState::Writable, None) if state.awaiting_journal() => {
            Span::styled(" writing… keys wait ", theme.style(Slot::Warn))
        }
        (JournalState::Writable, None) if state.joined() => Span::styled(
            match state.ui.presence.first() {
                Some((writer, _)) => {
                    format!(
                        " JOINED · room {} · writer {} ",
                        in_room(state),
                        one_line(writer)
                    )
                }
                None => format!(" JOINED · room {} ", in_room(state)),
            },
            theme.style(Slot::Accent),
        ),
        (JournalState::Writable, None) if in_room(state) > 1 => Span::styled(
            format!(" journal ok · room {} ", in_room(state)),
            theme.style(Slot::Muted),
        ),
        (JournalState::Writable, None) if state.incident.is_some() => {
            Span::styled(" journal ok ", theme.style(Slot::Muted))
        }
        (JournalState::Writable, None) => Span::raw(""),
        (JournalState::ReadOnly(_), None) => {
            Span::styled(" READ-ONLY journal ", theme.style(Slot::Breach))
        }
        (JournalState::Failed(reason), None) if reason.contains(crate::journal::MISSING) => {
            Span::styled(" JOURNAL MISSING ", theme.style(Slot::Breach))
        }
        (JournalState::Failed(_), None) => {
            Span::styled(" JOURNAL WRITE FAILED ", theme.style(Slot::Breach))
        }
    }
}

/// How many consoles are in the room (1 without an incident).
fn in_room(state: &State) -> usize {
    state
        .incident
        .as_ref()
        .map_or(1, crate::domain::incident::Incident::room_size)
}
