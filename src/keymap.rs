//! Keys are data: a table of (context, key) → action, defaults plus config overrides.

use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};
use strum::{Display, EnumIter, EnumString, IntoEnumIterator};

/// Everything a key can ask for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Display, EnumString, EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Action {
    Quit,
    Help,
    Palette,
    Filter,
    Cancel,
    Confirm,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    NextScreen,
    PrevScreen,
    Dashboard,
    Runbooks,
    Escalation,
    Timeline,
    Review,
    Declare,
    Severity,
    Status,
    Roles,
    Handover,
    Approve,
    Note,
    Resolve,
    Silence,
    Acknowledge,
    Page,
    Update,
    Run,
    MarkDone,
    MarkSkipped,
    TickCheck,
    UntickCheck,
    Assign,
    SetState,
    MarkFailed,
    CancelRun,
    ScrollDown,
    ScrollUp,
    Recover,
    Edit,
    Save,
    Regenerate,
    NextChoice,
    PrevChoice,
    Drill,
    Pause,
    Faster,
    Slower,
    SeekBack,
    SeekForward,
    FireInject,
    InjectMessage,
    EndDrill,
}

/// What an action is: where it belongs, what the help and the palette say of it, and whether it
/// writes to the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    /// The context the action belongs to: the default keymap binds it there.
    pub context: Context,
    /// What the action does, for the help overlay, the palette and README.
    pub label: &'static str,
    /// It changes the incident or runs something, so it writes to the journal: a read-only
    /// console (replay, follow) refuses it.
    pub writes: bool,
}

impl Action {
    /// The one table of actions: a new action is not known until it has its row here.
    #[must_use]
    #[rustfmt::skip]
    pub fn info(self) -> Info {
        use Context as C;
        let (context, label, writes) = match self {
            Self::Quit => (C::Global, "quit (the incident stays open and resumes)", false),
            Self::Help => (C::Global, "show or hide this help", false),
            Self::Palette => (C::Global, "command palette", false),
            Self::Filter => (C::Global, "filter the list", false),
            Self::Cancel => (C::Global, "close or cancel", false),
            Self::Confirm => (
                C::Dialog,
                "open the selected component or record / confirm",
                false,
            ),
            Self::Up => (C::Global, "move up", false),
            Self::Down => (C::Global, "move down", false),
            Self::Top => (C::Global, "go to the top", false),
            Self::Bottom => (C::Global, "go to the bottom", false),
            Self::PageUp => (C::Global, "page up", false),
            Self::PageDown => (C::Global, "page down", false),
            Self::NextScreen => (C::Global, "next screen", false),
            Self::PrevScreen => (C::Global, "previous screen", false),
            Self::Dashboard => (C::Global, "dashboard screen", false),
            Self::Runbooks => (C::Global, "runbooks screen", false),
            Self::Escalation => (C::Global, "escalation screen", false),
            Self::Timeline => (C::Global, "timeline screen", false),
            Self::Review => (C::Global, "review screen", false),
            Self::Declare => (C::Global, "declare an incident", true),
            Self::Severity => (C::Global, "change severity", true),
            Self::Status => (C::Global, "set status", true),
            Self::Roles => (C::Global, "assign a role", true),
            Self::Handover => (C::Global, "hand command over to someone in the room, with a summary", true),
            Self::Approve => (C::Global, "approve or refuse what someone asked to run (two-person rule)", true),
            Self::Note => (C::Global, "add a note", true),
            Self::Resolve => (C::Global, "resolve the incident", true),
            Self::Silence => (C::Global, "silence the incident's alerts in Alertmanager", true),
            Self::Acknowledge => (C::Global, "acknowledge the due escalation level", true),
            Self::Page => (C::Global, "page the due escalation level", true),
            Self::Update => (C::Global, "post a stakeholder update", true),
            Self::Run => (C::Runbooks, "run the step's command", true),
            Self::MarkDone => (C::Runbooks, "mark the step done", true),
            Self::MarkSkipped => (C::Runbooks, "mark the step skipped", true),
            Self::TickCheck => (C::Runbooks, "tick the step's next check", true),
            Self::UntickCheck => (C::Runbooks, "take back the step's last tick", true),
            Self::Assign => (C::Runbooks, "give the step or one of its checks to someone (who is on what)", true),
            Self::SetState => (C::Drill, "set a simulated component's state (facilitator)", true),
            Self::MarkFailed => (C::Runbooks, "mark the step failed", true),
            Self::ScrollDown => (C::Runbooks, "scroll the step's text down", false),
            Self::ScrollUp => (C::Runbooks, "scroll the step's text up", false),
            Self::CancelRun => (C::Runbooks, "cancel the running command", true),
            Self::Recover => (C::Dashboard, "recovery actions of the selected component", true),
            Self::Edit => (C::Review, "edit the review", true),
            Self::Save => (C::Editor, "save the review", true),
            Self::Regenerate => (C::Review, "regenerate the draft, keeping the written sections", true),
            Self::NextChoice => (C::Dialog, "next choice", false),
            Self::PrevChoice => (C::Dialog, "previous choice", false),
            Self::Drill => (C::Global, "drill screen (facilitator)", false),
            Self::Pause => (C::Global, "pause or resume the drill or replay clock", false),
            Self::Faster => (C::Global, "speed the clock up (to 60x)", false),
            Self::Slower => (C::Global, "slow the clock down (to 1x)", false),
            Self::SeekBack => (C::Global, "replay: jump back a minute", false),
            Self::SeekForward => (C::Global, "replay: jump ahead a minute", false),
            Self::FireInject => (C::Drill, "fire the selected inject now", true),
            Self::InjectMessage => (C::Drill, "send the team a message (free-text inject)", true),
            Self::EndDrill => (C::Drill, "end the drill and show the scorecard", true),
        };
        Info { context, label, writes }
    }
}

/// Where a key is pressed: a screen, or an open overlay.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Display, EnumString, EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Context {
    /// Every screen (not inside an overlay).
    Global,
    Dashboard,
    Runbooks,
    Escalation,
    Timeline,
    Review,
    /// The review editor while it has the keys.
    Editor,
    /// Dialogs with a text field or a list of choices.
    Dialog,
    Help,
    /// The component detail panel.
    Detail,
    Palette,
    /// The facilitator screen of a drill.
    Drill,
    /// Everywhere, text fields and the editor included (`Ctrl-C`).
    Any,
}

impl Context {
    /// Where the context's keys apply, for the help and README.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::Global => "every screen, unless the screen binds the key itself",
            Self::Dashboard => "screen 1, the dashboard",
            Self::Runbooks => "screen 2, the runbook list and the stepper",
            Self::Escalation => "screen 3, escalation",
            Self::Timeline => "screen 4, the timeline",
            Self::Review => "screen 5, the review (not editing)",
            Self::Editor => "the review editor (other keys are text)",
            Self::Dialog => "dialogs (printable keys are text when the dialog has a text field)",
            Self::Help => "the help overlay",
            Self::Detail => "the component or record detail",
            Self::Palette => "the command palette (printable keys are text)",
            Self::Drill => "screen 6, the facilitator's drill screen",
            Self::Any => "everywhere, text fields included",
        }
    }
}

/// A key with its modifiers, normalised so `D` and `shift-d` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    #[must_use]
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mods = match code {
            KeyCode::Char(_) | KeyCode::BackTab => mods - KeyModifiers::SHIFT,
            _ => mods,
        };
        let code = match code {
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            other => other,
        };
        let mods = if code == KeyCode::BackTab {
            mods - KeyModifiers::SHIFT
        } else {
            mods
        };
        Self {
            code,
            mods: mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT),
        }
    }

    const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            mods: KeyModifiers::NONE,
        }
    }
}

impl From<KeyEvent> for Key {
    fn from(event: KeyEvent) -> Self {
        Self::new(event.code, event.modifiers)
    }
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("space", KeyCode::Char(' ')),
];

impl FromStr for Key {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (flag, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            mods |= flag;
            rest = &rest[len..];
        }
        let lower = rest.to_ascii_lowercase();
        let code = if let Some((_, code)) = NAMED.iter().find(|(name, _)| *name == lower) {
            *code
        } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            KeyCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => {
                    return Err(format!(
                        "unknown key `{text}`; write keys like \"x\", \"ctrl-s\", \"enter\", \"pgdn\" or \"f1\""
                    ));
                }
            }
        };
        Ok(Self::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One entry of the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub key: Key,
    pub action: Action,
}

/// The key table: looked up, never a chain of `if`s.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

fn ch(c: char) -> Key {
    Key::plain(KeyCode::Char(c))
}

#[rustfmt::skip]
fn defaults() -> Vec<Binding> {
    use Action as A;
    use Context as C;
    let code = Key::plain;
    let table: &[(C, Key, A)] = &[
        (C::Any, Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL), A::Quit),
        (C::Global, ch('q'), A::Quit),
        (C::Global, ch('/'), A::Filter),
        (C::Global, ch('?'), A::Help),
        (C::Global, ch(':'), A::Palette),
        (C::Global, code(KeyCode::Tab), A::NextScreen),
        (C::Global, code(KeyCode::BackTab), A::PrevScreen),
        (C::Global, ch('1'), A::Dashboard),
        (C::Global, ch('2'), A::Runbooks),
        (C::Global, ch('3'), A::Escalation),
        (C::Global, ch('4'), A::Timeline),
        (C::Global, ch('5'), A::Review),
        (C::Global, ch('6'), A::Drill),
        (C::Global, ch(' '), A::Pause),
        (C::Global, ch('+'), A::Faster),
        (C::Global, ch('='), A::Faster),
        (C::Global, ch('-'), A::Slower),
        (C::Global, ch('['), A::SeekBack),
        (C::Global, ch(']'), A::SeekForward),
        (C::Drill, ch('i'), A::FireInject),
        (C::Drill, code(KeyCode::Enter), A::FireInject),
        (C::Drill, ch('m'), A::InjectMessage),
        (C::Drill, ch('E'), A::EndDrill),
        (C::Drill, ch('c'), A::SetState),
        (C::Review, ch('e'), A::Edit),
        (C::Review, code(KeyCode::Enter), A::Edit),
        (C::Review, ch('g'), A::Regenerate),
        (C::Editor, Key::new(KeyCode::Char('s'), KeyModifiers::CONTROL), A::Save),
        (C::Editor, code(KeyCode::Esc), A::Cancel),
        (C::Global, ch('a'), A::Acknowledge),
        (C::Global, ch('p'), A::Page),
        (C::Global, ch('u'), A::Update),
        (C::Global, ch('D'), A::Declare),
        (C::Global, ch('S'), A::Severity),
        (C::Global, ch('t'), A::Status),
        (C::Global, ch('o'), A::Roles),
        (C::Global, ch('H'), A::Handover),
        (C::Global, ch('A'), A::Approve),
        (C::Global, ch('n'), A::Note),
        (C::Global, ch('R'), A::Resolve),
        (C::Global, ch('M'), A::Silence),
        (C::Global, ch('j'), A::Down),
        (C::Global, code(KeyCode::Down), A::Down),
        (C::Global, ch('k'), A::Up),
        (C::Global, code(KeyCode::Up), A::Up),
        (C::Global, ch('g'), A::Top),
        (C::Global, code(KeyCode::Home), A::Top),
        (C::Global, ch('G'), A::Bottom),
        (C::Global, code(KeyCode::End), A::Bottom),
        (C::Global, code(KeyCode::PageUp), A::PageUp),
        (C::Global, code(KeyCode::PageDown), A::PageDown),
        (C::Global, code(KeyCode::Esc), A::Cancel),
        (C::Dashboard, code(KeyCode::Enter), A::Confirm),
        (C::Timeline, code(KeyCode::Enter), A::Confirm),
        (C::Dashboard, ch('r'), A::Recover),
        (C::Runbooks, code(KeyCode::Enter), A::Confirm),
        (C::Runbooks, ch('x'), A::Run),
        (C::Runbooks, ch('d'), A::MarkDone),
        (C::Runbooks, ch(' '), A::TickCheck),
        (C::Runbooks, code(KeyCode::Backspace), A::UntickCheck),
        (C::Runbooks, ch('@'), A::Assign),
        (C::Runbooks, ch('s'), A::MarkSkipped),
        (C::Runbooks, ch('f'), A::MarkFailed),
        (C::Runbooks, ch('c'), A::CancelRun),
        (C::Runbooks, Key::new(KeyCode::Char('d'), KeyModifiers::CONTROL), A::ScrollDown),
        (C::Runbooks, ch('J'), A::ScrollDown),
        (C::Runbooks, Key::new(KeyCode::Char('u'), KeyModifiers::CONTROL), A::ScrollUp),
        (C::Runbooks, ch('K'), A::ScrollUp),
        (C::Dialog, code(KeyCode::Enter), A::Confirm),
        (C::Dialog, code(KeyCode::Esc), A::Cancel),
        (C::Dialog, code(KeyCode::Up), A::PrevChoice),
        (C::Dialog, code(KeyCode::Down), A::NextChoice),
        (C::Dialog, code(KeyCode::Tab), A::NextChoice),
        (C::Dialog, ch('j'), A::NextChoice),
        (C::Dialog, ch('k'), A::PrevChoice),
        (C::Dialog, code(KeyCode::BackTab), A::PrevChoice),
        (C::Help, code(KeyCode::Esc), A::Cancel),
        (C::Help, ch('?'), A::Cancel),
        (C::Help, ch('q'), A::Cancel),
        (C::Help, ch('j'), A::Down),
        (C::Help, code(KeyCode::Down), A::Down),
        (C::Help, ch('k'), A::Up),
        (C::Help, code(KeyCode::Up), A::Up),
        (C::Detail, code(KeyCode::Esc), A::Cancel),
        (C::Detail, code(KeyCode::Enter), A::Cancel),
        (C::Detail, ch('q'), A::Cancel),
        (C::Detail, ch('j'), A::Down),
        (C::Detail, code(KeyCode::Down), A::Down),
        (C::Detail, ch('k'), A::Up),
        (C::Detail, code(KeyCode::Up), A::Up),
        (C::Palette, code(KeyCode::Enter), A::Confirm),
        (C::Palette, code(KeyCode::Esc), A::Cancel),
        (C::Palette, code(KeyCode::Up), A::Up),
        (C::Palette, code(KeyCode::Down), A::Down),
    ];
    table.iter().map(|&(context, key, action)| Binding { context, key, action }).collect()
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: defaults(),
        }
    }
}

impl Keymap {
    /// The defaults with the config's overrides applied (an override replaces the key's binding).
    #[must_use]
    pub fn with_overrides(overrides: &[Binding]) -> Self {
        let mut map = Self::default();
        for o in overrides {
            map.bindings
                .retain(|b| !(b.context == o.context && b.key == o.key));
            map.bindings.push(*o);
        }
        map
    }

    /// The action for a key, looked up in the given contexts in order.
    #[must_use]
    pub fn lookup(&self, contexts: &[Context], key: Key) -> Option<Action> {
        contexts.iter().find_map(|context| {
            self.bindings
                .iter()
                .find(|b| b.context == *context && b.key == key)
                .map(|b| b.action)
        })
    }

    /// The bindings of the given contexts, for the help overlay, grouped by action.
    #[must_use]
    pub fn help(&self, contexts: &[Context]) -> Vec<(Vec<Key>, Action)> {
        let mut rows: Vec<(Vec<Key>, Action)> = Vec::new();
        for context in contexts {
            for b in self.bindings.iter().filter(|b| b.context == *context) {
                match rows.iter_mut().find(|(_, action)| *action == b.action) {
                    Some((keys, _)) if !keys.contains(&b.key) => keys.push(b.key),
                    Some(_) => {}
                    None => rows.push((vec![b.key], b.action)),
                }
            }
        }
        rows
    }

    /// The first key bound to an action in a context, for hints in the footer.
    #[must_use]
    pub fn key_for(&self, contexts: &[Context], action: Action) -> Option<Key> {
        contexts.iter().find_map(|context| {
            self.bindings
                .iter()
                .find(|b| b.context == *context && b.action == action)
                .map(|b| b.key)
        })
    }
}

/// The keymap as Markdown for README: a table of every binding by context, then the names of
/// every context and action `[keys]` accepts.
#[must_use]
pub fn markdown(map: &Keymap) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("| where | keys | action | does |\n| --- | --- | --- | --- |\n");
    for context in Context::iter() {
        for (keys, action) in map.help(&[context]) {
            let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            let _ = writeln!(
                out,
                "| {context} | {} | `{action}` | {} |",
                keys.join(", ").replace('|', "\\|"),
                action.info().label
            );
        }
    }
    let contexts: Vec<String> = Context::iter()
        .map(|c| format!("`{c}` ({})", c.describe()))
        .collect();
    let actions: Vec<String> = action_names().map(|a| format!("`{a}`")).collect();
    let _ = write!(
        out,
        "\nContexts: {}.\n\nActions: {}.\n",
        contexts.join(", "),
        actions.join(", ")
    );
    out
}

/// Names of every action, for error messages.
pub fn action_names() -> impl Iterator<Item = String> {
    Action::iter().map(|a| a.to_string())
}

/// Names of every context, for error messages.
pub fn context_names() -> impl Iterator<Item = String> {
    Context::iter().map(|c| c.to_string())
}

#[cfg(test)]
mod tests;
