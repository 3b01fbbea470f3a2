//! `--ascii`: the drawn frame holds no byte above 0x7E. Known symbols get an ASCII look-alike,
//! anything else (user text in other scripts included) a `?`.

use ratatui::buffer::Buffer;

/// The ASCII stand-in for a symbol drawn in one cell.
fn stand_in(symbol: &str) -> &'static str {
    match symbol {
        "·" | "•" | "…" => ".",
        "→" | "▶" | "»" => ">",
        "←" | "◀" | "«" => "<",
        "↑" | "▲" => "^",
        "↓" | "▼" => "v",
        "─" | "━" | "—" | "–" => "-",
        "│" | "┃" => "|",
        "╭" | "╮" | "╰" | "╯" | "┌" | "┐" | "└" | "┘" | "┼" | "├" | "┤" | "┬" | "┴" => {
            "+"
        }
        "●" => "*",
        "✖" | "×" | "✗" => "x",
        "✓" | "✔" => "v",
        "⏎" => "/",
        "█" | "▇" | "▆" => "#",
        "▅" | "▄" => "=",
        "▃" | "▂" => "-",
        "▁" => "_",
        "░" | "▒" | "▓" => ".",
        _ => "?",
    }
}

/// Replaces every non-ASCII symbol of the buffer with its stand-in.
pub fn fold(buffer: &mut Buffer) {
    let mut skip_next = false;
    for cell in &mut buffer.content {
        let symbol = cell.symbol();
        if skip_next && symbol.is_empty() {
            cell.set_symbol(" ");
            skip_next = false;
            continue;
        }
        skip_next = false;
        if symbol.is_ascii() {
            continue;
        }
        skip_next = unicode_width::UnicodeWidthStr::width(symbol) > 1;
        let ascii = stand_in(symbol);
        cell.set_symbol(ascii);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn every_cell_becomes_ascii() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 12, 1));
        buffer.set_string(0, 0, "a·→火●⏎b", ratatui::style::Style::default());
        fold(&mut buffer);
        let line: String = buffer
            .content
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect();
        assert!(line.is_ascii(), "{line}");
        assert!(line.starts_with("a.>? */b"), "{line}");
    }
}
