//! The embedded demo: a small payments service whose simulated components follow a scenario.

use chrono::{DateTime, Utc};

use crate::config::{self, Config};
use crate::domain::world::{InjectEngine, Scenario};
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

/// The demo scenario (embedded, so it always parses).
#[must_use]
pub fn scenario(config: &Config) -> Scenario {
    config::parse_scenario("runbooks/drills/demo.toml", SCENARIO, Some(config))
        .expect("the embedded demo scenario is valid")
}

/// A console on the demo whose scenario clock starts at `now`.
#[must_use]
pub fn state(actor: &str, now: DateTime<Utc>) -> State {
    let config = config();
    let scenario = scenario(&config);
    let mut state = State::new(config, Mode::Demo, actor.to_owned(), now);
    state.injects = Some(InjectEngine::new(scenario, now));
    state
}
