//! Opening a dialog: the one way every dialog opens, with the labels its choices read.

use strum::IntoEnumIterator;

use crate::domain::Severity;
use crate::input::field::Field;
use crate::state::{Dialog, DialogKind, Overlay, State};

/// Opens a dialog (the one way every dialog opens).
pub fn open_dialog(state: &mut State, kind: DialogKind, text: String, choice: usize) {
    // Severities read as this team defines them.
    let labels = match kind {
        DialogKind::Declare | DialogKind::Severity => Severity::iter()
            .map(|s| format!("{s}  {}", state.config.meaning(s)))
            .collect(),
        DialogKind::Update | DialogKind::Resolve => super::template::labels(state, kind),
        DialogKind::Roles => state.config.roles.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    };
    state.ui.overlay = Some(Overlay::Dialog(Dialog {
        kind,
        field: Field::new(&text),
        choice,
        pending: false,
        error: None,
        labels,
        text_wanted: false,
        scroll: 0,
        prefilled: text,
        warned: false,
    }));
}
