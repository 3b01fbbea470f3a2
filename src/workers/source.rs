//! Asking a configured source (`[sources.KIND.NAME]`): one request below its URL with its headers
//! and credentials, the answer read within a bound.

use crate::config::sources::{Auth, Endpoint};

/// GETs `path` below the source's URL (its path prefix kept) with `query`; `kind` names the
/// source in errors. `None` when the answer is larger than `cap` (the rest is never fetched).
pub async fn ask(
    client: &reqwest::Client,
    source: &Endpoint,
    (kind, path): (&str, &[&str]),
    query: &[(&str, &str)],
    cap: usize,
) -> Result<Option<(u16, Vec<u8>)>, String> {
    let request = request(client, reqwest::Method::GET, source, path, query);
    exchange(request, (kind, source), cap).await
}

/// Sends `method` to `path` below the source's URL with a JSON body, if any; as [`ask`].
pub async fn tell(
    client: &reqwest::Client,
    source: &Endpoint,
    (kind, method, path): (&str, reqwest::Method, &[&str]),
    body: Option<&serde_json::Value>,
    cap: usize,
) -> Result<Option<(u16, Vec<u8>)>, String> {
    let mut request = request(client, method, source, path, &[]);
    if let Some(body) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    exchange(request, (kind, source), cap).await
}

async fn exchange(
    request: reqwest::RequestBuilder,
    (kind, source): (&str, &Endpoint),
    cap: usize,
) -> Result<Option<(u16, Vec<u8>)>, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("{kind} `{}`: {}", source.name, super::probe::describe(&e)))?;
    let status = response.status().as_u16();
    let (body, whole) = super::probe::read_capped(response, cap).await?;
    Ok(whole.then_some((status, body)))
}

/// A request to `segments` below the source's URL (its path prefix kept), with its headers and
/// credentials.
fn request(
    client: &reqwest::Client,
    method: reqwest::Method,
    source: &Endpoint,
    segments: &[&str],
    query: &[(&str, &str)],
) -> reqwest::RequestBuilder {
    let mut url = source.url.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let mut request = client.request(method, url);
    for (name, value) in &source.headers {
        request = request.header(name.as_str(), value.expose());
    }
    match &source.auth {
        Some(Auth::Bearer(token)) => request.bearer_auth(token.expose()),
        Some(Auth::Basic { username, password }) => {
            request.basic_auth(username, Some(password.expose()))
        }
        None => request,
    }
}
