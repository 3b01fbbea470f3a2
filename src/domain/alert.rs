//! Alertmanager alerts as the console knows them: the alerts of each source, the components that
//! claim them, the ones nobody claims (so a firing critical alert is never invisible because no
//! component maps it), and the critical ones that call for an incident.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// Most alerts an incident follows: past this, new alerts are neither journaled nor silenced.
pub const TRACKED: usize = 500;

/// One alert an Alertmanager holds, as the poller read it. Raw: sanitise before display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firing {
    pub fingerprint: String,
    pub labels: BTreeMap<String, String>,
    /// Its `summary` annotation.
    pub summary: Option<String>,
    /// When Alertmanager says it began (`None` when the time did not read).
    pub starts_at: Option<DateTime<Utc>>,
    /// Where the alert came from (a Prometheus graph, say); may be empty.
    pub generator_url: String,
    pub silenced: bool,
    pub inhibited: bool,
    /// Its severity is one the source's components count as down.
    pub critical: bool,
    /// Config indices of the components whose matchers take it.
    pub claimed_by: Vec<usize>,
}

impl Firing {
    /// Its `alertname` label (`alert` without one).
    #[must_use]
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("alert", String::as_str)
    }

    /// Its `severity` label ("" without one).
    #[must_use]
    pub fn severity(&self) -> &str {
        self.labels.get("severity").map_or("", String::as_str)
    }

    /// Neither silenced nor inhibited: Alertmanager routes it to people.
    #[must_use]
    pub fn routed(&self) -> bool {
        !self.silenced && !self.inhibited
    }

    /// Whether an incident follows it: a component claims it, or it is critical.
    #[must_use]
    pub fn followed(&self) -> bool {
        self.critical || !self.claimed_by.is_empty()
    }

    /// `DiskFull (critical): disk over 95%`.
    #[must_use]
    pub fn line(&self) -> String {
        let severity = match self.severity() {
            "" => "no severity",
            s => s,
        };
        match &self.summary {
            Some(summary) => format!("{} ({severity}): {summary}", self.name()),
            None => format!("{} ({severity})", self.name()),
        }
    }

    /// What an incident titled after the alert is called: its summary, else its name.
    #[must_use]
    pub fn title(&self) -> String {
        self.summary
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| self.name().to_owned())
    }
}

/// Orders a source's alerts for the console: critical first, then by name, then by labels.
pub fn sort(alerts: &mut [Firing]) {
    alerts.sort_by(|a, b| {
        (!a.critical, a.name(), &a.labels).cmp(&(!b.critical, b.name(), &b.labels))
    });
}

/// The routed alerts no component claims, critical first.
pub fn unclaimed(sources: &BTreeMap<String, Vec<Firing>>) -> impl Iterator<Item = &Firing> {
    sources
        .values()
        .flatten()
        .filter(|a| a.routed() && a.claimed_by.is_empty())
}

/// The routed critical alert that calls for an incident while none is open: one a component
/// claims before one nobody claims (a storm elsewhere never hides the service's own), then the
/// one that began first.
#[must_use]
pub fn calling(sources: &BTreeMap<String, Vec<Firing>>) -> Option<&Firing> {
    sources
        .values()
        .flatten()
        .filter(|a| a.routed() && a.critical)
        .min_by_key(|a| (a.claimed_by.is_empty(), a.starts_at.is_none(), a.starts_at))
}

/// The earliest start of the routed alerts a component claims: when its outage began.
#[must_use]
pub fn began(sources: &BTreeMap<String, Vec<Firing>>, component: usize) -> Option<DateTime<Utc>> {
    sources
        .values()
        .flatten()
        .filter(|a| a.routed() && a.claimed_by.contains(&component))
        .filter_map(|a| a.starts_at)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn firing(name: &str, critical: bool, claimed: &[usize], start: i64) -> Firing {
        Firing {
            fingerprint: name.to_lowercase(),
            labels: BTreeMap::from([("alertname".to_owned(), name.to_owned())]),
            summary: None,
            starts_at: DateTime::from_timestamp(start, 0),
            generator_url: String::new(),
            silenced: false,
            inhibited: false,
            critical,
            claimed_by: claimed.to_vec(),
        }
    }

    #[test]
    fn the_first_routed_critical_alert_calls_for_an_incident() {
        let mut quiet = firing("Quiet", true, &[], 10);
        quiet.silenced = true;
        let alerts = vec![
            firing("Slow", false, &[0], 20),
            quiet,
            firing("DiskFull", true, &[], 50),
            firing("DbDown", true, &[1], 40),
        ];
        let sources = BTreeMap::from([("am".to_owned(), alerts)]);
        assert_eq!(calling(&sources).map(Firing::name), Some("DbDown"));
        assert_eq!(began(&sources, 1), DateTime::from_timestamp(40, 0));
        let names: Vec<&str> = unclaimed(&sources).map(Firing::name).collect();
        assert_eq!(names, ["DiskFull"]);
    }

    #[test]
    fn alerts_sort_critical_first_and_read_as_one_line() {
        let mut alerts = vec![firing("Noise", false, &[], 1), firing("Zed", true, &[], 1)];
        sort(&mut alerts);
        assert_eq!(alerts[0].name(), "Zed");
        alerts[0].summary = Some("disk over 95%".into());
        alerts[0]
            .labels
            .insert("severity".into(), "critical".into());
        assert_eq!(alerts[0].line(), "Zed (critical): disk over 95%");
        assert_eq!(alerts[1].line(), "Noise (no severity)");
        assert_eq!(alerts[0].title(), "disk over 95%");
        assert_eq!(alerts[1].title(), "Noise");
    }
}
