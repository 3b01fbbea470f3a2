//! Snapshot tests of every screen, dialog and overlay at 80x24, 120x40 and 60x20, plus colour checks.

use chrono::{DateTime, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use warroom::demo;
use warroom::domain::Health;
use warroom::keymap::Action;
use warroom::msg::Msg;
use warroom::state::State;
use warroom::ui::{self, Colors, Slot, Theme, View};
use warroom::update::play;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (60, 20)];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn view(ascii: bool) -> View {
    View::new(Theme::select(None, Colors::TrueColor).unwrap(), ascii)
}

fn draw(state: &State, view: &View, (w, h): (u16, u16)) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|frame| ui::render(frame, state, view))
        .unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshot_sizes(name: &str, state: &State, view: &View) {
    for size in SIZES {
        insta::assert_snapshot!(
            format!("{name}_{}x{}", size.0, size.1),
            text(&draw(state, view, size))
        );
    }
}

fn watching() -> State {
    let mut state = demo::state("dana@jump-1", t0());
    play(&mut state, Msg::Tick, t0() + chrono::TimeDelta::seconds(30));
    state
}

fn with_dialog(action: Action, typed: Option<&str>) -> (State, View) {
    let mut state = demo::showcase(t0());
    let view = view(false);
    let now = state.now;
    play(&mut state, Msg::Action(action), now);
    if let Some(typed) = typed {
        play(&mut state, Msg::Input(typed.into()), now);
    }
    (state, view)
}

#[test]
fn dashboard_watching() {
    snapshot_sizes("dashboard_watching", &watching(), &view(false));
}

#[test]
fn dashboard_during_an_incident() {
    snapshot_sizes("dashboard_incident", &demo::showcase(t0()), &view(false));
}

#[test]
fn dashboard_in_ascii() {
    snapshot_sizes("dashboard_ascii", &demo::showcase(t0()), &view(true));
}

#[test]
fn ascii_frames_hold_only_ascii() {
    let mut states = vec![demo::showcase(t0()), with_runbooks()];
    for action in [Action::Page, Action::Palette, Action::Help, Action::Note] {
        let mut state = demo::showcase(t0());
        let now = state.now;
        play(&mut state, Msg::Action(action), now);
        states.push(state);
    }
    let mut escalation = demo::showcase(t0());
    escalation.ui.screen = warroom::state::Screen::Escalation;
    states.push(escalation);
    for state in &states {
        for size in SIZES.iter().copied().chain([(40, 12), (30, 10)]) {
            let screen = text(&draw(state, &view(true), size));
            assert!(screen.is_ascii(), "{size:?}:\n{screen}");
        }
    }
}

#[test]
fn what_matters_is_never_cut_at_any_size() {
    let mut escalation = demo::showcase(t0());
    escalation.ui.screen = warroom::state::Screen::Escalation;
    for size in SIZES {
        let dashboard = text(&draw(&demo::showcase(t0()), &view(false), size));
        let joined = dashboard.replace('│', " ");
        assert!(
            joined.contains("impacted by Primary database"),
            "{size:?}:\n{dashboard}"
        );
        assert!(
            dashboard.contains("+1 555 0100"),
            "the banner keeps the phone {size:?}:\n{dashboard}"
        );
        let matrix = text(&draw(&escalation, &view(false), size));
        for phone in ["+1 555 0100", "+1 555 0101", "+1 555 0102"] {
            assert!(matrix.contains(phone), "{phone} at {size:?}:\n{matrix}");
        }
    }
    let narrow = text(&draw(&demo::showcase(t0()), &view(false), (80, 24)));
    assert!(narrow.contains("+4 more: Checkout web"), "{narrow}");
}

#[test]
fn the_selection_shows_in_sixteen_colours() {
    let view = View::new(Theme::select(None, Colors::Ansi16).unwrap(), false);
    let buffer = draw(&demo::showcase(t0()), &view, (80, 24));
    let (x, y) = find(&buffer, "Primary database");
    let cell = &buffer[(x, y)];
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
    assert_ne!(cell.bg, Color::Black);
    snapshot_sizes("dashboard_16_colours", &demo::showcase(t0()), &view);
}

#[test]
fn a_long_multi_line_command_is_confirmed_in_full() {
    let mut state = with_runbooks();
    let command = format!(
        "./scripts/promote.sh --cluster payments-eu-west-1 --target replica-2 --fence-old-primary --wait-for-lag 0 --timeout 300 \\\n  --notify-channel incident-bridge --reason \"{}\" \\\n  --confirm-token END-OF-COMMAND",
        "x".repeat(40)
    );
    let runbook = format!(
        "+++\nid = \"long\"\ntitle = \"Long command\"\ncomponents = [\"db\"]\n+++\n\n## Promote\n\n```sh {{confirm=true}}\n{command}\n```\n"
    );
    state.runbooks = vec![warroom::runbook::parse("long.md", &runbook).unwrap()];
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::Run), now);
    assert!(command.len() >= 200 && command.lines().count() == 3);
    snapshot_sizes("confirm_long_command", &state, &view(false));
    for size in SIZES {
        let screen = text(&draw(&state, &view(false), size));
        for needle in [
            "./scripts/promote.sh",
            "incident-bridge",
            "END-OF-COMMAND",
            "component db",
            "(dry run: recorded,",
            "Enter records it",
        ] {
            assert!(screen.contains(needle), "{needle} at {size:?}:\n{screen}");
        }
    }
    state.dry_run = false;
    let live = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        live.contains("of long runs, for component db") && live.contains("Enter runs it"),
        "outside a dry run the prompt says it runs:\n{live}"
    );
}

#[test]
fn timeline_during_an_incident() {
    let mut state = demo::showcase(t0());
    state.ui.screen = warroom::state::Screen::Timeline;
    snapshot_sizes("timeline_incident", &state, &view(false));
    // Enter on the fourth row (the note) shows that record whole.
    let now = state.now;
    for _ in 0..3 {
        play(&mut state, Msg::Action(Action::Down), now);
    }
    play(&mut state, Msg::Action(Action::Confirm), now);
    snapshot_sizes("timeline_record", &state, &view(false));
    let panel = text(&draw(&state, &view(false), (120, 40)));
    for shown in [
        "Record #12",
        "#12 · note_added · by dana@jump-1",
        "UTC 2026-11-22 03:01:26.000Z",
        "drill clock 2026-11-22 03:01:26.000",
        "\"text\": \"Primary refuses connections; DBA promoting the replica\"",
    ] {
        assert!(panel.contains(shown), "{shown}: {panel}");
    }
    play(&mut state, Msg::Action(Action::Cancel), now);
    assert!(state.ui.overlay.is_none());
}

#[test]
fn a_long_timeline_shows_whole_sequence_numbers_and_its_filter_count() {
    let mut state = demo::showcase(t0());
    let last = state.records.last().unwrap().clone();
    for n in 1..=12_000u64 {
        let mut record = last.clone();
        record.seq = last.seq + n;
        record.event = warroom::domain::event::Event::NoteAdded {
            text: format!("note {n} on db-{}", n % 7),
            step: None,
        };
        state.records.push(record);
    }
    state.ui.screen = warroom::state::Screen::Timeline;
    let screen = text(&draw(&state, &view(false), (80, 24)));
    let newest = format!("#{} ", last.seq + 12_000);
    assert!(screen.contains(&newest), "{newest}: {screen}");
    state.ui.list_mut(warroom::state::Screen::Timeline).filter = "DB-4".into();
    let screen = text(&draw(&state, &view(false), (80, 24)));
    assert!(screen.contains("1714 events"), "{screen}");
    assert!(screen.contains("note 11995 on db-4"), "{screen}");
}

#[test]
fn timeline_without_incident_is_the_live_log() {
    let mut state = watching();
    state.ui.screen = warroom::state::Screen::Timeline;
    snapshot_sizes("timeline_watching", &state, &view(false));
}

#[test]
fn declare_dialog() {
    let mut state = watching();
    let view = view(false);
    let now = state.now;
    play(&mut state, Msg::Action(Action::Declare), now);
    snapshot_sizes("dialog_declare", &state, &view);
}

#[test]
fn incident_dialogs() {
    for (name, action, typed) in [
        ("dialog_severity", Action::Severity, None),
        ("dialog_status", Action::Status, None),
        ("dialog_roles", Action::Roles, None),
        (
            "dialog_note",
            Action::Note,
            Some("Replica promoted at 03:01Z"),
        ),
        ("dialog_resolve", Action::Resolve, None),
        ("dialog_filter", Action::Filter, Some("data")),
        ("palette", Action::Palette, Some("se")),
        ("help", Action::Help, None),
    ] {
        let (state, view) = with_dialog(action, typed);
        snapshot_sizes(name, &state, &view);
    }
}

#[test]
fn an_update_from_a_template_reads_whole() {
    let (mut state, view) = with_dialog(Action::Update, None);
    let now = state.now;
    play(&mut state, Msg::Action(Action::NextChoice), now);
    snapshot_sizes("dialog_update_template", &state, &view);
}

#[test]
fn dialog_errors_are_shown() {
    let (mut state, view) = with_dialog(Action::Note, None);
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    let screen = text(&draw(&state, &view, (80, 24)));
    assert!(screen.contains("Type the note first."), "{screen}");
}

#[test]
fn journal_failure_is_loud() {
    let mut state = demo::showcase(t0());
    let now = state.now;
    play(
        &mut state,
        Msg::JournalFailed("No space left on device (os error 28)".into()),
        now,
    );
    snapshot_sizes("journal_failed", &state, &view(false));
}

#[test]
fn compact_and_too_small() {
    let state = demo::showcase(t0());
    insta::assert_snapshot!("compact_40x12", text(&draw(&state, &view(false), (40, 12))));
    insta::assert_snapshot!(
        "too_small_30x10",
        text(&draw(&state, &view(false), (30, 10)))
    );
    let tiny = text(&draw(&state, &view(false), (1, 1)));
    assert_eq!(tiny.chars().count(), 1);
}

#[test]
fn hostile_text_is_escaped_on_screen() {
    let (mut state, view) = with_dialog(
        Action::Note,
        Some("\u{1b}]52;c;cGF5bG9hZA==\u{7}\u{202e}owned 火事 🔥"),
    );
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    state.ui.screen = warroom::state::Screen::Timeline;
    let screen = text(&draw(&state, &view, (120, 40)));
    assert!(
        screen.contains("\\x1b]52;c;cGF5bG9hZA==\\x07\\u{202e}owned 火"),
        "{screen}"
    );
    assert!(!screen.contains('\u{1b}'));
}

fn find(buffer: &Buffer, needle: &str) -> (u16, u16) {
    let lines = text(buffer);
    for (y, line) in lines.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            return (line[..byte].chars().count() as u16, y as u16);
        }
    }
    panic!("{needle:?} not on screen:\n{lines}");
}

#[test]
fn state_colours_follow_the_theme() {
    let view = view(false);
    let buffer = draw(&demo::showcase(t0()), &view, (120, 40));
    for (label, health) in [
        ("✖ DOWN", Health::Down),
        ("▲ degraded", Health::Degraded),
        ("● up", Health::Up),
    ] {
        let (x, y) = find(&buffer, label);
        let expected = view.theme.health(health);
        assert_eq!(buffer[(x, y)].fg, expected.fg.unwrap(), "{label}");
        assert_eq!(
            buffer[(x, y)].modifier.contains(Modifier::BOLD),
            expected.add_modifier.contains(Modifier::BOLD)
        );
    }
    let (x, y) = find(&buffer, " P1 ");
    assert_eq!(
        buffer[(x, y)].bg,
        view.theme.style(Slot::Breach).bg.unwrap()
    );
    assert_eq!(buffer[(x, y)].bg, Color::Rgb(0xd7, 0, 0));
}

#[test]
fn mono_carries_meaning_without_colour() {
    let view = View::new(Theme::select(None, Colors::None).unwrap(), false);
    let buffer = draw(&demo::showcase(t0()), &view, (80, 24));
    for cell in buffer.content() {
        assert!(
            matches!(cell.fg, Color::Reset) && matches!(cell.bg, Color::Reset),
            "{cell:?}"
        );
    }
    let (x, y) = find(&buffer, "✖ DOWN");
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn a_long_title_with_emoji_and_cjk_fits() {
    let mut state = watching();
    let view = view(false);
    let title = format!("🔥 決済システム障害 {}", "very long title ".repeat(20));
    let now = state.now;
    play(&mut state, Msg::Action(Action::Declare), now);
    play(&mut state, Msg::Input(title.clone()), now);
    for size in [(80, 24), (120, 40), (40, 12)] {
        draw(&state, &view, size);
    }
    play(&mut state, Msg::Action(Action::Confirm), now);
    assert!(
        state
            .incident
            .as_ref()
            .unwrap()
            .title
            .starts_with("🔥 決済")
    );
    for size in [(80, 24), (120, 40), (40, 12)] {
        let screen = text(&draw(&state, &view, size));
        assert!(screen.contains("🔥"), "{screen}");
    }
}

#[test]
fn component_detail() {
    let mut state = demo::showcase(t0());
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    assert!(matches!(
        state.ui.overlay,
        Some(warroom::state::Overlay::Detail { .. })
    ));
    snapshot_sizes("component_detail", &state, &view(false));
}

#[test]
fn a_backup_stream_older_than_its_frequency_is_flagged() {
    let mut state = demo::showcase(t0());
    let db = state.world.index("db").unwrap();
    let stream = state.config.components[db]
        .backups
        .iter()
        .position(|b| b.name == "hourly incremental")
        .unwrap();
    state.backups[db][stream] = Some(Ok(state.now - chrono::TimeDelta::minutes(61)));
    let board = text(&draw(&state, &view(false), (200, 50)));
    assert!(
        board.contains("backups: 1 stale"),
        "where the line has room: {board}"
    );
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    let detail = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        detail.contains("hourly incremental STALE: last good 1h01m ago · every 1h"),
        "{detail}"
    );
}

#[test]
fn escalation_screen() {
    let mut state = demo::showcase(t0());
    state.ui.screen = warroom::state::Screen::Escalation;
    snapshot_sizes("escalation_incident", &state, &view(false));
    let now = state.now;
    play(&mut state, Msg::Action(Action::Page), now);
    snapshot_sizes("confirm_page", &state, &view(false));
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::Acknowledge), now);
    play(&mut state, Msg::Action(Action::Confirm), now);
    snapshot_sizes("escalation_acknowledged", &state, &view(false));
    let mut watching = watching();
    watching.ui.screen = warroom::state::Screen::Escalation;
    snapshot_sizes("escalation_reference", &watching, &view(false));
}

#[test]
fn the_next_level_says_who_to_call_and_when_the_last_comes_round_again() {
    let mut state = demo::showcase(t0());
    let board = text(&draw(&state, &view(false), (200, 50)));
    assert!(
        board.contains("Next: level 2 due in") && board.contains("call Sam Okafor"),
        "{board}"
    );
    let later = state.now + chrono::TimeDelta::minutes(15);
    play(&mut state, Msg::Tick, later);
    let board = text(&draw(&state, &view(false), (200, 50)));
    assert!(board.contains("Next: level 3 again in"), "{board}");
    assert!(!board.contains("is paged"), "warroom never pages by itself");
}

#[test]
fn budget_gauges_carry_their_level_in_mono() {
    let mut state = demo::showcase(t0());
    state.console = warroom::state::Console::Live;
    let later = state.now + chrono::TimeDelta::minutes(20);
    play(&mut state, Msg::Tick, later);
    let view = View::new(Theme::select(None, Colors::None).unwrap(), true);
    let screen = text(&draw(&state, &view, (120, 40)));
    assert!(screen.contains("BREACH"), "{screen}");
    assert!(
        screen.contains("[######]") || screen.contains("[##########]"),
        "{screen}"
    );
}

fn with_runbooks() -> State {
    let mut state = demo::showcase(t0());
    assert_eq!(state.runbooks[0].id, "db-failover", "the demo's runbooks");
    state.ui.screen = warroom::state::Screen::Runbooks;
    state
}

#[test]
fn a_step_past_its_phase_window_is_overdue() {
    let mut state = with_runbooks();
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    let later = state.incident.as_ref().unwrap().declared + chrono::TimeDelta::minutes(7);
    play(&mut state, Msg::Tick, later);
    let screen = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        screen.contains("now: Short-term (5-15 minutes)"),
        "{screen}"
    );
    assert!(
        screen.contains("1. OVERDUE 2m · Confirm the primary is really down pending"),
        "{screen}"
    );
    assert!(
        screen.contains("3. Fence the old primary pending · due in 8m"),
        "{screen}"
    );
    let narrow = text(&draw(&state, &view(false), (80, 24)));
    assert!(
        narrow.contains("╭ now: Short-term (5-15 minutes) · Primary"),
        "where title and phase do not both fit, the phase comes first:\n{narrow}"
    );
}

#[test]
fn runbooks_screen_and_stepper() {
    let mut state = with_runbooks();
    snapshot_sizes("runbooks_list", &state, &view(false));
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::Down), now);
    play(&mut state, Msg::Action(Action::TickCheck), now);
    play(&mut state, Msg::Action(Action::MarkDone), now);
    play(&mut state, Msg::Action(Action::Down), now);
    snapshot_sizes("runbooks_stepper", &state, &view(false));
    play(&mut state, Msg::Action(Action::Run), now);
    assert!(
        matches!(state.ui.overlay, Some(warroom::state::Overlay::Dialog(_))),
        "db-failover step 3 asks to confirm"
    );
    snapshot_sizes("runbooks_confirm", &state, &view(false));
}

#[test]
fn checks_ticked_and_the_question_before_done() {
    let mut state = with_runbooks();
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::TickCheck), now);
    snapshot_sizes("runbooks_check_ticked", &state, &view(false));
    play(&mut state, Msg::Action(Action::MarkDone), now);
    assert!(
        matches!(&state.ui.overlay, Some(warroom::state::Overlay::Dialog(d)) if d.kind == warroom::state::DialogKind::ConfirmDone),
        "db-failover step 1 has checks left"
    );
    snapshot_sizes("runbooks_confirm_done", &state, &view(false));
}

/// Who is on what: a step and a check given to people, beside them and in the list under the
/// runbooks; the dialog that gives them.
#[test]
fn steps_and_checks_given_to_people_and_who_is_on_what() {
    let mut state = with_runbooks();
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::Assign), now);
    play(&mut state, Msg::Input("sam@jump-1".into()), now);
    snapshot_sizes("runbooks_assign_dialog", &state, &view(false));
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::Assign), now);
    play(&mut state, Msg::Action(Action::NextChoice), now);
    play(&mut state, Msg::Input("lee@jump-1".into()), now);
    play(&mut state, Msg::Action(Action::Confirm), now);
    let screen = text(&draw(&state, &view(false), (120, 40)));
    assert!(screen.contains("Who is on what"), "{screen}");
    assert!(screen.contains("· on it: sam@jump-1"), "{screen}");
    assert!(screen.contains("on it: lee@jump-1"), "{screen}");
    snapshot_sizes("runbooks_who_is_on_what", &state, &view(false));
}

#[test]
fn stepper_with_running_output() {
    let mut state = with_runbooks();
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::Down), now);
    play(&mut state, Msg::Action(Action::Run), now);
    let started = state.records.last().unwrap().seq;
    play(
        &mut state,
        Msg::RunOutput {
            started,
            text: "[simulated] replica-lag: 0.8 s\n\u{1b}[31mlag ok\u{1b}[0m\n".into(),
        },
        now,
    );
    snapshot_sizes("runbooks_running", &state, &view(false));
}

#[test]
fn recovery_dialogs() {
    let mut state = demo::showcase(t0());
    let text = demo::CONFIG.replace(
        "probe = { kind = \"sim\" }\nrecovery_point = { kind = \"sim\", age = \"90s\" }",
        "probe = { kind = \"sim\" }\nrecovery_point = { kind = \"sim\", age = \"90s\" }\n[[component.recovery]]\nname = \"Promote replica\"\ncommand = \"./promote.sh\"\nconfirm = \"type\"\n[[component.recovery]]\nname = \"Restart primary\"\ncommand = \"./restart.sh\"\n",
    );
    state.config = warroom::config::parse("demo.toml", &text).unwrap();
    let db = state
        .dashboard_rows()
        .iter()
        .position(|&i| state.config.components[i].id == "db")
        .unwrap();
    state
        .ui
        .list_mut(warroom::state::Screen::Dashboard)
        .selected = db;
    let now = state.now;
    play(&mut state, Msg::Action(Action::Recover), now);
    let view = view(false);
    snapshot_sizes("recovery_choose", &state, &view);
    play(&mut state, Msg::Action(Action::Confirm), now);
    snapshot_sizes("recovery_confirm_type", &state, &view);
}

#[test]
fn review_screen() {
    let mut state = demo::showcase(t0());
    let now = state.now;
    play(&mut state, Msg::Action(Action::Review), now);
    snapshot_sizes("review_draft", &state, &view(false));
    play(&mut state, Msg::Action(Action::Edit), now);
    let mut view = view(false);
    view.set_editor(&state.ui.review.as_ref().unwrap().text);
    play(
        &mut state,
        Msg::ReviewEdited("# Edited review\n\n## Summary\n\nThe primary ran out of disk.\n".into()),
        now,
    );
    view.set_editor(&state.ui.review.as_ref().unwrap().text);
    snapshot_sizes("review_editing", &state, &view);
}

#[test]
fn facilitator_screen() {
    let mut state = demo::worked(t0());
    state.ui.screen = warroom::state::Screen::Drill;
    snapshot_sizes("facilitator", &state, &view(false));
}

#[test]
fn facilitator_sets_a_state() {
    let mut state = demo::worked(t0());
    let now = state.now;
    state.ui.screen = warroom::state::Screen::Drill;
    play(&mut state, Msg::Action(Action::SetState), now);
    play(&mut state, Msg::Input("cache".into()), now);
    snapshot_sizes("facilitator_set_state", &state, &view(false));
}

#[test]
fn scorecard_after_the_drill_ends() {
    let mut state = demo::worked(t0());
    let now = state.now;
    state.ui.screen = warroom::state::Screen::Drill;
    play(&mut state, Msg::Action(Action::EndDrill), now);
    let dialog = text(&draw(&state, &view(false), (80, 24)));
    assert!(dialog.contains("End the drill?"), "{dialog}");
    play(&mut state, Msg::Action(Action::Confirm), now);
    state.ui.flash = None;
    let card = warroom::view::drill::scorecard(&state).unwrap();
    assert!(card.finished, "ending the drill resolves the incident");
    snapshot_sizes("scorecard", &state, &view(false));
}

/// A live console on `config` at t0, watched by dana.
fn live(config: warroom::config::Config) -> State {
    State::new(
        config,
        warroom::state::Mode::Live,
        "dana@jump-1".into(),
        t0(),
    )
}

/// The concierge kit's own tiers (critical, high, medium) with its edge functions (medium) and
/// hosting (critical) down: the board sorts by the team's order and names their tiers.
fn concierge_down(ids: &[&str]) -> State {
    use warroom::domain::health::Sample;
    let config = warroom::config::load(std::path::Path::new(
        "examples/plans/concierge/warroom.toml",
    ))
    .unwrap();
    let mut state = live(config);
    for (n, id) in ids.iter().enumerate() {
        let index = state.world.index(id).unwrap();
        for k in 0..3 {
            let at = t0() + chrono::TimeDelta::seconds(i64::try_from(n * 3 + k).unwrap());
            let sample = Sample {
                at,
                health: Health::Down,
                latency: None,
                detail: Some("connection refused".into()),
                reading: None,
            };
            play(&mut state, Msg::Probed { index, sample }, at);
        }
    }
    state
}

/// `examples/prometheus.toml` with each component's latest query answer.
fn watched_through_prometheus() -> State {
    use warroom::domain::health::Sample;
    let config = warroom::config::load(std::path::Path::new("examples/prometheus.toml")).unwrap();
    let mut state = live(config);
    let answers = [
        ("monitoring", Health::Up, "value 1", "1"),
        (
            "checkout",
            Health::Down,
            "CheckoutErrors: 5xx above 5% for 5m",
            "1 alert",
        ),
        ("api", Health::Up, "value 1", "1"),
        (
            "workers",
            Health::Down,
            "1 of 3 series < 1: {instance=\"w-2\",job=\"settlement-worker\"} 0",
            "0",
        ),
        ("errors", Health::Degraded, "value 2.37% > 1", "2.37%"),
        ("db", Health::Up, "value 1", "1"),
        (
            "queue",
            Health::Unknown,
            "Prometheus: bad_data: parse error at char 12",
            "",
        ),
    ];
    for (k, (id, health, detail, reading)) in answers.iter().enumerate() {
        let index = state.world.index(id).unwrap();
        for n in 0..2 {
            let at = t0() + chrono::TimeDelta::seconds(i64::try_from(k * 2 + n).unwrap());
            let sample = Sample {
                at,
                health: *health,
                latency: None,
                detail: Some((*detail).into()),
                reading: (!reading.is_empty()).then(|| (*reading).into()),
            };
            play(&mut state, Msg::Probed { index, sample }, at);
        }
    }
    state
}

#[test]
fn a_query_value_shows_in_the_latency_column_with_its_unit() {
    let mut state = watched_through_prometheus();
    let unmapped = |name: &str, severity: &str, summary: Option<&str>| {
        let mut labels = std::collections::BTreeMap::from([("alertname".into(), name.into())]);
        if !severity.is_empty() {
            labels.insert("severity".into(), severity.into());
        }
        warroom::domain::alert::Firing {
            fingerprint: name.to_lowercase(),
            labels,
            summary: summary.map(Into::into),
            starts_at: None,
            generator_url: String::new(),
            silenced: false,
            inhibited: false,
            critical: severity == "critical",
            claimed_by: Vec::new(),
        }
    };
    let alerts = vec![
        unmapped("DiskFull", "critical", Some("disk over 95% on db-2")),
        unmapped("Noise", "", None),
    ];
    let now = state.now;
    play(
        &mut state,
        Msg::Alerts {
            source: "main".into(),
            alerts,
        },
        now,
    );
    let narrow = text(&draw(&state, &view(false), (80, 24)));
    assert!(narrow.contains("· 2 unmapped alerts"), "{narrow}");
    snapshot_sizes("dashboard_prometheus", &state, &view(false));
    let wide = text(&draw(&state, &view(false), (120, 40)));
    for shown in [
        "unmapped  DiskFull (critical): disk over 95% on db-2",
        "unmapped  Noise (no severity)",
    ] {
        assert!(narrow.contains(shown), "{shown}: {narrow}");
    }
    for shown in [
        "2.37%",
        "1 of 3 series < 1",
        "bad_data",
        "unmapped  DiskFull",
    ] {
        assert!(wide.contains(shown), "{shown}: {wide}");
    }
}

/// The Prometheus example with Checkout's alert firing in Alertmanager since 02:58.
fn checkout_alert_firing() -> State {
    let mut state = watched_through_prometheus();
    let checkout = state.world.index("checkout").unwrap();
    let labels = [
        ("alertname", "CheckoutErrors"),
        ("component", "checkout"),
        ("service", "payments"),
        ("severity", "critical"),
        ("pod", "web-7\u{1b}[31m"),
    ];
    let alert = warroom::domain::alert::Firing {
        fingerprint: "4f2a".into(),
        labels: labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        summary: Some("5xx above 5% for 5m".into()),
        starts_at: Some(t0() - chrono::TimeDelta::minutes(2)),
        generator_url: "http://127.0.0.1:9090/graph?g0.expr=errors".into(),
        silenced: false,
        inhibited: false,
        critical: true,
        claimed_by: vec![checkout],
    };
    let now = state.now;
    let source = "main".to_owned();
    play(
        &mut state,
        Msg::Alerts {
            source,
            alerts: vec![alert],
        },
        now,
    );
    state
}

#[test]
fn the_detail_lists_the_alerts_a_component_claims() {
    let mut state = checkout_alert_firing();
    let index = state.world.index("checkout").unwrap();
    state.ui.overlay = Some(warroom::state::Overlay::Detail { index, scroll: 0 });
    snapshot_sizes("detail_alerts", &state, &view(false));
    let wide = text(&draw(&state, &view(false), (120, 40)));
    for shown in [
        "Alerts it claims",
        "CheckoutErrors (critical): 5xx above 5% for 5m · since 02:58:00Z",
        "http://127.0.0.1:9090/graph?g0.expr=errors",
        "pod=\"web-7\\u{1b}[31m\"",
    ] {
        assert!(wide.contains(shown), "{shown}: {wide}");
    }
}

#[test]
fn the_alert_banner_titles_the_declaration_and_the_silence_lists_its_matchers() {
    let mut state = checkout_alert_firing();
    let board = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        board.contains("ALERT CheckoutErrors (critical): 5xx above 5% for 5m. Press D to declare"),
        "{board}"
    );
    let now = state.now;
    play(&mut state, Msg::Action(Action::Declare), now);
    assert_eq!(state.dialog().unwrap().field.text, "5xx above 5% for 5m");
    play(&mut state, Msg::Action(Action::Confirm), now);
    play(&mut state, Msg::Action(Action::Silence), now);
    snapshot_sizes("silence_dialog", &state, &view(false));
    let dialog = text(&draw(&state, &view(false), (120, 40)));
    for shown in [
        "Silence in Alertmanager?",
        "created by dana@jump-1",
        "alertname=\"CheckoutErrors\"",
        "> for 2 hours",
    ] {
        assert!(dialog.contains(shown), "{shown}: {dialog}");
    }
    play(&mut state, Msg::Action(Action::Confirm), now);
    let requested = state.records.last().unwrap().seq;
    let result = Ok("5b3c9e1a-expiring".to_owned());
    play(&mut state, Msg::Silenced { requested, result }, now);
    play(&mut state, Msg::Action(Action::Resolve), now);
    play(&mut state, Msg::Action(Action::Confirm), now);
    snapshot_sizes("resolve_still_down", &state, &view(false));
    play(&mut state, Msg::Action(Action::Confirm), now);
    snapshot_sizes("expire_silences_dialog", &state, &view(false));
    let dialog = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        dialog.contains("1 silence that still holds: 5b3c9e1a-expiring"),
        "{dialog}"
    );
}

#[test]
fn a_teams_own_tiers_name_the_column_and_set_the_declare_severity() {
    let state = concierge_down(&["edge"]);
    snapshot_sizes("dashboard_own_tiers", &state, &view(false));
    let wide = text(&draw(&state, &view(false), (200, 50)));
    assert!(wide.contains("Edge functions            medium"), "{wide}");
    let narrow = text(&draw(&state, &view(false), (80, 24)));
    assert!(narrow.contains("med."), "cut to the column: {narrow}");
    assert!(
        !narrow.contains("is DOWN ("),
        "a medium component down raises no banner: {narrow}"
    );
    let mut state = state;
    let now = state.now;
    play(&mut state, Msg::Action(Action::Declare), now);
    let dialog = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        dialog.contains("> P3"),
        "the third tier declares P3: {dialog}"
    );
    let state = concierge_down(&["edge", "hosting"]);
    let board = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        board.contains("Hosting provider (Vercel) is DOWN (critical)"),
        "{board}"
    );
}

#[test]
fn the_detail_of_an_http_probe_says_what_it_checks_and_how_it_connects() {
    let text_of = |extra: &str| {
        let config = warroom::config::parse(
            "warroom.toml",
            &format!(
                "[service]\nname = \"Shop\"\n[[component]]\nid = \"web\"\nname = \"Web\"\n\
                 tier = \"critical\"\nprobe = {{ kind = \"http\", url = \"https://127.0.0.1:8443/health\", \
                 expect_json = {{ pointer = \"/status\", equals = \"ok\" }}, max_latency = \"300ms\", \
                 tls_verify = false{extra} }}\n"
            ),
        )
        .unwrap();
        let mut state = live(config);
        state.ui.overlay = Some(warroom::state::Overlay::Detail {
            index: 0,
            scroll: 0,
        });
        state
    };
    let fresh = text_of("");
    snapshot_sizes("detail_http", &fresh, &view(false));
    let shown = text(&draw(&fresh, &view(false), (120, 40)));
    assert!(shown.contains("a new connection every sample"), "{shown}");
    assert!(shown.contains("TLS CERTIFICATE NOT VERIFIED"), "{shown}");
    let kept = text(&draw(
        &text_of(", reuse_connections = true"),
        &view(false),
        (120, 40),
    ));
    assert!(
        kept.contains("connections kept open between samples (reuse_connections = true)"),
        "{kept}"
    );
}

/// The showcase with two more people in the room, one of them asking for an approval.
fn in_a_room() -> State {
    use warroom::domain::event::{Approvable, Event, Record};
    let mut state = demo::showcase(t0());
    let now = state.now;
    let mut seq = state.records.last().map_or(0, |r| r.seq);
    let mut record = |actor: &str, event: Event| {
        seq += 1;
        Record {
            seq,
            at: now,
            wall: None,
            actor: actor.to_owned(),
            request: None,
            event,
        }
    };
    let records = vec![
        record("dana@jump-1", Event::RoomOpened),
        record("sam@jump-1", Event::RoomJoined),
        record("lee@jump-1", Event::RoomJoined),
        record(
            "sam@jump-1",
            Event::ApprovalRequested {
                target: Approvable::Step {
                    runbook: "db-failover".into(),
                    step: 1,
                    command: 0,
                },
                what: "run db-failover step 2: ./promote-replica.sh".into(),
            },
        ),
    ];
    play(&mut state, Msg::Followed(records), now);
    state.ui.presence = vec![
        ("dana@jump-1".into(), "Dashboard".into()),
        ("sam@jump-1".into(), "Runbooks".into()),
        ("lee@jump-1".into(), "Review".into()),
    ];
    state
}

#[test]
fn dashboard_in_a_room_with_an_approval_waiting() {
    snapshot_sizes("dashboard_room", &in_a_room(), &view(false));
}

/// A runbook as teams write them: no front matter, a table, a nested list, a transcript and a
/// command between paragraphs.
const WILD_RUNBOOK: &str = "# Redis memory full\n\nRedis evicts keys or refuses writes.\n\n## Diagnosis\n\n| Check | Command |\n|---|---|\n| Memory used | `INFO memory` |\n| Evictions | `INFO stats` |\n\n- On each replica:\n  1. connect with `redis-cli`\n  2. read `used_memory_human`\n- Compare with `maxmemory`\n\n```console\n$ redis-cli INFO memory | grep used_memory_human\nused_memory_human:7.80G\n```\n\nIf it is near the limit, free memory:\n\n```sh\nredis-cli MEMORY PURGE\n```\n\nThen watch it for five minutes. The eviction policy decides what goes first; a cache can lose keys, a queue must not.\n\n> [!WARNING]\n> Never FLUSHALL a shared instance.\n\n## Mitigation\n\nScale the instance.\n";

#[test]
fn a_wild_runbook_is_stepped_whole_and_its_long_step_scrolls() {
    let mut state = with_runbooks();
    state.runbooks = vec![warroom::runbook::parse("redis-memory.md", WILD_RUNBOOK).unwrap()];
    let now = state.now;
    play(&mut state, Msg::Action(Action::Confirm), now);
    snapshot_sizes("runbooks_wild_step", &state, &view(false));
    let bottom = |state: &State| text(&draw(state, &view(false), (80, 24)));
    assert!(bottom(&state).contains("more below"), "{}", bottom(&state));
    play(&mut state, Msg::Action(Action::ScrollDown), now);
    play(&mut state, Msg::Action(Action::ScrollDown), now);
    let scrolled = bottom(&state);
    assert!(
        scrolled.contains("FLUSHALL"),
        "the end of the step comes into view:\n{scrolled}"
    );
    assert!(scrolled.contains("more above"), "{scrolled}");
    insta::assert_snapshot!("runbooks_wild_step_scrolled_80x24", scrolled);
    play(&mut state, Msg::Action(Action::Down), now);
    play(&mut state, Msg::Action(Action::Up), now);
    assert!(
        bottom(&state).contains("more below"),
        "another step starts at its top"
    );
}

#[test]
fn the_most_at_risk_gauges_are_drawn_at_every_size_with_three_components_failing() {
    let mut state = concierge_down(&["database", "storage", "auth"]);
    let now = state.now;
    play(&mut state, Msg::Action(Action::Declare), now);
    play(&mut state, Msg::Action(Action::Confirm), now);
    let later = now + chrono::TimeDelta::seconds(90);
    play(&mut state, Msg::Tick, later);
    assert!(state.incident_open());
    for size in [(60, 20), (80, 24), (120, 40), (160, 50)] {
        let screen = text(&draw(&state, &view(false), size));
        let gauge = screen
            .lines()
            .find(|line| line.contains("RTO ["))
            .unwrap_or_else(|| panic!("no gauge at {size:?}:\n{screen}"));
        assert!(!screen.contains("+3 more"), "{size:?}:\n{screen}");
        let name = gauge.trim_start_matches(['│', ' ']);
        assert!(
            name.split(" RTO")
                .next()
                .unwrap()
                .trim_end()
                .chars()
                .count()
                >= 8,
            "{size:?}: {gauge}"
        );
    }
    // Names keep 16 characters; a WHY too long for its column wraps onto a second line.
    let board = text(&draw(&demo::showcase(t0()), &view(false), (120, 40)));
    assert!(board.contains("Settlement worke RTO ["), "{board}");
    assert!(board.contains("  accepting connections "), "{board}");
}

#[test]
fn a_log_that_stopped_is_said_in_the_status_bar() {
    let mut state = demo::showcase(t0());
    let now = state.now;
    play(
        &mut state,
        Msg::LogFailed("No space left on device (os error 28)".into()),
        now,
    );
    let screen = text(&draw(&state, &view(false), (120, 40)));
    assert!(screen.contains(" log off  journal ok "), "{screen}");
    assert!(
        screen.contains("The log file cannot be written (No space left on device (os error 28)): logging is off."),
        "{screen}"
    );
}

/// A joined console names the console that writes; while its writer is gone it says so.
#[test]
fn a_joined_console_names_its_writer_and_says_when_it_went_away() {
    let mut state = in_a_room();
    state.console = warroom::state::Console::Joined;
    snapshot_sizes("dashboard_joined", &state, &view(false));
    let now = state.now;
    let effects = warroom::update::update(
        &mut state,
        Msg::RoomClosed("the writing console went away".into()),
        now,
    );
    assert_eq!(effects, vec![warroom::msg::Effect::FindWriter]);
    let gone = text(&draw(&state, &view(false), (80, 24)));
    assert!(gone.contains("WRITER GONE · finding who writes"), "{gone}");
    assert!(!gone.contains("JOINED"), "{gone}");
    play(&mut state, Msg::WriterFound(Some("sam@jump-1".into())), now);
    let back = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        back.contains("sam@jump-1 writes the incident now"),
        "{back}"
    );
}

/// A live incident on components whose backups are all simulated (as an imported kit's are
/// until pointed at the real copies): the budgets say the RPO is simulated, never a breach.
#[test]
fn simulated_backups_in_a_live_incident() {
    let mut state = demo::showcase(t0());
    state.mode = warroom::state::Mode::Live;
    if let Some(incident) = state.incident.as_mut() {
        incident.drill = false;
    }
    let rendered = text(&draw(&state, &view(false), (120, 40)));
    assert!(
        rendered.contains("RPO simulated, not measured"),
        "{rendered}"
    );
    snapshot_sizes("dashboard_simulated_rpo", &state, &view(false));
}
