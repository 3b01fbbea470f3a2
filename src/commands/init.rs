//! `warroom init [DIR]`: a small, commented starter kit (config, runbook, drill) that validates
//! and runs as written, from any directory. The files are the ones shipped in `examples/init/`.

use std::fmt::Write as _;
use std::path::Path;

use crate::sanitize::sanitize;

/// The kit's files: where each goes in the folder, what it holds, and its text.
const KIT: [(&str, &str, &str); 3] = [
    (
        "warroom.toml",
        "the service: one component of each probe kind, contacts, escalation",
        include_str!("../../examples/init/warroom.toml"),
    ),
    (
        "runbooks/first-response.md",
        "a runbook with phases, checks and commands",
        include_str!("../../examples/init/runbooks/first-response.md"),
    ),
    (
        "runbooks/drills/first-drill.toml",
        "a practice outage with objectives",
        include_str!("../../examples/init/runbooks/drills/first-drill.toml"),
    ),
];

/// Writes the starter kit into `dir` (made if missing) and returns what to tell the user. Nothing
/// is written when any of the kit's files is already there.
pub fn write(dir: &Path) -> anyhow::Result<String> {
    let files = crate::config::schema::with_schemas(
        KIT.iter()
            .map(|(path, _, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect(),
    );
    crate::import::write(dir, &files)?;
    let mut report = format!(
        "Wrote a starter kit in {}:\n",
        sanitize(&dir.display().to_string())
    );
    for (path, what, _) in KIT {
        let _ = writeln!(report, "  {path:<34} {what}");
    }
    for (path, what) in [
        (
            "warroom.schema.json",
            "the config's JSON Schema, for editors (Taplo)",
        ),
        ("drill.schema.json", "the drills' JSON Schema"),
    ] {
        let _ = writeln!(report, "  {path:<34} {what}");
    }
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", sanitize(&dir.display().to_string()))
    };
    let _ = write!(
        report,
        "Next:\n  {cd}warroom validate .\n  warroom drill runbooks/drills/first-drill.toml\n  warroom\n"
    );
    Ok(report)
}
