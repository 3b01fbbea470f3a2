use super::*;

/// tokio's timers fire on whole milliseconds: a sleep ends up to 1 ms after it was asked to.
const TIMER: f64 = 0.001_000_1;

/// 200 TCP probes every 10 s of a closed port, run in virtual time: the start of each
/// component's samples, in seconds after launch.
async fn sample_starts(samples_each: usize) -> Vec<Vec<f64>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let probe = Probe {
        check: Check::Tcp {
            address: format!("127.0.0.1:{port}"),
        },
        interval: Duration::from_secs(10),
        timeout: Duration::from_secs(2),
        fail_after: 1,
        recover_after: 1,
    };
    let launch = tokio::time::Instant::now();
    let base = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let now: Now =
        Arc::new(move || base + chrono::TimeDelta::from_std(launch.elapsed()).unwrap_or_default());
    let (tx, mut rx) = mpsc::channel(1024);
    let probes = (0..200).map(|i| (i, probe.clone())).collect();
    let clients = Clients::new().unwrap();
    // Room for all: the bound on probes at once is not what is measured here.
    let _tasks = spawn_all(probes, (200, &clients), now, tx);
    let mut starts = vec![Vec::new(); 200];
    while starts.iter().any(|s| s.len() < samples_each) {
        let Some(Msg::Probed { index, sample }) = rx.recv().await else {
            panic!("the probes stopped");
        };
        starts[index].push((sample.at - base).as_seconds_f64());
    }
    starts
}

#[tokio::test(start_paused = true)]
async fn every_component_is_sampled_within_a_second_of_launch_spread_over_it() {
    let starts = sample_starts(1).await;
    let firsts: Vec<f64> = starts.iter().map(|s| s[0]).collect();
    assert!(firsts.iter().all(|&t| t <= 1.0 + TIMER), "{firsts:?}");
    let earliest = firsts.iter().copied().fold(f64::MAX, f64::min);
    let latest = firsts.iter().copied().fold(0.0, f64::max);
    assert!(
        latest - earliest > 0.5,
        "spread over the second, not all at once: {firsts:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn samples_after_the_first_start_together_on_a_quarter_second_grid() {
    let starts = sample_starts(3).await;
    let mut points: Vec<u64> = Vec::new();
    for later in starts.iter().flat_map(|s| &s[1..]) {
        let quarters = later * 4.0;
        assert!(
            quarters - quarters.floor() <= TIMER * 4.0,
            "{later} s is not on the grid"
        );
        points.push(quarters.floor() as u64);
    }
    points.sort_unstable();
    points.dedup();
    assert!(
        points.len() * 5 <= 400,
        "400 later samples woke the console {} times",
        points.len()
    );
}

#[test]
fn the_grid_moves_a_sample_by_at_most_a_quarter_of_the_jitter() {
    let epoch = tokio::time::Instant::now();
    for interval_ms in [100, 1_000, 10_000, 60_000] {
        let interval = Duration::from_millis(interval_ms);
        for due_ms in (0..3 * interval_ms).step_by(7) {
            let due = epoch + Duration::from_millis(due_ms);
            let moved = on_grid(epoch, due, interval)
                .duration_since(epoch)
                .as_secs_f64()
                - due.duration_since(epoch).as_secs_f64();
            assert!(
                moved.abs() <= interval.as_secs_f64() * JITTER / 4.0 + 1e-9,
                "{due_ms} ms at {interval_ms} ms moved {moved} s"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn jitter_never_moves_a_sample_more_than_five_percent_from_its_slot() {
    let starts = sample_starts(6).await;
    for component in &starts {
        for pair in component.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(
                (9.5 - TIMER..=10.5 + TIMER).contains(&gap),
                "start to start {gap} s: {component:?}"
            );
        }
        // The slots do not drift: the mean is the interval.
        let mean = (component[5] - component[0]) / 5.0;
        assert!(
            (9.5 - TIMER..=10.5 + TIMER).contains(&mean),
            "{component:?}"
        );
    }
    let gaps: Vec<f64> = starts.iter().map(|s| s[1] - s[0]).collect();
    let early = gaps.iter().filter(|&&g| g < 10.0).count();
    assert!(
        (40..=160).contains(&early),
        "as many early as late, so the interval is a mean: {early} of 200"
    );
}
