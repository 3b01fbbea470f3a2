//! Renders the full dashboard of 500 components into a 120x40 buffer, many times, and reports the
//! time per frame. Run: `cargo bench --bench render`

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::config;
use warroom::domain::Health;
use warroom::domain::health::{Hysteresis, Sample};
use warroom::state::{Mode, State};
use warroom::ui::{self, Colors, Theme, View};

const COMPONENTS: usize = 500;
const FRAMES: usize = 2000;

fn state() -> State {
    let tiers = ["critical", "high", "standard", "low"];
    let mut text = String::from("[service]\nname = \"Bench\"\n");
    for i in 0..COMPONENTS {
        let deps = if i > 0 {
            format!("depends_on = [\"c{}\"]\n", i / 2)
        } else {
            String::new()
        };
        let _ = write!(
            text,
            "[[component]]\nid = \"c{i}\"\nname = \"Component number {i}\"\ntier = \"{}\"\n{deps}probe = {{ kind = \"tcp\", address = \"127.0.0.1:{}\" }}\n",
            tiers[i % 4],
            1000 + i
        );
    }
    let config = config::parse("bench.toml", &text).expect("valid");
    let start = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let mut state = State::new(config, Mode::Live, "bench@host".into(), start);
    let rules = Hysteresis {
        fail_after: 1,
        recover_after: 1,
    };
    for round in 0..60 {
        for i in 0..COMPONENTS {
            let health = match (i + round / 30) % 17 {
                0 => Health::Down,
                1 => Health::Degraded,
                _ => Health::Up,
            };
            let at = start + TimeDelta::seconds(round as i64);
            let latency = Some(Duration::from_millis(
                (i as u64 * 13 + round as u64 * 7) % 300,
            ));
            let detail = Some(format!("sample {round} of component {i}"));
            state.world.observe(
                i,
                Sample {
                    at,
                    health,
                    latency,
                    detail,
                    reading: None,
                },
                rules,
            );
        }
    }
    state.now = start + TimeDelta::seconds(61);
    state
}

fn main() {
    let state = state();
    let view = View::new(
        Theme::select(None, Colors::TrueColor).expect("theme"),
        false,
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    let mut times = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        let started = Instant::now();
        terminal
            .draw(|frame| ui::render(frame, &state, &view))
            .expect("draw");
        times.push(started.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / FRAMES as u32;
    let p99 = times[FRAMES * 99 / 100];
    println!(
        "dashboard, {COMPONENTS} components, 120x40: mean {mean:?} per frame, p99 {p99:?}, {FRAMES} frames"
    );
}
