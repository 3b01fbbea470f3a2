//! The war room for a team of different Unix users (made by the test, as root): the README's
//! shared data directory works for every member, and the room outlives any one of them.

mod support;

use std::os::unix::fs::PermissionsExt;

use support::pty::*;
use support::team::{oncall_gid, team};

/// The README's set-up: a data directory owned by root and the room's group, mode 2770, with
/// a service whose database is down and a room open to `warroom-oncall`.
fn team_data_dir() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    std::os::unix::fs::chown(data.path(), Some(0), Some(oncall_gid())).unwrap();
    std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o2770)).unwrap();
    let config = "[service]\nname = \"Team test\"\n\
        [room]\ngroup = \"warroom-oncall\"\n\
        [[component]]\nid = \"db\"\nname = \"Primary database\"\ntier = \"critical\"\n\
        probe = { kind = \"sim\", state = \"down\" }\n";
    std::fs::write(data.path().join("warroom.toml"), config).unwrap();
    data
}

fn actor(user: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    format!("\"actor\":\"{user}@{}\"", host.trim())
}

/// The journal line holding `text`.
fn line_with<'a>(journal: &'a str, text: &str) -> &'a str {
    journal
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("`{text}` is not in the journal:\n{journal}"))
}

#[test]
fn the_readmes_shared_data_directory_outlives_a_writer_of_another_user() {
    if team().is_none() {
        return;
    }
    let data = team_data_dir();
    let mut b = Session::start_as("warroom-b", data.path(), (100, 30), &[]);
    declare_from_banner(&mut b);
    add_note(&mut b, "b declared it");
    let mut c = Session::start_as("warroom-c", data.path(), (100, 30), &["join"]);
    c.wait_for("JOINED");
    add_note(&mut c, "c joined b");
    b.kill9();
    // The room carries on: c's console writes the incident now.
    c.wait_for("journal ok");
    add_note(&mut c, "c writes now");
    c.send("q");
    assert!(c.wait_exit());
    let journal = journal_text(data.path());
    assert!(line_with(&journal, "b declared it").contains(&actor("warroom-b")));
    assert!(line_with(&journal, "c joined b").contains(&actor("warroom-c")));
    assert!(line_with(&journal, "c writes now").contains(&actor("warroom-c")));
    // Reading needs no writer: b reads the incident nobody writes.
    for args in [
        &["incident", "show", "latest"][..],
        &["review", "export", "latest"],
    ] {
        let out = warroom_as("warroom-b", data.path(), args);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("c writes now"),
            "{args:?}: {}{text}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
