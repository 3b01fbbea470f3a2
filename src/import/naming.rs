//! The service's name: from the plan's title, else from the product its opening text recovers.

use super::outline::{Block, Section};

/// The service's name: the plan's title (front matter or first heading) without "disaster
/// recovery plan" and the like; where nothing else is left, the product the opening text
/// recovers (`disaster recovery for ArcherDB`, `procedures to recover Catalyze`); else the
/// plan's file name.
pub fn name(root: &Section, file: &str) -> String {
    let first = root
        .children
        .iter()
        .find(|s| s.level == 1)
        .or_else(|| root.children.first());
    let title = if root.title.is_empty() {
        first.map(|s| s.title.clone()).unwrap_or_default()
    } else {
        root.title.clone()
    };
    let name = without_noise(&title);
    if !name.is_empty() {
        return name;
    }
    // The opening: the first paragraphs of the plan, wherever its headings put them.
    let mut opening = Vec::new();
    super::service::walk(root, &mut Vec::new(), &mut |s, _| {
        // A line in bold on its own is a paragraph too (`**Database recovery for Shop**`).
        if s.from_label && opening.len() < 6 {
            opening.push(s.title.clone());
        }
        for block in &s.blocks {
            if let (Block::Para(text), true) = (block, opening.len() < 6) {
                opening.push(text.whole());
            }
        }
    });
    let product = opening.iter().find_map(|t| product_in(t));
    if let Some(product) = product {
        return product;
    }
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
        .unwrap_or_default();
    if stem.trim().is_empty() { title } else { stem }
}

/// Words a plan's title uses for what the plan is, not for what it protects.
const GENERIC: [&str; 26] = [
    "disaster",
    "recovery",
    "recover",
    "business",
    "continuity",
    "plan",
    "plans",
    "policy",
    "procedures",
    "procedure",
    "guide",
    "runbook",
    "playbook",
    "backup",
    "backups",
    "dr",
    "bcp",
    "drp",
    "contingency",
    "emergency",
    "strategy",
    "and",
    "the",
    "of",
    "for",
    "overview",
];

/// The title without what says it is a plan: `Shop Disaster Recovery Plan` → `Shop`;
/// `Backup & Disaster Recovery Plan` → nothing.
fn without_noise(title: &str) -> String {
    let all_generic = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| GENERIC.contains(&w.to_lowercase().as_str()));
    if all_generic {
        return String::new();
    }
    let mut name = title.to_owned();
    for noise in [
        "disaster recovery and business continuity plan",
        "disaster recovery & business continuity",
        "disaster recovery and business continuity",
        "business continuity plan",
        "disaster recovery plan",
        "business continuity",
        "disaster recovery",
        "dr plan",
        "runbook",
        "playbook",
    ] {
        let lower = name.to_lowercase();
        if let Some(at) = lower.find(noise)
            && lower.len() == name.len()
        {
            name.replace_range(at..at + noise.len(), "");
        }
    }
    let name = name.trim_matches(|c: char| c.is_whitespace() || "-–—:|&".contains(c));
    // Plan words left at either end: `Payments Platform DR` → `Payments Platform`.
    let generic = |w: &str| GENERIC.contains(&w.to_lowercase().as_str());
    let words: Vec<&str> = name.split_whitespace().collect();
    let first = words.iter().position(|w| !generic(w)).unwrap_or(0);
    let last = words
        .iter()
        .rposition(|w| !generic(w))
        .map_or(words.len(), |l| l + 1);
    let kept = words[first..last.max(first)].join(" ");
    let name = if kept.is_empty() { name } else { kept.as_str() };
    // A parenthesis is trimmed only whole: `Values (RTO/RPO)` keeps its closing one.
    let name = match name.strip_prefix('(').and_then(|n| n.strip_suffix(')')) {
        Some(inner) if !inner.contains(['(', ')']) => inner,
        _ => name,
    };
    name.trim().to_owned()
}

/// The product a sentence says is recovered: the name after `recovery … for`, `recover` or
/// `restore` (`disaster recovery for ArcherDB using` → `ArcherDB`), when it looks like a name
/// (capitalised, or written with a hyphen, dot or digit: `dcyfr-labs`).
fn product_in(text: &str) -> Option<String> {
    const CONTEXT: [&str; 10] = [
        "recovery",
        "continuity",
        "backup",
        "failover",
        "plan",
        "strategy",
        "procedures",
        "runbook",
        "guide",
        "policy",
    ];
    let words: Vec<&str> = text.split_whitespace().collect();
    let clean = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned();
    let looks_named = |w: &str| {
        w.chars().count() >= 3
            && w.chars().next().is_some_and(char::is_alphabetic)
            && (w.chars().next().is_some_and(char::is_uppercase)
                || w.contains(['-', '.'])
                || w.chars().any(|c| c.is_ascii_digit()))
            && !GENERIC.contains(&w.to_lowercase().as_str())
            && !matches!(
                w.to_lowercase().as_str(),
                "the" | "a" | "an" | "this" | "your" | "our" | "all" | "its" | "their"
            )
    };
    (0..words.len()).find_map(|i| {
        let word = clean(words[i]).to_lowercase();
        let after_context = (word == "for" || word == "of")
            && words[i.saturating_sub(3)..i]
                .iter()
                .any(|w| CONTEXT.contains(&clean(w).to_lowercase().as_str()));
        let verb = word == "recover" || word == "restore";
        let next = clean(words.get(i + 1)?);
        ((after_context || verb) && looks_named(&next)).then_some(next)
    })
}

/// What the plan's title says it recovers: the words before `disaster recovery`, `recovery`,
/// `backup` or `restore` in the title or the bold line under it (`**Database Disaster Recovery
/// Procedures for RoleRabbit**` → `Database`), when they are not the service or plan words.
pub fn subject(root: &Section, service: &str) -> Option<String> {
    let first = root.children.iter().find(|s| s.level == 1);
    let subtitle = first
        .and_then(|s| s.children.first())
        .filter(|s| s.from_label && s.line <= first.map_or(0, |f| f.line) + 4)
        .map(|s| s.title.as_str());
    let titles = [
        Some(root.title.as_str()),
        first.map(|s| s.title.as_str()),
        subtitle,
    ];
    titles.into_iter().flatten().find_map(|title| {
        let lower = title.to_lowercase();
        let at = ["disaster recovery", "recovery", "backup", "restore"]
            .iter()
            .filter_map(|w| lower.find(w))
            .min()?;
        if lower.len() != title.len() {
            return None;
        }
        let before: Vec<&str> = title[..at]
            .split_whitespace()
            .filter(|w| !GENERIC.contains(&w.to_lowercase().as_str()))
            .filter(|w| !w.eq_ignore_ascii_case(service))
            .collect();
        (!before.is_empty() && before.len() <= 3).then(|| before.join(" "))
    })
}

#[cfg(test)]
mod tests {
    use super::name;
    use crate::import::outline::parse;

    #[test]
    fn the_name_is_the_title_without_plan_words_else_the_product_the_opening_recovers() {
        let named = |plan: &str| name(&parse(plan), "plans/shop-dr.md");
        assert_eq!(named("# Shop Disaster Recovery Plan\n\ntext\n"), "Shop");
        assert_eq!(
            named(
                "# Disaster Recovery Procedures\n\nThis guide covers disaster recovery for ArcherDB using replicas.\n"
            ),
            "ArcherDB"
        );
        assert_eq!(
            named(
                "# Backup & Disaster Recovery Plan\n\n## Summary\n\nThe backup strategy for dcyfr-labs, using tools.\n"
            ),
            "dcyfr-labs"
        );
        assert_eq!(
            named(
                "# Disaster Recover Policy\n\nProcedures to recover Catalyze following a disaster.\n"
            ),
            "Catalyze"
        );
        assert_eq!(
            named("---\ntitle: Ledger failover\nweight: 3\n---\n\nSome text.\n"),
            "Ledger failover",
            "the front matter's title, not a heading made of its lines"
        );
        assert_eq!(
            named("# BIA – Target Values (RTO/RPO)\n"),
            "BIA – Target Values (RTO/RPO)"
        );
        // Nothing named: the file's name.
        assert_eq!(
            named("# Disaster Recovery\n\nTo recover v2 keys, see the guide.\n"),
            "shop dr"
        );
    }
}
