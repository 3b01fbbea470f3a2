//! Renders every screen from real state into `screenshots/*.svg`.
//! Run: `cargo run --example screenshots`

use std::path::Path;

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::demo;
use warroom::keymap::Action;
use warroom::msg::Msg;
use warroom::state::{Screen, State};
use warroom::ui::{self, Colors, Theme, View, svg};
use warroom::update::play;

fn save(name: &str, state: &State, view: &View, (w, h): (u16, u16)) -> std::io::Result<()> {
    let palette = if view.theme.name == "light" {
        svg::LIGHT
    } else {
        svg::DARK
    };
    let mut terminal = Terminal::new(TestBackend::new(w, h))?;
    terminal.draw(|frame| ui::render(frame, state, view))?;
    let path = Path::new("screenshots").join(format!("{name}.svg"));
    std::fs::write(&path, svg::render(terminal.backend().buffer(), palette))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn with(action: Action) -> State {
    let start = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let mut state = demo::showcase(start);
    let now = state.now;
    play(&mut state, Msg::Action(action), now);
    state
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all("screenshots")?;
    let start = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let theme = Theme::select(None, Colors::TrueColor)?;
    let view = View::new(theme.clone(), false);
    let showcase = demo::showcase(start);
    save("dashboard", &showcase, &view, (120, 40))?;
    save("dashboard-80x24", &showcase, &view, (80, 24))?;
    let mut timeline = showcase.clone();
    timeline.ui.screen = Screen::Timeline;
    save("timeline", &timeline, &view, (120, 40))?;
    let mut runbooks = showcase.clone();
    runbooks.ui.screen = Screen::Runbooks;
    let now = runbooks.now;
    play(&mut runbooks, Msg::Action(Action::Confirm), now);
    play(&mut runbooks, Msg::Action(Action::Down), now);
    play(&mut runbooks, Msg::Action(Action::Run), now);
    let started = runbooks.records.last().map_or(0, |r| r.seq);
    let output = "[simulated] replica-lag: SELECT now() - pg_last_xact_replay_timestamp()\n[simulated] replica-lag done\n";
    play(
        &mut runbooks,
        Msg::RunOutput {
            started,
            text: output.into(),
        },
        now,
    );
    save("runbooks", &runbooks, &view, (120, 40))?;
    let mut escalation = showcase.clone();
    escalation.ui.screen = Screen::Escalation;
    save("escalation", &escalation, &view, (120, 40))?;
    let mut watching = demo::state("dana@jump-1", start);
    play(
        &mut watching,
        Msg::Tick,
        start + chrono::TimeDelta::seconds(30),
    );
    play(
        &mut watching,
        Msg::Action(Action::Declare),
        start + chrono::TimeDelta::seconds(30),
    );
    save("declare", &watching, &view, (80, 24))?;
    for (name, action) in [
        ("note", Action::Note),
        ("severity", Action::Severity),
        ("help", Action::Help),
        ("palette", Action::Palette),
        ("confirm-page", Action::Page),
    ] {
        let state = with(action);
        save(name, &state, &view, (80, 24))?;
    }
    save("compact-40x12", &showcase, &view, (40, 12))?;
    let mut facilitator = demo::worked(start);
    facilitator.ui.screen = Screen::Drill;
    save("facilitator", &facilitator, &view, (120, 40))?;
    let now = facilitator.now;
    play(&mut facilitator, Msg::Action(Action::EndDrill), now);
    play(&mut facilitator, Msg::Action(Action::Confirm), now);
    facilitator.ui.flash = None;
    save("scorecard", &facilitator, &view, (100, 30))?;
    let light = View::new(Theme::select(Some("light"), Colors::TrueColor)?, false);
    save("theme-light", &showcase, &light, (80, 24))?;
    let mono = View::new(Theme::select(None, Colors::None)?, true);
    save("no-color-ascii", &showcase, &mono, (80, 24))?;
    Ok(())
}
