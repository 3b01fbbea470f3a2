//! Probes against real servers started on 127.0.0.1 inside each test: every way an endpoint can
//! fail becomes the right state with a short, safe reason, near the deadline, in bounded memory.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use warroom::config::{self, Probe};
use warroom::domain::Health;
use warroom::domain::health::Sample;
use warroom::sanitize::sanitize;
use warroom::workers::probe;

mod support;
use support::{rss_kib, running_in_group};

const DEADLINE: Duration = Duration::from_secs(1);

/// A probe from its TOML, through the real config loader.
fn probe(table: &str) -> Probe {
    let text = format!(
        "[service]\nname = \"t\"\n[[component]]\nid = \"c\"\nname = \"C\"\ntier = \"high\"\nprobe = {table}\n"
    );
    config::parse("test.toml", &text)
        .expect("valid probe")
        .components
        .remove(0)
        .probe
}

fn http_probe(url: &str, extra: &str) -> Probe {
    probe(&format!(
        "{{ kind = \"http\", url = \"{url}\", interval = \"5s\", timeout = \"1s\"{extra} }}"
    ))
}

async fn run(probe: &Probe) -> (Sample, Duration) {
    let started = Instant::now();
    let sample = probe::run(probe, &probe::Clients::new().unwrap(), Utc::now()).await;
    (sample, started.elapsed())
}

fn reason(sample: &Sample) -> String {
    sample.detail.clone().unwrap_or_default()
}

/// What a test server does with each connection.
#[derive(Clone)]
enum Behaviour {
    Respond {
        status: u16,
        body: Vec<u8>,
        delay: Duration,
    },
    NeverAnswer,
    Trickle,
    EndlessChunked,
    Redirect(String),
    RedirectLoop,
}

struct Server {
    addr: SocketAddr,
    /// Request heads received, in order.
    requests: Arc<Mutex<Vec<String>>>,
    /// Body bytes the server managed to send.
    sent: Arc<Mutex<usize>>,
}

async fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

async fn serve(behaviour: Behaviour) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(Mutex::new(0));
    let (log, counter) = (Arc::clone(&requests), Arc::clone(&sent));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let (behaviour, log, counter) =
                (behaviour.clone(), Arc::clone(&log), Arc::clone(&counter));
            tokio::spawn(async move {
                let head = read_head(&mut stream).await;
                log.lock().unwrap().push(head.clone());
                respond(&mut stream, behaviour, &head, &counter, addr).await;
            });
        }
    });
    Server {
        addr,
        requests,
        sent,
    }
}

async fn respond(
    stream: &mut TcpStream,
    behaviour: Behaviour,
    head: &str,
    sent: &Mutex<usize>,
    addr: SocketAddr,
) {
    match behaviour {
        Behaviour::Respond {
            status,
            body,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Behaviour::NeverAnswer => tokio::time::sleep(Duration::from_secs(30)).await,
        Behaviour::Trickle => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
                .await;
            for _ in 0..30 {
                if stream.write_all(b"x").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Behaviour::EndlessChunked => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                .await;
            let chunk = format!("4000\r\n{}\r\n", "z".repeat(0x4000));
            for _ in 0..100_000 {
                if stream.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
                *sent.lock().unwrap() += 0x4000;
            }
        }
        Behaviour::Redirect(location) => {
            let head =
                format!("HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
        }
        Behaviour::RedirectLoop => {
            let n = head
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.trim_start_matches("/r").parse::<u32>().ok())
                .unwrap_or(0);
            let head = format!(
                "HTTP/1.1 302 Found\r\nlocation: http://{addr}/r{}\r\ncontent-length: 0\r\n\r\n",
                n + 1
            );
            let _ = stream.write_all(head.as_bytes()).await;
        }
    }
}

fn ok(body: &str) -> Behaviour {
    Behaviour::Respond {
        status: 200,
        body: body.as_bytes().to_vec(),
        delay: Duration::ZERO,
    }
}

fn assert_near_deadline(elapsed: Duration) {
    assert!(
        elapsed + Duration::from_millis(50) >= DEADLINE,
        "ended early: {elapsed:?}"
    );
    assert!(
        elapsed < DEADLINE + Duration::from_millis(700),
        "overran the deadline: {elapsed:?}"
    );
}

fn assert_quick(elapsed: Duration) {
    assert!(
        elapsed < DEADLINE,
        "should not wait for the deadline: {elapsed:?}"
    );
}

#[tokio::test]
async fn a_healthy_endpoint_is_up_with_its_latency() {
    let server = serve(ok("all good")).await;
    let (sample, elapsed) = run(&http_probe(
        &format!("http://{}/health", server.addr),
        ", expect_body_contains = \"good\"",
    ))
    .await;
    assert_eq!(sample.health, Health::Up, "{sample:?}");
    assert!(sample.latency.is_some());
    assert_quick(elapsed);
}

#[tokio::test]
async fn connection_refused_is_down_at_once() {
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (sample, elapsed) = run(&http_probe(&format!("http://127.0.0.1:{port}/"), "")).await;
    assert_eq!(sample.health, Health::Down);
    assert!(reason(&sample).contains("refused"), "{}", reason(&sample));
    assert_quick(elapsed);
}

/// A server that accepts one connection, answers every request on it (keep-alive), and then
/// never accepts again: its accept queue is dead while the old connection still answers.
async fn accepts_once() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        while !read_head(&mut stream).await.is_empty() {
            let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            if stream.write_all(answer.as_bytes()).await.is_err() {
                break;
            }
        }
        // The listener stays open, never accepting again: connections wait in its queue.
        std::future::pending::<()>().await;
        drop(listener);
    });
    addr
}

#[tokio::test]
async fn a_server_that_stops_accepting_is_down_on_the_next_sample() {
    let addr = accepts_once().await;
    let probe = http_probe(&format!("http://{addr}/health"), "");
    let clients = probe::Clients::new().unwrap();
    let first = probe::run(&probe, &clients, Utc::now()).await;
    assert_eq!(first.health, Health::Up, "{first:?}");
    let second = probe::run(&probe, &clients, Utc::now()).await;
    assert_eq!(
        second.health,
        Health::Down,
        "a new connection gets no answer: {second:?}"
    );
    assert!(reason(&second).contains("timed out"), "{second:?}");

    // Opting into keep-alive asks the old connection, which still answers.
    let addr = accepts_once().await;
    let probe = http_probe(
        &format!("http://{addr}/health"),
        ", reuse_connections = true",
    );
    for _ in 0..3 {
        let sample = probe::run(&probe, &clients, Utc::now()).await;
        assert_eq!(sample.health, Health::Up, "{sample:?}");
    }
}

#[derive(Debug)]
struct NoDns;

impl reqwest::dns::Resolve for NoDns {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let message = format!(
            "failed to lookup address information: {} not found",
            name.as_str()
        );
        Box::pin(async move { Err(message.into()) })
    }
}

#[tokio::test]
async fn a_dns_failure_is_down_with_the_reason_and_without_the_url() {
    let probe = http_probe("http://db.internal.example:8080/health?token=s3cret", "");
    let clients =
        probe::Clients::customised(|builder| builder.dns_resolver(Arc::new(NoDns))).unwrap();
    let sample = probe::run(&probe, &clients, Utc::now()).await;
    assert_eq!(sample.health, Health::Down);
    let why = reason(&sample);
    assert!(why.contains("lookup"), "{why}");
    assert!(
        !why.contains("s3cret") && !why.contains("http://"),
        "no URL in errors: {why}"
    );
}

#[tokio::test]
async fn a_500_is_down_and_names_the_status() {
    let server = serve(Behaviour::Respond {
        status: 500,
        body: b"boom".to_vec(),
        delay: Duration::ZERO,
    })
    .await;
    let (sample, _) = run(&http_probe(&format!("http://{}/", server.addr), "")).await;
    assert_eq!(sample.health, Health::Down);
    assert_eq!(reason(&sample), "HTTP 500: boom");
}

#[tokio::test]
async fn expect_status_accepts_listed_codes() {
    let server = serve(Behaviour::Respond {
        status: 503,
        body: vec![],
        delay: Duration::ZERO,
    })
    .await;
    let (sample, _) = run(&http_probe(
        &format!("http://{}/", server.addr),
        ", expect_status = [200, 503]",
    ))
    .await;
    assert_eq!(sample.health, Health::Up);
}

#[tokio::test]
async fn a_wrong_body_is_down() {
    let server = serve(ok("maintenance")).await;
    let (sample, _) = run(&http_probe(
        &format!("http://{}/", server.addr),
        ", expect_body_contains = \"ok\"",
    ))
    .await;
    assert_eq!(sample.health, Health::Down);
    assert!(reason(&sample).contains("lacks"), "{}", reason(&sample));
}

#[tokio::test]
async fn expect_json_checks_a_pointer() {
    let server = serve(ok(r#"{"checks":{"db":"degraded"}}"#)).await;
    let url = format!("http://{}/", server.addr);
    let (sample, _) = run(&http_probe(
        &url,
        ", expect_json = { pointer = \"/checks/db\", equals = \"ok\" }",
    ))
    .await;
    assert_eq!(sample.health, Health::Down);
    assert_eq!(
        reason(&sample),
        r#"JSON /checks/db is "degraded", expected "ok""#
    );
    let (sample, _) = run(&http_probe(
        &url,
        ", expect_json = { pointer = \"/checks/db\", equals = \"degraded\" }",
    ))
    .await;
    assert_eq!(sample.health, Health::Up);
}

#[tokio::test]
async fn a_slow_answer_is_degraded() {
    let server = serve(Behaviour::Respond {
        status: 200,
        body: b"ok".to_vec(),
        delay: Duration::from_millis(300),
    })
    .await;
    let (sample, _) = run(&http_probe(
        &format!("http://{}/", server.addr),
        ", max_latency = \"100ms\"",
    ))
    .await;
    assert_eq!(sample.health, Health::Degraded);
    assert!(reason(&sample).starts_with("slow:"), "{}", reason(&sample));
}

#[tokio::test]
async fn an_endpoint_that_never_answers_ends_at_the_deadline() {
    let server = serve(Behaviour::NeverAnswer).await;
    let (sample, elapsed) = run(&http_probe(&format!("http://{}/", server.addr), "")).await;
    assert_eq!(sample.health, Health::Down);
    assert_eq!(reason(&sample), "timed out after 1s");
    assert_near_deadline(elapsed);
}

#[tokio::test]
async fn a_trickling_body_ends_at_the_deadline() {
    let server = serve(Behaviour::Trickle).await;
    let (sample, elapsed) = run(&http_probe(&format!("http://{}/", server.addr), "")).await;
    assert_eq!(sample.health, Health::Down);
    assert_eq!(reason(&sample), "timed out after 1s");
    assert_near_deadline(elapsed);
}

#[tokio::test]
async fn an_endless_body_is_read_only_up_to_the_cap() {
    let before = rss_kib();
    let server = serve(Behaviour::EndlessChunked).await;
    let url = format!("http://{}/", server.addr);
    let (sample, elapsed) = run(&http_probe(
        &url,
        ", expect_body_contains = \"never there\"",
    ))
    .await;
    assert_eq!(sample.health, Health::Down, "judged on the first 64 KiB");
    assert_quick(elapsed);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = *server.sent.lock().unwrap();
    assert!(
        sent < 16 * 1024 * 1024,
        "the client stopped reading: the server sent {sent} bytes"
    );
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
}

#[tokio::test]
async fn a_redirect_loop_stops_after_five_hops() {
    let server = serve(Behaviour::RedirectLoop).await;
    let (sample, elapsed) = run(&http_probe(&format!("http://{}/r0", server.addr), "")).await;
    assert_eq!(sample.health, Health::Down);
    assert_eq!(reason(&sample), "more than 5 redirects");
    assert_eq!(
        server.requests.lock().unwrap().len(),
        6,
        "the first request and five redirects"
    );
    assert_quick(elapsed);
}

#[tokio::test]
async fn custom_headers_never_follow_a_redirect_to_another_host() {
    let second = serve(ok("fine")).await;
    let first = serve(Behaviour::Redirect(format!(
        "http://localhost:{}/moved",
        second.addr.port()
    )))
    .await;
    let extra = ", headers = { \"X-Api-Key\" = \"k-123\" }";
    let (sample, _) = run(&http_probe(&format!("http://{}/", first.addr), extra)).await;
    assert_eq!(sample.health, Health::Up, "{sample:?}");
    let at_first = first.requests.lock().unwrap().join("\n").to_lowercase();
    let at_second = second.requests.lock().unwrap().join("\n").to_lowercase();
    assert!(at_first.contains("x-api-key: k-123"), "{at_first}");
    assert!(at_second.contains("get /moved"), "{at_second}");
    assert!(
        !at_second.contains("x-api-key"),
        "the header leaked to the second host: {at_second}"
    );
}

#[tokio::test]
async fn escape_sequences_in_a_body_are_kept_raw_and_shown_escaped() {
    let server = serve(Behaviour::Respond {
        status: 502,
        body: b"\x1b]52;c;cGF3bmVk\x07\x1b[2J".to_vec(),
        delay: Duration::ZERO,
    })
    .await;
    let (sample, _) = run(&http_probe(&format!("http://{}/", server.addr), "")).await;
    assert_eq!(sample.health, Health::Down);
    let shown = sanitize(&reason(&sample)).into_owned();
    assert_eq!(shown, "HTTP 502: \\x1b]52;c;cGF3bmVk\\x07\\x1b[2J");
}

async fn tls_server() -> u16 {
    tls_server_with("ok".to_owned()).await
}

/// A loopback HTTPS server with a self-signed certificate answering every request with `body`.
async fn tls_server_with(body: String) -> u16 {
    let answer: Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
    .into();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let key = tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(
        cert.signing_key.serialize_der().into(),
    );
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (acceptor, answer) = (acceptor.clone(), Arc::clone(&answer));
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let _ = tls.write_all(&answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test]
async fn a_prometheus_recovery_point_keeps_its_sources_tls_setting() {
    let _ = tokio_rustls::rustls::crypto::aws_lc_rs::default_provider().install_default();
    let copied = Utc::now().timestamp() - 600;
    let body = format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"value":[1,"{copied}"]}}]}}}}"#
    );
    let port = tls_server_with(body).await;
    let read = |verify: bool| {
        let text = format!(
            "[service]\nname = \"Shop\"\n[sources.prometheus.main]\nurl = \"https://localhost:{port}\"\n\
             tls_verify = {verify}\n[[component]]\nid = \"db\"\nname = \"DB\"\ntier = \"critical\"\n\
             probe = {{ kind = \"sim\" }}\n\
             recovery_point = {{ kind = \"prometheus\", query = \"backup_last_success_timestamp_seconds\" }}\n"
        );
        let config = config::parse("w.toml", &text).unwrap();
        async move {
            let point = &config.components[0].backups[0].point;
            let clients = probe::Clients::new().unwrap();
            warroom::workers::recovery_point::read_point(
                clients.for_point(&point.source),
                point,
                Utc::now(),
            )
            .await
        }
    };
    assert_eq!(read(false).await.unwrap().timestamp(), copied);
    let refused = read(true).await.unwrap_err();
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");
}

#[tokio::test]
async fn a_self_signed_certificate_fails_unless_verification_is_off() {
    let _ = tokio_rustls::rustls::crypto::aws_lc_rs::default_provider().install_default();
    let port = tls_server().await;
    let url = format!("https://localhost:{port}/");
    let (sample, elapsed) = run(&http_probe(&url, "")).await;
    assert_eq!(sample.health, Health::Down);
    assert!(
        reason(&sample).to_lowercase().contains("certificate"),
        "{}",
        reason(&sample)
    );
    assert_quick(elapsed);
    let (sample, _) = run(&http_probe(&url, ", tls_verify = false")).await;
    assert_eq!(sample.health, Health::Up, "{sample:?}");
}

#[tokio::test]
async fn tcp_probes_connect_or_say_why_not() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let open = listener.local_addr().unwrap();
    let tcp = |addr: String| {
        probe(&format!(
            "{{ kind = \"tcp\", address = \"{addr}\", interval = \"5s\", timeout = \"1s\" }}"
        ))
    };
    let (sample, _) = run(&tcp(open.to_string())).await;
    assert_eq!(sample.health, Health::Up);
    drop(listener);
    let (sample, elapsed) = run(&tcp(open.to_string())).await;
    assert_eq!(sample.health, Health::Down);
    assert!(reason(&sample).contains("refused"), "{}", reason(&sample));
    assert_quick(elapsed);
}

fn command(cmd: &str) -> Probe {
    let escaped = cmd.replace('\\', "\\\\").replace('"', "\\\"");
    probe(&format!(
        "{{ kind = \"command\", command = \"{escaped}\", interval = \"5s\", timeout = \"1s\" }}"
    ))
}

#[tokio::test]
async fn commands_report_exit_status_and_first_line() {
    let (sample, _) = run(&command("echo replication ok; echo second line")).await;
    assert_eq!(sample.health, Health::Up);
    assert_eq!(reason(&sample), "replication ok");
    let (sample, _) = run(&command("echo 'lag 900s' >&2; exit 2")).await;
    assert_eq!(sample.health, Health::Down);
    assert_eq!(reason(&sample), "exit 2: lag 900s");
}

#[tokio::test]
async fn a_command_that_never_exits_is_killed_with_its_whole_group() {
    let (sample, elapsed) = run(&command("echo $$; sleep 30 & sleep 30")).await;
    assert_eq!(sample.health, Health::Down);
    assert_near_deadline(elapsed);
    let why = reason(&sample);
    let pid = why.rsplit(": ").next().unwrap().trim().to_owned();
    assert!(why.starts_with("timed out after 1s"), "{why}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let running = running_in_group(&pid);
    assert!(
        running.is_empty(),
        "processes of group {pid} still run (zombies excepted): {running:?}"
    );
}

#[tokio::test]
async fn a_command_that_prints_forever_is_bounded() {
    let before = rss_kib();
    let (sample, elapsed) = run(&command("yes 'flood'")).await;
    assert_eq!(sample.health, Health::Down);
    assert_eq!(reason(&sample), "timed out after 1s: flood");
    assert_near_deadline(elapsed);
    let grown = rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
}

#[tokio::test]
async fn one_hanging_endpoint_never_delays_the_healthy_ones() {
    let hanging = serve(Behaviour::NeverAnswer).await;
    let healthy = serve(ok("ok")).await;
    let fast = |addr: SocketAddr| http_probe_timed(&format!("http://{addr}/"), "200ms", "150ms");
    let mut probes = vec![(0, fast(hanging.addr))];
    probes.extend((1..=50).map(|i| (i, fast(healthy.addr))));
    let (tx, mut rx) = tokio::sync::mpsc::channel(4096);
    let tasks = probe::spawn_all(
        probes,
        (64, &probe::Clients::new().unwrap()),
        Arc::new(Utc::now),
        tx,
    );
    let mut counts = vec![0usize; 51];
    let until = Instant::now() + Duration::from_secs(3);
    while let Ok(Some(msg)) =
        tokio::time::timeout(until.saturating_duration_since(Instant::now()), rx.recv()).await
    {
        if let warroom::msg::Msg::Probed { index, .. } = msg {
            counts[index] += 1;
        }
    }
    for task in tasks {
        task.abort();
    }
    let slowest = counts[1..].iter().min().unwrap();
    assert!(
        *slowest >= 8,
        "healthy probes kept their interval (≈14 samples in 3 s): {counts:?}"
    );
    assert!(
        counts[0] >= 5,
        "the hanging probe still reported its timeouts: {counts:?}"
    );
}

fn http_probe_timed(url: &str, interval: &str, timeout: &str) -> Probe {
    probe(&format!(
        "{{ kind = \"http\", url = \"{url}\", interval = \"{interval}\", timeout = \"{timeout}\" }}"
    ))
}
