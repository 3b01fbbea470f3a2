//! README's key table and `[keys]` lists are the keymap in force, generated from it.
//! Regenerate with `UPDATE_README=1 cargo test --test readme`.

const BEGIN: &str = "<!-- keys:begin (generated: UPDATE_README=1 cargo test --test readme) -->\n";
const END: &str = "<!-- keys:end -->";

mod support;

#[test]
fn readme_key_table_is_the_keymap() {
    let generated = warroom::keymap::markdown(&warroom::keymap::Keymap::default());
    support::readme::generated_section(
        BEGIN,
        END,
        &generated,
        "UPDATE_README=1 cargo test --test readme",
    );
}
