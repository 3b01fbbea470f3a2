use super::*;

#[test]
fn lists_keep_their_markers_numbers_and_nesting() {
    let text = render(
        "Checks:\n\n- one\n- two\n  1. first\n  2. second\n     - deep\n- [ ] a task\n- [x] done\n\n3. three\n4. four\n",
    );
    assert_eq!(
        text,
        "Checks:\n\n- one\n- two\n  1. first\n  2. second\n     - deep\n- [ ] a task\n- [x] done\n\n3. three\n4. four"
    );
}

#[test]
fn tables_are_drawn_as_tables() {
    let text = render("| Name | Value |\n|---|--:|\n| a | 1 |\n| long name | 22 |\n");
    assert_eq!(
        text,
        "| Name      | Value |\n| --------- | ----- |\n| a         |     1 |\n| long name |    22 |"
    );
}

#[test]
fn headings_code_quotes_links_and_html_keep_every_word() {
    let text = render(
        "### Sub step\n\n> [!WARNING]\n> Data loss\n\n```sql\nSELECT 1;\n  indented\n```\n\n    indented code\n\nSee [the docs](https://example.com/x) and ![graph](g.png).\n\n<details>raw</details>\n\n{{< hint >}}\n",
    );
    assert_eq!(
        text,
        "### Sub step\n\n> WARNING\n> Data loss\n\n```sql\nSELECT 1;\n  indented\n```\n\n    indented code\n\nSee the docs (https://example.com/x) and [image: graph] (g.png).\n\n<details>raw</details>\n\n{{< hint >}}"
    );
}

#[test]
fn a_loose_list_item_keeps_its_paragraphs_and_code_under_its_marker() {
    let text = render("1. Run this:\n\n   ```sh\n   ls\n   ```\n\n2. Then that\n");
    assert_eq!(
        text,
        "1. Run this:\n\n   ```sh\n   ls\n   ```\n\n2. Then that"
    );
}

#[test]
fn link_definitions_and_rows_longer_than_their_header_are_not_dropped() {
    let text = render(
        "See [the guide][g].\n\n[g]: https://example.com/guide\n[//]: # (a comment)\n[//]: # (said twice)\n\n| a | b |\n|---|---|\n| 1 | 2 | extra |\n",
    );
    for kept in [
        "https://example.com/guide",
        "a comment",
        "said twice",
        "extra",
    ] {
        assert!(text.contains(kept), "{kept} in {text}");
    }
}

#[test]
fn an_html_comment_is_shown_by_no_reader_and_other_html_is_kept() {
    let text = render(
        "Before.\n\n<!-- imported from plan line 20 -->\n\n- [ ] item\n\n<!-- a -->\n<!-- b -->\n\n<details>raw</details>\n\n<!-- note --> <b>x</b>\n",
    );
    assert_eq!(
        text,
        "Before.\n\n- [ ] item\n\n<details>raw</details>\n\n<!-- note --> <b>x</b>"
    );
}
