//! `[sources.prometheus.NAME]` and `[sources.alertmanager.NAME]`: the monitoring a team already
//! runs, which probes ask instead of probing by themselves.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use super::duration::HumanDuration;
use super::spanned::Spanned;
use super::{Diagnostic, Secret, Source, secret};

/// `[sources]`: the servers probes may ask, by kind and name.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    /// Prometheus servers, by name: `[sources.prometheus.main] url = "http://127.0.0.1:9090"`.
    #[serde(default)]
    pub prometheus: BTreeMap<Spanned<String>, SourceFile>,
    /// Alertmanagers, by name: `[sources.alertmanager.main] url = "http://127.0.0.1:9093"`.
    #[serde(default)]
    pub alertmanager: BTreeMap<Spanned<String>, SourceFile>,
}

/// The validated sources of each kind, in name order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    pub prometheus: Vec<Endpoint>,
    pub alertmanager: Vec<Endpoint>,
}

/// One server: where it is and how to be let in.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceFile {
    /// Its base URL (a path prefix such as `/prometheus` is kept).
    pub url: Spanned<String>,
    /// Sent as `Authorization: Bearer …`; a secret, usually `"${PROMETHEUS_TOKEN}"`.
    pub bearer_token: Option<Spanned<String>>,
    pub basic_auth: Option<BasicAuthFile>,
    /// Extra request headers (values are secrets: `${ENV}` is resolved).
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    /// Verify the server's TLS certificate (default true).
    pub tls_verify: Option<bool>,
    /// The timeout of the probes that ask it, unless a probe sets its own.
    pub timeout: Option<HumanDuration>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthFile {
    pub username: String,
    /// A secret, usually `"${PROMETHEUS_PASSWORD}"`.
    pub password: Spanned<String>,
}

/// How a request to a source is let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    Bearer(Secret),
    Basic { username: String, password: Secret },
}

/// A validated source.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub name: String,
    /// May carry credentials: shown only through `probe::display_url`.
    pub url: reqwest::Url,
    pub auth: Option<Auth>,
    pub headers: Vec<(String, Secret)>,
    pub tls_verify: bool,
    pub timeout: Option<Duration>,
}

/// The sources of each kind.
pub fn convert(src: &Source, file: SourcesFile, errors: &mut Vec<Diagnostic>) -> Sources {
    let mut kind = |kind: &str, named: BTreeMap<Spanned<String>, SourceFile>| -> Vec<Endpoint> {
        named
            .into_iter()
            .filter_map(|(name, source)| endpoint(src, kind, &name, source, errors))
            .collect()
    };
    Sources {
        prometheus: kind("prometheus", file.prometheus),
        alertmanager: kind("alertmanager", file.alertmanager),
    }
}

fn endpoint(
    src: &Source,
    kind: &str,
    name: &Spanned<String>,
    file: SourceFile,
    errors: &mut Vec<Diagnostic>,
) -> Option<Endpoint> {
    let key = |field: &str| format!("sources.{kind}.{}.{field}", name.get_ref());
    let url = secret(src, &key("url"), &file.url, errors);
    let url = match reqwest::Url::parse(url.expose()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => {
            errors.push(src.at(
                file.url.span(),
                format!(
                    "`{}` is not an http(s) URL; write the server's address, like \"http://127.0.0.1:9090\"",
                    key("url")
                ),
            ));
            return None;
        }
    };
    let auth = match (file.bearer_token, file.basic_auth) {
        (Some(token), None) => Some(Auth::Bearer(secret(
            src,
            &key("bearer_token"),
            &token,
            errors,
        ))),
        (None, Some(basic)) => Some(Auth::Basic {
            password: secret(src, &key("basic_auth.password"), &basic.password, errors),
            username: basic.username,
        }),
        (None, None) => None,
        (Some(token), Some(_)) => {
            errors.push(src.at(
                token.span(),
                format!(
                    "source `{}` has both `bearer_token` and `basic_auth`; keep one",
                    name.get_ref()
                ),
            ));
            None
        }
    };
    let headers = file
        .headers
        .iter()
        .map(|(header, value)| (header.clone(), secret(src, &key("headers"), value, errors)))
        .collect();
    Some(Endpoint {
        name: name.get_ref().clone(),
        url,
        auth,
        headers,
        tls_verify: file.tls_verify.unwrap_or(true),
        timeout: file.timeout.map(|t| t.0),
    })
}

/// The source a probe names, or the only one of its kind when it names none; an error otherwise.
/// `kind` is "Prometheus" or "Alertmanager", for messages.
pub fn resolve<'a>(
    sources: &'a [Endpoint],
    named: Option<&Spanned<String>>,
    kind: &str,
) -> Result<&'a Endpoint, String> {
    let names = || {
        sources
            .iter()
            .map(|s| format!("`{}`", s.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let table = kind.to_lowercase();
    match (named, sources) {
        (None, []) => Err(format!(
            "a {table} probe needs a source: add [sources.{table}.NAME] with its `url`"
        )),
        (None, [only]) => Ok(only),
        (None, _) => Err(format!(
            "there are several {kind} sources ({}); name one with `source`",
            names()
        )),
        (Some(name), _) => sources
            .iter()
            .find(|s| &s.name == name.get_ref())
            .ok_or_else(|| {
                let hint =
                    super::diag::hint(name.get_ref(), sources.iter().map(|s| s.name.as_str()));
                format!(
                    "unknown {kind} source `{}`{hint} (the config has {})",
                    name.get_ref(),
                    if sources.is_empty() {
                        "none".to_owned()
                    } else {
                        names()
                    }
                )
            }),
    }
}

/// [`resolve`], with the error reported at the probe's `source` (or at `at`, the table, when it
/// names none); the endpoint cloned for the probe to keep.
pub fn located(
    src: &Source,
    (sources, kind): (&[Endpoint], &str),
    named: Option<&Spanned<String>>,
    at: std::ops::Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Endpoint> {
    match resolve(sources, named, kind) {
        Ok(endpoint) => Some(endpoint.clone()),
        Err(message) => {
            errors.push(src.at(named.map_or(at, Spanned::span), message));
            None
        }
    }
}
