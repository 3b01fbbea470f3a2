//! `warroom schema` as an editor uses it: Taplo (the engine of Even Better TOML) checks every
//! shipped config and drill against it, follows the `#:schema` lines `init` and `import` write,
//! and refuses a typo.
//!
//! Taplo is `npm install @taplo/cli` (`.ci/run` installs it); `WARROOM_TAPLO` names its binary,
//! else `taplo` is looked up on the PATH.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The Taplo binary, or `None` (after saying why) when this machine has none and skips are allowed.
fn taplo() -> Option<PathBuf> {
    let path =
        std::env::var_os("WARROOM_TAPLO").map_or_else(|| PathBuf::from("taplo"), PathBuf::from);
    // The npm build of Taplo prints its version and exits 1, so the output is what tells.
    let found = Command::new(&path)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"taplo "));
    if found {
        return Some(path);
    }
    support::missing(
        "taplo",
        "npm install @taplo/cli and set WARROOM_TAPLO to its bin/taplo",
    );
    None
}

fn warroom(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Writes `warroom schema OF` into `dir` and returns its `file://` address.
fn schema(of: &str, dir: &Path) -> String {
    let out = warroom(&["schema", of], dir);
    assert!(out.status.success(), "{out:?}");
    let path = dir.join(format!("{of}.schema.json"));
    std::fs::write(&path, &out.stdout).unwrap();
    format!("file://{}", path.display())
}

fn check(taplo: &Path, dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(taplo)
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn shipped(patterns: &[&str]) -> Vec<String> {
    let files: Vec<String> = patterns
        .iter()
        .flat_map(|p| glob::glob(&format!("{ROOT}/{p}")).unwrap())
        .map(|p| p.unwrap().display().to_string())
        .collect();
    assert!(files.len() >= patterns.len(), "{files:?}");
    files
}

#[test]
fn every_shipped_config_and_drill_passes_the_schema() {
    let Some(taplo) = taplo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let configs = shipped(&[
        "examples/warroom.toml",
        "examples/demo.toml",
        "examples/prometheus.toml",
        "examples/plans/*/warroom.toml",
        "examples/init/warroom.toml",
    ]);
    let drills = shipped(&[
        "runbooks/drills/*.toml",
        "examples/plans/*/runbooks/drills/*.toml",
        "examples/init/runbooks/drills/*.toml",
    ]);
    for (of, files) in [("config", configs), ("drill", drills)] {
        let url = schema(of, tmp.path());
        let mut args = vec!["--schema", url.as_str()];
        args.extend(files.iter().map(String::as_str));
        let (ok, text) = check(&taplo, tmp.path(), &args);
        assert!(ok, "{of}: {files:?}\n{text}");
    }
}

#[test]
fn the_schema_refuses_a_misspelt_key_and_an_unknown_probe_kind() {
    let Some(taplo) = taplo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let url = schema("config", tmp.path());
    let typo = "[service]\nname = \"Shop\"\n\n[[component]]\nid = \"db\"\nname = \"DB\"\n\
                tier = \"critical\"\nrtoo = \"5m\"\nprobe = { kind = \"htp\" }\n";
    std::fs::write(tmp.path().join("warroom.toml"), typo).unwrap();
    let (ok, text) = check(&taplo, tmp.path(), &["--schema", &url, "warroom.toml"]);
    assert!(!ok, "{text}");
    assert!(text.contains("'rtoo' was unexpected"), "{text}");
    assert!(text.contains("\"htp\" is not one of"), "{text}");
    let fixed = typo.replace("rtoo", "rto").replace("htp", "http");
    std::fs::write(tmp.path().join("warroom.toml"), fixed).unwrap();
    let (ok, text) = check(&taplo, tmp.path(), &["--schema", &url, "warroom.toml"]);
    assert!(ok, "once fixed it passes: {text}");
}

/// Checks a kit with nothing but the `#:schema` lines it was written with, then shows that
/// those lines are followed: the same directive over a file with a typo fails.
fn kit_checks_by_its_own_directives(taplo: &Path, kit: &Path) {
    let config = std::fs::read_to_string(kit.join("warroom.toml")).unwrap();
    assert!(
        config.starts_with("#:schema ./warroom.schema.json\n"),
        "{config}"
    );
    let mut files = vec!["warroom.toml".to_owned()];
    for drill in std::fs::read_dir(kit.join("runbooks/drills")).unwrap() {
        let name = drill.unwrap().file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(kit.join("runbooks/drills").join(&name)).unwrap();
        assert!(
            text.starts_with("#:schema ../../drill.schema.json\n"),
            "{text}"
        );
        files.push(format!("runbooks/drills/{name}"));
    }
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let (ok, text) = check(taplo, kit, &args);
    assert!(ok, "{}\n{text}", kit.display());
    let typo = config.replacen("[service]", "[servise]", 1);
    std::fs::write(kit.join("typo.toml"), typo).unwrap();
    let (ok, text) = check(taplo, kit, &["typo.toml"]);
    assert!(!ok && text.contains("servise"), "{text}");
}

#[test]
fn init_and_import_write_kits_an_editor_checks_by_their_schema_lines() {
    let Some(taplo) = taplo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = warroom(&["init", "starter"], tmp.path());
    assert!(out.status.success(), "{out:?}");
    kit_checks_by_its_own_directives(&taplo, &tmp.path().join("starter"));
    let plan = format!("{ROOT}/tests/fixtures/plans/unseen-ledger.md");
    let out = warroom(&["import", &plan, "-o", "ledger"], tmp.path());
    assert!(out.status.success(), "{out:?}");
    kit_checks_by_its_own_directives(&taplo, &tmp.path().join("ledger"));
}
