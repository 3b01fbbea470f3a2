//! How durations, times of day and incident ids are written, everywhere the same.

use chrono::{DateTime, TimeDelta, Utc};

/// Longest slug in an incident id, so the id fits beside the screen tabs at 80 columns.
pub(crate) const SLUG_MAX: usize = 26;

/// Makes an incident id `YYYYMMDD-HHMM-slug` (a drill's `DRILL-YYYYMMDD-HHMM-slug`) from the
/// declaration time and title; a long slug is cut at a word boundary.
#[must_use]
pub fn incident_id(at: DateTime<Utc>, title: &str, drill: bool) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let prefix = if drill { "DRILL-" } else { "" };
    let max = SLUG_MAX - prefix.len();
    if slug.len() > max {
        let cut = slug[..=max]
            .rfind('-')
            .filter(|&i| i > max / 2)
            .unwrap_or(max);
        slug.truncate(cut);
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "incident" } else { slug };
    format!("{prefix}{}-{slug}", at.format("%Y%m%d-%H%M"))
}

/// The wall-clock time of day, `03:01:26`.
#[must_use]
pub fn time_of_day(at: &impl chrono::Timelike) -> String {
    time_of_day_ascii(at)
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// The wall-clock time of day as the eight ASCII bytes of `03:01:26`, made by hand (chrono's
/// `format` reads its pattern again for every call): reviews, timelines and `incident show`
/// write one per record.
#[must_use]
pub fn time_of_day_ascii(at: &impl chrono::Timelike) -> [u8; 8] {
    let two = |n: u32| [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8];
    let ([h1, h2], [m1, m2], [s1, s2]) = (two(at.hour()), two(at.minute()), two(at.second()));
    [h1, h2, b':', m1, m2, b':', s1, s2]
}

fn hms(hours: impl std::fmt::Display, minutes: u32, seconds: u32) -> String {
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}

/// Formats a duration as `HH:MM:SS` (or `Nd HH:MM:SS` past a day).
#[must_use]
pub fn clock(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = hms(rest / 3600, (rest % 3600 / 60) as u32, (rest % 60) as u32);
    if days > 0 {
        format!("{days}d {hms}")
    } else {
        hms
    }
}

/// How long a component has been in its state, as the board shows it: to the second while it
/// fails (an outage is watched closely) and for its first minute; a healthy one past that in
/// whole minutes, so a board where nothing happens changes a row once a minute, not every second.
#[must_use]
pub fn since(delta: TimeDelta, failing: bool) -> String {
    let secs = delta.num_seconds().max(0);
    match secs {
        60..3600 if !failing => format!("{}m", secs / 60),
        _ => brief(delta),
    }
}

/// Formats a duration briefly, for "since" columns: `45s`, `12m`, `3h05m`, `2d04h`.
#[must_use]
pub fn brief(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        3600..86_400 => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{:02}h", secs / 86_400, secs % 86_400 / 3600),
    }
}
