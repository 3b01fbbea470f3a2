//! Hostile plans: fragments of every shape the importer reads, shuffled and cut anywhere. The
//! importer never panics, and every file of a kit stays inside the kit.

use proptest::prelude::*;

const FRAGMENTS: [&str; 28] = [
    "# Shop Disaster Recovery Plan",
    "## Recovery Scenarios",
    "### Scenario 1: Database loss",
    "### Step 1.1 — Check replication",
    "| Component | Tier | RTO | RPO |\n|---|---|---|---|\n| DB | critical | 1h | 5m |",
    "| Service Tier | RTO | RPO |\n|---|---|---|\n| Critical (Auth, API) | 1 hour | 0 |",
    "| Level | Responsible | Response Time |\n|---|---|---|\n| 1 | IT Ops | 4 hours |",
    "| Step | Action | Owner |\n|---|---|---|\n| 1 | Declare | IC |",
    "1. Restore the dump\n   1. Fetch it\n\n      ```bash\n      ls\n      ```",
    "- Scale down the pods\n- If it fails, restart it",
    "- **Primary:** Ann\n- **Secondary:** Bob",
    "**Level 1**: DBA engaged (0-30 min)",
    "**RTO** (Recovery Time Objective): < 1 hour",
    "```mermaid\ngraph LR\nA[API] --> B[(DB)]\nB --> G[Grafana]\n```",
    "```typescript\ninterface T { a: string }\nexport const tiers: T[] = [{ name: 'Tier 0', rto: '1h', applications: ['x'] }];\n```",
    "```yaml\nscenarios:\n  - name: x\n    procedures: [p]\nprocedures:\n  p:\n    steps: [a]\n```",
    "```ts\nconst x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]\n```",
    "**Example:**",
    "<!-- plan line 3 -->",
    "<table><tr><th>Component</th><th>RTO</th></tr><tr><td>Web</td><td>2h</td></tr></table>",
    "---\ntitle: ../../etc/passwd\n---",
    "## ../../../tmp/escape",
    "### /absolute/path runbook",
    "\u{1b}[31mred\u{1b}[0m \u{202e}bidi",
    "```bash\n#!/bin/bash\nf() { echo hi; }\n\nf\n```",
    "* The first responder is to notify the CTO.",
    "{{ meta.name }} | [TODO] | TBD",
    "```",
];

fn plan() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(&FRAGMENTS[..]).prop_map(str::to_owned),
        1 => "[ -~\n|#*`>-]{0,40}",
    ];
    (proptest::collection::vec(piece, 1..24), any::<u16>()).prop_map(|(pieces, cut)| {
        let text = pieces.join("\n\n");
        // Cut anywhere (at a character boundary): inside a table, a fence, a literal.
        let at = usize::from(cut) % (text.len() + 1);
        let at = (0..=at)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text[..at].to_owned()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_hostile_plan_never_panics_and_its_kit_stays_in_its_folder(text in plan()) {
        if let Ok(kit) = crate::import::import("hostile.md", &text) {
            for (path, _) in &kit.files {
                let p = std::path::Path::new(path);
                prop_assert!(p.is_relative(), "{path}");
                prop_assert!(
                    p.components().all(|c| matches!(c, std::path::Component::Normal(_))),
                    "{path}"
                );
            }
        }
    }
}
