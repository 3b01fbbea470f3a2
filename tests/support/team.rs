//! The Unix users of the multi-user tests, made once by root: `warroom-b`, `warroom-c` and
//! `warroom-d` in group `warroom-oncall`, and `warroom-x` outside it.

/// Makes the users (once per test process); `None` (the test skips, saying why) when not
/// running as root.
pub fn team() -> Option<()> {
    static MADE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let made = *MADE.get_or_init(|| {
        if !is_root() {
            return false;
        }
        let run = |args: &[&str]| {
            let out = std::process::Command::new(args[0])
                .args(&args[1..])
                .output()
                .unwrap();
            // 9: the user or group exists already (an earlier run).
            assert!(
                matches!(out.status.code(), Some(0 | 9)),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&["groupadd", "warroom-oncall"]);
        run(&["useradd", "-M", "-N", "-G", "warroom-oncall", "warroom-b"]);
        run(&["useradd", "-M", "-N", "-G", "warroom-oncall", "warroom-c"]);
        run(&["useradd", "-M", "-N", "-G", "warroom-oncall", "warroom-d"]);
        run(&["useradd", "-M", "-N", "warroom-x"]);
        true
    });
    if made {
        Some(())
    } else {
        super::missing(
            "root (to create the users warroom-b, warroom-c, warroom-d and warroom-x)",
            "run the test suite as root, as CI does",
        );
        None
    }
}

pub fn is_root() -> bool {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// The id of the group `warroom-oncall`.
pub fn oncall_gid() -> u32 {
    let out = std::process::Command::new("getent")
        .args(["group", "warroom-oncall"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split(':')
        .nth(2)
        .and_then(|g| g.parse().ok())
        .expect("the group warroom-oncall")
}
