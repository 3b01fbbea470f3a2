//! Tables written in HTML inside Markdown (documentation sites do: `<table><tr><td>SEV-1</td>…`),
//! read as the tables written in Markdown are: a header and rows of plain text cells.

use super::outline::{Row, Table};

/// The table in an HTML block, if it holds one. `line` is the block's first line.
#[must_use]
pub fn table(html: &str, line: usize) -> Option<Table> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<table")?;
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut at = start;
    // Lines are counted from the last row on, not from the start each time: linear in the table.
    let (mut counted, mut row_line) = (0, line);
    while let Some(found) = lower[at..].find("<tr") {
        let row_start = at + found;
        let row_end = lower[row_start..]
            .find("</tr")
            .map_or(lower.len(), |e| row_start + e);
        let cells = cells(&html[row_start..row_end], &lower[row_start..row_end]);
        let heads = lower[row_start..row_end].contains("<th");
        row_line += html[counted..row_start].matches('\n').count();
        counted = row_start;
        if heads && header.is_empty() {
            header = cells;
        } else if !cells.is_empty() {
            rows.push(Row {
                cells,
                line: row_line,
            });
        }
        at = row_end.max(row_start + 3);
    }
    (!header.is_empty() && !rows.is_empty()).then_some(Table { header, rows, line })
}

/// The text of each `<td>` or `<th>` of a row: its first paragraph, tags left out.
fn cells(row: &str, lower: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = [lower[at..].find("<td"), lower[at..].find("<th")]
        .into_iter()
        .flatten()
        .min()
    {
        let open = at + found;
        let Some(content) = lower[open..].find('>').map(|e| open + e + 1) else {
            break;
        };
        let end = [lower[content..].find("</td"), lower[content..].find("</th")]
            .into_iter()
            .flatten()
            .min()
            .map_or(row.len(), |e| content + e);
        let inner = &row[content..end];
        let first = inner
            .to_ascii_lowercase()
            .find("</p>")
            .map_or(inner, |p| &inner[..p]);
        out.push(text_of(first));
        at = end.max(open + 3);
    }
    out
}

/// Text without tags, entities decoded, white space collapsed.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn an_html_table_reads_as_a_header_and_rows_of_text() {
        let html = "<table class=\"custom\">\n  <thead>\n    <tr>\n      <th>Severity</th>\n      <th>Description</th>\n    </tr>\n  </thead>\n  <tbody>\n    <tr>\n      <td class=\"sev-1\">SEV-1</td>\n      <td>\n        <p class=\"intent\">Critical issue &amp; public notice.</p>\n        <ul><li>detail</li></ul>\n      </td>\n    </tr>\n    <tr>\n      <td>SEV-2</td><td>Major issue</td>\n    </tr>\n  </tbody>\n</table>\n";
        let t = table(html, 10).unwrap();
        assert_eq!(t.header, ["Severity", "Description"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[0].cells,
            ["SEV-1", "Critical issue & public notice."]
        );
        assert_eq!(t.rows[0].line, 18);
        assert_eq!(t.rows[1].cells, ["SEV-2", "Major issue"]);
        assert!(table("<div>no table</div>", 1).is_none());
        assert!(table("<table><tr><td>unclosed", 1).is_none(), "no header");
    }
}
