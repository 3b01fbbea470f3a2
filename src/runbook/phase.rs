//! Phases, time windows, estimates and automation levels, as DR plans write them: "Immediate
//! (0-5 minutes)", "Short-term (5–15 minutes)", a step that takes about ten minutes, a step that
//! is automatic or manual. Windows count from the incident's declaration.

use std::fmt;
use std::time::Duration;

use chrono::TimeDelta;
use serde::Deserialize;

/// When a phase or step is planned: from `from` to `to` after the incident started; with no `to`
/// ("15+ minutes") it runs on from `from` until the work is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Duration,
    pub to: Option<Duration>,
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = if self.from.is_zero() {
            "0".to_owned()
        } else {
            short(self.from)
        };
        match self.to {
            Some(to) => write!(f, "{from}–{}", short(to)),
            None => write!(f, "{from}+"),
        }
    }
}

/// `5m`, `1h`, `1h30m`, `90s` → `1m30s`: whole seconds, the larger units first.
#[must_use]
pub fn short(d: Duration) -> String {
    let secs = d.as_secs();
    let parts = [
        (secs / 3600, 'h'),
        (secs % 3600 / 60, 'm'),
        (secs % 60, 's'),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .fold(String::new(), |mut out, (n, unit)| {
        out.push_str(&n.to_string());
        out.push(*unit);
        out
    });
    if parts.is_empty() {
        "0s".to_owned()
    } else {
        parts
    }
}

/// How much of a step is done by machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, strum::Display, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Automation {
    Automatic,
    Partial,
    Manual,
}

/// A `#` heading over several steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub title: String,
    pub window: Option<Window>,
}

fn unit(word: &str) -> Option<u64> {
    let word = word.trim_end_matches(['.', ')', ',']).to_lowercase();
    match word.as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => Some(1),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(60),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(3600),
        "d" | "day" | "days" => Some(86_400),
        _ => None,
    }
}

/// Splits `15m` into (15, "m"), `15` into (15, "").
fn number(text: &str) -> Option<(u64, &str)> {
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let value = text[..digits].parse().ok()?;
    Some((value, &text[digits..]))
}

/// Reads `0-5m`, `0–5 minutes`, `5 - 15 min`, `1-4h`, `15m-1h`: a range with a unit after the
/// second number (and optionally after the first); or `15m+`, `15+ minutes`: from then on.
pub fn parse_window(text: &str) -> Result<Window, String> {
    let bad = || {
        format!(
            "window `{text}` must read like \"0-5m\", \"5-15 minutes\", \"15m-1h\" or \"15m+\" (from-to after the incident starts)"
        )
    };
    let normal = text.replace(['–', '—'], "-");
    if let Some((a, b)) = normal.split_once('+') {
        let (from, rest) = number(a.trim()).ok_or_else(bad)?;
        let written = [rest.trim(), b.trim()];
        let from_unit = match written {
            [u, ""] | ["", u] => unit(u).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        return Ok(Window {
            from: Duration::from_secs(from * from_unit),
            to: None,
        });
    }
    let (a, b) = normal.split_once('-').ok_or_else(bad)?;
    let (from, from_unit) = number(a.trim()).ok_or_else(bad)?;
    let b = b.trim();
    let (to, rest) = number(b).ok_or_else(bad)?;
    let to_unit = unit(rest.trim()).ok_or_else(bad)?;
    let from_unit = match from_unit.trim() {
        "" => to_unit,
        u => unit(u).ok_or_else(bad)?,
    };
    let (from, to) = (
        Duration::from_secs(from * from_unit),
        Duration::from_secs(to * to_unit),
    );
    if to <= from {
        return Err(format!("window `{text}` ends before it starts"));
    }
    Ok(Window { from, to: Some(to) })
}

/// A window written in a heading: `Immediate (0-5 minutes)`, `Phase 2: 15–60 min`. The last
/// range with a unit wins; a heading without one has none.
#[must_use]
pub fn window_in_heading(title: &str) -> Option<Window> {
    let normal = title.replace(['–', '—'], "-");
    let words: Vec<&str> = normal
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ':' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    (0..words.len()).rev().find_map(|start| {
        (1..=4)
            .filter_map(|len| words.get(start..start + len))
            .find_map(|candidate| {
                let text = candidate.join(" ");
                let first = text.chars().next()?;
                (first.is_ascii_digit() && text.contains(['-', '+']))
                    .then(|| parse_window(&text).ok())
                    .flatten()
            })
    })
}

/// How a step stands against its window at `elapsed` since the incident started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Not yet in its window.
    Upcoming,
    /// In its window, this long left.
    Now { left: TimeDelta },
    /// In a window that has no end ("15+ minutes").
    Open,
    /// Past its window and not done.
    Overdue { by: TimeDelta },
}

impl Due {
    /// In its window now (with an end or without).
    #[must_use]
    pub fn is_current(self) -> bool {
        matches!(self, Self::Now { .. } | Self::Open)
    }
}

/// Where a step not yet done stands against its window.
#[must_use]
pub fn due(window: Window, elapsed: TimeDelta) -> Due {
    let from = TimeDelta::from_std(window.from).unwrap_or(TimeDelta::MAX);
    if elapsed < from {
        return Due::Upcoming;
    }
    let Some(to) = window.to else {
        return Due::Open;
    };
    let to = TimeDelta::from_std(to).unwrap_or(TimeDelta::MAX);
    if elapsed > to {
        Due::Overdue { by: elapsed - to }
    } else {
        Due::Now { left: to - elapsed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(from: u64, to: u64) -> Window {
        Window {
            from: Duration::from_secs(from),
            to: Some(Duration::from_secs(to)),
        }
    }

    #[test]
    fn windows_read_as_plans_write_them() {
        assert_eq!(parse_window("0-5m"), Ok(w(0, 300)));
        assert_eq!(parse_window("5 – 15 minutes"), Ok(w(300, 900)));
        assert_eq!(parse_window("15m-1h"), Ok(w(900, 3600)));
        assert_eq!(parse_window("1-4h"), Ok(w(3600, 14_400)));
        assert!(parse_window("soon").unwrap_err().contains("window `soon`"));
        assert!(
            parse_window("10-5m")
                .unwrap_err()
                .contains("ends before it starts")
        );
        assert!(parse_window("0-5 fortnights").is_err());
        let open = Window {
            from: Duration::from_mins(15),
            to: None,
        };
        assert_eq!(parse_window("15m+"), Ok(open));
        assert_eq!(parse_window("15+ minutes"), Ok(open));
        assert_eq!(open.to_string(), "15m+");
        assert!(parse_window("15+").is_err());
        assert!(parse_window("15m+5m").is_err());
    }

    #[test]
    fn short_durations_are_whole_seconds() {
        assert_eq!(short(Duration::from_millis(84_359)), "1m24s");
        assert_eq!(short(Duration::from_secs(3_725)), "1h2m5s");
        assert_eq!(short(Duration::from_millis(400)), "0s");
    }

    #[test]
    fn headings_carry_their_windows() {
        assert_eq!(
            window_in_heading("Immediate (0-5 minutes)"),
            Some(w(0, 300))
        );
        assert_eq!(
            window_in_heading("Short-term (5–15 minutes)"),
            Some(w(300, 900))
        );
        assert_eq!(
            window_in_heading("Phase 3: 1-4 hours"),
            Some(w(3600, 14_400))
        );
        assert_eq!(
            window_in_heading("Recovery Execution (15+ minutes)").map(|w| w.to_string()),
            Some("15m+".to_owned())
        );
        assert_eq!(window_in_heading("Fail over the database"), None);
        assert_eq!(window_in_heading("Step 2 - promote"), None);
    }

    #[test]
    fn a_step_is_due_in_its_window_and_overdue_after_it() {
        let window = w(300, 900);
        assert_eq!(due(window, TimeDelta::seconds(10)), Due::Upcoming);
        assert_eq!(
            due(window, TimeDelta::seconds(900)),
            Due::Now {
                left: TimeDelta::zero()
            }
        );
        assert_eq!(
            due(window, TimeDelta::seconds(960)),
            Due::Overdue {
                by: TimeDelta::seconds(60)
            }
        );
        let open = Window {
            from: Duration::from_mins(15),
            to: None,
        };
        assert_eq!(due(open, TimeDelta::seconds(899)), Due::Upcoming);
        assert_eq!(due(open, TimeDelta::hours(30)), Due::Open, "never overdue");
    }
}
