//! The facilitator's injects: a list the filter narrows.

use super::*;

#[test]
fn the_injects_are_a_list_the_filter_narrows_and_the_selection_fires_what_is_shown() {
    let mut state = declared_at(secs(30));
    state.ui.screen = Screen::Drill;
    let all = crate::view::drill::visible_injects(&state).len();
    play(&mut state, Msg::Action(Action::Filter), secs(31));
    play(&mut state, Msg::Input("accepting writes".into()), secs(31));
    play(&mut state, Msg::Action(Action::Confirm), secs(31));
    let visible = crate::view::drill::visible_injects(&state);
    assert!(visible.len() == 1 && all > 1, "{visible:?} of {all}");
    play(&mut state, Msg::Action(Action::FireInject), secs(31));
    let fired = state.ui.flash.as_deref().unwrap_or_default();
    assert!(fired.contains("new primary accepting writes"), "{fired}");
    play(&mut state, Msg::Action(Action::Filter), secs(32));
    play(&mut state, Msg::Input("nothing like this".into()), secs(32));
    play(&mut state, Msg::Action(Action::Confirm), secs(32));
    play(&mut state, Msg::Action(Action::FireInject), secs(32));
    assert_eq!(
        state.ui.flash.as_deref(),
        Some("No inject matches the filter; Esc clears it")
    );
}
