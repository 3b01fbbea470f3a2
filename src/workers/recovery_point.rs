//! Reading recovery points: when the last good copy of a component's data was made, from a
//! command, a file, a Prometheus query or the simulation. A source's secrets never appear in
//! errors.

use chrono::{DateTime, TimeZone, Utc};

use super::outbox::{request_error, status_error};
use crate::config::notify::{PointSource, RecoveryPoint};

/// Reads a time as RFC 3339 or epoch seconds (integer or fractional).
#[must_use]
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim().trim_matches('"');
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let secs: f64 = text.parse().ok()?;
    Utc.timestamp_millis_opt((secs * 1000.0) as i64).single()
}

/// Reads a component's last good copy. A time in the future is refused as garbage.
pub async fn read_point(
    client: &reqwest::Client,
    point: &RecoveryPoint,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, String> {
    let reading = tokio::time::timeout(point.timeout, read_source(client, &point.source))
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "timed out after {}",
                humantime::format_duration(point.timeout)
            ))
        })?;
    if reading > now + chrono::TimeDelta::minutes(5) {
        return Err(format!(
            "the source says the last copy is in the future ({})",
            reading.to_rfc3339()
        ));
    }
    Ok(reading)
}

async fn read_source(
    client: &reqwest::Client,
    source: &PointSource,
) -> Result<DateTime<Utc>, String> {
    let garbage = |what: &str| {
        format!(
            "not a time: {}",
            crate::sanitize::one_line(&what.chars().take(60).collect::<String>())
        )
    };
    match source {
        PointSource::Sim { age } => {
            Ok(Utc::now() - chrono::TimeDelta::from_std(*age).unwrap_or_default())
        }
        PointSource::HttpJson { url, pointer } => {
            let response = client
                .get(url.clone())
                .send()
                .await
                .map_err(|e| request_error(&e.without_url()))?;
            if !response.status().is_success() {
                return Err(status_error(response.status()));
            }
            let bytes = response
                .bytes()
                .await
                .map_err(|e| request_error(&e.without_url()))?;
            let json: serde_json::Value =
                serde_json::from_slice(&bytes[..bytes.len().min(64 * 1024)])
                    .map_err(|_| "the body is not JSON".to_owned())?;
            let value = json
                .pointer(pointer)
                .ok_or_else(|| format!("JSON has no {pointer}"))?;
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            parse_time(&text).ok_or_else(|| garbage(&text))
        }
        PointSource::Command { command, cwd } => {
            let mut sh = tokio::process::Command::new("sh");
            if let Some(cwd) = cwd {
                sh.current_dir(cwd);
            }
            let output = sh
                .arg("-c")
                .arg(command)
                .stdin(std::process::Stdio::null())
                .kill_on_drop(true)
                .output()
                .await
                .map_err(|e| format!("cannot run the command: {e}"))?;
            if !output.status.success() {
                return Err(format!("the command failed ({})", output.status));
            }
            let text = String::from_utf8_lossy(&output.stdout[..output.stdout.len().min(4096)])
                .into_owned();
            let first = text.lines().next().unwrap_or_default();
            parse_time(first).ok_or_else(|| garbage(first))
        }
        PointSource::Prometheus { source, query } => {
            let series = super::prometheus::query(client, source, query).await?;
            let newest = series
                .iter()
                .map(|s| s.value)
                .filter(|v| v.is_finite())
                .max_by(f64::total_cmp)
                .ok_or_else(|| {
                    if series.is_empty() {
                        "the query returned no series".to_owned()
                    } else {
                        "the query's values are not times (NaN or infinite)".to_owned()
                    }
                })?;
            parse_time(&newest.to_string()).ok_or_else(|| garbage(&newest.to_string()))
        }
        PointSource::File { glob } => {
            let newest = glob::glob(glob)
                .map_err(|e| format!("invalid glob: {e}"))?
                .filter_map(Result::ok)
                .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
                .max()
                .ok_or_else(|| "no file matches".to_owned())?;
            Ok(DateTime::<Utc>::from(newest))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_from_rfc3339_and_epoch() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        assert_eq!(parse_time("2026-11-22T03:00:00Z"), Some(t));
        assert_eq!(parse_time("\"2026-11-22T04:00:00+01:00\""), Some(t));
        assert_eq!(parse_time(&t.timestamp().to_string()), Some(t));
        assert_eq!(parse_time("yesterday"), None);
    }
}
