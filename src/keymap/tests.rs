use super::*;

#[test]
fn keys_parse_and_normalise() {
    assert_eq!(
        "ctrl-s".parse::<Key>().unwrap(),
        Key::new(KeyCode::Char('s'), KeyModifiers::CONTROL)
    );
    assert_eq!(
        "shift-tab".parse::<Key>().unwrap(),
        Key::plain(KeyCode::BackTab)
    );
    assert_eq!(Key::new(KeyCode::Char('D'), KeyModifiers::SHIFT), ch('D'));
    assert!(
        "ctrl-nope"
            .parse::<Key>()
            .unwrap_err()
            .contains("`ctrl-nope`")
    );
    assert_eq!("pgdn".parse::<Key>().unwrap().to_string(), "PgDn");
}

#[test]
fn overrides_replace_defaults() {
    let map = Keymap::with_overrides(&[Binding {
        context: Context::Global,
        key: ch('q'),
        action: Action::Help,
    }]);
    assert_eq!(map.lookup(&[Context::Global], ch('q')), Some(Action::Help));
    assert_eq!(
        map.lookup(&[Context::Dashboard, Context::Global], ch('n')),
        Some(Action::Note)
    );
}

#[test]
fn help_groups_keys_by_action() {
    let rows = Keymap::default().help(&[Context::Global]);
    let down = rows.iter().find(|(_, a)| *a == Action::Down).unwrap();
    assert_eq!(down.0.len(), 2);
}

#[test]
fn every_action_is_bound_where_it_belongs() {
    let map = Keymap::default();
    let unbound: Vec<String> = Action::iter()
        .filter(|&action| map.key_for(&[action.info().context], action).is_none())
        .map(|action| format!("{action} in {}", action.info().context))
        .collect();
    assert!(
        unbound.is_empty(),
        "no default key where they belong: {unbound:?}"
    );
}
