//! Alerts nobody claims: active alerts of an Alertmanager that no component's matchers take, so
//! that a firing critical alert is never invisible because no component maps it.

/// One unclaimed alert, as the dashboard lists it. Raw: sanitise before display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclaimed {
    pub name: String,
    /// Its `severity` label ("" when it has none).
    pub severity: String,
    pub summary: Option<String>,
}

/// Orders alerts for the list: those of a down severity first, then by name.
pub fn sort(alerts: &mut [Unclaimed], down_severities: &[String]) {
    alerts.sort_by(|a, b| {
        let rank = |u: &Unclaimed| !down_severities.contains(&u.severity);
        (rank(a), &a.name).cmp(&(rank(b), &b.name))
    });
}

impl Unclaimed {
    /// `DiskFull (critical): disk over 95%`.
    #[must_use]
    pub fn line(&self) -> String {
        let severity = if self.severity.is_empty() {
            "no severity"
        } else {
            &self.severity
        };
        match &self.summary {
            Some(summary) => format!("{} ({severity}): {summary}", self.name),
            None => format!("{} ({severity})", self.name),
        }
    }
}
