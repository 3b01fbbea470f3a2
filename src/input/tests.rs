//! The pipeline against `update` with a journal that answers late: the same keys give the same
//! journal whether each write lands at once or long after the keys that follow it.

use std::collections::VecDeque;

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

use super::Pipeline;
use crate::domain::event::Event;
use crate::msg::{Effect, Msg};
use crate::state::State;
use crate::ui::{Colors, Theme, View};
use crate::update::{as_record, update};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 30).unwrap()
}

/// A console whose journal answers only when `land` is called.
struct Console {
    state: State,
    view: View,
    input: Pipeline,
    unanswered: VecDeque<Effect>,
    journal: Vec<Event>,
}

impl Console {
    fn demo() -> Self {
        let start = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        let mut state = crate::demo::state("ic@host", start);
        state.config.notify = crate::config::Notify::default();
        let mut console = Self {
            state,
            view: View::new(Theme::select(None, Colors::TrueColor).unwrap(), false),
            input: Pipeline::default(),
            unanswered: VecDeque::new(),
            journal: Vec::new(),
        };
        console.dispatch(Msg::Tick);
        console.land_all();
        console
    }

    fn dispatch(&mut self, msg: Msg) {
        let effects = update(&mut self.state, msg, now());
        self.view.sync(&self.state);
        self.unanswered
            .extend(effects.into_iter().filter(Effect::writes_journal));
    }

    fn release(&mut self) {
        while let Some(msg) = self.input.next(&self.state, &mut self.view) {
            self.dispatch(msg);
        }
    }

    fn event(&mut self, event: TermEvent) {
        self.input.push(event);
        self.release();
    }

    /// The journal answers the oldest write.
    fn land(&mut self) -> bool {
        let Some(effect) = self.unanswered.pop_front() else {
            return false;
        };
        let record = as_record(&self.state, effect).expect("a journal write");
        self.journal.push(record.event.clone());
        self.dispatch(Msg::Journaled(record));
        self.release();
        true
    }

    fn land_all(&mut self) {
        while self.land() {}
    }
}

fn key(code: KeyCode) -> TermEvent {
    TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn typed(text: &str) -> Vec<TermEvent> {
    text.chars().map(|c| key(KeyCode::Char(c))).collect()
}

/// The keys of a scripted session: declare, notes, severity, status, a step mark, filters on
/// every screen, the palette.
fn script() -> Vec<TermEvent> {
    let enter = || key(KeyCode::Enter);
    let esc = || key(KeyCode::Esc);
    let mut keys = typed("D");
    keys.push(enter());
    keys.extend(typed("nhello"));
    keys.push(enter());
    keys.extend(typed("nsecond note, typed fast"));
    keys.push(enter());
    keys.extend(typed("S"));
    keys.push(key(KeyCode::Down));
    keys.push(enter());
    keys.extend(typed("t"));
    keys.push(enter());
    for screen in ["1", "2", "3", "4"] {
        keys.extend(typed(screen));
        keys.extend(typed("/api"));
        keys.push(enter());
        keys.push(esc());
    }
    keys.extend(typed("2"));
    keys.push(enter());
    keys.extend(typed("/fix"));
    keys.push(esc());
    // The first step has checks: `space` ticks one, `d` asks, Enter marks it done anyway.
    keys.extend(typed(" d"));
    keys.push(enter());
    keys.extend(typed("npaged?"));
    keys.push(enter());
    keys.extend(typed(":note"));
    keys.push(enter());
    keys.extend(typed("from the palette"));
    keys.push(enter());
    keys
}

fn kinds(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap()["kind"].to_string())
        .collect()
}

#[test]
fn a_burst_gives_the_journal_of_slow_typing() {
    let mut slow = Console::demo();
    for event in script() {
        slow.event(event);
        slow.land_all();
    }
    let mut burst = Console::demo();
    for event in script() {
        burst.event(event);
    }
    burst.land_all();
    assert_eq!(slow.journal, burst.journal);
    let notes: Vec<&str> = burst
        .journal
        .iter()
        .filter_map(|e| match e {
            Event::NoteAdded { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        [
            "hello",
            "second note, typed fast",
            "paged?",
            "from the palette"
        ]
    );
    let kinds = kinds(&burst.journal);
    for refused in ["\"role_assigned\"", "\"paged\"", "\"acknowledged\""] {
        assert!(
            !kinds.iter().any(|k| k == refused),
            "{refused} in {kinds:?}"
        );
    }
    assert!(kinds.iter().any(|k| k == "\"severity_changed\""));
    assert!(kinds.iter().any(|k| k == "\"status_changed\""));
}

fn any_key() -> impl Strategy<Value = TermEvent> {
    let chars: Vec<char> = "DnSRtoapuhel12345/:jkdsfgG?x  ".chars().collect();
    prop_oneof![
        6 => proptest::sample::select(chars).prop_map(|c| key(KeyCode::Char(c))),
        2 => Just(key(KeyCode::Enter)),
        1 => Just(key(KeyCode::Esc)),
        1 => Just(key(KeyCode::Tab)),
        1 => Just(key(KeyCode::Up)),
        1 => Just(key(KeyCode::Down)),
        1 => Just(key(KeyCode::Backspace)),
        1 => Just(TermEvent::Paste("pasted\ntext \u{1b}]52;c;eA==\u{7}".into())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_keys_give_the_same_journal_with_a_slow_journal(
        keys in proptest::collection::vec(any_key(), 1..80),
        lands in proptest::collection::vec(0..3usize, 80),
    ) {
        let mut fast = Console::demo();
        let mut slow = Console::demo();
        for (event, land) in keys.into_iter().zip(lands) {
            fast.event(event.clone());
            fast.land_all();
            slow.event(event);
            for _ in 0..land {
                slow.land();
            }
        }
        slow.land_all();
        prop_assert_eq!(fast.journal, slow.journal);
    }
}
