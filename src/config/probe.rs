//! Probe settings: the TOML form, validation, and the runtime form the workers use.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::spanned::Spanned;
use serde::Deserialize;

use super::duration::HumanDuration;
pub use super::monitoring::{AlertRule, Promql};
use super::{Diagnostic, Secret, Source, secret};
use crate::domain::Health;

/// Default time between two samples.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Default deadline of one sample (always kept below the interval).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The probe kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::Display, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    Sim,
    Http,
    Tcp,
    Command,
    Prometheus,
    Alertmanager,
}

/// What an empty query result means to a `prometheus` probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnEmpty {
    Down,
    Unknown,
}

/// `expect_json = { pointer = "/status", equals = "ok" }`
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectJsonFile {
    pub pointer: String,
    /// Any value: the JSON at `pointer` must equal it.
    #[schemars(with = "serde_json::Value")]
    pub equals: toml::Value,
}

/// A probe table as written. Which keys apply depends on `kind`; the rest are rejected.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProbeFile {
    pub kind: Kind,
    pub state: Option<Spanned<Health>>,
    pub url: Option<Spanned<String>>,
    pub method: Option<Spanned<String>>,
    pub headers: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    pub body: Option<Spanned<String>>,
    pub expect_status: Option<Spanned<Vec<u16>>>,
    pub expect_body_contains: Option<Spanned<String>>,
    pub expect_json: Option<Spanned<ExpectJsonFile>>,
    pub max_latency: Option<Spanned<HumanDuration>>,
    pub tls_verify: Option<Spanned<bool>>,
    /// `http`: keep connections open between samples (default: a new connection each time).
    pub reuse_connections: Option<Spanned<bool>>,
    pub address: Option<Spanned<String>>,
    pub command: Option<Spanned<String>>,
    pub cwd: Option<Spanned<PathBuf>>,
    pub interval: Option<Spanned<HumanDuration>>,
    pub timeout: Option<Spanned<HumanDuration>>,
    pub fail_after: Option<Spanned<u32>>,
    pub recover_after: Option<Spanned<u32>>,
    /// `prometheus`: the `[sources.prometheus.NAME]` to ask (optional when there is one).
    pub source: Option<Spanned<String>>,
    /// `prometheus`: an instant `PromQL` query.
    pub query: Option<Spanned<String>>,
    /// `prometheus`: down when any value meets this rule, like "< 1".
    pub down_if: Option<Spanned<String>>,
    /// `prometheus`: degraded when any value meets this rule, like "> 0.5".
    pub degraded_if: Option<Spanned<String>>,
    /// `prometheus`: the state when the query returns nothing (default "unknown").
    pub on_empty: Option<Spanned<OnEmpty>>,
    /// `prometheus`: the value's unit, shown after it ("req/s", "%").
    pub unit: Option<Spanned<String>>,
    /// `alertmanager`: label matchers in Alertmanager's syntax, all of which an alert must pass.
    pub matchers: Option<Spanned<Vec<Spanned<String>>>>,
    /// `alertmanager`: `severity` values that make the component down (default `["critical"]`);
    /// any other alert, a warning or one with no severity, makes it degraded.
    pub down_severities: Option<Spanned<Vec<String>>>,
    /// `alertmanager`: count silenced alerts (default false).
    pub count_silenced: Option<Spanned<bool>>,
    /// `alertmanager`: count inhibited alerts (default false).
    pub count_inhibited: Option<Spanned<bool>>,
}

/// An HTTP check.
#[derive(Debug, Clone, PartialEq)]
pub struct Http {
    /// May carry a secret (a token in the query): never shown whole, never in errors.
    pub url: reqwest::Url,
    pub method: reqwest::Method,
    pub headers: Vec<(String, Secret)>,
    pub body: Option<String>,
    /// Accepted status codes; empty means any 2xx.
    pub expect_status: Vec<u16>,
    pub expect_body_contains: Option<String>,
    pub expect_json: Option<(String, serde_json::Value)>,
    pub max_latency: Option<Duration>,
    pub tls_verify: bool,
    /// Keep-alive between samples; off by default, so each sample opens a connection as a
    /// health check should (a server whose accept queue is dead must not look up).
    pub reuse_connections: bool,
}

/// What a probe checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// Follows the demo or drill scenario, starting in `state`.
    Sim {
        state: Health,
    },
    Http(Box<Http>),
    /// Connects to `host:port`.
    Tcp {
        address: String,
    },
    /// Runs `sh -c command`; exit 0 is up.
    Command {
        command: String,
        cwd: Option<PathBuf>,
    },
    /// Asks Prometheus.
    Prometheus(Box<Promql>),
    /// Reads the active alerts of an Alertmanager.
    Alertmanager(Box<AlertRule>),
}

/// A component's probe: what to check and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub check: Check,
    pub interval: Duration,
    pub timeout: Duration,
    pub fail_after: u32,
    pub recover_after: u32,
}

impl Check {
    /// It asks the team's monitoring (Prometheus, Alertmanager), whose answer's latency says
    /// nothing of the component: its value is shown instead.
    #[must_use]
    pub fn asks_monitoring(&self) -> bool {
        matches!(self, Self::Prometheus(_) | Self::Alertmanager(_))
    }
}

impl Probe {
    /// A simulated probe in the given state.
    #[must_use]
    pub fn sim(state: Health) -> Self {
        Self {
            check: Check::Sim { state },
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            fail_after: 2,
            recover_after: 2,
        }
    }

    /// The state a component starts in: a simulated one's initial state, else unknown.
    #[must_use]
    pub fn initial(&self) -> Health {
        match self.check {
            Check::Sim { state } => state,
            _ => Health::Unknown,
        }
    }
}

/// Which optional keys each kind accepts.
fn allowed(kind: Kind) -> &'static [&'static str] {
    const TIMING: [&str; 4] = ["interval", "timeout", "fail_after", "recover_after"];
    match kind {
        Kind::Sim => &["state"],
        Kind::Http => &[
            "url",
            "method",
            "headers",
            "body",
            "expect_status",
            "expect_body_contains",
            "expect_json",
            "max_latency",
            "tls_verify",
            "reuse_connections",
            TIMING[0],
            TIMING[1],
            TIMING[2],
            TIMING[3],
        ],
        Kind::Tcp => &["address", TIMING[0], TIMING[1], TIMING[2], TIMING[3]],
        Kind::Command => &["command", "cwd", TIMING[0], TIMING[1], TIMING[2], TIMING[3]],
        Kind::Alertmanager => &[
            "source",
            "matchers",
            "down_severities",
            "count_silenced",
            "count_inhibited",
            TIMING[0],
            TIMING[1],
            TIMING[2],
            TIMING[3],
        ],
        Kind::Prometheus => &[
            "source",
            "query",
            "down_if",
            "degraded_if",
            "on_empty",
            "unit",
            TIMING[0],
            TIMING[1],
            TIMING[2],
            TIMING[3],
        ],
    }
}

impl ProbeFile {
    /// The keys that are set, with their spans.
    fn present(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut out = Vec::new();
        let mut add = |name: &'static str, span: Option<std::ops::Range<usize>>| {
            if let Some(span) = span {
                out.push((name, span));
            }
        };
        add("state", self.state.as_ref().map(Spanned::span));
        add("url", self.url.as_ref().map(Spanned::span));
        add("method", self.method.as_ref().map(Spanned::span));
        add("headers", self.headers.as_ref().map(Spanned::span));
        add("body", self.body.as_ref().map(Spanned::span));
        add(
            "expect_status",
            self.expect_status.as_ref().map(Spanned::span),
        );
        add(
            "expect_body_contains",
            self.expect_body_contains.as_ref().map(Spanned::span),
        );
        add("expect_json", self.expect_json.as_ref().map(Spanned::span));
        add("max_latency", self.max_latency.as_ref().map(Spanned::span));
        add("tls_verify", self.tls_verify.as_ref().map(Spanned::span));
        add(
            "reuse_connections",
            self.reuse_connections.as_ref().map(Spanned::span),
        );
        add("address", self.address.as_ref().map(Spanned::span));
        add("command", self.command.as_ref().map(Spanned::span));
        add("cwd", self.cwd.as_ref().map(Spanned::span));
        add("interval", self.interval.as_ref().map(Spanned::span));
        add("timeout", self.timeout.as_ref().map(Spanned::span));
        add("fail_after", self.fail_after.as_ref().map(Spanned::span));
        add(
            "recover_after",
            self.recover_after.as_ref().map(Spanned::span),
        );
        add("source", self.source.as_ref().map(Spanned::span));
        add("query", self.query.as_ref().map(Spanned::span));
        add("down_if", self.down_if.as_ref().map(Spanned::span));
        add("degraded_if", self.degraded_if.as_ref().map(Spanned::span));
        add("on_empty", self.on_empty.as_ref().map(Spanned::span));
        add("unit", self.unit.as_ref().map(Spanned::span));
        add("matchers", self.matchers.as_ref().map(Spanned::span));
        add(
            "down_severities",
            self.down_severities.as_ref().map(Spanned::span),
        );
        add(
            "count_silenced",
            self.count_silenced.as_ref().map(Spanned::span),
        );
        add(
            "count_inhibited",
            self.count_inhibited.as_ref().map(Spanned::span),
        );
        out
    }
}

/// Validates a probe table and converts it; `at` is the span of the whole table.
pub fn convert(
    src: &Source,
    file: ProbeFile,
    at: std::ops::Range<usize>,
    sources: &super::sources::Sources,
    errors: &mut Vec<Diagnostic>,
) -> Probe {
    let kind = file.kind;
    for (key, span) in file.present() {
        if !allowed(kind).contains(&key) {
            errors.push(src.at(
                span,
                format!(
                    "`{key}` is not an option of a {kind} probe (it takes {})",
                    allowed(kind).join(", ")
                ),
            ));
        }
    }
    let timing = timing(src, &file, errors);
    let own_timeout = file.timeout.is_some();
    let check = match kind {
        Kind::Sim => Check::Sim {
            state: file.state.map_or(Health::Up, Spanned::into_inner),
        },
        Kind::Http => Check::Http(Box::new(http(src, file, at, errors))),
        // An unusable one has been reported; the config is invalid and never runs.
        Kind::Alertmanager => super::monitoring::alert_rule(src, file, at, sources, errors).map_or(
            Check::Sim {
                state: Health::Unknown,
            },
            |a| Check::Alertmanager(Box::new(a)),
        ),
        Kind::Prometheus => super::monitoring::prometheus(src, file, at, sources, errors).map_or(
            Check::Sim {
                state: Health::Unknown,
            },
            |p| Check::Prometheus(Box::new(p)),
        ),
        Kind::Tcp => Check::Tcp {
            address: tcp_address(src, file.address, at, errors),
        },
        Kind::Command => match file.command {
            Some(command) if !command.get_ref().trim().is_empty() => Check::Command {
                command: command.into_inner(),
                // Runs where the config is, so `./scripts/check.sh` means the config's scripts.
                cwd: match file.cwd {
                    Some(cwd) => Some(src.resolve(cwd.get_ref())),
                    None => src.dir(),
                },
            },
            Some(command) => {
                errors.push(src.at(
                    command.span(),
                    "`command` is empty; give the shell command to run",
                ));
                Check::Command {
                    command: String::new(),
                    cwd: None,
                }
            }
            None => {
                errors.push(src.at(
                    at,
                    "a command probe needs `command`, e.g. command = \"./check-db.sh\"",
                ));
                Check::Command {
                    command: String::new(),
                    cwd: None,
                }
            }
        },
    };
    // A source's timeout is its probes' default, kept below their interval.
    let timeout = match &check {
        Check::Prometheus(promql) if !own_timeout => promql
            .source
            .timeout
            .map_or(timing.timeout, |t| t.min(timing.interval.mul_f64(0.8))),
        _ => timing.timeout,
    };
    Probe {
        check,
        timeout,
        ..timing
    }
}

fn timing(src: &Source, file: &ProbeFile, errors: &mut Vec<Diagnostic>) -> Probe {
    let interval = file
        .interval
        .as_ref()
        .map_or(DEFAULT_INTERVAL, |d| d.get_ref().0);
    let default_timeout = DEFAULT_TIMEOUT.min(interval.mul_f64(0.8));
    let timeout = file
        .timeout
        .as_ref()
        .map_or(default_timeout, |d| d.get_ref().0);
    if let Some(spanned) = &file.interval
        && interval < Duration::from_millis(100)
    {
        errors.push(src.at(
            spanned.span(),
            format!(
                "interval `{}` is too short; use 100ms or more",
                humantime::format_duration(interval)
            ),
        ));
    }
    if let Some(spanned) = &file.timeout
        && (timeout >= interval || timeout.is_zero())
    {
        errors.push(src.at(
                spanned.span(),
                format!(
                    "timeout `{}` must be above zero and below the interval `{}`, so a probe never overlaps itself",
                    humantime::format_duration(timeout),
                    humantime::format_duration(interval)
                ),
            ));
    }
    let count = |value: &Option<Spanned<u32>>, name: &str, errors: &mut Vec<Diagnostic>| match value
    {
        Some(v) if *v.get_ref() == 0 => {
            errors.push(src.at(v.span(), format!("`{name}` must be 1 or more")));
            1
        }
        Some(v) => *v.get_ref(),
        None => 2,
    };
    Probe {
        check: Check::Sim {
            state: Health::Unknown,
        },
        interval,
        timeout,
        fail_after: count(&file.fail_after, "fail_after", errors),
        recover_after: count(&file.recover_after, "recover_after", errors),
    }
}

fn http(
    src: &Source,
    file: ProbeFile,
    at: std::ops::Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Http {
    let url = match &file.url {
        None => {
            errors.push(src.at(
                at,
                "an http probe needs `url`, e.g. url = \"http://127.0.0.1:8080/health\"",
            ));
            None
        }
        Some(spanned) => {
            let resolved = secret(src, "url", spanned, errors);
            match reqwest::Url::parse(resolved.expose()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Some(url),
                Ok(url) => {
                    errors.push(src.at(
                        spanned.span(),
                        format!(
                            "url scheme `{}` is not supported; use http:// or https://",
                            url.scheme()
                        ),
                    ));
                    None
                }
                Err(e) => {
                    errors.push(src.at(
                        spanned.span(),
                        format!("invalid url `{}`: {e}", spanned.get_ref()),
                    ));
                    None
                }
            }
        }
    };
    let method = file.method.as_ref().map_or(Ok(reqwest::Method::GET), |m| {
        reqwest::Method::from_bytes(m.get_ref().to_ascii_uppercase().as_bytes())
            .map_err(|_| src.at(m.span(), format!("invalid HTTP method `{}`", m.get_ref())))
    });
    let method = method.unwrap_or_else(|e| {
        errors.push(e);
        reqwest::Method::GET
    });
    if let Some(codes) = &file.expect_status
        && let Some(bad) = codes.get_ref().iter().find(|c| !(100..=599).contains(*c))
    {
        errors.push(src.at(
            codes.span(),
            format!("`expect_status` holds `{bad}`, which is not an HTTP status (100-599)"),
        ));
    }
    let expect_json = file.expect_json.map(|spanned| {
        let span = spanned.span();
        let expect = spanned.into_inner();
        if !expect.pointer.is_empty() && !expect.pointer.starts_with('/') {
            errors.push(src.at(
                span,
                format!(
                    "JSON pointer `{}` must start with `/`, e.g. \"/status\"",
                    expect.pointer
                ),
            ));
        }
        let value = serde_json::to_value(&expect.equals).unwrap_or(serde_json::Value::Null);
        (expect.pointer, value)
    });
    let headers = file
        .headers
        .map(Spanned::into_inner)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| {
            if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                errors.push(src.at(value.span(), format!("invalid header name `{name}`")));
            }
            let key = format!("headers.{name}");
            let resolved = secret(src, &key, &value, errors);
            (name, resolved)
        })
        .collect();
    Http {
        url: url.unwrap_or_else(|| {
            reqwest::Url::parse("http://127.0.0.1/").expect("a valid placeholder")
        }),
        method,
        headers,
        body: file.body.map(Spanned::into_inner),
        expect_status: file
            .expect_status
            .map(Spanned::into_inner)
            .unwrap_or_default(),
        expect_body_contains: file.expect_body_contains.map(Spanned::into_inner),
        expect_json,
        max_latency: file.max_latency.map(|d| d.into_inner().0),
        tls_verify: file.tls_verify.is_none_or(Spanned::into_inner),
        reuse_connections: file.reuse_connections.is_some_and(Spanned::into_inner),
    }
}

fn tcp_address(
    src: &Source,
    address: Option<Spanned<String>>,
    at: std::ops::Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> String {
    let Some(address) = address else {
        errors.push(src.at(
            at,
            "a tcp probe needs `address`, e.g. address = \"127.0.0.1:5432\"",
        ));
        return String::new();
    };
    let valid = address
        .get_ref()
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
    if !valid {
        errors.push(src.at(
            address.span(),
            format!(
                "address `{}` must be host:port, e.g. \"db.internal:5432\"",
                address.get_ref()
            ),
        ));
    }
    address.into_inner()
}

/// The URL with any password and query removed, for display.
#[must_use]
pub fn display_url(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    if shown.query().is_some() {
        shown.set_query(Some("…"));
    }
    shown.set_fragment(None);
    shown.to_string()
}
