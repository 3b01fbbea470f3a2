//! A plan's Markdown as an outline: sections under their headings, each holding its paragraphs,
//! lists, tables and code blocks with the plan's line numbers. A paragraph that is only a bold
//! label (`**Response**:`) opens a section of its own, as plans use them for headings.

use pulldown_cmark::{
    CodeBlockKind, Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd,
};

/// A heading and what is under it.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub title: String,
    /// 1 for `#`; bold-label sections sit one below their parent.
    pub level: usize,
    pub line: usize,
    pub blocks: Vec<Block>,
    pub children: Vec<Section>,
    /// Opened by a bold-label paragraph, not a heading.
    pub from_label: bool,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Text),
    List(List),
    Table(Table),
    Code(Code),
}

/// Inline text with its leading bold label split off: `**RTO**: 15 minutes` is label `RTO`,
/// rest `15 minutes`.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub label: Option<String>,
    pub rest: String,
    pub line: usize,
}

impl Text {
    /// The whole text, label first.
    #[must_use]
    pub fn whole(&self) -> String {
        match &self.label {
            Some(label) if self.rest.is_empty() => label.clone(),
            Some(label) => format!("{label}: {}", self.rest),
            None => self.rest.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct List {
    pub ordered: bool,
    pub items: Vec<Item>,
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Item {
    pub text: Text,
    /// Nested lists, code and further paragraphs.
    pub blocks: Vec<Block>,
    pub line: usize,
}

impl List {
    /// A bulleted list of instructions: at least two items, most starting with a verb
    /// (`Scale down the pods`, `Create the PVC`) rather than describing something.
    #[must_use]
    pub fn instructs(&self) -> bool {
        let verbs = self
            .items
            .iter()
            .filter(|i| super::words::is_instruction(&i.text.whole()))
            .count();
        !self.ordered && self.items.len() >= 2 && verbs * 2 > self.items.len()
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub cells: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct Code {
    pub lang: String,
    pub text: String,
    pub line: usize,
    /// The plan ended inside the block (no closing fence).
    pub unclosed: bool,
}

/// Byte offsets to 1-based line numbers.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self(starts)
    }

    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// What is being built while events arrive.
enum Frame {
    List(List),
    Item(Item),
    Table(Table),
}

#[derive(Default)]
struct Inline {
    text: String,
    label: Option<String>,
    in_strong: bool,
    strong: String,
    line: usize,
    active: bool,
}

impl Inline {
    fn start(&mut self, line: usize) {
        if !self.active {
            *self = Self {
                line,
                active: true,
                ..Self::default()
            };
        }
    }

    fn push(&mut self, s: &str) {
        if self.in_strong {
            self.strong.push_str(s);
        } else {
            self.text.push_str(s);
        }
    }

    fn take(&mut self) -> Option<Text> {
        if !self.active {
            return None;
        }
        self.active = false;
        let rest = clean(&self.text);
        let rest = rest
            .strip_prefix(':')
            .map_or(rest.as_str(), str::trim)
            .to_owned();
        let label = self.label.take().map(|l| {
            let l = clean(&l);
            l.trim_end_matches(':').trim().to_owned()
        });
        if rest.is_empty() && label.is_none() {
            return None;
        }
        Some(Text {
            label,
            rest,
            line: self.line,
        })
    }
}

/// Collapses runs of whitespace.
fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Builder<'a> {
    source: &'a str,
    lines: Lines,
    /// Open sections, outermost first; the first is the document.
    sections: Vec<Section>,
    frames: Vec<Frame>,
    inline: Inline,
    heading: Option<(usize, usize)>,
    code: Option<Code>,
    cell: Option<String>,
    row: Vec<String>,
    row_line: usize,
    in_head: bool,
    /// The front matter's text while it is read (`---` YAML or `+++` TOML at the top).
    front_matter: Option<(MetadataBlockKind, String)>,
}

impl Builder<'_> {
    /// The front matter's `title`, as the document's own title.
    fn end_front_matter(&mut self) {
        let Some((kind, text)) = self.front_matter.take() else {
            return;
        };
        let title = match kind {
            MetadataBlockKind::YamlStyle => serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text)
                .ok()
                .and_then(|v| v.get("title").and_then(|t| t.as_str().map(str::to_owned))),
            MetadataBlockKind::PlusesStyle => text
                .parse::<toml::Table>()
                .ok()
                .and_then(|t| t.get("title").and_then(|t| t.as_str().map(str::to_owned))),
        };
        if let (Some(title), Some(root)) = (title, self.sections.first_mut()) {
            root.title = crate::sanitize::one_line(&title);
        }
    }

    fn block(&mut self, block: Block) {
        match self.frames.last_mut() {
            Some(Frame::Item(item)) => item.blocks.push(block),
            Some(Frame::List(_) | Frame::Table(_)) => {}
            None => self.section().blocks.push(block),
        }
    }

    fn section(&mut self) -> &mut Section {
        self.sections.last_mut().expect("the document section")
    }

    /// Ends the paragraph or item text being gathered.
    fn flush(&mut self) {
        let Some(text) = self.inline.take() else {
            return;
        };
        if let Some(Frame::Item(item)) = self.frames.last_mut()
            && item.text.rest.is_empty()
            && item.text.label.is_none()
            && item.blocks.is_empty()
        {
            item.text = text;
            return;
        }
        self.block(Block::Para(text));
    }

    fn close_sections(&mut self, level: usize) {
        while self.sections.len() > 1 && self.sections.last().is_some_and(|s| s.level >= level) {
            let done = self.sections.pop().expect("an open section");
            self.section().children.push(done);
        }
    }

    fn open_section(&mut self, title: String, level: usize, line: usize) {
        self.close_sections(level);
        self.sections.push(Section {
            title,
            level,
            line,
            ..Section::default()
        });
    }

    /// Reads the front matter's events; whether `event` was one.
    fn front_matter_event(&mut self, event: &Event) -> bool {
        match event {
            Event::Start(Tag::MetadataBlock(kind)) => {
                self.front_matter = Some((*kind, String::new()));
            }
            Event::End(TagEnd::MetadataBlock(_)) => self.end_front_matter(),
            Event::Text(text) if self.front_matter.is_some() => {
                if let Some((_, meta)) = self.front_matter.as_mut() {
                    meta.push_str(text);
                }
            }
            _ => return false,
        }
        true
    }

    fn event(&mut self, event: Event, range: std::ops::Range<usize>) {
        let line = self.lines.of(range.start);
        if self.front_matter_event(&event) {
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                self.flush();
                self.heading = Some((heading_level(level), line));
            }
            Event::End(TagEnd::Heading(_)) => {
                let text = self.inline.take().map(|t| t.whole()).unwrap_or_default();
                if let Some((level, line)) = self.heading.take() {
                    self.open_section(text, level, line);
                }
            }
            Event::Start(Tag::Paragraph) => {
                self.flush();
                self.inline.start(line);
            }
            Event::End(TagEnd::Paragraph) => self.end_paragraph(),
            Event::Start(Tag::List(first)) => {
                self.flush();
                self.frames.push(Frame::List(List {
                    ordered: first.is_some(),
                    items: Vec::new(),
                    line,
                }));
            }
            Event::End(TagEnd::List(_)) => {
                self.flush();
                if let Some(Frame::List(list)) = self.frames.pop() {
                    self.block(Block::List(list));
                }
            }
            Event::Start(Tag::Item) => {
                self.flush();
                self.frames.push(Frame::Item(Item {
                    line,
                    ..Item::default()
                }));
                self.inline.start(line);
            }
            Event::End(TagEnd::Item) => {
                self.flush();
                if let Some(Frame::Item(item)) = self.frames.pop()
                    && let Some(Frame::List(list)) = self.frames.last_mut()
                {
                    list.items.push(item);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => self.start_code(kind, range, line),
            Event::End(TagEnd::CodeBlock) => self.end_code(),
            Event::Start(Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
            | Event::End(
                TagEnd::Table | TagEnd::TableHead | TagEnd::TableRow | TagEnd::TableCell,
            ) => {
                self.table_event(&event, line);
            }
            Event::Start(Tag::Strong) if self.cell.is_none() && self.code.is_none() => {
                self.inline.start(line);
                if self.inline.text.trim().is_empty() && self.inline.label.is_none() {
                    self.inline.in_strong = true;
                }
            }
            Event::End(TagEnd::Strong) if self.inline.in_strong => {
                self.inline.in_strong = false;
                self.inline.label = Some(std::mem::take(&mut self.inline.strong));
            }
            Event::Text(text) | Event::Code(text) => self.text(&text, line),
            Event::SoftBreak | Event::HardBreak => self.text(" ", line),
            Event::TaskListMarker(_) => {}
            // A table written in HTML is a table too.
            Event::Start(Tag::HtmlBlock) => {
                if let Some(table) = super::html::table(&self.source[range], line) {
                    self.flush();
                    self.block(Block::Table(table));
                }
            }
            _ => {}
        }
    }

    fn start_code(&mut self, kind: CodeBlockKind, range: std::ops::Range<usize>, line: usize) {
        self.flush();
        let indented = matches!(kind, CodeBlockKind::Indented);
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info
                .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase(),
            CodeBlockKind::Indented => String::new(),
        };
        let fenced = &self.source[range.clone()];
        let closed = fenced.lines().count() > 1
            && fenced.trim_end().rsplit('\n').next().is_some_and(|last| {
                let last = last.trim();
                last.starts_with("```") || last.starts_with("~~~")
            });
        self.code = Some(Code {
            lang,
            text: String::new(),
            line,
            unclosed: !closed && !indented,
        });
    }

    fn table_event(&mut self, event: &Event, line: usize) {
        match event {
            Event::Start(Tag::Table(_)) => {
                self.flush();
                self.frames.push(Frame::Table(Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    line,
                }));
            }
            Event::End(TagEnd::Table) => {
                if let Some(Frame::Table(table)) = self.frames.pop() {
                    self.block(Block::Table(table));
                }
            }
            Event::Start(Tag::TableHead) => {
                self.in_head = true;
                self.row.clear();
            }
            Event::Start(Tag::TableRow) => {
                self.row.clear();
                self.row_line = line;
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => self.end_row(),
            Event::Start(Tag::TableCell) => self.cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let cell = self.cell.take().unwrap_or_default();
                self.row.push(clean(&cell));
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, line: usize) {
        if let Some(code) = self.code.as_mut() {
            code.text.push_str(text);
        } else if let Some(cell) = self.cell.as_mut() {
            cell.push_str(text);
        } else {
            self.inline.start(line);
            self.inline.push(text);
        }
    }

    fn end_paragraph(&mut self) {
        if let Some(text) = self.inline.take() {
            self.inline = Inline {
                text: text.rest,
                label: text.label,
                line: text.line,
                active: true,
                ..Inline::default()
            };
            self.flush();
        }
    }

    fn end_code(&mut self) {
        if let Some(code) = self.code.take() {
            self.block(Block::Code(code));
        }
    }

    fn end_row(&mut self) {
        let cells = std::mem::take(&mut self.row);
        if let Some(Frame::Table(table)) = self.frames.last_mut() {
            if self.in_head {
                table.header = cells;
            } else {
                table.rows.push(Row {
                    cells,
                    line: self.row_line,
                });
            }
        }
        self.in_head = false;
    }
}

fn heading_level(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The plan as an outline. The root section (level 0, no title) holds what comes before the
/// first heading and every top-level section.
#[must_use]
pub fn parse(text: &str) -> Section {
    let mut b = Builder {
        source: text,
        lines: Lines::new(text),
        sections: vec![Section::default()],
        frames: Vec::new(),
        inline: Inline::default(),
        heading: None,
        code: None,
        cell: None,
        row: Vec::new(),
        row_line: 0,
        in_head: false,
        front_matter: None,
    };
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        b.event(event, range);
    }
    b.flush();
    if let Some(code) = b.code.take() {
        b.block(Block::Code(code));
    }
    b.close_sections(1);
    let mut root = b.sections.pop().unwrap_or_default();
    promote_labels(&mut root);
    root
}

/// Splits a section's blocks at paragraphs that are only a bold label (`**Response**:`): each
/// label and the blocks after it become a child section, placed before the heading children.
fn promote_labels(section: &mut Section) {
    for child in &mut section.children {
        promote_labels(child);
    }
    let is_label =
        |b: &Block| matches!(b, Block::Para(t) if t.label.is_some() && t.rest.is_empty());
    if !section.blocks.iter().any(is_label) {
        return;
    }
    let blocks = std::mem::take(&mut section.blocks);
    let mut labelled: Vec<Section> = Vec::new();
    for block in blocks {
        match block {
            Block::Para(Text {
                label: Some(label),
                rest,
                line,
            }) if rest.is_empty() => labelled.push(Section {
                title: label,
                level: section.level + 1,
                line,
                blocks: Vec::new(),
                children: Vec::new(),
                from_label: true,
            }),
            block => match labelled.last_mut() {
                Some(open) => open.blocks.push(block),
                None => section.blocks.push(block),
            },
        }
    }
    labelled.append(&mut section.children);
    section.children = labelled;
}
