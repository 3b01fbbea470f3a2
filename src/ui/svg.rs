//! Turns a rendered buffer into an SVG picture, colours included (for `screenshots/`).

use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use super::theme::rgb_of;

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
/// The terminal's own colours, used where a cell keeps the default.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub fg: [u8; 3],
    pub bg: [u8; 3],
}

/// A dark terminal.
pub const DARK: Palette = Palette {
    fg: [208, 208, 208],
    bg: [24, 26, 31],
};
/// A light terminal.
pub const LIGHT: Palette = Palette {
    fg: [28, 28, 28],
    bg: [250, 250, 248],
};

fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An SVG of the buffer, one text run per stretch of cells with the same style.
#[must_use]
pub fn render(buffer: &Buffer, palette: Palette) -> String {
    let area = buffer.area;
    let (w, h) = (
        f32::from(area.width) * CELL_W,
        f32::from(area.height) * CELL_H,
    );
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\">\n<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>\n",
        hex(palette.bg)
    );
    for y in 0..area.height {
        let mut x = 0;
        while x < area.width {
            let cell = &buffer[(x, y)];
            let reversed = cell.modifier.contains(Modifier::REVERSED);
            let mut fg = rgb_of(cell.fg).unwrap_or(palette.fg);
            let mut bg = rgb_of(cell.bg);
            if reversed {
                (fg, bg) = (bg.unwrap_or(palette.bg), Some(fg));
            }
            let start = x;
            let mut text = String::new();
            while x < area.width && buffer[(x, y)].style() == cell.style() {
                text.push_str(buffer[(x, y)].symbol());
                x += 1;
            }
            let (px, py) = (f32::from(start) * CELL_W, f32::from(y) * CELL_H);
            if let Some(bg) = bg {
                let width = f32::from(x - start) * CELL_W;
                let _ = writeln!(
                    out,
                    "<rect x=\"{px}\" y=\"{py}\" width=\"{width}\" height=\"{CELL_H}\" fill=\"{}\"/>",
                    hex(bg)
                );
            }
            if !text.trim().is_empty() {
                let weight = if cell.modifier.contains(Modifier::BOLD) {
                    " font-weight=\"bold\""
                } else {
                    ""
                };
                let underline = if cell.modifier.contains(Modifier::UNDERLINED) {
                    " text-decoration=\"underline\""
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "<text x=\"{px}\" y=\"{}\" fill=\"{}\"{weight}{underline} xml:space=\"preserve\" textLength=\"{}\">{}</text>",
                    py + CELL_H - 4.0,
                    hex(fg),
                    f32::from(x - start) * CELL_W,
                    escape(&text)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}
