//! README's key table and `[keys]` lists are the keymap in force, generated from it.
//! Regenerate with `UPDATE_README=1 cargo test --test readme`.

const BEGIN: &str = "<!-- keys:begin (generated: UPDATE_README=1 cargo test --test readme) -->\n";
const END: &str = "<!-- keys:end -->";

#[test]
fn readme_key_table_is_the_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme
        .find(BEGIN)
        .expect("README has the keys:begin marker")
        + BEGIN.len();
    let end = readme[start..]
        .find(END)
        .expect("README has the keys:end marker")
        + start;
    let generated = warroom::keymap::markdown(&warroom::keymap::Keymap::default());
    if readme[start..end] != generated {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{generated}{}", &readme[..start], &readme[end..]);
            std::fs::write(path, updated).unwrap();
            return;
        }
        panic!(
            "README's key table differs from the keymap; run UPDATE_README=1 cargo test --test readme"
        );
    }
}
