//! Alertmanager silences an incident creates for its alerts: their matchers, what is asked of
//! Alertmanager, and where each one stands as the journal tells it.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// The silence lengths offered, in hours; the second is chosen first.
pub const HOURS: [i64; 5] = [1, 2, 4, 8, 24];

/// One label matcher, in Alertmanager's API form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    /// Absent in answers of Alertmanagers before 0.22, which knew only equal matchers.
    #[serde(default = "equal")]
    pub is_equal: bool,
}

fn equal() -> bool {
    true
}

impl Matcher {
    /// `service="payments"`, as Alertmanager writes it. Raw: sanitise before display.
    #[must_use]
    pub fn line(&self) -> String {
        let op = match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        };
        format!("{}{op}{:?}", self.name, self.value)
    }
}

/// Matchers that take exactly one alert: each of its labels, equal.
#[must_use]
pub fn matchers(labels: &BTreeMap<String, String>) -> Vec<Matcher> {
    labels
        .iter()
        .map(|(name, value)| Matcher {
            name: name.clone(),
            value: value.clone(),
            is_regex: false,
            is_equal: true,
        })
        .collect()
}

/// `warroom 20261202-0300-db-down: Payments DB down`.
#[must_use]
pub fn comment(incident: &str, title: &str) -> String {
    format!("warroom {incident}: {title}")
}

/// The body of `POST /api/v2/silences`.
#[must_use]
pub fn body(
    matchers: &[Matcher],
    (starts, ends): (DateTime<Utc>, DateTime<Utc>),
    created_by: &str,
    comment: &str,
) -> serde_json::Value {
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    serde_json::json!({
        "matchers": matchers,
        "startsAt": at(starts),
        "endsAt": at(ends),
        "createdBy": created_by,
        "comment": comment,
    })
}

/// A silence asked for whose answer a crash lost: what to look for in Alertmanager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sought {
    pub matchers: Vec<Matcher>,
    pub created_by: String,
    pub comment: String,
    pub ends_at: DateTime<Utc>,
}

impl Sought {
    /// Whether a silence Alertmanager holds is this one: the same matchers (in any order), the
    /// same author, comment and end (Alertmanager may move a past start to its creation, never
    /// the end).
    #[must_use]
    pub fn is(&self, held: &Sought) -> bool {
        let sorted = |m: &[Matcher]| {
            let mut lines: Vec<String> = m.iter().map(Matcher::line).collect();
            lines.sort();
            lines
        };
        self.created_by == held.created_by
            && self.comment == held.comment
            && (self.ends_at - held.ends_at).num_milliseconds().abs() < 1
            && sorted(&self.matchers) == sorted(&held.matchers)
    }
}

/// Where a silence stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Asked of Alertmanager; no answer is journaled (yet, or ever after a crash).
    Requested,
    /// Alertmanager created it with this id.
    Active { id: String },
    /// Alertmanager refused it or could not be reached; nothing is retried.
    Failed { error: String },
    /// Expired on request.
    Expired { id: String },
    /// Expiring it failed: it is still active in Alertmanager.
    ExpiryFailed { id: String, error: String },
}

/// One silence the incident asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    /// Sequence number of its `silence_requested` record.
    pub requested: u64,
    pub source: String,
    /// The alert it silences.
    pub fingerprint: String,
    pub ends_at: DateTime<Utc>,
    pub standing: Standing,
}

impl Silence {
    /// The Alertmanager id while the silence holds.
    #[must_use]
    pub fn active_id(&self) -> Option<&str> {
        match &self.standing {
            Standing::Active { id } | Standing::ExpiryFailed { id, .. } => Some(id),
            _ => None,
        }
    }

    /// True while the silence holds or may hold (asked, no answer journaled).
    #[must_use]
    pub fn covers(&self, now: DateTime<Utc>) -> bool {
        self.ends_at > now && (self.active_id().is_some() || self.standing == Standing::Requested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alerts_labels_become_equality_matchers_in_the_api_form() {
        let labels = BTreeMap::from([
            ("alertname".to_owned(), "DbDown".to_owned()),
            ("service".to_owned(), "pay\"ments".to_owned()),
        ]);
        let m = matchers(&labels);
        assert_eq!(m[1].line(), r#"service="pay\"ments""#);
        let at = DateTime::from_timestamp(0, 0).unwrap();
        let body = body(&m, (at, at + chrono::TimeDelta::hours(2)), "ana", "c");
        assert_eq!(body["matchers"][0]["isEqual"], true);
        assert_eq!(body["matchers"][0]["isRegex"], false);
        assert_eq!(body["endsAt"], "1970-01-01T02:00:00.000Z");
        assert_eq!(body["createdBy"], "ana");
    }

    #[test]
    fn a_silence_held_is_the_one_sought_by_matchers_author_comment_and_end() {
        let labels = BTreeMap::from([
            ("alertname".to_owned(), "DbDown".to_owned()),
            ("service".to_owned(), "payments".to_owned()),
        ]);
        let at = DateTime::from_timestamp(7200, 0).unwrap();
        let sought = Sought {
            matchers: matchers(&labels),
            created_by: "ana@host".into(),
            comment: "warroom X: y".into(),
            ends_at: at,
        };
        let mut held = sought.clone();
        held.matchers.reverse();
        assert!(
            sought.is(&held),
            "Alertmanager may list matchers in another order"
        );
        held.created_by = "bob@host".into();
        assert!(!sought.is(&held));
        let mut later = sought.clone();
        later.ends_at = at + chrono::TimeDelta::seconds(1);
        assert!(!sought.is(&later));
        let mut wider = sought.clone();
        wider.matchers.pop();
        assert!(
            !sought.is(&wider),
            "a silence of fewer labels is another silence"
        );
    }

    #[test]
    fn a_silence_covers_while_it_holds_or_may_hold() {
        let at = DateTime::from_timestamp(1000, 0).unwrap();
        let mut silence = Silence {
            requested: 3,
            source: "main".into(),
            fingerprint: "f".into(),
            ends_at: at,
            standing: Standing::Requested,
        };
        assert!(silence.covers(at - chrono::TimeDelta::seconds(1)));
        assert!(!silence.covers(at));
        silence.standing = Standing::Failed { error: "x".into() };
        assert!(!silence.covers(at - chrono::TimeDelta::seconds(1)));
        silence.standing = Standing::ExpiryFailed {
            id: "s".into(),
            error: "x".into(),
        };
        assert_eq!(silence.active_id(), Some("s"));
    }
}
