//! Real public runbooks (tests/fixtures/runbooks-wild, see SOURCES there) read as they are:
//! each validates without a word changed, and `runbook show` keeps every word of its text.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

fn corpus() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runbooks-wild");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.display().to_string(), text)
        })
        .collect();
    files.sort();
    files
}

/// The words of a text: runs of letters and digits.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The text after the front matter, if any, without what names or labels rather than says:
/// heading attributes (`## Owner {#owner}`) and code fences' info strings (```` ```shell ````, shown
/// for a command as what runs it); and without HTML comments standing as blocks of their own
/// (`<!--DS: text for another edition-->`), which no Markdown reader shows.
fn body(text: &str) -> String {
    let attributes = regex::Regex::new(r"(?m)^(#+ .*?)\s*\{[^}]*\}\s*$").unwrap();
    let fences = regex::Regex::new(r"(?m)^(\s*(```|~~~)).*$").unwrap();
    let comments = regex::Regex::new(r"(?ms)^<!--.*?-->[ \t]*$").unwrap();
    let text = comments.replace_all(after_front_matter(text), "");
    let text = attributes.replace_all(&text, "$1");
    fences.replace_all(&text, "$1").into_owned()
}

fn after_front_matter(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for fence in ["---", "+++"] {
        if let Some(rest) = text.strip_prefix(fence).and_then(|r| r.strip_prefix('\n'))
            && let Some(end) = rest.find(&format!("\n{fence}"))
        {
            return &rest[end + fence.len() + 1..];
        }
    }
    text
}

#[test]
fn the_corpus_is_large_and_varied() {
    let sources = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runbooks-wild/SOURCES"),
    )
    .unwrap();
    let projects: BTreeSet<&str> = sources
        .lines()
        .filter_map(|l| l.split('\t').nth(1))
        .collect();
    assert!(corpus().len() >= 20, "{} runbooks", corpus().len());
    assert!(projects.len() >= 8, "{projects:?}");
}

#[test]
fn every_runbook_validates_as_it_is() {
    let failures: Vec<String> = corpus()
        .iter()
        .filter_map(|(name, text)| {
            warroom::runbook::parse(name, text)
                .err()
                .map(|e| format!("{name}: {}", e.0[0]))
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn runbook_show_keeps_every_word() {
    let mut lost = Vec::new();
    for (name, text) in corpus() {
        let Ok(runbook) = warroom::runbook::parse(&name, &text) else {
            continue;
        };
        // A word may be joined to its neighbour once markup is gone (Chinese, `a[b](c)`).
        let shown = warroom::runbook::show(&runbook);
        let missing: Vec<String> = words(&body(&text))
            .into_iter()
            .filter(|w| !shown.contains(w.as_str()))
            .collect();
        if !missing.is_empty() {
            lost.push(format!("{name}: {} words lost: {missing:?}", missing.len()));
        }
    }
    assert!(lost.is_empty(), "{lost:#?}");
}

/// Parses and shows `text`; a runbook that cannot be read says so with its file and line.
fn read_or_say(name: &str, text: &str) -> Result<String, String> {
    match warroom::runbook::parse(name, text) {
        Ok(runbook) => Ok(warroom::runbook::show(&runbook)),
        Err(invalid) => {
            let said = invalid.to_string();
            assert!(said.starts_with(&format!("{name}:")), "{said}");
            Err(said)
        }
    }
}

#[test]
fn hostile_runbooks_are_read_or_refused_never_a_panic() {
    let corpus = corpus();
    let big = corpus
        .iter()
        .map(|(_, t)| body(t))
        .collect::<Vec<_>>()
        .join("\n")
        .repeat(40);
    assert!(big.len() > 5_000_000, "{}", big.len());
    let shown = read_or_say("big.md", &big).unwrap();
    assert!(shown.len() > 4_000_000, "a 5 MB runbook is shown whole");

    let mut items = String::new();
    for i in 0..100_000 {
        let _ = writeln!(items, "{}. item {i}", i + 1);
    }
    let shown = read_or_say("items.md", &format!("# Many\n\n{items}")).unwrap();
    assert!(shown.contains("item 99999"));

    let mut deep = String::new();
    for d in 0..500 {
        let _ = writeln!(deep, "{}- level {d}", "  ".repeat(d));
    }
    let shown = read_or_say("deep.md", &format!("## Deep\n\n{deep}")).unwrap();
    assert!(shown.contains("level 499"));
    let quotes = format!("## Quoted\n\n{} deepest\n", ">".repeat(500));
    assert!(
        read_or_say("quotes.md", &quotes)
            .unwrap()
            .contains("deepest")
    );
    let yaml = format!(
        "---\ntitle: {}x{}\n---\n\n## S\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let _ = read_or_say("yaml.md", &yaml);

    let (name, text) = &corpus[0];
    let crlf = text.replace('\n', "\r\n");
    let lf = read_or_say(name, text).unwrap();
    let from_crlf = read_or_say(name, &crlf).unwrap();
    assert_eq!(words(&lf), words(&from_crlf), "CRLF reads as LF");
    let bom = format!("\u{feff}{text}");
    assert_eq!(read_or_say(name, &bom).unwrap(), lf, "a BOM is not text");

    let hostile = "## Step\n\n\tTabbed \u{1b}[31mred\u{1b}[0m and \u{202e}reversed\u{202c} \u{7}bell\n\n```sh\necho \u{1b}]0;title\u{7}\n```\n";
    let shown =
        warroom::sanitize::sanitize(&read_or_say("hostile.md", hostile).unwrap()).into_owned();
    assert!(
        !shown
            .chars()
            .any(|c| c.is_control() && c != '\n' || ('\u{202a}'..='\u{202e}').contains(&c)),
        "no raw control byte or bidi override is shown: {shown:?}"
    );
}
