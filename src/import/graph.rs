//! Architecture diagrams in Mermaid (`graph TB`, `flowchart LR`): nodes with their labels and
//! `A --> B` edges, read as "A depends on B".

use super::Draft;
use super::outline::Code;

/// A node as written: `S1[Supabase Primary]`, `DB[(Postgres)]`, `api`.
fn node(token: &str) -> Option<(String, Option<String>)> {
    let token = token.trim().trim_end_matches(';').trim();
    let id_len = token
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(token.len());
    let id = &token[..id_len];
    if id.is_empty() {
        return None;
    }
    let rest = token[id_len..].trim();
    let label = rest
        .trim_start_matches(['[', '(', '{', '>', '/', '\\'])
        .trim_end_matches([']', ')', '}', '/', '\\'])
        .trim()
        .trim_matches('"')
        .trim();
    let label = (!label.is_empty()).then(|| label.to_owned());
    Some((id.to_owned(), label))
}

/// Splits a line at its arrows (`-->`, `---`, `-.->`, `==>`, `--o`, with `|text|` labels).
fn split_edges(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut parts = vec![String::new()];
    let mut i = 0;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '[' | '(' | '{' => depth += 1,
            ']' | ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let arrow_start = depth == 0
            && (c == '-' || c == '=')
            && chars
                .get(i + 1)
                .is_some_and(|n| matches!(n, '-' | '=' | '.'));
        if !arrow_start {
            parts.last_mut().expect("a part").push(c);
            i += 1;
            continue;
        }
        while i < chars.len() && matches!(chars[i], '-' | '=' | '.' | '>' | 'o' | 'x') {
            if matches!(chars[i], 'o' | 'x')
                && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
            {
                break;
            }
            i += 1;
        }
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
        if chars.get(i) == Some(&'|') {
            i += 1;
            while i < chars.len() && chars[i] != '|' {
                i += 1;
            }
            i += 1;
        }
        parts.push(String::new());
    }
    parts
}

/// Reads a diagram's nodes and edges into the draft (labels stand for the nodes).
pub fn read(code: &Code, draft: &mut Draft) {
    let mut labels: Vec<(String, String, usize)> = Vec::new();
    let mut edges: Vec<(String, String, usize)> = Vec::new();
    for (i, raw) in code.text.lines().enumerate() {
        let line = code.line + 1 + i;
        let text = raw.trim();
        let keyword = text.split_whitespace().next().unwrap_or_default();
        if text.is_empty()
            || text.starts_with("%%")
            || matches!(
                keyword,
                "graph"
                    | "flowchart"
                    | "subgraph"
                    | "end"
                    | "classDef"
                    | "class"
                    | "style"
                    | "linkStyle"
                    | "click"
                    | "direction"
            )
        {
            continue;
        }
        let parts = split_edges(text);
        let nodes: Vec<(String, Option<String>)> = parts.iter().filter_map(|p| node(p)).collect();
        for (id, label) in &nodes {
            if let Some(label) = label
                && !labels.iter().any(|(known, _, _)| known == id)
            {
                labels.push((id.clone(), label.clone(), line));
            }
        }
        for pair in nodes.windows(2) {
            edges.push((pair[0].0.clone(), pair[1].0.clone(), line));
        }
        if parts.len() == 1 && nodes.len() == 1 && nodes[0].1.is_none() {
            labels.push((nodes[0].0.clone(), nodes[0].0.clone(), line));
        }
    }
    let label_of = |id: &str| {
        labels
            .iter()
            .find(|(known, _, _)| known == id)
            .map_or_else(|| id.to_owned(), |(_, l, _)| l.clone())
    };
    let count = labels.len();
    for (id, label, line) in &labels {
        draft.edges.push((label.clone(), String::new(), *line));
        let _ = id;
    }
    for (from, to, line) in &edges {
        draft.edges.push((label_of(from), label_of(to), *line));
    }
    draft.report.made(
        code.line,
        format!(
            "diagram: {count} nodes, {} edges (`A --> B` read as A depends on B)",
            edges.len()
        ),
    );
}

/// The nodes of every diagram read, in order, with their lines (edges with no target are the
/// node declarations).
pub fn nodes(edges: &[(String, String, usize)]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (from, to, line) in edges {
        for name in [from, to] {
            if !name.is_empty() && !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), *line));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_and_arrows() {
        assert_eq!(
            node("S1[Supabase Primary]"),
            Some(("S1".into(), Some("Supabase Primary".into())))
        );
        assert_eq!(
            node("DB[(Postgres)]").unwrap().1.as_deref(),
            Some("Postgres")
        );
        let parts = split_edges("A[Web] -->|calls| B[API] --> C");
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert_eq!(split_edges("V1 --> S1").len(), 2);
        assert_eq!(split_edges("X[Read-replica] -.-> Y").len(), 2);
    }
}
