//! A real Prometheus and Alertmanager (Debian packages `prometheus`, `prometheus-alertmanager`) on
//! 127.0.0.1 with throwaway data folders, and a small exporter the test serves for Prometheus to
//! scrape. Each server is killed when its handle drops.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to become ready.
const READY: Duration = Duration::from_secs(30);

/// The binary of a Debian package, or `None` (after one line saying which package to install)
/// when it is absent and skips are allowed; with `WARROOM_NO_SKIP` set, absence fails the test.
pub fn binary(path: &str, package: &str) -> Option<PathBuf> {
    let path = PathBuf::from(path);
    if path.is_file() {
        return Some(path);
    }
    super::missing(
        path.to_str().unwrap_or_default(),
        &format!("apt-get install -y {package}"),
    );
    None
}

/// A loopback port free a moment ago (the servers take a port on their command line).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed on drop.
pub struct Server {
    child: Child,
    pub address: SocketAddr,
    /// Its data folder and config, removed on drop.
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn start(binary: &Path, dir: tempfile::TempDir, args: &[String], address: SocketAddr) -> Self {
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let child = Command::new(binary)
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let server = Self {
            child,
            address,
            dir,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < READY {
            if get(self.address, "/-/ready").is_some_and(|(status, _)| status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        panic!(
            "server on {} not ready after {READY:?}:\n{log}",
            self.address
        );
    }
}

/// Starts Prometheus scraping `targets` every second.
pub fn prometheus(targets: &[SocketAddr]) -> Option<Server> {
    let binary = binary("/usr/bin/prometheus", "prometheus")?;
    let dir = tempfile::tempdir().unwrap();
    let targets: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         scrape_configs:\n  - job_name: exporter\n    static_configs:\n      - targets: [{}]\n",
        targets.join(", ")
    );
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let args = [
        "--config.file=prometheus.yml".to_owned(),
        "--storage.tsdb.path=data".to_owned(),
        format!("--web.listen-address={address}"),
    ];
    Some(Server::start(&binary, dir, &args, address))
}

/// Starts Alertmanager with one receiver that sends nowhere and no clustering.
pub fn alertmanager() -> Option<Server> {
    let binary = binary(
        "/usr/bin/prometheus-alertmanager",
        "prometheus-alertmanager",
    )?;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("alertmanager.yml"),
        "route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n",
    )
    .unwrap();
    let address: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let args = [
        "--config.file=alertmanager.yml".to_owned(),
        "--storage.path=data".to_owned(),
        format!("--web.listen-address={address}"),
        "--cluster.listen-address=".to_owned(),
    ];
    Some(Server::start(&binary, dir, &args, address))
}

/// A POST of a JSON body on loopback: the status and the body of the answer.
pub fn post(address: SocketAddr, path: &str, json: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    )
    .unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text).unwrap();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// An exporter serving `/metrics` with whatever text the test last set.
pub struct Exporter {
    pub address: SocketAddr,
    metrics: Arc<Mutex<String>>,
}

impl Exporter {
    pub fn start(metrics: &str) -> Self {
        let metrics = Arc::new(Mutex::new(metrics.to_owned()));
        let served = Arc::clone(&metrics);
        let address = serve("text/plain; version=0.0.4", move |_| {
            served.lock().unwrap().clone()
        });
        Self { address, metrics }
    }

    pub fn set(&self, metrics: &str) {
        *self.metrics.lock().unwrap() = metrics.to_owned();
    }
}

/// A loopback HTTP server that answers each request with what `answer` makes of its head (the
/// request line and headers), one connection at a time, until the test ends.
pub fn serve(
    content_type: &'static str,
    answer: impl Fn(&str) -> String + Send + 'static,
) -> SocketAddr {
    serve_status(content_type, move |head| (200, answer(head)))
}

/// As [`serve`], answering each request (its head, body read and dropped) with a status too.
pub fn serve_status(
    content_type: &'static str,
    answer: impl Fn(&str) -> (u16, String) + Send + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut head, mut line) = (String::new(), String::new());
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                head.push_str(&line);
                line.clear();
            }
            let length = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<u64>().ok())?
                })
                .unwrap_or(0);
            let _ = std::io::copy(&mut (&mut reader).take(length), &mut std::io::sink());
            let (status, body) = answer(&head);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body.as_bytes());
        }
    });
    address
}

/// A plain HTTP GET on loopback: status and body, or `None` when nothing answers.
pub fn get(address: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut stream = std::net::TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text).ok()?;
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}

/// Waits until `ready` holds, or panics after `patience` with `what` it was waiting for.
pub fn eventually(patience: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < patience,
            "{what} did not happen within {patience:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
