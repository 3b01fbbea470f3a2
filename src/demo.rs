//! The embedded demo: a small payments service whose simulated components follow a scenario.

use chrono::{DateTime, Utc};

use crate::config::{self, Config};
use crate::domain::world::Scenario;
use crate::runbook::Runbook;
use crate::state::{Mode, State};

/// The demo service's config, as shipped in `examples/demo.toml`.
pub const CONFIG: &str = include_str!("../examples/demo.toml");
/// The demo timeline, as shipped in `runbooks/drills/demo.toml`.
pub const SCENARIO: &str = include_str!("../runbooks/drills/demo.toml");

/// The demo config (embedded, so it always parses).
#[must_use]
pub fn config() -> Config {
    config::parse("examples/demo.toml", CONFIG).expect("the embedded demo config is valid")
}

/// The shipped runbooks, embedded so the demo suggests them anywhere.
const RUNBOOKS: [(&str, &str); 5] = [
    (
        "runbooks/db-failover.md",
        include_str!("../runbooks/db-failover.md"),
    ),
    (
        "runbooks/cache-failover.md",
        include_str!("../runbooks/cache-failover.md"),
    ),
    (
        "runbooks/app-rollback.md",
        include_str!("../runbooks/app-rollback.md"),
    ),
    (
        "runbooks/region-failover.md",
        include_str!("../runbooks/region-failover.md"),
    ),
    (
        "runbooks/security-containment.md",
        include_str!("../runbooks/security-containment.md"),
    ),
];

/// The demo's runbooks (embedded, so they always parse).
#[must_use]
pub fn runbooks() -> Vec<Runbook> {
    RUNBOOKS
        .iter()
        .map(|(name, text)| {
            let mut runbook =
                crate::runbook::parse(name, text).expect("the embedded runbooks are valid");
            runbook.path = name.into();
            runbook
        })
        .collect()
}

/// The demo scenario (embedded, so it always parses).
#[must_use]
pub fn scenario(config: &Config) -> Scenario {
    config::parse_scenario(
        "runbooks/drills/demo.toml",
        SCENARIO,
        Some(config),
        Some(&runbooks()),
    )
    .expect("the embedded demo scenario is valid")
}

/// A console on the demo whose scenario clock starts at `now`.
#[must_use]
pub fn state(actor: &str, now: DateTime<Utc>) -> State {
    let config = config();
    let scenario = scenario(&config);
    let mut state = State::new(config, Mode::Demo, actor.to_owned(), now);
    state.runbooks = runbooks();
    crate::update::drill::start(&mut state, scenario, now);
    state
}

/// A scripted demo session for screenshots and snapshot tests: the database failure has rippled
/// up, an incident is declared, raised to P1, with roles, notes and a status change.
#[must_use]
pub fn showcase(start: DateTime<Utc>) -> State {
    use crate::keymap::Action;
    use crate::msg::Msg;
    use crate::update::play;
    use chrono::TimeDelta;

    let at = |secs: i64| start + TimeDelta::seconds(secs);
    let mut state = self::state("dana@jump-1", start);
    play(&mut state, Msg::Tick, at(34));
    let steps: &[(i64, Msg)] = &[
        (35, Msg::Action(Action::Declare)),
        (
            40,
            Msg::Input("Checkout payments failing: primary database down".into()),
        ),
        (40, Msg::Action(Action::NextChoice)),
        (41, Msg::Action(Action::Confirm)),
        (60, Msg::Action(Action::Severity)),
        (61, Msg::Action(Action::PrevChoice)),
        (62, Msg::Action(Action::Confirm)),
        (70, Msg::Action(Action::Roles)),
        (71, Msg::Action(Action::NextChoice)),
        (72, Msg::Input("sam@jump-2".into())),
        (73, Msg::Action(Action::Confirm)),
        (80, Msg::Action(Action::Note)),
        (
            85,
            Msg::Input("Primary refuses connections; DBA promoting the replica".into()),
        ),
        (86, Msg::Action(Action::Confirm)),
        (95, Msg::Action(Action::Status)),
        (96, Msg::Action(Action::Confirm)),
    ];
    script(&mut state, start, steps, 103);
    state
}

/// The showcase worked further, for the facilitator screen: the level acknowledged, a
/// db-failover step marked done, the drill clock at T+2m.
#[must_use]
pub fn worked(start: DateTime<Utc>) -> State {
    use crate::keymap::Action;
    use crate::msg::Msg;

    let mut state = showcase(start);
    let steps: &[(i64, Msg)] = &[
        (104, Msg::Action(Action::Acknowledge)),
        (110, Msg::Action(Action::Runbooks)),
        (111, Msg::Action(Action::Confirm)),
        (112, Msg::Action(Action::TickCheck)),
        (112, Msg::Action(Action::TickCheck)),
        (112, Msg::Action(Action::TickCheck)),
        (112, Msg::Action(Action::MarkDone)),
        (113, Msg::Action(Action::Cancel)),
        (114, Msg::Action(Action::Dashboard)),
        (115, Msg::Action(Action::Top)),
    ];
    script(&mut state, start, steps, 120);
    state
}

/// Plays `steps` (seconds after `start`, message), each after a tick at its time, then a last
/// tick at `end`; clears the footer so screenshots show the key hints.
fn script(state: &mut State, start: DateTime<Utc>, steps: &[(i64, crate::msg::Msg)], end: i64) {
    use crate::msg::Msg;
    use crate::update::play;
    let at = |secs: i64| start + chrono::TimeDelta::seconds(secs);
    for (secs, msg) in steps {
        play(state, Msg::Tick, at(*secs));
        play(state, msg.clone(), at(*secs));
    }
    play(state, Msg::Tick, at(end));
    state.ui.flash = None;
}
