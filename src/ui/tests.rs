#[test]
fn wrapping_breaks_at_spaces_and_never_drops_text() {
    assert_eq!(
        super::wrap("Dana Ortiz +1 555 0100", 12),
        ["Dana Ortiz", "+1 555 0100"]
    );
    assert_eq!(super::wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    assert_eq!(super::wrap("", 5), [""]);
}

#[test]
fn the_window_scrolls_as_a_table_drawn_afresh() {
    let one = |_| 1;
    assert_eq!(super::window(0, 0, 5, one), 0..0);
    assert_eq!(super::window(3, 2, 5, one), 0..3);
    assert_eq!(super::window(100, 4, 5, one), 0..5);
    assert_eq!(super::window(100, 5, 5, one), 1..6);
    assert_eq!(super::window(100, 99, 5, one), 95..100);
    // Rows of uneven height: the selection ends the window, which holds what fits.
    let tall = |n: usize| if n.is_multiple_of(2) { 3 } else { 1 };
    assert_eq!(super::window(10, 1, 5, tall), 0..2);
    assert_eq!(super::window(10, 6, 5, tall), 5..7);
    assert_eq!(super::window(10, 7, 5, tall), 5..8);
    // A row taller than the table is still the one shown; a selection past the end is
    // the last row.
    assert_eq!(super::window(10, 4, 2, tall), 4..5);
    assert_eq!(super::window(3, 7, 5, one), 0..3);
    assert_eq!(super::window(100, 700, 5, one), 95..100);
}
