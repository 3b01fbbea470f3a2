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

/// Sections whose diagram is not the service's own architecture: its arrows are a process,
/// a flow of data or a hierarchy of backups, not dependencies.
const NOT_ARCHITECTURE: [&str; 14] = [
    "backup",
    "storage tier",
    "retention",
    "process",
    "workflow",
    "flow",
    "escalat",
    "incident",
    "timeline",
    "decision",
    "procedure",
    "lifecycle",
    "monitoring",
    "alert",
];

/// Tools a diagram may show beside the service (its monitoring, paging and chat): never
/// components, and an arrow to or from one is never a dependency.
const TOOLS: [&str; 16] = [
    "grafana",
    "prometheus",
    "alertmanager",
    "datadog",
    "sentry",
    "pagerduty",
    "opsgenie",
    "slack",
    "zoom",
    "teams",
    "jira",
    "statuspage",
    "new relic",
    "splunk",
    "kibana",
    "uptime",
];

/// Whether a diagram's node is a tool, not a part of the service.
#[must_use]
pub fn is_tool(label: &str) -> bool {
    super::words::mentions(label, &TOOLS)
}

/// Reads a diagram's nodes and edges into the draft (labels stand for the nodes), when it is a
/// graph of the service's own architecture; else says why its arrows were not read.
pub fn read(code: &Code, context: &str, draft: &mut Draft) {
    let kind = code
        .text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let why_not = if !matches!(kind.as_str(), "graph" | "flowchart") {
        Some(format!("a `{kind}` diagram"))
    } else if super::words::mentions(context, &NOT_ARCHITECTURE) {
        Some(format!("a diagram under \"{context}\""))
    } else {
        None
    };
    if let Some(why) = why_not {
        draft.report.made(
            code.line,
            format!("{why} is not of the service's architecture: its arrows are not dependencies and its boxes not components"),
        );
        return;
    }
    // Labels by node id, first written wins: linear in the diagram's size.
    let mut labels: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut order: Vec<(String, usize)> = Vec::new();
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
            let bare = parts.len() == 1 && nodes.len() == 1;
            let label = label.clone().or_else(|| bare.then(|| id.clone()));
            if let Some(label) = label
                && !labels.contains_key(id)
            {
                labels.insert(id.clone(), label);
                order.push((id.clone(), line));
            }
        }
        for pair in nodes.windows(2) {
            edges.push((pair[0].0.clone(), pair[1].0.clone(), line));
        }
    }
    let label_of = |id: &str| labels.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let mut tools = 0;
    let mut count = 0;
    for (id, line) in &order {
        let label = label_of(id);
        if is_tool(&label) {
            tools += 1;
            continue;
        }
        count += 1;
        draft.edges.push((label, String::new(), *line));
    }
    let mut read = 0;
    for (from, to, line) in &edges {
        let (from, to) = (label_of(from), label_of(to));
        if !is_tool(&from) && !is_tool(&to) {
            read += 1;
            draft.edges.push((from, to, *line));
        }
    }
    let tools = if tools > 0 {
        format!("; {tools} tools (monitoring, paging, chat) left out with their arrows")
    } else {
        String::new()
    };
    draft.report.made(
        code.line,
        format!("diagram: {count} nodes, {read} edges (`A --> B` read as A depends on B){tools}"),
    );
}

/// The nodes of every diagram read, in order, with their lines (edges with no target are the
/// node declarations).
pub fn nodes(edges: &[(String, String, usize)]) -> Vec<(String, usize)> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<(String, usize)> = Vec::new();
    for (from, to, line) in edges {
        for name in [from, to] {
            if !name.is_empty() && seen.insert(name.as_str()) {
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

    #[test]
    fn only_the_services_architecture_gives_components_and_tools_are_none() {
        let plan = "# Shop DR\n\n## Architecture\n\n```mermaid\ngraph LR\n\
            API[Orders API] --> DB[(Orders DB)]\nAPI --> G[Grafana]\nP[Prometheus] --> API\n```\n\n\
            ## Backup Strategy\n\n```mermaid\ngraph TB\nF[Full backup] --> S3[Glacier tier]\n```\n\n\
            ## Failover\n\n```mermaid\nsequenceDiagram\nA->>B: promote\n```\n";
        let (kit, config) = crate::import::imported(plan);
        let names: Vec<&str> = config
            .lines()
            .filter_map(|l| l.strip_prefix("name = \""))
            .map(|l| l.trim_end_matches('"'))
            .collect();
        assert_eq!(
            names,
            ["Shop", "standard", "Orders API", "Orders DB"],
            "{config}"
        );
        assert!(config.contains("depends_on = [\"orders-db\"]"), "{config}");
        let said: Vec<&str> = kit.report.made.iter().map(|e| e.text.as_str()).collect();
        assert!(
            said.iter()
                .any(|t| t.starts_with("a diagram under \"Backup Strategy\" is not"))
                && said
                    .iter()
                    .any(|t| t.starts_with("a `sequencediagram` diagram is not"))
                && said.iter().any(|t| t
                    .ends_with("2 tools (monitoring, paging, chat) left out with their arrows")),
            "{said:?}"
        );
    }
}
