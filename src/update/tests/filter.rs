//! `/` on every screen: lists filtered, letters never acting.

use super::*;

#[test]
fn slash_filters_every_list_screen_and_says_so_elsewhere() {
    let mut state = declared(secs(30));
    state.runbooks = crate::demo::runbooks();
    for screen in ['1', '2', '3', '4'] {
        typed(&mut state, &format!("{screen}/ap"), secs(31));
        assert_eq!(state.ui.filter(), "ap", "screen {screen}");
        assert!(state.dialog().is_some_and(|d| d.kind == DialogKind::Filter));
        typed(&mut state, "i", secs(31));
        run(&mut state, Msg::Action(Action::Confirm), secs(31));
        assert_eq!(state.ui.filter(), "api", "the filter stays after Enter");
        run(&mut state, Msg::Action(Action::Cancel), secs(31));
        assert_eq!(state.ui.filter(), "", "Esc clears it");
    }
    typed(&mut state, "2/fail", secs(31));
    let shown = crate::view::runbooks::ordered(&state);
    assert!(
        !shown.is_empty() && shown.len() < state.runbooks.len(),
        "{shown:?}"
    );
    run(&mut state, Msg::Action(Action::Cancel), secs(31));
    run(&mut state, Msg::Action(Action::Cancel), secs(31));
    run(&mut state, Msg::Action(Action::Confirm), secs(31));
    let (rb, _) = state.ui.stepper.unwrap();
    typed(&mut state, "/promote", secs(31));
    let visible = crate::view::runbooks::visible_steps(&state, rb);
    assert_eq!(visible.len(), 1, "{visible:?}");
    assert_eq!(
        state.ui.stepper,
        Some((rb, visible[0])),
        "the selection follows the filter"
    );
    for screen in ['5', '6'] {
        run(&mut state, Msg::Action(Action::Cancel), secs(31));
        typed(&mut state, &format!("{screen}/eiDn"), secs(31));
        assert!(
            state.dialog().is_some_and(|d| d.kind == DialogKind::Filter),
            "screen {screen}: the letters after / are the filter's, never keys"
        );
        run(&mut state, Msg::Action(Action::Cancel), secs(31));
        assert!(state.ui.overlay.is_none(), "Esc closes it");
    }
    assert!(
        kinds_of(&state).iter().all(|k| k != "scenario_message"),
        "no inject was fired, no message sent"
    );
    assert!(
        kinds_of(&state).iter().all(|k| *k != "note_added"),
        "no letter became a note"
    );
}

#[test]
fn filter_narrows_the_dashboard_and_escape_clears_it() {
    let mut state = demo::state("ic@host", t0());
    update(&mut state, Msg::Action(Action::Filter), secs(1));
    update(&mut state, Msg::Input("data".into()), secs(1));
    assert_eq!(state.dashboard_rows().len(), 2);
    update(&mut state, Msg::Action(Action::Confirm), secs(1));
    assert_eq!(state.dashboard_rows().len(), 2);
    update(&mut state, Msg::Action(Action::Cancel), secs(1));
    assert_eq!(state.dashboard_rows().len(), 11);
}
