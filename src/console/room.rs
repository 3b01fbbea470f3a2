//! The room as the loop serves it: opened once this console writes an open incident, told which
//! screen this console shows, and what it has to say shown on screen.

use crate::msg::Msg;
use crate::update::{self};

use super::event_loop::{Loop, Serve};

impl Loop {
    /// Tells the room which screen this console shows, when that changed.
    pub(super) fn say_screen(&mut self) {
        let screen = self.state.ui.screen.to_string();
        if self.said_screen.as_deref() == Some(screen.as_str()) {
            return;
        }
        if let Some(room) = &self.room {
            room.screen(0, &self.state.actor, &screen);
        } else if let Some(client) = &self.room_client {
            client.screen(&screen);
        } else {
            return;
        }
        self.said_screen = Some(screen);
    }

    /// Says something about the room on screen (and in the log file) that no record tells.
    pub(super) fn tell(&mut self, text: String) {
        tracing::warn!("{text}");
        self.state.ui.flash = Some(text.clone());
        update::log(&mut self.state, text, true);
    }

    /// Opens the room once this console writes an open incident (or one it took over).
    pub(super) fn serve_room(&mut self) {
        if self.room.is_some()
            || self.serve == Serve::Failed
            || self.state.joined()
            || self.state.viewer().is_some()
        {
            return;
        }
        let serves = |i: &&crate::domain::incident::Incident| {
            i.is_open() || self.serve == Serve::AfterResolution
        };
        let Some(incident) = self.state.incident.as_ref().filter(serves) else {
            return;
        };
        if self.state.journal != crate::state::JournalState::Writable {
            return;
        }
        let dir = self.store.dir(&incident.id);
        let (data, store) = self.store.folders();
        match crate::room::server::Room::serve(
            (data, store, &dir),
            self.state.config.room_group.clone(),
            self.tx.clone(),
        ) {
            Ok(room) => {
                tracing::info!(socket = %room.path().display(), "room open");
                self.room = Some(room);
                self.dispatch(Msg::RoomOpened);
            }
            Err(error) => {
                self.tell(format!(
                    "The room could not open in {}: {error}; others can only follow",
                    dir.display()
                ));
                self.serve = Serve::Failed;
            }
        }
    }
}
