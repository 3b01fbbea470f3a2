//! Impact per component: how long each was down against its RTO, and the data at risk against
//! its RPO.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::{cell, span, utc};
use crate::config::Config;
use crate::domain::event::Target;
use crate::domain::incident::Incident;

#[derive(Debug, Serialize)]
pub(super) struct ImpactRow {
    id: String,
    name: String,
    outage_start: String,
    outage_end: String,
    duration: String,
    rto_target: String,
    rto_result: String,
    rpo_target: String,
    /// Failure start minus the last good copy before it.
    data_at_risk: String,
    /// Recovery (or resolution) minus the last good copy before it.
    at_recovery: String,
    rpo_result: String,
}

/// A component's objectives: as the declaration recorded them, else (journals from before
/// they were recorded) as the config sets them.
fn target_of(incident: &Incident, config: Option<&Config>, id: &str) -> Option<Target> {
    if let Some(target) = incident.targets.get(id) {
        return Some(target.clone());
    }
    let component = config?.component(id)?;
    let budget = config?.budget(component);
    Some(Target {
        component: id.to_owned(),
        name: component.name.clone(),
        rto_secs: budget.rto.as_secs(),
        rpo_secs: budget.rpo.as_secs(),
        last_good: None,
    })
}

/// Met or missed against a target; an outage still going is `open`, or at resolution `not
/// recovered, within`.
fn verdict(
    used: Option<TimeDelta>,
    target: Option<Duration>,
    open: bool,
    resolved: bool,
) -> String {
    match (used, target) {
        (Some(used), Some(target)) if !crate::domain::budget::within(used, target) => {
            "missed".to_owned()
        }
        (Some(_), Some(_)) if open && resolved => "not recovered, within".to_owned(),
        (Some(_), Some(_)) if open => "open".to_owned(),
        (Some(_), Some(_)) => "met".to_owned(),
        _ => "n/a".to_owned(),
    }
}

pub(super) fn impact(
    incident: &Incident,
    config: Option<&Config>,
    now: DateTime<Utc>,
) -> Vec<ImpactRow> {
    let resolved = incident.resolved.is_some();
    let ongoing = if resolved {
        "not recovered at resolution"
    } else {
        "ongoing"
    };
    let duration = |d: Option<Duration>| {
        d.map_or_else(|| "-".into(), |d| humantime::format_duration(d).to_string())
    };
    incident
        .affected
        .iter()
        .map(|id| {
            let target = target_of(incident, config, id);
            let rto = target.as_ref().map(|t| Duration::from_secs(t.rto_secs));
            let rpo = target.as_ref().map(|t| Duration::from_secs(t.rpo_secs));
            let outage = incident.outage(id);
            let open = outage.is_some_and(|o| o.end.is_none());
            let end = outage.map(|o| o.end.unwrap_or(now));
            let elapsed = outage
                .zip(end)
                .map(|(o, end)| (end - o.start).max(TimeDelta::zero()));
            // Simulated copies (an imported kit's, until pointed at real backups) measure no
            // data at risk outside a drill: said so, never reviewed as a breach.
            let simulated = !incident.drill
                && config
                    .and_then(|c| c.component(id))
                    .is_some_and(crate::config::Component::copies_simulated);
            let at_risk = incident.data_at_risk(id).filter(|_| !simulated);
            let at_recovery = end
                .and_then(|end| incident.copy_gap(id, end))
                .filter(|_| !simulated);
            let unknown = if simulated { "simulated" } else { "unknown" };
            ImpactRow {
                id: cell(id),
                name: cell(target.as_ref().map_or(id.as_str(), |t| t.name.as_str())),
                outage_start: outage.map_or_else(|| "-".into(), |o| utc(o.start)),
                outage_end: outage
                    .and_then(|o| o.end)
                    .map_or_else(|| if open { ongoing.into() } else { "-".into() }, utc),
                duration: span(elapsed, "-"),
                rto_target: duration(rto),
                rto_result: verdict(elapsed, rto, open, resolved),
                rpo_target: duration(rpo),
                data_at_risk: span(at_risk, unknown),
                at_recovery: span(at_recovery, unknown),
                rpo_result: if simulated {
                    "not measured (simulated copies)".to_owned()
                } else {
                    verdict(at_risk, rpo, false, resolved)
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{Declaration, Event, Outage};
    use crate::domain::incident::tests::{at, record};
    use crate::domain::{Health, Severity};

    #[test]
    fn simulated_copies_measure_no_data_at_risk_outside_a_drill() {
        let config = crate::config::parse(
            "warroom.toml",
            "[service]\nname = \"Shop\"\n[[component]]\nid = \"db\"\nname = \"DB\"\ntier = \"critical\"\nrpo = \"1h\"\n\
             probe = { kind = \"sim\" }\n[[component.backup]]\nname = \"nightly\"\nevery = \"24h\"\n\
             source = { kind = \"sim\", age = \"12h\" }\n",
        )
        .unwrap();
        let records = vec![
            record(
                1,
                5,
                Event::Declared(Box::new(Declaration {
                    outages: vec![Outage {
                        component: "db".into(),
                        state: Health::Down,
                        since: at(2),
                    }],
                    ..Declaration::new("x", "DB down", Severity::P1, "ic@host")
                })),
            ),
            record(
                2,
                6,
                Event::RecoveryPoint {
                    component: "db".into(),
                    last_good: at(-720),
                    detail: None,
                },
            ),
        ];
        let mut incident = Incident::fold(&records).unwrap();
        let row = &impact(&incident, Some(&config), at(10))[0];
        assert_eq!(
            (row.data_at_risk.as_str(), row.rpo_result.as_str()),
            ("simulated", "not measured (simulated copies)")
        );
        incident.drill = true;
        let row = &impact(&incident, Some(&config), at(10))[0];
        assert_eq!(
            row.rpo_result, "missed",
            "a drill's simulated copy is its scenario"
        );
    }
}
