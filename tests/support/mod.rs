//! Helpers shared by the integration tests that watch processes and memory.
#![allow(dead_code)]

pub mod monitoring;
pub mod pty;
pub mod readme;
pub mod receiver;
pub mod team;

/// Says in one line that a test skips for want of `what` and how to get it; with
/// `WARROOM_NO_SKIP` set (as `.ci/run` does) the test fails instead.
pub fn missing(what: &str, how: &str) {
    assert!(
        std::env::var_os("WARROOM_NO_SKIP").is_none(),
        "{what} not found and WARROOM_NO_SKIP is set: {how}"
    );
    eprintln!("skipped: {what} not found; {how}");
}

/// This process's resident memory, in KiB.
pub fn rss_kib() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix("VmRSS:")
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The processes of a process group that still run (zombies excepted).
pub fn running_in_group(pgid: &str) -> Vec<String> {
    let listed = std::process::Command::new("pgrep")
        .args(["-g", pgid])
        .output()
        .unwrap();
    String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
            stat.rsplit(')')
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .next()
                .is_some_and(|s| s != "Z")
        })
        .map(str::to_owned)
        .collect()
}
