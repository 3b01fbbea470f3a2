//! What a drawn cell may hold, checked on the whole frame after drawing: never a control or
//! format character (the last guard behind the sanitiser every widget calls), and with `--ascii`
//! no byte above 0x7E (known symbols get an ASCII look-alike, anything else a `?`).

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

/// Replaces any cell holding a control or format character with a visible `?`.
pub fn guard(buffer: &mut Buffer) {
    for cell in &mut buffer.content {
        if cell.symbol().chars().any(crate::sanitize::is_hazard) {
            cell.set_symbol("?");
        }
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
    fn no_cell_keeps_a_control_character() {
        let mut buffer = Buffer::empty(Rect::new(0, 0, 4, 1));
        buffer.content[1].set_symbol("\u{1b}");
        buffer.content[2].set_symbol("a\u{202e}");
        guard(&mut buffer);
        let line: String = buffer
            .content
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect();
        assert_eq!(line, " ?? ");
    }

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
