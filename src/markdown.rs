//! Markdown as plain text that keeps every word: `CommonMark` with GitHub's extensions (tables, task
//! lists, strikethrough, footnotes, alerts) written out for a terminal, `runbook show` and the
//! review alike. Headings keep their level, lists their markers and numbers, tables their
//! columns, code its indentation, links their address; HTML and template tags are shown as text.
//!
//! The writer is fed pulldown-cmark's events one at a time, so a reader (the runbook parser) can
//! take what it has written so far at any point, such as where a command stands in a list, and
//! carry on with the same lists and quotes open.

use pulldown_cmark::{Alignment, BlockQuoteKind, CodeBlockKind, Event, Options, Tag, TagEnd};

/// The Markdown extensions warroom reads: GitHub's, and heading attributes.
#[must_use]
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Renders a whole Markdown text.
#[must_use]
pub fn render(markdown: &str) -> String {
    let mut writer = Writer::default();
    let mut gaps = Gaps::default();
    for (event, range) in pulldown_cmark::Parser::new_ext(markdown, options()).into_offset_iter() {
        if let Some(unread) = gaps.before(&event, &range, markdown) {
            writer.unread(unread);
        }
        writer.event_from(&event, &markdown[range]);
    }
    if let Some(unread) = gaps.rest(markdown) {
        writer.unread(unread);
    }
    writer.take()
}

/// Text between top-level blocks that no event tells of: link reference definitions (also the
/// `[//]: # (comment)` idiom, and a label defined twice), which a reader must still show.
#[derive(Debug, Default)]
pub struct Gaps {
    open: usize,
    end: usize,
}

impl Gaps {
    /// The unread text before `event` (at `range` of `doc`), if any.
    pub fn before<'d>(
        &mut self,
        event: &Event,
        range: &std::ops::Range<usize>,
        doc: &'d str,
    ) -> Option<&'d str> {
        let unread = (self.open == 0 && range.start > self.end)
            .then(|| doc[self.end..range.start].trim())
            .filter(|t| !t.is_empty());
        match event {
            Event::Start(_) => self.open += 1,
            Event::End(_) => self.open = self.open.saturating_sub(1),
            _ => {}
        }
        self.end = self.end.max(range.end);
        unread
    }

    /// The unread text after the last event.
    #[must_use]
    pub fn rest<'d>(&self, doc: &'d str) -> Option<&'d str> {
        Some(doc.get(self.end..)?.trim()).filter(|t| !t.is_empty())
    }
}

/// The cells of a table row as written, `|` apart (escaped `\|` and code aside).
fn source_cells(row: &str) -> Vec<&str> {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = row.strip_suffix('|').unwrap_or(row);
    let mut cells = Vec::new();
    let (mut start, mut escaped, mut in_code) = (0, false, false);
    for (i, c) in row.char_indices() {
        match c {
            '\\' if !escaped => {
                escaped = true;
                continue;
            }
            '`' if !escaped => in_code = !in_code,
            '|' if !escaped && !in_code => {
                cells.push(row[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
        escaped = false;
    }
    cells.push(row[start..].trim());
    cells
}

/// One open list: its next number when ordered.
#[derive(Debug, Clone, Copy)]
struct List {
    next: Option<u64>,
}

/// A table being read: its rows of cells, the header row first.
#[derive(Debug, Default)]
struct Table {
    align: Vec<Alignment>,
    rows: Vec<Vec<String>>,
}

/// Writes Markdown events as plain text.
// Four independent facts about where the output stands; an enum would not say them better.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// What every line starts with here: list indentation and quote marks.
    prefix: Vec<String>,
    /// The line being written has text (else the next text starts a line, prefix first).
    mid_line: bool,
    lists: Vec<List>,
    table: Option<Table>,
    /// Text of the table cell being read.
    cell: Option<String>,
    /// Addresses of the links and images open, written after their text.
    links: Vec<String>,
    /// Blank lines owed before the next block.
    gap: bool,
    /// A list item's marker was just written: its first block goes on the marker's line.
    fresh_item: bool,
    /// The code block open is fenced (its closing fence is written at its end).
    fenced: bool,
    /// Where each open list item starts in the output.
    item_starts: Vec<usize>,
    /// The HTML block being read, piece by piece: written at its end unless it is only a
    /// comment (`<!-- plan line 12 -->`), which no Markdown reader shows.
    html: Option<Vec<String>>,
}

/// Whether an HTML block is only comments: `<!-- ... -->`, once or several times.
#[must_use]
pub fn is_html_comment(html: &str) -> bool {
    let mut rest = html.trim();
    while let Some(after) = rest.strip_prefix("<!--") {
        let Some(end) = after.find("-->") else {
            return false;
        };
        rest = after[end + 3..].trim_start();
    }
    rest.is_empty() && html.trim().starts_with("<!--")
}

impl Writer {
    /// What has been written since the last `take`.
    pub fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.out);
        self.mid_line = false;
        self.gap = false;
        self.item_starts.clear();
        text.trim_start_matches('\n').trim_end().to_owned()
    }

    /// Whether nothing has been written since the last `take`.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.out.trim().is_empty()
    }

    /// Writes one event whose source text is `source`: a table row keeps the cells GitHub's
    /// tables leave out (those past the header's columns).
    pub fn event_from(&mut self, event: &Event, source: &str) {
        if let Event::End(TagEnd::TableRow | TagEnd::TableHead) = event
            && let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut())
        {
            let cells = source_cells(source);
            row.extend(cells.iter().skip(row.len()).map(|c| (*c).to_owned()));
        }
        self.event(event);
    }

    /// Writes text the events did not tell of, as written, as a block of its own.
    pub fn unread(&mut self, text: &str) {
        self.block();
        self.raw_lines(text);
        self.end_block();
    }

    /// Writes one event.
    pub fn event(&mut self, event: &Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(text) => self.text(text),
            Event::Code(code) => self.text(&format!("`{code}`")),
            Event::InlineMath(math) => self.text(&format!("${math}$")),
            Event::DisplayMath(math) => self.text(&format!("$${math}$$")),
            Event::Html(html) => match self.html.as_mut() {
                Some(pieces) => pieces.push(html.to_string()),
                None => self.raw_lines(html),
            },
            Event::InlineHtml(html) => self.text(html),
            Event::FootnoteReference(name) => self.text(&format!("[^{name}]")),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.newline(),
            Event::Rule => {
                self.block();
                self.text("---");
                self.end_block();
            }
            Event::TaskListMarker(done) => self.text(if *done { "[x] " } else { "[ ] " }),
        }
    }

    fn start(&mut self, tag: &Tag) {
        match tag {
            Tag::Paragraph => self.block(),
            Tag::Heading { level, .. } => {
                self.block();
                self.text(&format!("{} ", "#".repeat(*level as usize)));
            }
            Tag::BlockQuote(kind) => {
                self.block();
                self.prefix.push("> ".into());
                if let Some(kind) = kind {
                    self.text(alert_label(*kind));
                    self.newline();
                }
            }
            Tag::CodeBlock(kind) => {
                self.block();
                self.fenced = matches!(kind, CodeBlockKind::Fenced(_));
                if let CodeBlockKind::Fenced(info) = kind {
                    self.text(&format!("```{info}"));
                    self.newline();
                }
                self.prefix.push(match kind {
                    CodeBlockKind::Indented => "    ".into(),
                    CodeBlockKind::Fenced(_) => String::new(),
                });
            }
            Tag::HtmlBlock => self.html = Some(Vec::new()),
            Tag::List(first) => {
                if self.lists.is_empty() {
                    self.block();
                }
                self.lists.push(List { next: *first });
            }
            Tag::Item => self.item(),
            Tag::FootnoteDefinition(name) => {
                self.block();
                self.text(&format!("[^{name}]: "));
            }
            Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                self.block();
            }
            Tag::Table(align) => {
                self.block();
                self.table = Some(Table {
                    align: align.clone(),
                    rows: Vec::new(),
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.cell = Some(String::new()),
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript => {}
            Tag::Link { dest_url, .. } => self.links.push(dest_url.to_string()),
            Tag::Image { dest_url, .. } => {
                self.text("[image: ");
                self.links.push(dest_url.to_string());
            }
            Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::HtmlBlock => {
                let pieces = self.html.take().unwrap_or_default();
                if !is_html_comment(&pieces.concat()) {
                    self.block();
                    for piece in &pieces {
                        self.raw_lines(piece);
                    }
                    self.end_block();
                }
            }
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => self.end_block(),
            TagEnd::BlockQuote(_) => {
                self.prefix.pop();
                self.end_block();
            }
            TagEnd::CodeBlock => {
                self.prefix.pop();
                if self.mid_line {
                    self.newline();
                }
                if std::mem::take(&mut self.fenced) {
                    self.text("```");
                }
                self.end_block();
            }
            TagEnd::List(_) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.end_block();
                }
            }
            TagEnd::Item => {
                self.item_starts.pop();
                self.prefix.pop();
                if self.mid_line {
                    self.newline();
                }
            }
            TagEnd::Table => self.table_end(),
            TagEnd::TableHead | TagEnd::TableRow => {}
            TagEnd::TableCell => {
                let cell = self.cell.take().unwrap_or_default();
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(cell.trim().to_owned());
                }
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::MetadataBlock(_) => {}
            TagEnd::Link => {
                if let Some(url) = self.links.pop().filter(|u| !u.is_empty()) {
                    self.text(&format!(" ({url})"));
                }
            }
            TagEnd::Image => {
                let url = self.links.pop().unwrap_or_default();
                self.text(&format!("] ({url})"));
            }
        }
    }

    /// A list item: a new line, its marker, and the indentation its lines keep.
    fn item(&mut self) {
        if self.mid_line {
            self.newline();
        }
        if std::mem::take(&mut self.gap) {
            self.newline();
        }
        let marker = match self.lists.last_mut() {
            Some(List { next: Some(n) }) => {
                let marker = format!("{n}. ");
                *n += 1;
                marker
            }
            _ => "- ".to_owned(),
        };
        self.item_starts.push(self.out.len());
        self.text(&marker);
        self.prefix.push(" ".repeat(marker.len()));
        self.fresh_item = true;
    }

    /// Takes back the list item being written, marker and all (its reader keeps it apart, as a
    /// runbook keeps a task item as a check).
    pub fn drop_item(&mut self) {
        if let Some(start) = self.item_starts.pop() {
            self.out.truncate(start);
            self.prefix.pop();
            self.mid_line = false;
            self.fresh_item = false;
        }
    }

    /// Starts a block: a blank line after the one before, unless inside a tight list item.
    fn block(&mut self) {
        if std::mem::take(&mut self.fresh_item) {
            self.gap = false;
            return;
        }
        if self.mid_line {
            self.newline();
        }
        if self.gap {
            self.newline();
            self.gap = false;
        }
    }

    fn end_block(&mut self) {
        if self.mid_line {
            self.newline();
        }
        self.gap = true;
    }

    fn newline(&mut self) {
        if let Some(cell) = &mut self.cell {
            cell.push(' ');
            return;
        }
        // Quote marks stay on blank lines; indentation does not.
        let marks: String = self
            .prefix
            .iter()
            .filter(|p| p.starts_with('>'))
            .map(String::as_str)
            .collect();
        if !self.mid_line && !marks.is_empty() {
            self.out.push_str(marks.trim_end());
        }
        self.out.push('\n');
        self.mid_line = false;
    }

    /// Writes text, starting each line with the prefix.
    fn text(&mut self, text: &str) {
        if let Some(cell) = &mut self.cell {
            cell.push_str(text);
            return;
        }
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                self.newline();
            }
            if piece.is_empty() {
                continue;
            }
            if !self.mid_line {
                let prefix: String = self.prefix.concat();
                self.out.push_str(&prefix);
                self.mid_line = true;
            }
            self.out.push_str(piece);
            self.fresh_item = false;
        }
    }

    /// HTML (and template tags) as written, line by line.
    fn raw_lines(&mut self, html: &str) {
        self.text(html.strip_suffix('\n').unwrap_or(html));
        if html.ends_with('\n') {
            self.newline();
        }
    }

    /// A finished table, its columns padded to their widest cell.
    fn table_end(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        let width = |c: usize| {
            table
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| unicode_width::UnicodeWidthStr::width(s.as_str()))
                .max()
                .unwrap_or(0)
                .max(3)
        };
        let widths: Vec<usize> = (0..columns).map(width).collect();
        for (n, row) in table.rows.iter().enumerate() {
            let cells: Vec<String> = widths
                .iter()
                .enumerate()
                .map(|(c, w)| {
                    pad(
                        row.get(c).map_or("", String::as_str),
                        *w,
                        table.align.get(c),
                    )
                })
                .collect();
            self.text(&format!("| {} |", cells.join(" | ")));
            self.newline();
            if n == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                self.text(&format!("| {} |", rule.join(" | ")));
                self.newline();
            }
        }
        self.gap = true;
    }
}

/// A cell padded to `width` columns, as its column is aligned.
fn pad(text: &str, width: usize, align: Option<&Alignment>) -> String {
    let room = width.saturating_sub(unicode_width::UnicodeWidthStr::width(text));
    match align {
        Some(Alignment::Right) => format!("{}{text}", " ".repeat(room)),
        Some(Alignment::Center) => {
            format!(
                "{}{text}{}",
                " ".repeat(room / 2),
                " ".repeat(room - room / 2)
            )
        }
        _ => format!("{text}{}", " ".repeat(room)),
    }
}

/// The label a GitHub alert (`> [!WARNING]`) opens with.
fn alert_label(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "NOTE",
        BlockQuoteKind::Tip => "TIP",
        BlockQuoteKind::Important => "IMPORTANT",
        BlockQuoteKind::Warning => "WARNING",
        BlockQuoteKind::Caution => "CAUTION",
    }
}

#[cfg(test)]
mod tests;
