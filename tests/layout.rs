//! The shape of the source tree: the screens never reach into `update`, and no production file
//! grows past what a reader takes in at once.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn source(folder: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
        &mut files,
    );
    files.sort();
    files
}

/// A file of tests: `tests.rs`, or anything under a `tests/` folder.
fn is_test(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "tests.rs")
        || path.components().any(|c| c.as_os_str() == "tests")
}

#[test]
fn the_screens_never_name_update() {
    let offenders: Vec<String> = source("src/ui")
        .into_iter()
        .filter(|path| {
            std::fs::read_to_string(path)
                .unwrap()
                .contains("crate::update")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        offenders.is_empty(),
        "ui/ reads what update decides through crate::view, never crate::update: {offenders:?}"
    );
}

#[test]
fn no_production_file_is_over_600_lines() {
    let long: Vec<String> = source("src")
        .into_iter()
        .filter(|path| !is_test(path))
        .filter_map(|path| {
            let lines = std::fs::read_to_string(&path).unwrap().lines().count();
            (lines > 600).then(|| format!("{} ({lines} lines)", path.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by feature (src/ holds files of at most 600 lines): {long:?}"
    );
}
