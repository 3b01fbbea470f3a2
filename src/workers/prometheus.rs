//! The `prometheus` probe: one instant query to the source, its answer read within a bound, its
//! values judged by the probe's rules.

use serde::Deserialize;
use serde_json::Value;

use crate::config::probe::Promql;
use crate::config::sources::Endpoint;
use crate::domain::Health;
use crate::domain::threshold::{Verdict, judge};

/// Largest answer read; a larger one is refused rather than cut.
pub const RESULT_CAP: usize = 1024 * 1024;
/// Most series named in a reason.
const NAMED: usize = 3;

/// One series of an instant vector (a scalar has no labels).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// What a check found: the state, why, and the value to show.
pub struct Found {
    pub health: Health,
    pub detail: String,
    pub reading: Option<String>,
}

/// Runs the probe's query and judges the values.
pub async fn check(promql: &Promql, client: &reqwest::Client) -> Result<Found, String> {
    let series = query(client, &promql.source, &promql.query).await?;
    Ok(found(promql, &series))
}

/// Asks `source` for an instant query's result.
pub async fn query(
    client: &reqwest::Client,
    source: &Endpoint,
    query: &str,
) -> Result<Vec<Series>, String> {
    let answer = super::source::ask(
        client,
        source,
        ("Prometheus", &["api", "v1", "query"]),
        &[("query", query)],
        RESULT_CAP,
    )
    .await?;
    let Some((status, body)) = answer else {
        return Err(format!(
            "the answer is larger than {} MiB; narrow the query (sum, topk or a label filter)",
            RESULT_CAP >> 20
        ));
    };
    parse(status, &body)
}

#[derive(Deserialize)]
struct Answer {
    status: String,
    data: Option<Data>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Value,
}

/// Reads the query API's answer: a vector or a scalar gives values; anything else is a reason.
pub fn parse(status: u16, body: &[u8]) -> Result<Vec<Series>, String> {
    let answer: Answer = serde_json::from_slice(body).map_err(|_| {
        let text = String::from_utf8_lossy(&body[..body.len().min(120)]).into_owned();
        let text = text.lines().next().unwrap_or_default().trim().to_owned();
        format!("HTTP {status} that is not a Prometheus answer: {text}")
    })?;
    if answer.status != "success" {
        return Err(format!(
            "Prometheus: {}: {}",
            answer.error_type.as_deref().unwrap_or("error"),
            answer.error.as_deref().unwrap_or("no reason given")
        ));
    }
    let data = answer
        .data
        .ok_or_else(|| "Prometheus answered success with no data".to_owned())?;
    match data.result_type.as_str() {
        "vector" => vector(&data.result),
        "scalar" => Ok(vec![Series {
            labels: Vec::new(),
            value: sample(&data.result)?,
        }]),
        "matrix" => Err(
            "the query returns a range of samples (a matrix); give an instant query, for example rate(x[5m]) rather than x[5m]"
                .to_owned(),
        ),
        other => Err(format!(
            "the query returns a {other}, not numbers; give a query whose result is a number or a vector"
        )),
    }
}

fn vector(result: &Value) -> Result<Vec<Series>, String> {
    let items = result
        .as_array()
        .ok_or_else(|| "a vector that is not a list".to_owned())?;
    items
        .iter()
        .map(|item| {
            let labels = item
                .get("metric")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let value = sample(item.get("value").unwrap_or(&Value::Null))?;
            Ok(Series { labels, value })
        })
        .collect()
}

/// `[timestamp, "1.5"]`; Prometheus writes `NaN`, `+Inf` and `-Inf` as such.
fn sample(pair: &Value) -> Result<f64, String> {
    let text = pair
        .get(1)
        .and_then(Value::as_str)
        .ok_or_else(|| "a sample without a value".to_owned())?;
    text.trim()
        .parse::<f64>()
        .map_err(|_| format!("the value `{text}` is not a number"))
}

/// The state, reason and value shown for a query's series.
#[must_use]
pub fn found(promql: &Promql, series: &[Series]) -> Found {
    let unit = promql.unit.as_deref().unwrap_or_default();
    if series.is_empty() {
        return Found {
            health: promql.on_empty,
            detail: "the query returned no series".to_owned(),
            reading: None,
        };
    }
    let values: Vec<f64> = series.iter().map(|s| s.value).collect();
    let verdict = judge(&values, promql.down_if, promql.degraded_if);
    let deciding: Vec<&Series> = match verdict.rule {
        Some(rule) => series.iter().filter(|s| rule.holds(s.value)).collect(),
        None => series.iter().collect(),
    };
    let shown = deciding.first().map_or(values[0], |s| s.value);
    Found {
        health: verdict.health,
        detail: reason(series, &deciding, verdict, unit),
        reading: Some(format!("{}{unit}", format_value(shown))),
    }
}

fn reason(series: &[Series], deciding: &[&Series], verdict: Verdict, unit: &str) -> String {
    let value = |s: &Series| format!("{}{unit}", format_value(s.value));
    if verdict.health == Health::Unknown {
        return "the query's values are not numbers (NaN)".to_owned();
    }
    if series.len() == 1 {
        return match verdict.rule {
            Some(rule) => format!("value {} {rule}", value(&series[0])),
            None => format!("value {}", value(&series[0])),
        };
    }
    let Some(rule) = verdict.rule else {
        return format!("{} series, none out of bounds", series.len());
    };
    let named: Vec<String> = deciding
        .iter()
        .take(NAMED)
        .map(|s| format!("{} {}", labels(s), value(s)))
        .collect();
    let more = if deciding.len() > NAMED { ", …" } else { "" };
    format!(
        "{} of {} series {rule}: {}{more}",
        verdict.met,
        series.len(),
        named.join(", ")
    )
}

/// `{instance="a",job="b"}`, without `__name__`.
fn labels(series: &Series) -> String {
    let pairs: Vec<String> = series
        .labels
        .iter()
        .filter(|(k, _)| k != "__name__")
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// A value in at most about five characters: `0.93`, `12.5`, `480`, `1.2k`, `3.4M`, `NaN`.
#[must_use]
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let size = v.abs();
    for (scale, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if size >= scale {
            return format!("{:.1}{suffix}", v / scale);
        }
    }
    if v.fract() == 0.0 || size >= 100.0 {
        format!("{v:.0}")
    } else if size >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    fn answer(result_type: &str, result: &str) -> Vec<u8> {
        format!(
            r#"{{"status":"success","data":{{"resultType":"{result_type}","result":{result}}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn vectors_and_scalars_give_values_with_nan_and_infinities() {
        let body = answer(
            "vector",
            r#"[{"metric":{"__name__":"up","job":"api"},"value":[1,"1"]},
                {"metric":{"job":"db"},"value":[1,"NaN"]},
                {"metric":{},"value":[1,"+Inf"]},{"metric":{},"value":[1,"-Inf"]}]"#,
        );
        let series = parse(200, &body).unwrap();
        assert_eq!(series.len(), 4);
        assert_eq!(series[0].labels[1], ("job".to_owned(), "api".to_owned()));
        assert!(series[1].value.is_nan());
        assert_eq!(
            (series[2].value, series[3].value),
            (f64::INFINITY, f64::NEG_INFINITY)
        );
        let scalar = parse(200, &answer("scalar", r#"[1, "0.5"]"#)).unwrap();
        assert_eq!(scalar[0].value, 0.5);
    }

    #[test]
    fn errors_matrices_and_strangers_are_reasons() {
        let error = br#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#;
        assert_eq!(
            parse(400, error).unwrap_err(),
            "Prometheus: bad_data: parse error at char 4"
        );
        assert!(
            parse(200, &answer("matrix", "[]"))
                .unwrap_err()
                .contains("instant query")
        );
        assert!(
            parse(200, &answer("string", r#"[1,"x"]"#))
                .unwrap_err()
                .contains("string")
        );
        assert!(
            parse(502, b"<html>Bad gateway</html>")
                .unwrap_err()
                .starts_with("HTTP 502")
        );
        let word = answer("vector", r#"[{"metric":{},"value":[1,"many"]}]"#);
        assert!(parse(200, &word).unwrap_err().contains("`many`"));
    }

    #[test]
    fn values_are_short() {
        let shown: Vec<String> = [0.934, 12.53, 480.2, 1234.0, 3.4e6, 7.0, f64::NAN]
            .iter()
            .map(|v| format_value(*v))
            .collect();
        assert_eq!(shown, ["0.93", "12.5", "480", "1.2k", "3.4M", "7", "NaN"]);
    }
}
