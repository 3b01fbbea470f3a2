//! Notification endpoints and recovery-point sources: TOML forms and runtime forms.

use std::time::Duration;

use super::spanned::Spanned;
use serde::Deserialize;

use super::duration::HumanDuration;
use super::{Diagnostic, Secret, Source, secret};
use crate::domain::event::Channel;

/// `PagerDuty`'s public Events API v2 endpoint.
pub const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyFile {
    pub pagerduty: Option<PagerDutyFile>,
    pub slack: Option<UrlFile>,
    pub webhook: Option<UrlFile>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyFile {
    pub routing_key: Spanned<String>,
    pub url: Option<Spanned<String>>,
    /// Where responders open warroom's view of the incident (sent as `client_url`, with
    /// `client = "warroom"`).
    pub client_url: Option<Spanned<String>>,
    /// Links sent with every trigger (dashboards, the runbook wiki): `{ href, text }`.
    #[serde(default)]
    pub links: Vec<LinkFile>,
}

/// A link sent with a `PagerDuty` trigger.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkFile {
    pub href: Spanned<String>,
    pub text: Option<String>,
}

/// `{ url = "..." }` or, for Slack, `{ webhook_url = "..." }` (schema in `schema.rs`: the
/// derive does not know aliases).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlFile {
    #[serde(alias = "webhook_url")]
    pub url: Spanned<String>,
}

/// How a delivery this console could not attempt begins (see [`Notify::why_not_sent`]).
pub const NOT_SENT_HERE: &str = "not sent from this console";

/// Where notifications go. Every URL and key is a secret: never shown, logged or journaled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notify {
    pub pagerduty: Option<PagerDuty>,
    pub slack: Option<Secret>,
    pub webhook: Option<Secret>,
    /// Channels left out because a variable they refer to is not set, each said as a
    /// diagnostic. Work that only reads starts without them (and says what will not be sent);
    /// a console that may send refuses to start ([`Notify::require`]).
    pub unset: Vec<Diagnostic>,
    /// The channels left out, with the variables they need: their notifications are still owed
    /// (queued and shown failed, never dropped) when a console without them writes the incident.
    pub left_out: Vec<(Channel, String)>,
}

impl Notify {
    /// Whether notifications on `channel` are owed: it is configured here, or configured but
    /// left out of this console for an unset variable.
    #[must_use]
    pub fn owes(&self, channel: Channel) -> bool {
        let here = match channel {
            Channel::Pagerduty => self.pagerduty.is_some(),
            Channel::Slack => self.slack.is_some(),
            Channel::Webhook => self.webhook.is_some(),
        };
        here || self.left_out.iter().any(|(c, _)| *c == channel)
    }

    /// Whether this console can send on `channel` (configured, with its secrets).
    #[must_use]
    pub fn sends(&self, channel: Channel) -> bool {
        self.owes(channel) && self.why_not_sent(channel).is_none()
    }

    /// Why this console cannot send on `channel`, when it was left out here.
    #[must_use]
    pub fn why_not_sent(&self, channel: Channel) -> Option<String> {
        self.left_out
            .iter()
            .find(|(c, _)| *c == channel)
            .map(|(_, vars)| {
                format!("{NOT_SENT_HERE}: {vars} is not set here (a console with it set may write the incident)")
            })
    }

    /// The channels' unset variables as errors, for work that would send.
    ///
    /// # Errors
    /// Every channel left out for an unset variable.
    pub fn require(&self) -> Result<(), super::Invalid> {
        if self.unset.is_empty() {
            Ok(())
        } else {
            Err(super::Invalid(self.unset.clone()))
        }
    }

    /// What will not be sent, one line each, for work that only reads.
    #[must_use]
    pub fn not_sent(&self) -> Vec<String> {
        self.unset.iter().map(ToString::to_string).collect()
    }
}

/// The `${VAR}`s of a value that are not set.
fn unset_vars(value: &str) -> Vec<String> {
    let mut unset = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let var = &rest[start + 2..start + len];
        if std::env::var_os(var).is_none() {
            unset.push(var.to_owned());
        }
        rest = &rest[start + len + 1..];
    }
    unset
}

/// A channel whose secrets refer to unset variables is left out: its diagnostic says which and
/// what will not be sent.
fn left_out(
    src: &Source,
    (channel, name): (Channel, &str),
    secrets: &[(&str, &Spanned<String>)],
    notify: &mut Notify,
) -> bool {
    let Some((key, value, vars)) = secrets.iter().find_map(|(key, value)| {
        let vars = unset_vars(value.get_ref());
        (!vars.is_empty()).then_some((key, value, vars))
    }) else {
        return false;
    };
    let vars = vars.join(", ");
    notify.unset.push(src.at(
        value.span(),
        format!(
            "`{key}` refers to the environment variable {vars}, which is not set: nothing will be sent to {name}; export {vars} or remove the key"
        ),
    ));
    notify.left_out.push((channel, vars));
    true
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagerDuty {
    pub routing_key: Secret,
    pub url: Secret,
    pub client_url: Option<String>,
    /// `(href, text)` of each link sent with a trigger.
    pub links: Vec<(String, String)>,
}

impl PagerDuty {
    /// `PagerDuty` at `url` with `routing_key`, nothing more sent with a trigger.
    #[must_use]
    pub fn new(routing_key: Secret, url: Secret) -> Self {
        Self {
            routing_key,
            url,
            client_url: None,
            links: Vec::new(),
        }
    }
}

fn url(src: &Source, key: &str, value: &Spanned<String>, errors: &mut Vec<Diagnostic>) -> Secret {
    let resolved = secret(src, key, value, errors);
    let parsed = reqwest::Url::parse(resolved.expose());
    if !errors.iter().any(|e| e.message.contains(key))
        && !parsed.is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
    {
        errors.push(src.at(
            value.span(),
            format!("`{key}` must be an http:// or https:// URL"),
        ));
    }
    resolved
}

/// Validates and converts the `[notify]` table; a channel whose variables are not set is left
/// out and said in `unset`.
pub fn convert(src: &Source, file: NotifyFile, errors: &mut Vec<Diagnostic>) -> Notify {
    let mut notify = Notify::default();
    let pagerduty = file.pagerduty.filter(|p| {
        let mut secrets = vec![("notify.pagerduty.routing_key", &p.routing_key)];
        secrets.extend(p.url.as_ref().map(|u| ("notify.pagerduty.url", u)));
        !left_out(
            src,
            (Channel::Pagerduty, "PagerDuty"),
            &secrets,
            &mut notify,
        )
    });
    let slack = file.slack.filter(|s| {
        let secrets = [("notify.slack.webhook_url", &s.url)];
        !left_out(src, (Channel::Slack, "Slack"), &secrets, &mut notify)
    });
    let webhook = file.webhook.filter(|w| {
        let secrets = [("notify.webhook.url", &w.url)];
        !left_out(
            src,
            (Channel::Webhook, "the webhook"),
            &secrets,
            &mut notify,
        )
    });
    Notify {
        unset: notify.unset,
        left_out: notify.left_out,
        pagerduty: pagerduty.map(|p| PagerDuty {
            routing_key: secret(src, "notify.pagerduty.routing_key", &p.routing_key, errors),
            url: p.url.as_ref().map_or_else(
                || Secret::new(PAGERDUTY_EVENTS_URL),
                |u| url(src, "notify.pagerduty.url", u, errors),
            ),
            client_url: p.client_url.as_ref().map(|u| {
                url(src, "notify.pagerduty.client_url", u, errors)
                    .expose()
                    .to_owned()
            }),
            links: p
                .links
                .iter()
                .map(|l| {
                    let href = url(src, "notify.pagerduty.links.href", &l.href, errors);
                    let href = href.expose().to_owned();
                    (href.clone(), l.text.clone().unwrap_or(href))
                })
                .collect(),
        }),
        slack: slack.map(|s| url(src, "notify.slack.webhook_url", &s.url, errors)),
        webhook: webhook.map(|w| url(src, "notify.webhook.url", &w.url, errors)),
    }
}

/// Where the time of a component's last good copy comes from.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RecoveryPointFile {
    HttpJson {
        url: String,
        pointer: String,
        interval: Option<HumanDuration>,
        timeout: Option<HumanDuration>,
    },
    Command {
        command: String,
        interval: Option<HumanDuration>,
        timeout: Option<HumanDuration>,
    },
    File {
        glob: String,
        interval: Option<HumanDuration>,
    },
    Sim {
        age: HumanDuration,
    },
    /// A `PromQL` query whose value is a time in epoch seconds, such as
    /// `backup_last_success_timestamp_seconds{job="db"}`.
    Prometheus {
        query: String,
        /// The `[sources.prometheus.NAME]` to ask (optional when there is one).
        source: Option<Spanned<String>>,
        interval: Option<HumanDuration>,
        timeout: Option<HumanDuration>,
    },
}

/// A recovery-point source.
#[derive(Debug, Clone, PartialEq)]
pub enum PointSource {
    /// A JSON document whose value at `pointer` is an RFC 3339 time or epoch seconds.
    HttpJson { url: reqwest::Url, pointer: String },
    /// A command that prints an RFC 3339 time or epoch seconds, run in `cwd` (the config's
    /// folder).
    Command {
        command: String,
        cwd: Option<std::path::PathBuf>,
    },
    /// The newest modification time among files matching a glob.
    File { glob: String },
    /// Simulated: the last copy was `age` before the console started.
    Sim { age: Duration },
    /// The newest value of a query's series, in epoch seconds.
    Prometheus {
        source: super::sources::Endpoint,
        query: String,
    },
}

impl PointSource {
    /// Whether its server's TLS certificate is verified (false only for a Prometheus source
    /// that says `tls_verify = false`).
    #[must_use]
    pub fn tls_verify(&self) -> bool {
        match self {
            Self::Prometheus { source, .. } => source.tls_verify,
            _ => true,
        }
    }

    /// Where the copies are read from, for people (a URL without its secrets).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::HttpJson { url, pointer } => {
                format!("http {} at {pointer}", super::probe::display_url(url))
            }
            Self::Command { command, .. } => format!("command: {command}"),
            Self::File { glob } => format!("newest file of {glob}"),
            Self::Sim { .. } => "simulated".to_owned(),
            Self::Prometheus { source, query } => format!("prometheus `{}`: {query}", source.name),
        }
    }
}

/// How a component's recovery point is found.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryPoint {
    pub source: PointSource,
    pub interval: Duration,
    pub timeout: Duration,
}

const POINT_INTERVAL: Duration = Duration::from_secs(30);
const POINT_TIMEOUT: Duration = Duration::from_secs(10);

/// Validates and converts a `recovery_point` table.
pub fn recovery_point(
    src: &Source,
    file: Spanned<RecoveryPointFile>,
    sources: &super::sources::Sources,
    errors: &mut Vec<Diagnostic>,
) -> RecoveryPoint {
    let at = file.span();
    let file = file.into_inner();
    let timing = |interval: Option<HumanDuration>, timeout: Option<HumanDuration>| {
        let interval = interval.map_or(POINT_INTERVAL, |d| d.0);
        (
            interval,
            timeout.map_or(POINT_TIMEOUT.min(interval.mul_f64(0.8)), |d| d.0),
        )
    };
    let (source, (interval, timeout)) = match file {
        RecoveryPointFile::HttpJson {
            url: raw,
            pointer,
            interval,
            timeout,
        } => {
            let resolved = url(
                src,
                "recovery_point.url",
                &Spanned::new(at.clone(), raw),
                errors,
            );
            if !pointer.starts_with('/') {
                errors.push(src.at(
                    at.clone(),
                    format!("JSON pointer `{pointer}` must start with `/`"),
                ));
            }
            let url = reqwest::Url::parse(resolved.expose())
                .unwrap_or_else(|_| reqwest::Url::parse("http://127.0.0.1/").expect("valid"));
            (
                PointSource::HttpJson { url, pointer },
                timing(interval, timeout),
            )
        }
        RecoveryPointFile::Command {
            command,
            interval,
            timeout,
        } => (
            PointSource::Command {
                command,
                cwd: src.dir(),
            },
            timing(interval, timeout),
        ),
        RecoveryPointFile::File {
            glob: pattern,
            interval,
        } => {
            if let Err(e) = glob::Pattern::new(&pattern) {
                errors.push(src.at(at.clone(), format!("invalid glob `{pattern}`: {e}")));
            }
            // A relative glob starts from the config's folder.
            let pattern = src
                .resolve(std::path::Path::new(&pattern))
                .display()
                .to_string();
            (PointSource::File { glob: pattern }, timing(interval, None))
        }
        RecoveryPointFile::Sim { age } => (PointSource::Sim { age: age.0 }, timing(None, None)),
        RecoveryPointFile::Prometheus {
            query,
            source,
            interval,
            timeout,
        } => match super::sources::located(
            src,
            (&sources.prometheus, "Prometheus"),
            source.as_ref(),
            at,
            errors,
        ) {
            Some(source) => (
                PointSource::Prometheus { source, query },
                timing(interval, timeout),
            ),
            // Reported; the config is invalid and never runs.
            None => (
                PointSource::Sim {
                    age: Duration::ZERO,
                },
                timing(None, None),
            ),
        },
    };
    RecoveryPoint {
        source,
        interval,
        timeout,
    }
}
