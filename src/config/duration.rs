//! Durations as people write them in config files: `"90s"`, `"15m"`, `"1h30m"`.

use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::spanned::Spanned;
use super::{Diagnostic, Source};

/// A human duration such as `"90s"`, `"15m"` or `"1h30m"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(text.trim())
            .map(Self)
            .map_err(|e| {
                serde::de::Error::custom(format!(
                    "invalid duration `{text}` ({e}); write it like \"90s\", \"15m\" or \"1h30m\""
                ))
            })
    }
}

/// Reports, at its span, every time that comes before a time listed above it;
/// `message(time, latest before it)` says what to do.
pub(super) fn in_time_order<'a>(
    src: &Source,
    times: impl IntoIterator<Item = &'a Spanned<HumanDuration>>,
    message: impl Fn(Duration, Duration) -> String,
    errors: &mut Vec<Diagnostic>,
) {
    let mut latest = Duration::ZERO;
    for time in times {
        let at = time.get_ref().0;
        if at < latest {
            errors.push(src.at(time.span(), message(at, latest)));
        }
        latest = latest.max(at);
    }
}
