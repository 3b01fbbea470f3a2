//! What the console shows and where the keys go: screens, dialogs, overlays, lists and filters.

use chrono::{DateTime, Utc};
use strum::{Display, EnumIter, IntoEnumIterator};

use super::State;
use crate::domain::Status;
use crate::input::field::Field;
use crate::keymap::Context;

/// The screens that exist, in `Tab` order, with their number keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumIter)]
pub enum Screen {
    Dashboard,
    Runbooks,
    Escalation,
    Timeline,
    Review,
    Drill,
}

impl Screen {
    /// The screen's number in the title tabs (SPEC section 4).
    #[must_use]
    pub fn number(self) -> u8 {
        match self {
            Self::Dashboard => 1,
            Self::Runbooks => 2,
            Self::Escalation => 3,
            Self::Timeline => 4,
            Self::Review => 5,
            Self::Drill => 6,
        }
    }

    pub(super) fn index(self) -> usize {
        Self::iter().position(|s| s == self).unwrap_or(0)
    }

    /// The next (or previous) screen in `Tab` order; the drill screen only in a drill.
    #[must_use]
    pub fn cycle(self, forward: bool, drill: bool) -> Self {
        let all: Vec<Self> = Self::iter()
            .filter(|s| drill || *s != Self::Drill)
            .collect();
        let step = if forward { 1 } else { all.len() - 1 };
        all[(self.index() + step) % all.len()]
    }

    /// The key context of the screen.
    #[must_use]
    pub fn context(self) -> Context {
        match self {
            Self::Dashboard => Context::Dashboard,
            Self::Runbooks => Context::Runbooks,
            Self::Escalation => Context::Escalation,
            Self::Timeline => Context::Timeline,
            Self::Review => Context::Review,
            Self::Drill => Context::Drill,
        }
    }
}

/// The dialogs that take input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    Declare,
    Severity,
    Status,
    Roles,
    Note,
    Resolve,
    Filter,
    /// A stakeholder update (posted to chat when configured).
    Update,
    /// A free-text message from the facilitator to the team.
    Inject,
    /// "End the drill?"
    EndDrill,
    /// Quit while commands run here: stop them or leave them running.
    ConfirmQuit,
    /// The journal went missing: write it again from the console's records.
    RewriteJournal,
    /// The facilitator sets a simulated component's state: its id, then the state.
    SetState,
    /// "Run this command?" for a step whose command asks for confirmation.
    /// Run a runbook command; one that destroys (see [`crate::runbook::destructive`]) asks
    /// for a typed word.
    ConfirmRun {
        destructive: bool,
    },
    /// "Mark it done with checks unticked?"
    ConfirmDone,
    /// Which recovery action of the selected component.
    RecoveryChoose,
    /// "Run this recovery action?" (typing the component id when the config asks for it).
    RecoveryConfirm,
    /// "Page this escalation level?" (index of the level).
    ConfirmPage {
        level: usize,
    },
    /// "Acknowledge this level?" when the acknowledge goes to `PagerDuty`.
    ConfirmAck {
        level: usize,
    },
    /// "Silence these alerts in Alertmanager?", listing the matchers; the choice is how long.
    Silence,
    /// "Expire the silences this incident created?" (offered on resolution).
    ExpireSilences,
    /// To whom in the room command goes.
    Handover,
    /// The summary of a handover this console's user gave or received (`Enter` closes it).
    HandedOver,
    /// Approve or refuse the request waiting longest.
    Approve,
    /// Give the open step, or one of its checks, to someone (the choices: the step, its checks).
    Assign,
}

/// An open dialog: its text field and its selected choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialog {
    pub kind: DialogKind,
    pub field: Field,
    pub choice: usize,
    /// Set while the dialog's event is being written; cleared by the journal's answer.
    pub pending: bool,
    pub error: Option<String>,
    /// Choice labels of dialogs whose choices come from the config (recovery actions).
    pub labels: Vec<String>,
    /// Whether a confirmation must be typed.
    pub text_wanted: bool,
    /// Lines of the prompt scrolled away (a prompt longer than the screen).
    pub scroll: usize,
    /// The text a template last put in the field: a field still holding it may take another.
    pub prefilled: String,
    /// The dialog has warned once (resolving with components not up): Enter again goes ahead.
    pub warned: bool,
}

impl Dialog {
    /// The labels of the dialog's choices (empty when it has none).
    #[must_use]
    pub fn choices(&self) -> Vec<String> {
        match self.kind {
            DialogKind::Declare
            | DialogKind::Severity
            | DialogKind::Update
            | DialogKind::Resolve => self.labels.clone(),
            DialogKind::Status => status_choices().iter().map(ToString::to_string).collect(),
            DialogKind::Roles | DialogKind::Handover | DialogKind::Approve | DialogKind::Assign => {
                self.labels.clone()
            }
            DialogKind::SetState => SET_STATES.iter().map(ToString::to_string).collect(),
            DialogKind::ConfirmQuit => QUIT_CHOICES.iter().map(ToString::to_string).collect(),
            DialogKind::Note
            | DialogKind::Filter
            | DialogKind::Inject
            | DialogKind::EndDrill
            | DialogKind::RewriteJournal
            | DialogKind::ConfirmRun { .. }
            | DialogKind::ConfirmDone
            | DialogKind::ConfirmPage { .. }
            | DialogKind::ConfirmAck { .. }
            | DialogKind::RecoveryConfirm => Vec::new(),
            DialogKind::RecoveryChoose | DialogKind::Silence => self.labels.clone(),
            DialogKind::ExpireSilences | DialogKind::HandedOver => Vec::new(),
        }
    }

    /// Whether the dialog has a text field.
    #[must_use]
    pub fn has_text(&self) -> bool {
        match self.kind {
            DialogKind::Severity
            | DialogKind::Status
            | DialogKind::EndDrill
            | DialogKind::ConfirmQuit
            | DialogKind::RewriteJournal
            | DialogKind::ConfirmRun { destructive: false }
            | DialogKind::ConfirmDone
            | DialogKind::ConfirmPage { .. }
            | DialogKind::ConfirmAck { .. }
            | DialogKind::RecoveryChoose
            | DialogKind::Silence
            | DialogKind::ExpireSilences
            | DialogKind::Handover
            | DialogKind::HandedOver
            | DialogKind::Approve => false,
            DialogKind::RecoveryConfirm => self.text_wanted,
            _ => true,
        }
    }
}

/// The choices of the quit dialog while commands run here, in order.
pub const QUIT_CHOICES: [&str; 2] = [
    "Stop it and quit (its whole process group is ended; journaled as cancelled)",
    "Leave it running and quit (journaled; warroom no longer follows it or keeps its output)",
];

/// The states the facilitator can set a component to.
pub const SET_STATES: [crate::domain::Health; 3] = [
    crate::domain::Health::Down,
    crate::domain::Health::Degraded,
    crate::domain::Health::Up,
];

/// The statuses a commander can set by hand (resolving has its own dialog).
#[must_use]
pub fn status_choices() -> [Status; 3] {
    [
        Status::Investigating,
        Status::Identified,
        Status::Monitoring,
    ]
}

/// What floats over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    /// Everything about one component (index in config order).
    Detail {
        index: usize,
        scroll: usize,
    },
    /// One journal record whole (by its sequence number), from the timeline.
    Record {
        seq: u64,
        scroll: usize,
    },
    Palette {
        field: Field,
        selected: usize,
    },
    Dialog(Dialog),
}

/// The review in the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDraft {
    pub text: String,
    pub editing: bool,
    /// When the text last changed without being saved.
    pub changed: Option<DateTime<Utc>>,
    /// Bumped when the text is replaced, so the editor widget reloads it.
    pub serial: u64,
}

/// Selection and filter of one screen's list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    pub selected: usize,
    pub filter: String,
}

/// The UI part of the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ui {
    pub screen: Screen,
    /// Who is in the room and on which screen (the writing console first), as it last said.
    pub presence: Vec<(String, String)>,
    pub overlay: Option<Overlay>,
    pub lists: [ListState; 6],
    /// The review being written: its text (unsaved edits included), whether the editor has the
    /// keys, and when it was last changed (for autosave).
    pub review: Option<ReviewDraft>,
    /// The runbook open in the stepper (index into `State::runbooks`) and its selected step.
    pub stepper: Option<(usize, usize)>,
    /// How far the selected step's text is scrolled, in lines: (runbook, step) and the offset
    /// (another step starts at its top).
    pub step_scroll: Option<((usize, usize), u16)>,
    /// The filter of the stepper's steps (the runbook list keeps its own).
    pub step_filter: String,
    /// A run waiting for the commander's confirmation: (runbook index, step, command).
    pub confirm_run: Option<(usize, usize, usize)>,
    /// The recovery being chosen or confirmed: (component index, action index).
    pub recovery: Option<(usize, usize)>,
    /// A short message in the footer until the next action.
    pub flash: Option<String>,
    /// The console quits once the commands running here ended and every write is answered.
    pub quitting: bool,
    /// The offer to write a missing journal again was made (it is made once).
    pub missing_offered: bool,
}

impl Ui {
    /// The list state of a screen.
    #[must_use]
    pub fn list(&self, screen: Screen) -> &ListState {
        &self.lists[screen.index()]
    }

    pub fn list_mut(&mut self, screen: Screen) -> &mut ListState {
        &mut self.lists[screen.index()]
    }

    /// The filter `/` edits here: the stepper's steps when a runbook is open, else the screen's list.
    #[must_use]
    pub fn filter(&self) -> &str {
        if self.screen == Screen::Runbooks && self.stepper.is_some() {
            &self.step_filter
        } else {
            &self.list(self.screen).filter
        }
    }

    pub fn filter_mut(&mut self) -> &mut String {
        if self.screen == Screen::Runbooks && self.stepper.is_some() {
            &mut self.step_filter
        } else {
            &mut self.list_mut(self.screen).filter
        }
    }
}

/// True when `filter` is empty or any of `texts` contains it, ignoring case.
#[must_use]
pub fn matches_filter(filter: &str, texts: &[&str]) -> bool {
    let filter = filter.to_lowercase();
    filter.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(&filter))
}

impl State {
    /// The key contexts in force, most specific first (`Any` last).
    #[must_use]
    pub fn key_contexts(&self) -> Vec<Context> {
        let mut contexts = self.focused_contexts();
        contexts.push(Context::Any);
        contexts
    }

    fn focused_contexts(&self) -> Vec<Context> {
        match &self.ui.overlay {
            Some(Overlay::Help { .. }) => vec![Context::Help],
            Some(Overlay::Detail { .. } | Overlay::Record { .. }) => vec![Context::Detail],
            Some(Overlay::Palette { .. }) => vec![Context::Palette],
            Some(Overlay::Dialog(_)) => vec![Context::Dialog],
            None if self.ui.review.as_ref().is_some_and(|r| r.editing)
                && self.ui.screen == Screen::Review =>
            {
                vec![Context::Editor]
            }
            None => vec![self.ui.screen.context(), Context::Global],
        }
    }

    /// The open dialog, if any.
    #[must_use]
    pub fn dialog(&self) -> Option<&Dialog> {
        match &self.ui.overlay {
            Some(Overlay::Dialog(d)) => Some(d),
            _ => None,
        }
    }

    /// The text field that has the keys, if an overlay has one.
    #[must_use]
    pub fn field(&self) -> Option<&Field> {
        match &self.ui.overlay {
            Some(Overlay::Dialog(d)) if d.has_text() => Some(&d.field),
            Some(Overlay::Palette { field, .. }) => Some(field),
            _ => None,
        }
    }

    /// The focused text field, to edit.
    pub fn field_mut(&mut self) -> Option<&mut Field> {
        match &mut self.ui.overlay {
            Some(Overlay::Dialog(d)) if d.has_text() => Some(&mut d.field),
            Some(Overlay::Palette { field, .. }) => Some(field),
            _ => None,
        }
    }
}
