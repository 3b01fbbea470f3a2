//! The `alertmanager` probe: the active alerts of an Alertmanager, read once per interval for
//! every component that asks it, and the state each component's alerts give it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Deserialize;

use crate::config::probe::{AlertRule, Check, Probe};
use crate::config::sources::Endpoint;
use crate::domain::Health;
use crate::domain::alert::Firing;
use crate::domain::health::Sample;
use crate::domain::matcher::all_match;
use crate::msg::Msg;

/// Largest answer read (about 16,000 alerts); a larger one is refused rather than cut.
pub const ANSWER_CAP: usize = 16 * 1024 * 1024;
/// Most alerts named in a reason.
const NAMED: usize = 2;

/// One alert as Alertmanager's API v2 gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    #[serde(default)]
    pub fingerprint: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub generator_url: String,
    #[serde(default)]
    pub status: Status,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `active`, `suppressed` or `unprocessed`.
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub silenced_by: Vec<String>,
    #[serde(default)]
    pub inhibited_by: Vec<String>,
}

impl Alert {
    fn name(&self) -> &str {
        self.labels.get("alertname").map_or("alert", String::as_str)
    }

    fn severity(&self) -> &str {
        self.labels.get("severity").map_or("", String::as_str)
    }
}

/// Every alert the Alertmanager holds (active, silenced and inhibited alike: each probe chooses).
pub async fn fetch(client: &reqwest::Client, source: &Endpoint) -> Result<Vec<Alert>, String> {
    let query = [
        ("active", "true"),
        ("silenced", "true"),
        ("inhibited", "true"),
        ("unprocessed", "true"),
    ];
    let answer = super::source::ask(
        client,
        source,
        ("Alertmanager", &["api", "v2", "alerts"]),
        &query,
        ANSWER_CAP,
    )
    .await?;
    let Some((status, body)) = answer else {
        return Err(format!(
            "Alertmanager `{}` holds more than {} MiB of alerts",
            source.name,
            ANSWER_CAP >> 20
        ));
    };
    if !(200..300).contains(&status) {
        return Err(format!(
            "Alertmanager `{}` answered HTTP {status}",
            source.name
        ));
    }
    serde_json::from_slice(&body).map_err(|_| {
        format!(
            "Alertmanager `{}` answered with something that is not its alerts",
            source.name
        )
    })
}

/// The ids of the silences the open incident created. An alert only they silence still counts
/// for its component: the incident silenced it to stop the pages, not because anything mended.
#[derive(Debug, Clone, Default)]
pub struct OwnSilences(Arc<RwLock<BTreeSet<String>>>);

impl OwnSilences {
    /// Takes the incident's silences as they are now.
    pub fn set(&self, ids: BTreeSet<String>) {
        let changed = self.0.read().is_ok_and(|held| *held != ids);
        if changed && let Ok(mut held) = self.0.write() {
            *held = ids;
        }
    }

    fn get(&self) -> BTreeSet<String> {
        self.0.read().map(|held| held.clone()).unwrap_or_default()
    }
}

/// Whether an alert counts for `rule`: it passes the matchers and is not silenced (but by the
/// incident's `own` silences) or inhibited, unless the rule counts those.
#[must_use]
pub fn claims(rule: &AlertRule, alert: &Alert, own: &BTreeSet<String>) -> bool {
    let silenced = alert.status.silenced_by.iter().any(|id| !own.contains(id));
    let inhibited = !alert.status.inhibited_by.is_empty();
    all_match(&rule.matchers, &alert.labels)
        && (rule.count_silenced || !silenced)
        && (rule.count_inhibited || !inhibited)
}

/// The state, reason and count a component's alerts give it: down for a down severity, else
/// degraded for any other alert (a warning, an unknown severity or none), else up.
#[must_use]
pub fn judge(
    rule: &AlertRule,
    alerts: &[Alert],
    own: &BTreeSet<String>,
) -> (Health, String, Option<String>) {
    let mine: Vec<&Alert> = alerts.iter().filter(|a| claims(rule, a, own)).collect();
    if mine.is_empty() {
        return (Health::Up, "no alert firing".to_owned(), None);
    }
    let down: Vec<&Alert> = mine
        .iter()
        .copied()
        .filter(|a| rule.down_severities.iter().any(|s| s == a.severity()))
        .collect();
    let (health, worst) = if down.is_empty() {
        (Health::Degraded, mine.clone())
    } else {
        (Health::Down, down)
    };
    let named: Vec<String> = worst
        .iter()
        .take(NAMED)
        .map(|a| match a.annotations.get("summary") {
            Some(summary) => format!("{}: {summary}", a.name()),
            None => a.name().to_owned(),
        })
        .collect();
    let more = if worst.len() > NAMED {
        format!(" (+{} more)", worst.len() - NAMED)
    } else {
        String::new()
    };
    let count = if mine.len() == 1 {
        "1 alert".to_owned()
    } else {
        format!("{} alerts", mine.len())
    };
    (health, format!("{}{more}", named.join("; ")), Some(count))
}

/// The source's alerts as the console keeps them: which components claim each (by their
/// matchers alone), and whether its severity is a down one of any of them; critical first.
#[must_use]
pub fn firing(rules: &[(usize, &AlertRule)], alerts: &[Alert]) -> Vec<Firing> {
    let mut out: Vec<Firing> = alerts
        .iter()
        .map(|a| Firing {
            fingerprint: a.fingerprint.clone(),
            summary: a.annotations.get("summary").cloned(),
            starts_at: chrono::DateTime::parse_from_rfc3339(&a.starts_at)
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc)),
            generator_url: a.generator_url.clone(),
            silenced: !a.status.silenced_by.is_empty(),
            inhibited: !a.status.inhibited_by.is_empty(),
            critical: rules
                .iter()
                .any(|(_, r)| r.down_severities.iter().any(|s| s == a.severity())),
            claimed_by: rules
                .iter()
                .filter(|(_, r)| all_match(&r.matchers, &a.labels))
                .map(|(index, _)| *index)
                .collect(),
            labels: a.labels.clone(),
        })
        .collect();
    crate::domain::alert::sort(&mut out);
    out
}

/// One task per Alertmanager: every interval (the shortest of its components') it reads the
/// alerts once and gives each component its sample, so the number of components costs nothing
/// more than judging.
pub fn spawn_pollers(
    probes: Vec<(usize, Probe)>,
    clients: &super::probe::Clients,
    (now, own): (&super::probe::Now, &OwnSilences),
    tx: &tokio::sync::mpsc::Sender<Msg>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut by_source: BTreeMap<String, Vec<(usize, Probe)>> = BTreeMap::new();
    for (index, probe) in probes {
        if let Check::Alertmanager(rule) = &probe.check {
            by_source
                .entry(rule.source.name.clone())
                .or_default()
                .push((index, probe));
        }
    }
    by_source
        .into_values()
        .map(|group| {
            let (clients, now, tx) = (clients.clone(), Arc::clone(now), tx.clone());
            let own = own.clone();
            tokio::spawn(async move { poll(group, &clients, (&now, &own), &tx).await })
        })
        .collect()
}

async fn poll(
    group: Vec<(usize, Probe)>,
    clients: &super::probe::Clients,
    (now, own): (&super::probe::Now, &OwnSilences),
    tx: &tokio::sync::mpsc::Sender<Msg>,
) {
    let interval = group
        .iter()
        .map(|(_, p)| p.interval)
        .min()
        .unwrap_or(Duration::from_secs(10));
    let timeout = group
        .iter()
        .map(|(_, p)| p.timeout)
        .min()
        .unwrap_or(Duration::from_secs(5));
    let Some(Check::Alertmanager(first)) = group.first().map(|(_, p)| &p.check) else {
        return;
    };
    let source = first.source.clone();
    let client = clients.for_tls(source.tls_verify);
    tokio::time::sleep(super::probe::first_delay(interval)).await;
    loop {
        let started = tokio::time::Instant::now();
        let at = now();
        let alerts = tokio::time::timeout(timeout, fetch(client, &source))
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "Alertmanager `{}` timed out after {}",
                    source.name,
                    humantime::format_duration(timeout)
                ))
            });
        let own = own.get();
        for (index, probe) in &group {
            let Check::Alertmanager(rule) = &probe.check else {
                continue;
            };
            let (health, detail, reading) = match &alerts {
                Ok(alerts) => judge(rule, alerts, &own),
                Err(reason) => (Health::Unknown, reason.clone(), None),
            };
            let sample = Sample {
                at,
                health,
                latency: None,
                detail: Some(detail),
                reading,
            };
            if tx
                .send(Msg::Probed {
                    index: *index,
                    sample,
                })
                .await
                .is_err()
            {
                return;
            }
        }
        if let Ok(alerts) = &alerts {
            let rules: Vec<(usize, &AlertRule)> = group
                .iter()
                .filter_map(|(index, p)| match &p.check {
                    Check::Alertmanager(rule) => Some((*index, rule.as_ref())),
                    _ => None,
                })
                .collect();
            let message = Msg::Alerts {
                source: source.name.clone(),
                alerts: firing(&rules, alerts),
            };
            if tx.send(message).await.is_err() {
                return;
            }
        }
        tokio::time::sleep_until(started + super::probe::next_start(interval)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(matchers: &[&str]) -> AlertRule {
        AlertRule {
            source: crate::config::sources::Endpoint {
                name: "main".into(),
                url: reqwest::Url::parse("http://127.0.0.1:9093").unwrap(),
                auth: None,
                headers: Vec::new(),
                tls_verify: true,
                timeout: None,
            },
            matchers: matchers.iter().map(|m| m.parse().unwrap()).collect(),
            down_severities: vec!["critical".into()],
            count_silenced: false,
            count_inhibited: false,
        }
    }

    fn alert(labels: &[(&str, &str)], silenced: bool) -> Alert {
        Alert {
            fingerprint: "f".into(),
            labels: labels
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            annotations: BTreeMap::from([("summary".to_owned(), "it broke".to_owned())]),
            starts_at: "2026-12-02T03:00:00Z".into(),
            generator_url: String::new(),
            status: Status {
                state: "active".into(),
                silenced_by: if silenced {
                    vec!["s1".into()]
                } else {
                    Vec::new()
                },
                inhibited_by: Vec::new(),
            },
        }
    }

    #[test]
    fn a_critical_alert_is_down_a_warning_or_no_severity_degraded() {
        let none = BTreeSet::new();
        let db = rule(&["service=\"payments\"", "component=\"db\""]);
        let crit = alert(
            &[
                ("alertname", "DbDown"),
                ("service", "payments"),
                ("component", "db"),
                ("severity", "critical"),
            ],
            false,
        );
        let warn = alert(
            &[
                ("alertname", "DbSlow"),
                ("service", "payments"),
                ("component", "db"),
                ("severity", "warning"),
            ],
            false,
        );
        let bare = alert(
            &[
                ("alertname", "DbOdd"),
                ("service", "payments"),
                ("component", "db"),
            ],
            false,
        );
        let other = alert(
            &[
                ("alertname", "Other"),
                ("service", "shop"),
                ("severity", "critical"),
            ],
            false,
        );
        assert_eq!(
            judge(&db, std::slice::from_ref(&other), &none).0,
            Health::Up
        );
        assert_eq!(
            judge(&db, &[warn.clone(), other.clone()], &none).0,
            Health::Degraded
        );
        assert_eq!(judge(&db, &[bare], &none).0, Health::Degraded);
        let (health, reason, count) = judge(&db, &[warn, crit, other], &none);
        assert_eq!(
            (health, reason.as_str()),
            (Health::Down, "DbDown: it broke")
        );
        assert_eq!(count.as_deref(), Some("2 alerts"));
    }

    #[test]
    fn alerts_are_kept_with_the_components_that_claim_them_critical_first() {
        let db = rule(&["component=\"db\""]);
        let alerts = [
            alert(&[("alertname", "Noise"), ("severity", "info")], false),
            alert(
                &[
                    ("alertname", "DbDown"),
                    ("component", "db"),
                    ("severity", "critical"),
                ],
                false,
            ),
            alert(&[("alertname", "Quiet"), ("severity", "critical")], true),
        ];
        let kept = firing(&[(7, &db)], &alerts);
        let seen: Vec<(&str, bool, &[usize], bool)> = kept
            .iter()
            .map(|a| (a.name(), a.critical, a.claimed_by.as_slice(), a.silenced))
            .collect();
        assert_eq!(
            seen,
            [
                ("DbDown", true, &[7][..], false),
                ("Quiet", true, &[][..], true),
                ("Noise", false, &[][..], false)
            ]
        );
        assert_eq!(
            kept[0].starts_at,
            chrono::DateTime::from_timestamp(1_796_180_400, 0)
        );
    }

    #[test]
    fn silenced_alerts_count_only_when_asked() {
        let mut db = rule(&["component=\"db\""]);
        let silenced = alert(&[("component", "db"), ("severity", "critical")], true);
        let none = BTreeSet::new();
        assert_eq!(
            judge(&db, std::slice::from_ref(&silenced), &none).0,
            Health::Up
        );
        let own = BTreeSet::from(["s1".to_owned()]);
        assert_eq!(
            judge(&db, std::slice::from_ref(&silenced), &own).0,
            Health::Down,
            "a silence of the incident's own stops pages, not the outage"
        );
        db.count_silenced = true;
        assert_eq!(judge(&db, &[silenced], &none).0, Health::Down);
    }
}
