//! The command runner with real processes: deadlines, process groups, floods, cancel, context.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use warroom::workers::process::{Ending, GRACE, Job, Outcome, SAVED_CAP, run};

mod support;
use support::{rss_kib, running_in_group};

fn job(script: &str, timeout: Duration) -> Job {
    Job {
        shell: "sh".into(),
        script: script.to_owned(),
        env: BTreeMap::new(),
        cwd: None,
        timeout,
        log: None,
    }
}

async fn go(job: Job) -> Outcome {
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let (_cancel, cancelled) = oneshot::channel();
    run(job, tx, cancelled).await
}

#[tokio::test]
async fn a_daemon_the_command_leaves_running_outlives_a_step_that_exits_normally() {
    let outcome = go(job(
        "echo $$; nohup sleep 1000 & echo started",
        Duration::from_secs(30),
    ))
    .await;
    assert_eq!(outcome.ending, Ending::Exited(0));
    assert!(outcome.tail.contains("started"), "{}", outcome.tail);
    let pgid = outcome.tail.lines().next().unwrap().trim().to_owned();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let running = running_in_group(&pgid);
    assert_eq!(
        running.len(),
        1,
        "the nohup'd sleep of group {pgid} runs on: {running:?}"
    );
    let _ = nix::sys::signal::killpg(
        nix::unistd::Pid::from_raw(pgid.parse().unwrap()),
        nix::sys::signal::Signal::SIGKILL,
    );
}

#[tokio::test]
async fn a_cancelled_command_is_ended_with_its_whole_group() {
    let (tx, mut rx) = mpsc::channel(16);
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let (cancel, cancelled) = oneshot::channel();
    let run = tokio::spawn(run(
        job(
            "echo $$; nohup sleep 300 & sleep 300",
            Duration::from_mins(1),
        ),
        tx,
        cancelled,
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    cancel.send(()).unwrap();
    let outcome = run.await.unwrap();
    assert_eq!(outcome.ending, Ending::Cancelled);
    let pgid = outcome.tail.lines().next().unwrap().trim().to_owned();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        running_in_group(&pgid).is_empty(),
        "processes of group {pgid} survived the cancel"
    );
}

#[tokio::test]
async fn a_command_past_its_deadline_is_ended_with_its_whole_group() {
    let outcome = go(job(
        "echo $$; sleep 300 & sleep 300; wait",
        Duration::from_secs(1),
    ))
    .await;
    assert_eq!(outcome.ending, Ending::TimedOut);
    assert!(
        outcome.duration < Duration::from_secs(1) + GRACE + Duration::from_secs(1),
        "{:?}",
        outcome.duration
    );
    let pgid = outcome.tail.lines().next().unwrap().trim().to_owned();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        running_in_group(&pgid).is_empty(),
        "processes of group {pgid} survived"
    );
}

#[tokio::test]
async fn a_grandchild_holding_the_output_cannot_hang_the_runner() {
    let outcome = go(job("(sleep 300 &); echo started", Duration::from_secs(5))).await;
    assert_eq!(outcome.ending, Ending::Exited(0));
    assert!(
        outcome.duration < Duration::from_secs(3),
        "{:?}",
        outcome.duration
    );
    assert!(outcome.tail.contains("started"));
}

#[tokio::test]
async fn a_flood_of_output_is_capped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("out.log");
    let before = rss_kib();
    let mut flood = job("yes 'a line of output'", Duration::from_secs(2));
    flood.log = Some(log.clone());
    let outcome = go(flood).await;
    assert_eq!(outcome.ending, Ending::TimedOut);
    assert!(outcome.total > SAVED_CAP as u64, "{}", outcome.total);
    assert_eq!(std::fs::metadata(&log).unwrap().len(), SAVED_CAP as u64);
    assert_eq!(outcome.dropped, outcome.total - SAVED_CAP as u64);
    assert!(outcome.tail.len() <= 2048);
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
}

#[tokio::test]
async fn cancel_ends_a_running_command() {
    let (tx, mut rx) = mpsc::channel(16);
    let (cancel, cancelled) = oneshot::channel();
    let handle = tokio::spawn(run(
        job("echo waiting; sleep 30", Duration::from_mins(1)),
        tx,
        cancelled,
    ));
    let first = rx.recv().await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&first).trim(),
        "waiting",
        "output streams while it runs"
    );
    cancel.send(()).unwrap();
    let outcome = handle.await.unwrap();
    assert_eq!(outcome.ending, Ending::Cancelled);
    assert!(outcome.duration < Duration::from_secs(5));
}

#[tokio::test]
async fn exit_codes_durations_and_context_are_reported() {
    let outcome = go(job("echo failing >&2; exit 3", Duration::from_secs(5))).await;
    assert_eq!(outcome.ending, Ending::Exited(3));
    assert!(outcome.tail.contains("failing"));
    let missing = go(job("no-such-command-warroom", Duration::from_secs(5))).await;
    assert_eq!(missing.ending, Ending::Exited(127));
    let mut with_env = job(
        "printf '%s' \"$WARROOM_INCIDENT_ID\"",
        Duration::from_secs(5),
    );
    with_env.env.insert(
        "WARROOM_INCIDENT_ID".into(),
        "20261122-0300-x; rm -rf /".into(),
    );
    let outcome = go(with_env).await;
    assert_eq!(
        outcome.tail, "20261122-0300-x; rm -rf /",
        "context is data, never code"
    );
    assert!(outcome.succeeded());
}

#[tokio::test]
async fn a_bash_script_with_functions_and_blank_lines_runs_whole_with_bash() {
    let script = "say() {\n  local words=(\"$@\")\n  echo \"${#words[@]} words\"\n}\n\n[[ -n \"$BASH_VERSION\" ]] && say a b c\n";
    let mut bash = job(script, Duration::from_secs(30));
    bash.shell = "bash".into();
    let outcome = go(bash).await;
    assert_eq!(outcome.ending, Ending::Exited(0), "{}", outcome.tail);
    assert_eq!(outcome.tail.trim(), "3 words");
}
