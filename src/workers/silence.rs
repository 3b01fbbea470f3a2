//! Creating, finding and expiring Alertmanager silences (`POST /api/v2/silences`,
//! `GET /api/v2/silences`, `DELETE /api/v2/silence/{id}`): one request each, never retried here.

use crate::config::sources::Endpoint;
use crate::domain::silence::{Matcher, Sought};

/// Largest answer read: a silence id, or an error message.
const ANSWER_CAP: usize = 64 * 1024;
/// Largest list of silences read when looking one up.
const LIST_CAP: usize = 16 * 1024 * 1024;
/// Most characters of an error answer quoted.
const QUOTED: usize = 200;

/// Alertmanager's answer to a created silence.
#[derive(serde::Deserialize)]
struct Created {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

/// Asks Alertmanager for the silence `body` describes; its id on success.
pub async fn create(
    client: &reqwest::Client,
    source: &Endpoint,
    body: &serde_json::Value,
) -> Result<String, String> {
    let path = (
        "Alertmanager",
        reqwest::Method::POST,
        &["api", "v2", "silences"][..],
    );
    let body = answer(
        source,
        super::source::tell(client, source, path, Some(body), ANSWER_CAP).await,
        ANSWER_CAP,
    )?;
    serde_json::from_slice::<Created>(&body)
        .map(|c| c.silence_id)
        .map_err(|_| {
            format!(
                "Alertmanager `{}` answered without a silence id: {}",
                source.name,
                quoted(&body)
            )
        })
}

/// A silence as `GET /api/v2/silences` lists it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Held {
    id: String,
    matchers: Vec<Matcher>,
    created_by: String,
    #[serde(default)]
    comment: String,
    ends_at: chrono::DateTime<chrono::Utc>,
}

/// Looks for the silence `sought` describes among those Alertmanager holds (all of them: a
/// label value may hold what Alertmanager's filter syntax cannot say): its id, or `None` when
/// Alertmanager holds no such silence.
pub async fn find(
    client: &reqwest::Client,
    source: &Endpoint,
    sought: &Sought,
) -> Result<Option<String>, String> {
    let path = ("Alertmanager", &["api", "v2", "silences"][..]);
    let body = answer(
        source,
        super::source::ask(client, source, path, &[], LIST_CAP).await,
        LIST_CAP,
    )?;
    let held: Vec<Held> = serde_json::from_slice(&body).map_err(|e| {
        format!(
            "Alertmanager `{}` listed silences warroom cannot read: {e}",
            source.name
        )
    })?;
    Ok(held
        .into_iter()
        .find(|h| {
            sought.is(&Sought {
                matchers: h.matchers.clone(),
                created_by: h.created_by.clone(),
                comment: h.comment.clone(),
                ends_at: h.ends_at,
            })
        })
        .map(|h| h.id))
}

/// Expires silence `id`.
pub async fn expire(client: &reqwest::Client, source: &Endpoint, id: &str) -> Result<(), String> {
    let path = (
        "Alertmanager",
        reqwest::Method::DELETE,
        &["api", "v2", "silence", id][..],
    );
    answer(
        source,
        super::source::tell(client, source, path, None, ANSWER_CAP).await,
        ANSWER_CAP,
    )
    .map(|_| ())
}

/// The body of a 2xx answer; anything else as a message quoting what Alertmanager said.
fn answer(
    source: &Endpoint,
    answer: Result<Option<(u16, Vec<u8>)>, String>,
    cap: usize,
) -> Result<Vec<u8>, String> {
    match answer? {
        Some((status, body)) if (200..300).contains(&status) => Ok(body),
        Some((status, body)) => Err(format!(
            "Alertmanager `{}` answered HTTP {status}: {}",
            source.name,
            quoted(&body)
        )),
        None => Err(format!(
            "Alertmanager `{}` answered with more than {} KiB",
            source.name,
            cap >> 10
        )),
    }
}

/// The start of an answer, on one line (raw: sanitised when shown).
fn quoted(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = line.chars().take(QUOTED).collect();
    if cut.len() < line.len() {
        cut.push('…');
    }
    cut
}
