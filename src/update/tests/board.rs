//! The board after a restart: last known states shown, no transition invented.

use super::*;

#[test]
fn a_resumed_console_shows_last_known_states_and_invents_no_transition() {
    use crate::domain::health::Sample;
    let live = declared(secs(30));
    let db = live.world.index("db").unwrap();
    let since = live.world.health[db].since;
    assert_eq!(live.world.health[db].state, Health::Down);
    let mut resumed = demo::state("ic@host", secs(40));
    resumed.console = Console::Live;
    assert_eq!(
        resumed.world.health[db].state,
        Health::Up,
        "the config's start"
    );
    resume(&mut resumed, live.records.clone()).unwrap();
    let restored = &resumed.world.health[db];
    assert_eq!((restored.state, restored.since), (Health::Down, since));
    assert!(restored.last_known);
    let sample = Sample {
        at: secs(41),
        health: Health::Down,
        latency: None,
        detail: Some("connection refused".into()),
        reading: None,
    };
    let effects = run(&mut resumed, Msg::Probed { index: db, sample }, secs(41));
    assert!(effects.is_empty(), "no transition journaled: {effects:?}");
    assert!(
        !resumed.world.health[db].last_known,
        "a fresh sample ends last known"
    );
    assert_eq!(
        resumed.world.health[db].since, since,
        "the outage keeps its start"
    );
}

#[test]
fn a_component_first_seen_up_journals_no_transition() {
    use crate::domain::health::Sample;
    let live = declared(secs(30));
    let mut resumed = demo::state("ic@host", secs(40));
    resumed.console = Console::Live;
    resume(&mut resumed, live.records.clone()).unwrap();
    let api = resumed.world.index("api").unwrap();
    resumed.world.health[api].state = Health::Unknown;
    let up = |at| Sample {
        at,
        health: Health::Up,
        latency: Some(std::time::Duration::from_millis(5)),
        detail: None,
        reading: None,
    };
    for n in 41..46 {
        let effects = run(
            &mut resumed,
            Msg::Probed {
                index: api,
                sample: up(secs(n)),
            },
            secs(n),
        );
        assert!(
            effects.is_empty(),
            "unknown → up is not journaled: {effects:?}"
        );
    }
    assert_eq!(
        resumed.world.health[api].state,
        Health::Up,
        "and it is shown up"
    );
    let down = Sample {
        health: Health::Down,
        latency: None,
        ..up(secs(50))
    };
    let mut journaled = Vec::new();
    for n in 50..55 {
        let sample = Sample {
            at: secs(n),
            ..down.clone()
        };
        journaled.extend(run(
            &mut resumed,
            Msg::Probed { index: api, sample },
            secs(n),
        ));
    }
    assert_eq!(journaled.len(), 1, "a real change still is: {journaled:?}");
}
