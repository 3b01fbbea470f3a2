//! Probes that ask the team's monitoring instead of probing by themselves: a `prometheus` probe
//! (an instant query and the rules its values are judged by) and an `alertmanager` probe (the
//! active alerts a component claims by their labels), as validated from a probe table.

use super::spanned::Spanned;
use crate::domain::Health;
use crate::domain::threshold::Rule;

use super::probe::{OnEmpty, ProbeFile};
use super::{Diagnostic, Source};

/// An Alertmanager check: the active alerts a component claims, by their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRule {
    pub source: super::sources::Endpoint,
    pub matchers: Vec<crate::domain::matcher::Matcher>,
    /// `severity` label values that make the component down; any other alert degrades it.
    pub down_severities: Vec<String>,
    pub count_silenced: bool,
    pub count_inhibited: bool,
}

/// A `PromQL` check: an instant query and the rules its values are judged by.
#[derive(Debug, Clone, PartialEq)]
pub struct Promql {
    pub source: super::sources::Endpoint,
    pub query: String,
    pub down_if: Option<Rule>,
    pub degraded_if: Option<Rule>,
    pub on_empty: Health,
    pub unit: Option<String>,
}

pub(super) fn alert_rule(
    src: &Source,
    file: ProbeFile,
    at: std::ops::Range<usize>,
    sources: &super::sources::Sources,
    errors: &mut Vec<Diagnostic>,
) -> Option<AlertRule> {
    let source = super::sources::located(
        src,
        (&sources.alertmanager, "Alertmanager"),
        file.source.as_ref(),
        at.clone(),
        errors,
    );
    let written = file.matchers.map(Spanned::into_inner).unwrap_or_default();
    if written.is_empty() {
        errors.push(src.at(
            at,
            "an alertmanager probe needs `matchers`, the labels of its alerts, like matchers = ['service=\"payments\"', 'component=\"db\"']",
        ));
    }
    let matchers = written
        .iter()
        .filter_map(|m| {
            m.get_ref()
                .parse()
                .map_err(|e| errors.push(src.at(m.span(), e)))
                .ok()
        })
        .collect();
    Some(AlertRule {
        source: source?,
        matchers,
        down_severities: file
            .down_severities
            .map_or_else(|| vec!["critical".to_owned()], Spanned::into_inner),
        count_silenced: file.count_silenced.is_some_and(Spanned::into_inner),
        count_inhibited: file.count_inhibited.is_some_and(Spanned::into_inner),
    })
}

pub(super) fn prometheus(
    src: &Source,
    file: ProbeFile,
    at: std::ops::Range<usize>,
    sources: &super::sources::Sources,
    errors: &mut Vec<Diagnostic>,
) -> Option<Promql> {
    let source = super::sources::located(
        src,
        (&sources.prometheus, "Prometheus"),
        file.source.as_ref(),
        at.clone(),
        errors,
    );
    let query = match file.query {
        Some(q) if !q.get_ref().trim().is_empty() => q.into_inner(),
        other => {
            let span = other.as_ref().map_or(at.clone(), Spanned::span);
            errors.push(src.at(
                span,
                "a prometheus probe needs `query`, an instant PromQL query such as query = 'up{job=\"api\"}'",
            ));
            String::new()
        }
    };
    let mut rule = |written: Option<Spanned<String>>| {
        let written = written?;
        written
            .get_ref()
            .parse::<Rule>()
            .map_err(|e| errors.push(src.at(written.span(), e)))
            .ok()
    };
    let written = file.down_if.is_some() || file.degraded_if.is_some();
    let (down_if, degraded_if) = (rule(file.down_if), rule(file.degraded_if));
    if !written {
        errors.push(src.at(
            at,
            "a prometheus probe needs `down_if` or `degraded_if` (or both), like down_if = \"< 1\"",
        ));
    }
    Some(Promql {
        source: source?,
        query,
        down_if,
        degraded_if,
        on_empty: match file.on_empty.map(Spanned::into_inner) {
            Some(OnEmpty::Down) => Health::Down,
            _ => Health::Unknown,
        },
        unit: file.unit.map(Spanned::into_inner),
    })
}
