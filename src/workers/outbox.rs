//! Delivering the outbox: each entry sent to `PagerDuty`, Slack or the webhook, and a recovery
//! action's webhook. Endpoints and keys are secrets: they are added here, at the last moment, and
//! never appear in errors.

use std::time::Duration;

use crate::config::Notify;
use crate::domain::event::Channel;

/// Deadline of one delivery attempt.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn status_error(status: reqwest::StatusCode) -> String {
    match status.as_u16() {
        429 => "HTTP 429 (rate limited)".to_owned(),
        code => format!("HTTP {code}"),
    }
}

pub(super) fn request_error(error: &reqwest::Error) -> String {
    let mut inner: &dyn std::error::Error = error;
    while let Some(source) = inner.source() {
        inner = source;
    }
    if error.is_timeout() {
        "timed out".to_owned()
    } else {
        format!("send failed: {inner}")
    }
}

/// Sends one outbox entry; `Ok` only when the endpoint accepted it (any 2xx).
pub async fn deliver(
    client: &reqwest::Client,
    notify: &Notify,
    channel: Channel,
    mut payload: serde_json::Value,
) -> Result<(), String> {
    if let Some(why) = notify.why_not_sent(channel) {
        return Err(why);
    }
    let url = match channel {
        Channel::Pagerduty => {
            let pd = notify
                .pagerduty
                .as_ref()
                .ok_or("PagerDuty is no longer configured")?;
            payload["routing_key"] = serde_json::Value::String(pd.routing_key.expose().to_owned());
            pd.url.expose().to_owned()
        }
        Channel::Slack => notify
            .slack
            .as_ref()
            .ok_or("Slack is no longer configured")?
            .expose()
            .to_owned(),
        Channel::Webhook => notify
            .webhook
            .as_ref()
            .ok_or("the webhook is no longer configured")?
            .expose()
            .to_owned(),
    };
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(payload.to_string())
        .timeout(SEND_TIMEOUT)
        .send()
        .await
        .map_err(|e| request_error(&e.without_url()))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(status_error(response.status()))
    }
}

/// Runs a webhook recovery action: POSTs its JSON, success on any 2xx.
pub async fn post_action(
    client: &reqwest::Client,
    url: &crate::config::Secret,
    payload: &serde_json::Value,
    timeout: Duration,
) -> crate::workers::process::Outcome {
    use crate::workers::process::{Ending, Outcome};
    let started = std::time::Instant::now();
    let result = client
        .post(url.expose())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(payload.to_string())
        .timeout(timeout)
        .send()
        .await;
    let (ending, tail) = match result {
        Ok(r) if r.status().is_success() => {
            (Ending::Exited(0), format!("HTTP {}", r.status().as_u16()))
        }
        Ok(r) => (Ending::Exited(1), status_error(r.status())),
        Err(e) => (
            Ending::NotStarted(request_error(&e.without_url())),
            String::new(),
        ),
    };
    Outcome {
        ending,
        duration: started.elapsed(),
        tail,
        dropped: 0,
        total: 0,
    }
}
