//! The component board's columns: their widths (the WHY text wins space from the latency
//! column), the tier label, the TLS marker and the latency cell.

use ratatui::layout::Constraint;
use ratatui::widgets::Cell;

use super::dashboard::sparkline;
use super::{Slot, View};
use crate::sanitize::one_line;

/// A tier's name in the tier column: whole when it fits, else the usual short form of a built-in
/// tier ("crit", "std"), a numbered tier as its initial and number ("t1"), or the name cut to
/// fit with a dot.
pub(super) fn tier_label(tier: &crate::domain::Tier, width: u16) -> String {
    let name = one_line(tier.name());
    let width = usize::from(width);
    if name.chars().count() <= width {
        return name;
    }
    match name.as_str() {
        "critical" if width >= 4 => "crit".to_owned(),
        "standard" if width >= 3 => "std".to_owned(),
        // A numbered tier (`tier-1`, `tier 2`) keeps its number: `t1`.
        _ if name.ends_with(|c: char| c.is_ascii_digit()) && width >= 2 => {
            let digits: String = name
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            let digits: String = digits.chars().rev().collect();
            let first = name.chars().next().unwrap_or('t');
            let short = format!("{first}{digits}");
            short.chars().take(width).collect()
        }
        _ => {
            let cut: String = name.chars().take(width.saturating_sub(1)).collect();
            format!("{cut}.")
        }
    }
}

pub(super) fn tls_marker(component: &crate::config::Component, ascii: bool) -> &'static str {
    let unverified =
        matches!(&component.probe.check, crate::config::Check::Http(h) if !h.tls_verify);
    match (unverified, ascii) {
        (false, _) => "",
        (true, false) => " ⚠tls",
        (true, true) => " !tls",
    }
}

/// Column widths of the components table: the WHY text wins space from the latency column.
pub(super) struct Columns {
    pub(super) name: u16,
    pub(super) tier: u16,
    /// Sparkline cells; none when there is no room for the latency column.
    pub(super) spark: Option<u16>,
    /// The WHY column; none below 70 columns, where the WHY goes under the component's name.
    pub(super) why: bool,
}

const STATE_W: u16 = 11;
const SINCE_W: u16 = 6;
const LATEST_W: u16 = 6;

impl Columns {
    pub(super) fn new(inner: u16, wide: bool, name_want: u16, why_want: u16) -> Self {
        let roomy = inner >= 98;
        let tier = if roomy { 8 } else { 4 };
        let why = wide || inner >= 68;
        if !why {
            let name = inner.saturating_sub(STATE_W + tier + SINCE_W + 3).max(8);
            return Self {
                name,
                tier,
                spark: None,
                why,
            };
        }
        let name = name_want.clamp(12, 28);
        let fixed = STATE_W + name + tier + SINCE_W + 5;
        let room = inner.saturating_sub(fixed + why_want.max(10));
        let spark = match room {
            r if r >= LATEST_W + 20 && roomy => Some(20),
            r if r >= LATEST_W + 8 => Some((r - LATEST_W).min(if roomy { 20 } else { 8 })),
            r if r >= LATEST_W + 2 => Some(r - LATEST_W),
            _ => None,
        };
        Self {
            name,
            tier,
            spark,
            why,
        }
    }

    pub(super) fn widths(&self) -> Vec<Constraint> {
        let mut widths = vec![
            Constraint::Length(STATE_W),
            Constraint::Length(self.name),
            Constraint::Length(self.tier),
            Constraint::Length(SINCE_W),
        ];
        if let Some(spark) = self.spark {
            widths.push(Constraint::Length(spark + LATEST_W));
        }
        if self.why {
            widths.push(Constraint::Min(10));
        }
        widths
    }

    /// Cells the WHY column gets in a table `inner` wide (one cell between columns).
    pub(super) fn why_width(&self, inner: u16) -> usize {
        let spark = self.spark.map_or(0, |s| s + LATEST_W + 1);
        usize::from(inner.saturating_sub(STATE_W + self.name + self.tier + SINCE_W + 4 + spark))
    }

    pub(super) fn header(&self) -> Vec<&'static str> {
        let mut header = vec!["STATE", "COMPONENT", "TIER", "SINCE"];
        if self.spark.is_some() {
            header.push("LATENCY");
        }
        if self.why {
            header.push("WHY");
        }
        header
    }
}

pub(super) fn latency_cell(
    health: &crate::domain::health::ComponentHealth,
    spark: u16,
    view: &View,
    asks_monitoring: bool,
) -> Cell<'static> {
    let width = usize::from(spark + LATEST_W);
    // A source's answer is shown by its value; its latency says nothing of the component.
    if asks_monitoring {
        let reading = health.reading.as_deref().unwrap_or_default();
        let text: String = one_line(reading).chars().take(width).collect();
        return Cell::from(format!("{text:>width$}")).style(view.theme.style(Slot::Accent));
    }
    let latest = health
        .latencies
        .back()
        .copied()
        .flatten()
        .map(|ms| {
            if ms == 0 {
                " <1ms".to_owned()
            } else {
                format!("{ms:>3}ms")
            }
        })
        .unwrap_or_default();
    let width = usize::from(spark);
    let line = sparkline(&health.latencies, width, view.ascii);
    Cell::from(format!("{line:<width$}{latest}")).style(view.theme.style(Slot::Accent))
}
