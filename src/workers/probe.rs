//! Probes: HTTP, TCP and command checks with one total deadline each, and the scheduler that
//! runs every component's probe on its interval without ever overlapping or blocking another.

use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::config::probe::{Check, Http, Probe};
use crate::domain::Health;
use crate::domain::health::Sample;
use crate::msg::Msg;

/// Most of a body that is read; the rest is never fetched.
pub const BODY_CAP: usize = 64 * 1024;
/// Most of a command's output that is kept.
pub const OUTPUT_CAP: usize = 4 * 1024;
/// Most redirects followed.
pub const MAX_REDIRECTS: usize = 5;
/// Longest reason shown for a failure.
const REASON_MAX: usize = 160;

/// Where the domain's `now` comes from (the app's clock, possibly accelerated).
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Cuts a reason to a readable length.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    match line.char_indices().nth(REASON_MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

fn human(d: Duration) -> String {
    humantime::format_duration(Duration::from_millis(d.as_millis() as u64)).to_string()
}

/// Client settings for probes: no automatic redirects (they are followed by hand so custom
/// headers stay with the first host), no proxy, TLS verified unless `verify` is false.
pub fn client_builder(verify: bool) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .tls_danger_accept_invalid_certs(!verify)
        .user_agent(concat!("warroom/", env!("CARGO_PKG_VERSION")))
}

/// Runs one probe once, within its deadline. Simulated probes report their starting state.
pub async fn run(probe: &Probe, clients: &Clients, at: DateTime<Utc>) -> Sample {
    let started = Instant::now();
    let mut reading = None;
    let outcome = match &probe.check {
        Check::Sim { state } => Ok((*state, None)),
        Check::Http(http) => within(probe.timeout, http_check(http, clients.for_http(http))).await,
        Check::Tcp { address } => within(probe.timeout, tcp_check(address)).await,
        Check::Command { command, cwd } => {
            command_check(command, cwd.as_deref(), probe.timeout).await
        }
        Check::Alertmanager(rule) => {
            let client = clients.for_tls(rule.source.tls_verify);
            within(probe.timeout, async {
                let alerts = super::alertmanager::fetch(client, &rule.source).await?;
                let none = std::collections::BTreeSet::new();
                let (health, detail, count) = super::alertmanager::judge(rule, &alerts, &none);
                reading = count;
                Ok((health, Some(detail)))
            })
            .await
            .or_else(|reason| Ok((Health::Unknown, Some(reason))))
        }
        Check::Prometheus(promql) => {
            let client = clients.for_tls(promql.source.tls_verify);
            // Prometheus not answering says nothing of the component: unknown, not down.
            within(probe.timeout, async {
                let found = super::prometheus::check(promql, client).await?;
                reading = found.reading;
                Ok((found.health, Some(found.detail)))
            })
            .await
            .or_else(|reason| Ok((Health::Unknown, Some(reason))))
        }
    };
    // A query's value is shown in place of its latency, which says nothing of the component.
    let latency = (!probe.check.asks_monitoring()).then(|| started.elapsed());
    let (health, detail) = match outcome {
        Ok((health, detail)) => (health, detail),
        Err(reason) => (Health::Down, Some(reason)),
    };
    Sample {
        at,
        health,
        latency,
        detail,
        reading,
    }
}

type Outcome = Result<(Health, Option<String>), String>;

async fn within(deadline: Duration, check: impl Future<Output = Outcome>) -> Outcome {
    tokio::time::timeout(deadline, check)
        .await
        .unwrap_or_else(|_| Err(format!("timed out after {}", human(deadline))))
}

/// Describes a client error without its URL: the innermost cause, which names what went wrong.
pub(super) fn describe(error: &reqwest::Error) -> String {
    let mut inner: &dyn std::error::Error = error;
    while let Some(source) = inner.source() {
        inner = source;
    }
    let cause = short(&inner.to_string());
    let kind = if error.is_connect() {
        "connect failed"
    } else if error.is_timeout() {
        "timed out"
    } else if error.is_body() || error.is_decode() {
        "reading the body failed"
    } else {
        "request failed"
    };
    if cause.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {cause}")
    }
}

fn same_origin(a: &reqwest::Url, b: &reqwest::Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

async fn http_check(http: &Http, client: &reqwest::Client) -> Outcome {
    let started = Instant::now();
    let mut url = http.url.clone();
    let mut method = http.method.clone();
    let mut body = http.body.clone();
    for _ in 0..=MAX_REDIRECTS {
        let mut request = client.request(method.clone(), url.clone());
        if same_origin(&url, &http.url) {
            for (name, value) in &http.headers {
                request = request.header(name.as_str(), value.expose());
            }
        }
        if let Some(body) = &body {
            request = request.body(body.clone());
        }
        let response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| format!("HTTP {} redirect without a Location", status.as_u16()))?;
            url = url
                .join(location)
                .map_err(|_| format!("HTTP {} redirect to an invalid Location", status.as_u16()))?;
            if !matches!(status.as_u16(), 307 | 308) {
                method = reqwest::Method::GET;
                body = None;
            }
            continue;
        }
        let (bytes, _) = read_capped(response, BODY_CAP).await?;
        return Ok(judge(http, status.as_u16(), &bytes, started.elapsed()));
    }
    Err(format!("more than {MAX_REDIRECTS} redirects"))
}

/// Reads at most `cap` bytes of a body, and whether that was all of it (the rest is never fetched).
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<(Vec<u8>, bool), String> {
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = cap - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() > room || bytes.len() == cap {
                    let whole = chunk.len() <= room && matches!(response.chunk().await, Ok(None));
                    return Ok((bytes, whole));
                }
            }
            Ok(None) => return Ok((bytes, true)),
            Err(e) => return Err(describe(&e)),
        }
    }
}

fn judge(http: &Http, status: u16, body: &[u8], latency: Duration) -> (Health, Option<String>) {
    let status_ok = if http.expect_status.is_empty() {
        (200..300).contains(&status)
    } else {
        http.expect_status.contains(&status)
    };
    if !status_ok {
        let snippet = short(&String::from_utf8_lossy(&body[..body.len().min(200)]));
        let reason = if snippet.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {snippet}")
        };
        return (Health::Down, Some(reason));
    }
    if let Some(needle) = &http.expect_body_contains
        && !String::from_utf8_lossy(body).contains(needle.as_str())
    {
        return (
            Health::Down,
            Some(format!("HTTP {status} but the body lacks {needle:?}")),
        );
    }
    if let Some((pointer, expected)) = &http.expect_json {
        let found = serde_json::from_slice::<serde_json::Value>(body)
            .map_err(|_| "the body is not JSON".to_owned());
        let verdict = found.and_then(|json| match json.pointer(pointer) {
            Some(value) if value == expected => Ok(()),
            Some(value) => Err(format!(
                "JSON {pointer} is {}, expected {expected}",
                short(&value.to_string())
            )),
            None => Err(format!("JSON has no {pointer}")),
        });
        if let Err(reason) = verdict {
            return (Health::Down, Some(reason));
        }
    }
    match http.max_latency {
        Some(max) if latency > max => (
            Health::Degraded,
            Some(format!(
                "slow: {} ms > {} ms",
                latency.as_millis(),
                max.as_millis()
            )),
        ),
        _ => (Health::Up, Some(format!("HTTP {status}"))),
    }
}

async fn tcp_check(address: &str) -> Outcome {
    match tokio::net::TcpStream::connect(address).await {
        Ok(_) => Ok((Health::Up, Some("connected".into()))),
        Err(e) => Err(format!("connect failed: {}", short(&e.to_string()))),
    }
}

/// Reads a stream to its end, keeping only the first `OUTPUT_CAP` bytes.
async fn read_bounded(mut stream: impl AsyncRead + Unpin) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let room = OUTPUT_CAP.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
    kept
}

fn first_line(stdout: &[u8], stderr: &[u8]) -> Option<String> {
    [stdout, stderr]
        .iter()
        .flat_map(|bytes| {
            String::from_utf8_lossy(bytes)
                .lines()
                .map(str::trim)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .find(|line| !line.is_empty())
        .map(|line| short(&line))
}

async fn command_check(
    command: &str,
    cwd: Option<&std::path::Path>,
    deadline: Duration,
) -> Outcome {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    if let Some(cwd) = cwd {
        cmd.current_dir(cwd);
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot start sh: {e}"))?;
    let pid = child.id();
    crate::workers::process::register(pid, crate::workers::process::Group::Probe);
    let stdout = tokio::spawn(read_bounded(child.stdout.take().expect("piped")));
    let stderr = tokio::spawn(read_bounded(child.stderr.take().expect("piped")));
    let waited = tokio::time::timeout(deadline, child.wait()).await;
    crate::workers::process::end_group(pid);
    let grace = Duration::from_millis(100);
    let out = tokio::time::timeout(grace, stdout)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let err = tokio::time::timeout(grace, stderr)
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let line = first_line(&out, &err);
    match waited {
        Err(_) => {
            let _ = child.kill().await;
            Err(match line {
                Some(line) => format!("timed out after {}: {line}", human(deadline)),
                None => format!("timed out after {}", human(deadline)),
            })
        }
        Ok(Err(e)) => Err(format!("waiting for the command failed: {e}")),
        Ok(Ok(status)) if status.success() => Ok((Health::Up, line)),
        Ok(Ok(status)) => {
            let code = status
                .code()
                .map_or_else(|| "killed by a signal".to_owned(), |c| format!("exit {c}"));
            Err(match line {
                Some(line) => format!("{code}: {line}"),
                None => code,
            })
        }
    }
}

/// Most a sample starts before or after its slot, as a fraction of the interval.
pub const JITTER: f64 = 0.05;

/// When a probe first runs after start: spread over the first second (or its interval, when
/// shorter), so the whole board is sampled within a second of launch and never all at once.
pub(super) fn first_delay(interval: Duration) -> Duration {
    random_below(interval.min(Duration::from_secs(1)))
}

/// From one sample's start to the next: the interval within ±half of [`JITTER`], so the
/// interval is the mean (not a floor) and detection keeps to `interval × fail_after + timeout`.
/// [`on_grid`] may move it by up to a quarter of [`JITTER`] more.
pub(super) fn next_start(interval: Duration) -> Duration {
    let spread = interval.mul_f64(JITTER);
    interval.saturating_sub(spread / 2) + random_below(spread)
}

/// The step of the grid that probes start on after their first sample.
const GRID: Duration = Duration::from_millis(250);

/// When a sample due at `due` starts: at the nearest point of a grid every probe shares (counted
/// from `epoch`), so the samples due within the same quarter of a second start together and the
/// console wakes once for all of them instead of once each. The step is at most half of
/// [`JITTER`] of the interval, so rounding moves a sample by at most a quarter of it.
pub(super) fn on_grid(
    epoch: tokio::time::Instant,
    due: tokio::time::Instant,
    interval: Duration,
) -> tokio::time::Instant {
    let step = GRID.min(interval.mul_f64(JITTER / 2.0)).as_nanos().max(1);
    let offset = due.saturating_duration_since(epoch).as_nanos();
    let nearest = (offset + step / 2) / step * step;
    epoch + Duration::from_nanos(u64::try_from(nearest).unwrap_or(u64::MAX))
}

/// A duration in `[0, limit)`, different for every call.
fn random_below(limit: Duration) -> Duration {
    let nanos = u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX).max(1);
    Duration::from_nanos(RandomState::new().hash_one(Instant::now()) % nanos)
}

/// The HTTP clients every probe shares: for HTTP probes, two that connect afresh every request
/// (TLS verified or not); for sources and probes that reuse connections, two that keep them.
/// Sharing keeps one certificate store instead of one per component.
#[derive(Clone)]
pub struct Clients {
    verified: reqwest::Client,
    unverified: reqwest::Client,
    fresh_verified: reqwest::Client,
    fresh_unverified: reqwest::Client,
}

impl Clients {
    /// The probe clients; a client that cannot be built is an error, never a default one
    /// (which would follow redirects and use proxies).
    pub fn new() -> Result<Self, reqwest::Error> {
        Self::customised(|builder| builder)
    }

    /// Clients with extra settings on top of [`client_builder`]'s (a test's DNS resolver).
    pub fn customised(
        extra: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder,
    ) -> Result<Self, reqwest::Error> {
        let build = |verify| extra(client_builder(verify)).build();
        // No idle connection is kept: every request connects afresh.
        let fresh = |verify| {
            extra(client_builder(verify))
                .pool_max_idle_per_host(0)
                .build()
        };
        Ok(Self {
            verified: build(true)?,
            unverified: build(false)?,
            fresh_verified: fresh(true)?,
            fresh_unverified: fresh(false)?,
        })
    }

    /// The client of an HTTP probe: one that connects afresh every sample unless the probe
    /// reuses connections.
    #[must_use]
    pub fn for_http(&self, http: &Http) -> &reqwest::Client {
        match (http.reuse_connections, http.tls_verify) {
            (true, verify) => self.for_tls(verify),
            (false, true) => &self.fresh_verified,
            (false, false) => &self.fresh_unverified,
        }
    }

    /// The client that reads a recovery point's source.
    #[must_use]
    pub fn for_point(&self, source: &crate::config::notify::PointSource) -> &reqwest::Client {
        self.for_tls(source.tls_verify())
    }

    /// The client for a TLS setting: certificates verified or not.
    #[must_use]
    pub fn for_tls(&self, verify: bool) -> &reqwest::Client {
        if verify {
            &self.verified
        } else {
            &self.unverified
        }
    }
}

/// Starts one task per probed component. Each probes on its own interval (start to start, with
/// jitter), never overlaps itself, and waits for a slot of the shared concurrency bound.
pub fn spawn_all(
    probes: Vec<(usize, Probe)>,
    (concurrency, clients): (usize, &Clients),
    now: Now,
    tx: mpsc::Sender<Msg>,
) -> Vec<JoinHandle<()>> {
    spawn_steered(
        probes,
        (concurrency, clients),
        now,
        tx,
        &Steering::default(),
    )
}

/// Components to probe every second until a moment (after a recovery action).
#[derive(Debug, Clone, Default)]
pub struct FastProbes(Arc<std::sync::Mutex<std::collections::HashMap<usize, Instant>>>);

impl FastProbes {
    /// Probe `index` every second for the next `window`.
    pub fn start(&self, index: usize, window: Duration) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(index, Instant::now() + window);
        }
    }

    fn active(&self, index: usize) -> bool {
        self.0
            .lock()
            .is_ok_and(|map| map.get(&index).is_some_and(|until| *until > Instant::now()))
    }
}

/// Time between fast probes after a recovery action.
pub const FAST_INTERVAL: Duration = Duration::from_secs(1);

/// What the console tells its running probes: components to probe fast, and the incident's own
/// silences.
#[derive(Debug, Clone, Default)]
pub struct Steering {
    pub fast: FastProbes,
    pub own_silences: super::alertmanager::OwnSilences,
}

/// [`spawn_all`], steered by the console.
pub fn spawn_steered(
    probes: Vec<(usize, Probe)>,
    (concurrency, clients): (usize, &Clients),
    now: Now,
    tx: mpsc::Sender<Msg>,
    steering: &Steering,
) -> Vec<JoinHandle<()>> {
    let fast = &steering.fast;
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let (alerts, probes): (Vec<_>, Vec<_>) = probes
        .into_iter()
        .filter(|(_, p)| !matches!(p.check, Check::Sim { .. }))
        .partition(|(_, p)| matches!(p.check, Check::Alertmanager(_)));
    let pollers =
        super::alertmanager::spawn_pollers(alerts, clients, (&now, &steering.own_silences), &tx);
    let epoch = tokio::time::Instant::now();
    probes
        .into_iter()
        .map(|(index, probe)| {
            let (slots, now, tx) = (Arc::clone(&slots), Arc::clone(&now), tx.clone());
            let (clients, fast) = (clients.clone(), fast.clone());
            tokio::spawn(async move {
                tokio::time::sleep(first_delay(probe.interval)).await;
                loop {
                    let started = tokio::time::Instant::now();
                    let sample = {
                        let Ok(_slot) = slots.acquire().await else {
                            return;
                        };
                        // Boxed: a task waiting for its next sample holds a pointer, not the
                        // state of a probe in flight.
                        Box::pin(run(&probe, &clients, now())).await
                    };
                    if tx.send(Msg::Probed { index, sample }).await.is_err() {
                        return;
                    }
                    let interval = if fast.active(index) {
                        FAST_INTERVAL.min(probe.interval)
                    } else {
                        probe.interval
                    };
                    let due = started + next_start(interval);
                    tokio::time::sleep_until(on_grid(epoch, due, interval)).await;
                }
            })
        })
        .chain(pollers)
        .collect()
}

#[cfg(test)]
mod tests;
