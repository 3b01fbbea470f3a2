//! The component detail panel: probe settings, state history, full last error, dependencies.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::{Slot, View, time_of_day};
use crate::config::notify::PointSource;
use crate::config::probe::display_url;
use crate::config::{Check, Component};
use crate::domain::backup::Freshness;
use crate::domain::incident::brief;
use crate::sanitize::one_line;
use crate::state::State;

fn probe_lines(component: &Component) -> Vec<String> {
    let p = &component.probe;
    let timing = format!(
        "every {} · timeout {} · down after {} failures · up after {} successes",
        humantime::format_duration(p.interval),
        humantime::format_duration(p.timeout),
        p.fail_after,
        p.recover_after
    );
    match &p.check {
        Check::Sim { state } => vec![format!("simulated (starts {state}); follows the scenario")],
        Check::Tcp { address } => vec![format!("tcp connect {}", one_line(address)), timing],
        Check::Command { command, cwd } => {
            let cwd = cwd
                .as_ref()
                .map(|c| format!(" in {}", c.display()))
                .unwrap_or_default();
            vec![
                format!("command: sh -c {}{}", one_line(command), one_line(&cwd)),
                timing,
            ]
        }
        Check::Alertmanager(rule) => alert_lines(rule, timing),
        Check::Prometheus(promql) => query_lines(promql, timing),
        Check::Http(http) => {
            let mut lines = vec![
                format!("http {} {}", http.method, one_line(&display_url(&http.url))),
                timing,
            ];
            let status = if http.expect_status.is_empty() {
                "any 2xx".to_owned()
            } else {
                http.expect_status
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(format!("expects status {status}"));
            if let Some(needle) = &http.expect_body_contains {
                lines.push(format!(
                    "expects the body to contain {}",
                    one_line(&format!("{needle:?}"))
                ));
            }
            if let Some((pointer, value)) = &http.expect_json {
                lines.push(format!(
                    "expects JSON {} = {}",
                    one_line(pointer),
                    one_line(&value.to_string())
                ));
            }
            if let Some(max) = http.max_latency {
                lines.push(format!("degraded above {} ms", max.as_millis()));
            }
            if !http.headers.is_empty() {
                let names: Vec<&str> = http.headers.iter().map(|(n, _)| n.as_str()).collect();
                lines.push(format!(
                    "headers {} (values hidden; sent to this host only)",
                    one_line(&names.join(", "))
                ));
            }
            if !http.tls_verify {
                lines.push("TLS CERTIFICATE NOT VERIFIED (tls_verify = false)".to_owned());
            }
            lines.push(if http.reuse_connections {
                "connections kept open between samples (reuse_connections = true)".to_owned()
            } else {
                "a new connection every sample".to_owned()
            });
            lines
        }
    }
}

fn alert_lines(rule: &crate::config::probe::AlertRule, timing: String) -> Vec<String> {
    let matchers: Vec<String> = rule.matchers.iter().map(ToString::to_string).collect();
    let mut counted = Vec::new();
    if rule.count_silenced {
        counted.push("silenced");
    }
    if rule.count_inhibited {
        counted.push("inhibited");
    }
    let counted = if counted.is_empty() {
        "silenced and inhibited alerts not counted".to_owned()
    } else {
        format!("{} alerts counted too", counted.join(" and "))
    };
    vec![
        format!(
            "alertmanager `{}` at {}: {}",
            one_line(&rule.source.name),
            one_line(&display_url(&rule.source.url)),
            one_line(&matchers.join(", "))
        ),
        format!(
            "down for severity {}, degraded for any other alert · {counted}",
            one_line(&rule.down_severities.join(", "))
        ),
        timing,
    ]
}

/// Most alerts listed in a component's detail.
const CLAIMED_SHOWN: usize = 20;

/// The alerts of its Alertmanager a component's matchers take: name and severity, start,
/// labels and generator link.
fn claimed_lines(state: &State, view: &View, (index, source): (usize, &str)) -> Vec<Line<'static>> {
    let theme = &view.theme;
    let claimed: Vec<&crate::domain::alert::Firing> = state
        .alerts
        .get(source)
        .into_iter()
        .flatten()
        .filter(|a| a.claimed_by.contains(&index))
        .collect();
    if claimed.is_empty() {
        return vec![Line::styled("  none firing", theme.style(Slot::Muted))];
    }
    let mut lines = Vec::new();
    for alert in claimed.iter().take(CLAIMED_SHOWN) {
        let since = alert.starts_at.map_or_else(
            || "start unknown".to_owned(),
            |t| format!("since {}", time_of_day(t)),
        );
        let quiet = match (alert.silenced, alert.inhibited) {
            (true, _) => " · silenced",
            (false, true) => " · inhibited",
            _ => "",
        };
        let slot = if alert.critical {
            Slot::Breach
        } else {
            Slot::Warn
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", one_line(&alert.line())), theme.style(slot)),
            Span::raw(format!(" · {since}{quiet}")),
        ]));
        let labels: Vec<String> = alert
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect();
        lines.push(Line::raw(format!("    {}", one_line(&labels.join(" ")))));
        if !alert.generator_url.is_empty() {
            lines.push(Line::styled(
                format!("    {}", one_line(&alert.generator_url)),
                theme.style(Slot::Muted),
            ));
        }
    }
    if claimed.len() > CLAIMED_SHOWN {
        lines.push(Line::styled(
            format!("  and {} more", claimed.len() - CLAIMED_SHOWN),
            theme.style(Slot::Muted),
        ));
    }
    lines
}

fn query_lines(promql: &crate::config::probe::Promql, timing: String) -> Vec<String> {
    let rules: Vec<String> = [
        ("down if", promql.down_if),
        ("degraded if", promql.degraded_if),
    ]
    .iter()
    .filter_map(|(what, rule)| rule.map(|r| format!("{what} {r}")))
    .collect();
    let empty = if promql.on_empty == crate::domain::Health::Down {
        "down"
    } else {
        "unknown"
    };
    vec![
        format!(
            "prometheus `{}` at {}: {}",
            one_line(&promql.source.name),
            one_line(&display_url(&promql.source.url)),
            one_line(&promql.query)
        ),
        format!("{} · no series: {empty}", rules.join(" · ")),
        timing,
    ]
}

/// One line per backup stream: its newest copy against the frequency it promises.
fn backup_lines(state: &State, view: &View, index: usize) -> Vec<Line<'static>> {
    state
        .streams(index)
        .into_iter()
        .map(|(backup, freshness)| {
            let every = backup
                .every
                .map(|e| format!(" · every {}", crate::domain::backup::period(e)))
                .unwrap_or_default();
            let simulated =
                matches!(backup.point.source, PointSource::Sim { .. }) && !state.is_drill();
            let (text, slot) = match freshness {
                Freshness::Waiting => ("not read yet".to_owned(), Slot::Muted),
                Freshness::Fresh { age } | Freshness::Stale { age, .. } if simulated => (
                    format!("simulated copy {} old (not a measurement)", brief(age)),
                    Slot::Muted,
                ),
                Freshness::Unreadable(why) => (format!("cannot be read: {why}"), Slot::Breach),
                Freshness::Fresh { age } => (format!("last good {} ago", brief(age)), Slot::Text),
                Freshness::Stale { age, .. } => {
                    (format!("STALE: last good {} ago", brief(age)), Slot::Warn)
                }
            };
            Line::from(vec![
                Span::raw(format!("  {} ", one_line(&backup.name))),
                Span::styled(one_line(&text), view.theme.style(slot)),
                Span::styled(
                    format!("{every} · {}", one_line(&backup.point.source.describe())),
                    view.theme.style(Slot::Muted),
                ),
            ])
        })
        .collect()
}

fn names(state: &State, indices: &[usize], view: &View) -> Vec<Line<'static>> {
    if indices.is_empty() {
        return vec![Line::styled("  none", view.theme.style(Slot::Muted))];
    }
    indices
        .iter()
        .map(|&i| {
            let health = state.world.health[i].state;
            Line::from(vec![
                Span::raw("  "),
                Span::styled(view.health_label(health), view.theme.health(health)),
                Span::raw(format!(" {}", one_line(&state.config.components[i].name))),
            ])
        })
        .collect()
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    view: &View,
    index: usize,
    scroll: usize,
) {
    let (Some(component), Some(health)) = (
        state.config.components.get(index),
        state.world.health.get(index),
    ) else {
        return;
    };
    let theme = &view.theme;
    let heading = |text: &str| Line::styled(text.to_owned(), theme.style(Slot::Accent));
    let mut lines = vec![Line::from(vec![
        Span::styled(view.health_label(health.state), theme.health(health.state)),
        Span::raw(format!(
            " for {} · {} · tier {}",
            brief(state.now - health.since),
            one_line(&component.id),
            component.tier
        )),
    ])];
    if let Some(root) = state.world.root_cause(index) {
        let root = &state.config.components[root];
        lines.push(Line::styled(
            format!(
                "impacted: root cause is {} ({})",
                one_line(&root.name),
                one_line(&root.id)
            ),
            theme.style(Slot::Warn),
        ));
    }
    lines.push(heading("Last result"));
    let detail = health
        .detail
        .as_deref()
        .map_or_else(|| "none yet".to_owned(), crate::sanitize::sanitize_text);
    lines.push(Line::raw(format!("  {detail}")));
    lines.push(heading("Probe"));
    lines.extend(
        probe_lines(component)
            .into_iter()
            .map(|l| Line::raw(format!("  {l}"))),
    );
    // A query's latency says nothing of the component; its value is in "Last result".
    if !component.probe.check.asks_monitoring() {
        let spark = super::dashboard::sparkline(&health.latencies, 60, view.ascii);
        lines.push(Line::from(vec![
            Span::raw("  latency "),
            Span::styled(spark, theme.style(Slot::Accent)),
        ]));
    }
    if let Check::Alertmanager(rule) = &component.probe.check {
        lines.push(heading("Alerts it claims"));
        lines.extend(claimed_lines(state, view, (index, &rule.source.name)));
    }
    if !component.backups.is_empty() {
        lines.push(heading(
            "Backups (the RPO counts from the newest good copy)",
        ));
        lines.extend(backup_lines(state, view, index));
    }
    lines.push(heading("Depends on"));
    lines.extend(names(state, &state.world.deps[index], view));
    lines.push(heading("Needed by"));
    lines.extend(names(state, &state.world.dependents(index), view));
    lines.push(heading("History (newest first)"));
    if health.history.is_empty() {
        lines.push(Line::styled("  no changes yet", theme.style(Slot::Muted)));
    }
    for change in health.history.iter().rev() {
        let why = change
            .detail
            .as_deref()
            .map(|d| format!(" ({})", one_line(d)))
            .unwrap_or_default();
        lines.push(Line::raw(format!(
            "  {} {} → {}{why}",
            time_of_day(change.at),
            change.from,
            change.to
        )));
    }
    let outer = super::popup::popup_area(area, 100, area.height);
    frame.render_widget(Clear, outer);
    let title = format!(" {} · j/k scroll · Esc close ", one_line(&component.name));
    let paragraph = Paragraph::new(lines)
        .style(theme.style(Slot::Text))
        .wrap(Wrap { trim: false })
        .scroll((scroll.min(usize::from(u16::MAX)) as u16, 0))
        .block(view.block(title));
    frame.render_widget(paragraph, outer);
}
