//! Themes: semantic style slots loaded from TOML, with colour fallback for lesser terminals.

use std::collections::BTreeMap;
use std::path::Path;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use strum::{Display, EnumIter, EnumString, IntoEnumIterator};

use crate::config::{Invalid, Source};
use crate::domain::Health;

/// What a style is for. Screens ask for meaning, never for a colour.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Display, EnumString, EnumIter, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Slot {
    Up,
    Degraded,
    Down,
    Unknown,
    Warn,
    Breach,
    Drill,
    Accent,
    Muted,
    Selection,
    Border,
    Text,
}

/// The themes shipped in `themes/`, embedded so `--theme NAME` works from any directory.
pub const SHIPPED: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// How many colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colors {
    TrueColor,
    Ansi256,
    Ansi16,
    /// `NO_COLOR`: attributes only, no colour at all.
    None,
}

impl Colors {
    /// Reads `NO_COLOR`, `COLORTERM` and `TERM` the way terminals announce themselves.
    #[must_use]
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> Self {
        if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return Self::None;
        }
        let colorterm = var("COLORTERM").unwrap_or_default().to_lowercase();
        if colorterm.contains("truecolor") || colorterm.contains("24bit") {
            return Self::TrueColor;
        }
        if var("TERM").unwrap_or_default().contains("256") {
            Self::Ansi256
        } else {
            Self::Ansi16
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SlotFile {
    Fg(String),
    Full(StyleFile),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleFile {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    reversed: bool,
    #[serde(default)]
    underlined: bool,
}

/// A theme file: `name` plus one entry per slot.
type ThemeFile = BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>;

/// A loaded theme: one style per slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<Slot, Style>,
}

impl Theme {
    /// The style of a slot.
    #[must_use]
    pub fn style(&self, slot: Slot) -> Style {
        self.styles.get(&slot).copied().unwrap_or_default()
    }

    /// The style of a health state.
    #[must_use]
    pub fn health(&self, health: Health) -> Style {
        self.style(match health {
            Health::Up => Slot::Up,
            Health::Degraded => Slot::Degraded,
            Health::Down => Slot::Down,
            Health::Unknown => Slot::Unknown,
        })
    }

    /// Parses a theme file, converting colours for the terminal.
    pub fn parse(name: &str, text: &str, colors: Colors) -> Result<Self, Invalid> {
        let src = Source::new(name, text);
        let file: ThemeFile = toml::from_str(text).map_err(|e| Invalid(vec![src.from_toml(&e)]))?;
        let mut errors = Vec::new();
        let mut styles = BTreeMap::new();
        let mut theme_name = None;
        let mut seen = Vec::new();
        for (key, value) in file {
            let key_span = key.span();
            let key = key.into_inner();
            if key == "name" {
                theme_name = value.get_ref().as_str().map(str::to_owned);
                if theme_name.is_none() {
                    errors.push(src.at(value.span(), "`name` must be a string"));
                }
                continue;
            }
            let Ok(slot) = key.parse::<Slot>() else {
                let names: Vec<String> = Slot::iter().map(|s| s.to_string()).collect();
                let hint = crate::config::diag::hint(&key, names.iter().map(String::as_str));
                errors.push(src.at(key_span, format!("unknown theme slot `{key}`{hint}")));
                continue;
            };
            let span = value.span();
            let parsed = SlotFile::deserialize(value.into_inner())
                .map_err(|e| format!("slot `{key}`: {}", e.message()))
                .and_then(|slot| style(&slot, colors));
            match parsed {
                Ok(style) => {
                    styles.insert(slot, style);
                }
                Err(message) => {
                    seen.push(slot);
                    errors.push(src.at(span, message));
                }
            }
        }
        let name = theme_name.unwrap_or_default();
        if name.is_empty() && errors.is_empty() {
            errors.push(src.at(0..0, "the theme has no `name`"));
        }
        let missing: Vec<String> = Slot::iter()
            .filter(|s| !styles.contains_key(s) && !seen.contains(s))
            .map(|s| format!("`{s}`"))
            .collect();
        if !missing.is_empty() {
            let list = missing.join(", ");
            errors.push(src.at(
                0..0,
                format!("theme `{name}` lacks {list}; every slot is required"),
            ));
        }
        if errors.is_empty() {
            Ok(Self { name, styles })
        } else {
            Err(Invalid(errors))
        }
    }

    /// A shipped theme by name, or a theme file by path.
    pub fn load(name_or_path: &str, colors: Colors) -> Result<Self, anyhow::Error> {
        let colors_for = |name: &str| if name == "mono" { Colors::None } else { colors };
        if let Some((name, text)) = SHIPPED.iter().find(|(n, _)| *n == name_or_path) {
            return Ok(Self::parse(
                &format!("themes/{name}.toml"),
                text,
                colors_for(name),
            )?);
        }
        let path = Path::new(name_or_path);
        if !path.is_file() {
            let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
            anyhow::bail!(
                "no theme `{name_or_path}`: use one of {} or the path of a theme file",
                names.join(", ")
            );
        }
        let text = std::fs::read_to_string(path)?;
        Ok(Self::parse(&path.display().to_string(), &text, colors)?)
    }

    /// The theme to use: mono under `NO_COLOR`, else the one asked for, else the default.
    pub fn select(asked: Option<&str>, colors: Colors) -> Result<Self, anyhow::Error> {
        match (colors, asked) {
            (Colors::None, _) => Self::load("mono", colors),
            (_, Some(name)) => Self::load(name, colors),
            (_, None) => Self::load("default", colors),
        }
    }
}

fn style(slot: &SlotFile, colors: Colors) -> Result<Style, String> {
    let file = match slot {
        SlotFile::Fg(fg) => &StyleFile {
            fg: Some(fg.clone()),
            ..StyleFile::default()
        },
        SlotFile::Full(file) => file,
    };
    let mut style = Style::new();
    if let Some(fg) = &file.fg {
        style = style.fg(color(fg, colors)?);
    }
    if let Some(bg) = &file.bg {
        style = style.bg(color(bg, colors)?);
    }
    for (on, modifier) in [
        (file.bold, Modifier::BOLD),
        (file.reversed, Modifier::REVERSED),
        (file.underlined, Modifier::UNDERLINED),
    ] {
        if on {
            style = style.add_modifier(modifier);
        }
    }
    if colors == Colors::None {
        style.fg = None;
        style.bg = None;
    }
    // A dark background folded to black in 16 colours vanishes on a dark terminal: reverse video.
    if colors == Colors::Ansi16 && style.bg == Some(Color::Black) && file.bg.is_some() {
        style.bg = None;
        style = style.add_modifier(Modifier::REVERSED);
    }
    Ok(style)
}

/// The 16 ANSI colours with the RGB values xterm uses, for the nearest-colour fallback.
const ANSI16: [(Color, [u8; 3]); 16] = [
    (Color::Black, [0, 0, 0]),
    (Color::Red, [205, 0, 0]),
    (Color::Green, [0, 205, 0]),
    (Color::Yellow, [205, 205, 0]),
    (Color::Blue, [0, 0, 238]),
    (Color::Magenta, [205, 0, 205]),
    (Color::Cyan, [0, 205, 205]),
    (Color::Gray, [229, 229, 229]),
    (Color::DarkGray, [127, 127, 127]),
    (Color::LightRed, [255, 0, 0]),
    (Color::LightGreen, [0, 255, 0]),
    (Color::LightYellow, [255, 255, 0]),
    (Color::LightBlue, [92, 92, 255]),
    (Color::LightMagenta, [255, 0, 255]),
    (Color::LightCyan, [0, 255, 255]),
    (Color::White, [255, 255, 255]),
];

const NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "gray",
    "darkgray",
    "lightred",
    "lightgreen",
    "lightyellow",
    "lightblue",
    "lightmagenta",
    "lightcyan",
    "white",
];

fn color(text: &str, colors: Colors) -> Result<Color, String> {
    let lower = text.trim().to_lowercase().replace(['-', '_', ' '], "");
    if lower == "reset" || lower == "default" {
        return Ok(Color::Reset);
    }
    if let Some(i) = NAMES.iter().position(|n| *n == lower) {
        return Ok(ANSI16[i].0);
    }
    if let Ok(index) = lower.parse::<u8>() {
        return Ok(if colors == Colors::Ansi16 {
            nearest16(indexed_rgb(index))
        } else {
            Color::Indexed(index)
        });
    }
    let rgb = parse_hex(&lower).ok_or_else(|| {
        format!("unknown colour `{text}`; use \"#rrggbb\", a number 0-255, or a name such as \"red\" or \"darkgray\"")
    })?;
    Ok(match colors {
        Colors::TrueColor | Colors::None => Color::Rgb(rgb[0], rgb[1], rgb[2]),
        Colors::Ansi256 => Color::Indexed(nearest256(rgb)),
        Colors::Ansi16 => nearest16(rgb),
    })
}

fn parse_hex(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u32::from(x.abs_diff(y)).pow(2))
        .sum()
}

const CUBE: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The RGB value of a 256-colour palette index.
#[must_use]
pub fn indexed_rgb(index: u8) -> [u8; 3] {
    match index {
        0..16 => ANSI16[usize::from(index)].1,
        16..232 => {
            let i = index - 16;
            [
                CUBE[usize::from(i / 36)],
                CUBE[usize::from(i / 6 % 6)],
                CUBE[usize::from(i % 6)],
            ]
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            [v, v, v]
        }
    }
}

fn nearest256(rgb: [u8; 3]) -> u8 {
    (16..=255)
        .min_by_key(|&i| distance(indexed_rgb(i), rgb))
        .unwrap_or(15)
}

fn nearest16(rgb: [u8; 3]) -> Color {
    ANSI16
        .iter()
        .min_by_key(|(_, c)| distance(*c, rgb))
        .map_or(Color::Reset, |(c, _)| *c)
}

/// The RGB value of any ratatui colour (for screenshots), `None` for the terminal default.
#[must_use]
pub fn rgb_of(color: Color) -> Option<[u8; 3]> {
    match color {
        Color::Reset => None,
        Color::Rgb(r, g, b) => Some([r, g, b]),
        Color::Indexed(i) => Some(indexed_rgb(i)),
        named => ANSI16
            .iter()
            .find(|(c, _)| *c == named)
            .map(|(_, rgb)| *rgb),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_themes_parse_in_every_colour_mode() {
        for (name, text) in SHIPPED {
            for colors in [
                Colors::TrueColor,
                Colors::Ansi256,
                Colors::Ansi16,
                Colors::None,
            ] {
                Theme::parse(name, text, colors).unwrap();
            }
        }
    }

    #[test]
    fn hex_colours_fall_back() {
        assert_eq!(color("#ff0000", Colors::Ansi256), Ok(Color::Indexed(196)));
        assert_eq!(color("#ff0000", Colors::Ansi16), Ok(Color::LightRed));
        let sixteen = Theme::select(None, Colors::Ansi16).unwrap();
        let selection = sixteen.style(Slot::Selection);
        assert!(
            selection.add_modifier.contains(Modifier::REVERSED),
            "{selection:?}"
        );
        assert_eq!(selection.bg, None, "no black-on-black selection");
        assert_eq!(
            color("#ff0000", Colors::TrueColor),
            Ok(Color::Rgb(255, 0, 0))
        );
        assert!(
            color("#ff00", Colors::TrueColor)
                .unwrap_err()
                .contains("`#ff00`")
        );
    }

    #[test]
    fn no_color_strips_every_colour() {
        let theme = Theme::select(Some("default"), Colors::None).unwrap();
        assert_eq!(theme.name, "mono");
        for slot in Slot::iter() {
            assert_eq!((theme.style(slot).fg, theme.style(slot).bg), (None, None));
        }
    }

    #[test]
    fn detection_follows_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            Colors::detect(env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])),
            Colors::None
        );
        assert_eq!(
            Colors::detect(env(&[("COLORTERM", "24bit")])),
            Colors::TrueColor
        );
        assert_eq!(
            Colors::detect(env(&[("TERM", "xterm-256color")])),
            Colors::Ansi256
        );
        assert_eq!(Colors::detect(env(&[("TERM", "vt100")])), Colors::Ansi16);
    }

    #[test]
    fn theme_errors_point_at_the_slot() {
        let err =
            Theme::parse("t.toml", "name = \"x\"\nupp = \"red\"\n", Colors::TrueColor).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("t.toml:2:1: unknown theme slot `upp`; did you mean `up`?"),
            "{text}"
        );
    }
}
