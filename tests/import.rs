//! `warroom import`: the real plans in ../shared/plans (copied into tests/fixtures/plans so the
//! tests run from a clean clone), a plan the importer was not written against, and hostile ones.
//! Each is imported by the real binary; the kit is then read back with warroom's own loaders.

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::pty::{DOWN, ENTER, Session};
use warroom::config::Config;
use warroom::runbook::Runbook;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plans")
        .join(name)
}

fn warroom(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .current_dir(cwd)
        .env("WARROOM_DATA_DIR", cwd.join(".data"))
        .output()
        .unwrap()
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Imports `plan` into `<tmp>/kit`, asserts exit 0 and that the kit validates from its folder.
fn import(tmp: &Path, plan: &Path) -> (PathBuf, String) {
    let plan = plan.to_string_lossy().into_owned();
    let out = warroom(&["import", &plan, "-o", "kit"], tmp);
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    let kit = tmp.join("kit");
    let check = warroom(&["validate", "."], &kit);
    assert!(check.status.success(), "{}", text(&check));
    let bare = warroom(&["validate"], &kit);
    assert!(bare.status.success(), "{}", text(&bare));
    (kit, report)
}

fn config(kit: &Path) -> Config {
    warroom::config::load(&kit.join("warroom.toml")).unwrap()
}

fn runbook(kit: &Path, id: &str) -> Runbook {
    let path = kit.join("runbooks").join(format!("{id}.md"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{id}: {e}"));
    warroom::runbook::parse(&path.to_string_lossy(), &text).unwrap()
}

#[allow(clippy::unnecessary_wraps)] // compared with the kit's optional targets
fn mins(n: u64) -> Option<Duration> {
    Some(Duration::from_mins(n))
}

/// (name, tier, rto, rpo) of the component called `name`.
fn targets(config: &Config, name: &str) -> (String, Option<Duration>, Option<Duration>) {
    let c = config
        .components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"));
    (c.tier.name().to_owned(), c.rto, c.rpo)
}

fn commands(rb: &Runbook) -> Vec<String> {
    rb.steps
        .iter()
        .flat_map(|s| &s.commands)
        .map(|c| c.script.lines().next().unwrap_or_default().to_owned())
        .collect()
}

/// Every line of `lines` is in the runbook's scripts, in this order.
fn in_order(rb: &Runbook, lines: &[&str]) {
    let all: String = rb
        .steps
        .iter()
        .flat_map(|s| &s.commands)
        .map(|c| c.script.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut from = 0;
    for line in lines {
        let at = all[from..]
            .find(line)
            .unwrap_or_else(|| panic!("`{line}` is not in the scripts after byte {from}:\n{all}"));
        from += at + line.len();
    }
}

fn titles(rb: &Runbook) -> Vec<&str> {
    rb.steps.iter().map(|s| s.title.as_str()).collect()
}

#[test]
fn concierge_plan_becomes_its_table_scenarios_escalation_and_contacts() {
    let tmp = tempfile::tempdir().unwrap();
    let (kit, report) = import(tmp.path(), &fixture("concierge-transaction-flow.md"));
    let c = config(&kit);
    assert_eq!(c.service, "Concierge Transaction Flow");
    assert_eq!(c.components.len(), 5, "{:?}", c.components);
    for (name, tier, rto, rpo) in [
        ("Application Frontend", "critical", 15, 0),
        ("Database", "critical", 30, 5),
        ("File Storage", "high", 60, 15),
        ("Authentication", "critical", 15, 0),
        ("Edge Functions", "medium", 30, 0),
    ] {
        assert_eq!(
            targets(&c, name),
            (tier.to_owned(), mins(rto), mins(rpo)),
            "{name}"
        );
    }
    // The escalation matrix: a policy per severity, levels at 0, 15 and 30 minutes.
    let p1 = c
        .escalation
        .iter()
        .find(|e| e.severity.to_string() == "P1")
        .unwrap();
    let afters: Vec<Option<Duration>> = p1.levels.iter().map(|l| Some(l.after)).collect();
    assert_eq!(afters, [mins(0), mins(15), mins(30)]);
    assert_eq!(p1.levels[0].notify, ["on-call-engineer"]);
    assert_eq!(p1.levels[1].notify, ["technical-lead"]);
    let p4 = c
        .escalation
        .iter()
        .find(|e| e.severity.to_string() == "P4")
        .unwrap();
    assert_eq!(p4.levels.len(), 1, "N/A cells call nobody");
    let roles: Vec<&str> = c.contacts.iter().map(|c| c.role.as_str()).collect();
    for role in [
        "Incident Commander",
        "Lead Developer",
        "DevOps Engineer",
        "Supabase Support",
    ] {
        assert!(roles.contains(&role), "{role}: {roles:?}");
    }
    let support = c
        .contacts
        .iter()
        .find(|c| c.role == "Supabase Support")
        .unwrap();
    assert_eq!(support.email.as_deref(), Some("support@supabase.com"));
    assert_eq!(c.severity_meanings.len(), 4);
    // Every scenario is a runbook with its phases, steps and commands in order.
    let outage = runbook(&kit, "complete-application-outage");
    let phases: Vec<&str> = outage.phases.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        phases,
        ["Immediate (0-5 minutes)", "Short-term (5-15 minutes)"]
    );
    assert_eq!(outage.steps[0].checks.len(), 3);
    assert_eq!(
        commands(&outage),
        [r#"./deployment/rollback.sh "Complete application outage""#]
    );
    assert!(
        outage
            .steps
            .iter()
            .flat_map(|s| &s.commands)
            .all(|c| c.confirm)
    );
    let restore = runbook(&kit, "database-corruption-or-loss");
    // A shell block is one script, blank lines and all.
    assert_eq!(commands(&restore), ["supabase db reset --linked"]);
    in_order(
        &restore,
        &["supabase db reset --linked", "supabase db test"],
    );
    for id in ["security-breach", "developer-environment-compromise"] {
        runbook(&kit, id);
        assert!(
            kit.join(format!("runbooks/drills/{id}.toml")).exists(),
            "{id}"
        );
    }
    assert!(kit.join("review-template.md").exists());
    assert!(kit.join("IMPORT.md").exists());
    assert!(
        report.contains("line   11  components with targets: 5"),
        "{report}"
    );
}

/// Waqiti's service recovery runbook: three phases, one script a shell block, every command of
/// the plan in order.
fn service_recovery_is_whole_scripts(kit: &Path) {
    let service = runbook(kit, "service-recovery-runbook");
    assert_eq!(service.phases.len(), 3);
    // One script a shell block, whole: blank lines never cut it.
    assert_eq!(
        commands(&service),
        [
            "kubectl get pods --all-namespaces | grep -v Running",
            "kubectl scale deployment payment-service --replicas=10",
            "velero restore create emergency-restore-$(date +%Y%m%d-%H%M%S) \\",
        ]
    );
    in_order(
        &service,
        &[
            "kubectl get pods --all-namespaces | grep -v Running",
            "kubectl exec -it postgres-0 -- psql -c \"SELECT 1\"",
            "kubectl scale deployment payment-service --replicas=10",
            "velero backup get",
            "curl -s https://api.stripe.com/v1/charges | jq",
            "velero restore create emergency-restore-$(date +%Y%m%d-%H%M%S) \\",
            "pg_restore --clean --if-exists --verbose \\",
            "./scripts/verify-data-integrity.sh",
        ],
    );
}

#[test]
fn waqiti_plan_becomes_its_tiers_components_procedures_and_contacts() {
    let tmp = tempfile::tempdir().unwrap();
    let (kit, report) = import(tmp.path(), &fixture("waqiti.md"));
    let c = config(&kit);
    assert_eq!(c.service, "Waqiti");
    let tiers: Vec<(String, Duration, Duration)> = c
        .tiers
        .iter()
        .map(|t| (t.tier.name().to_owned(), t.budget.rto, t.budget.rpo))
        .collect();
    let h = Duration::from_hours;
    assert_eq!(
        tiers,
        [
            (
                "critical".to_owned(),
                Duration::from_mins(15),
                Duration::from_mins(5)
            ),
            ("high".to_owned(), h(1), Duration::from_mins(30)),
            ("standard".to_owned(), h(4), h(2)),
            ("low".to_owned(), h(24), h(24)),
        ]
    );
    assert_eq!(c.components.len(), 12);
    assert_eq!(targets(&c, "Payment processing").0, "critical");
    assert_eq!(targets(&c, "Core APIs").0, "high");
    assert_eq!(targets(&c, "Non-critical integrations").0, "low");
    let payment = c
        .components
        .iter()
        .find(|c| c.id == "payment-processing")
        .unwrap();
    assert!(
        payment
            .backups
            .iter()
            .any(|b| b.name == "Critical databases")
    );
    let roles: Vec<&str> = c.contacts.iter().map(|c| c.role.as_str()).collect();
    for role in [
        "Incident Commander",
        "Database Admin",
        "Security Lead",
        "Business Continuity",
    ] {
        assert!(roles.contains(&role), "{role}: {roles:?}");
    }
    assert_eq!(c.templates.len(), 2);
    assert!(c.escalation.is_empty());
    assert!(report.contains("no escalation matrix found"), "{report}");
    let db = runbook(&kit, "database-failure");
    assert_eq!(
        titles(&db),
        [
            "Automatic failover to read replica",
            "Promote replica to primary",
            "Update connection strings",
            "Restore write operations",
            "Identify failure cause",
            "Execute database failover runbook",
            "Restore from latest backup if needed",
            "Verify data integrity",
            "Resume normal operations",
        ]
    );
    service_recovery_is_whole_scripts(&kit);
    let sql = runbook(&kit, "postgresql-recovery");
    assert!(sql.steps[0].text().contains("```sql"), "{:?}", sql.steps);
    assert!(sql.steps[0].commands.is_empty(), "SQL is shown, never run");
    for id in [
        "single-service-failure",
        "availability-zone-outage",
        "regional-disaster",
    ] {
        assert!(
            kit.join(format!("runbooks/drills/{id}.toml")).exists(),
            "{id}"
        );
    }
    assert!(
        !kit.join("runbooks/drills/service-recovery-runbook.toml")
            .exists(),
        "procedures get no drill"
    );
    assert!(report.contains("<latest-backup>"), "{report}");
}

#[test]
fn multi_region_plan_becomes_its_diagram_with_dependencies() {
    let tmp = tempfile::tempdir().unwrap();
    let (kit, report) = import(tmp.path(), &fixture("multi-region-failover.md"));
    let c = config(&kit);
    assert_eq!(c.components.len(), 9);
    let edge = c
        .components
        .iter()
        .find(|c| c.id == "vercel-edge-functions")
        .unwrap();
    assert_eq!(edge.depends_on, ["supabase-primary", "redis-primary"]);
    let rb = runbook(&kit, "supabase-database-outage");
    assert!(rb.steps[0].text().contains("```typescript"));
    assert_eq!(rb.components[0], "supabase-primary");
    let drill =
        std::fs::read_to_string(kit.join("runbooks/drills/supabase-database-outage.toml")).unwrap();
    assert!(
        drill.contains("component = \"supabase-primary\""),
        "{drill}"
    );
    assert!(report.contains("tier `standard` assumed"), "{report}");
    assert!(
        report.contains("the plan ends inside the code block"),
        "{report}"
    );
}

#[test]
fn an_imported_drill_runs_to_its_scorecard() {
    let tmp = tempfile::tempdir().unwrap();
    let (kit, _) = import(tmp.path(), &fixture("concierge-transaction-flow.md"));
    let data = tempfile::tempdir().unwrap();
    let scenario = kit.join("runbooks/drills/complete-application-outage.toml");
    let scenario = scenario.to_string_lossy().into_owned();
    let mut s = Session::start(
        data.path(),
        (120, 40),
        &["drill", &scenario, "--speed", "10"],
        &[],
    );
    s.wait_for("DRILL");
    s.wait_for("Press D");
    s.send("D");
    s.wait_for("Declare an incident");
    s.send(ENTER);
    s.wait_gone("Declare an incident");
    s.wait_for("journal ok");
    s.send("2");
    s.wait_for("Complete Application Outage");
    s.send(ENTER);
    s.wait_for("now: Immediate (0-5 minutes)");
    s.send("  ");
    s.wait_for("[x] Check hosting provider status page");
    s.send("d");
    s.send(ENTER);
    s.wait_for("1. Immediate done");
    s.send("6");
    s.send("c");
    s.wait_for("Type a component (its id or part of its name)");
    s.send("application-frontend");
    s.send(&DOWN.repeat(2));
    s.send(ENTER);
    s.wait_gone("Type a component (its id or part of its name)");
    s.send("1");
    s.wait_for("Components 5/5 up");
    s.send("R");
    s.wait_for("Resolution summary");
    s.send(ENTER);
    s.wait_gone("Resolution summary");
    s.send("6");
    let card = s.wait_for("4 of 4 objectives met");
    assert!(!card.contains("MISSED"), "{card}");
    s.send("q");
    assert!(s.wait_exit());
}

#[test]
fn a_plan_in_another_style_imports_and_its_drill_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let (kit, report) = import(tmp.path(), &fixture("unseen-ledger.md"));
    let c = config(&kit);
    assert_eq!(c.service, "Ledger Platform");
    assert_eq!(
        targets(&c, "Ledger API"),
        ("tier-1".to_owned(), mins(20), mins(1))
    );
    assert_eq!(
        targets(&c, "Reporting Warehouse"),
        ("tier-3".to_owned(), mins(8 * 60), mins(24 * 60))
    );
    let api = c
        .components
        .iter()
        .find(|c| c.name == "Ledger API")
        .unwrap();
    assert_eq!(api.depends_on, ["postgres-cluster", "kafka"]);
    // Components from a TypeScript literal in a code block.
    assert_eq!(targets(&c, "Notification Worker").0, "tier-2");
    assert_eq!(targets(&c, "Notification Worker").1, mins(45));
    assert!(!c.escalation.is_empty());
    let rb = runbook(&kit, "postgres-primary-lost");
    assert_eq!(commands(&rb)[0], "patronictl -c /etc/patroni.yml list");
    assert!(
        kit.join("runbooks/drills/postgres-primary-lost.toml")
            .exists()
    );
    assert!(report.contains("`ASAP`"), "{report}");
}

fn no_raw_controls(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            no_raw_controls(&path);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let bad = text
            .chars()
            .find(|&c| warroom::sanitize::is_hazard(c) && c != '\n');
        assert!(bad.is_none(), "{}: {bad:?}", path.display());
    }
}

#[test]
fn hostile_and_odd_plans_give_a_clear_report_a_valid_kit_or_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    // No tables, no lists, nothing to use: exit 2, nothing written.
    let prose = write("prose.md", b"# Our plan\n\nWe will do our best.\n");
    let out = warroom(&["import", &prose, "-o", "prose-kit"], tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("nothing to use"), "{}", text(&out));
    assert!(!tmp.path().join("prose-kit").exists());
    // Not Markdown at all.
    let binary = write("plan.bin", &[0xff, 0xfe, 0, 1, 2, 0x1b, 0x9b]);
    let out = warroom(&["import", &binary], tmp.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // Escapes and bidi characters in names and steps; merged and missing cells; words.
    let hostile = "# Evil\u{202e} DR plan\n\n| Service | RTO | RPO | Tier |\n|---|---|---|---|\n\
        | Pay\x1b[31mments | fifteen minutes | ASAP | Critical |\n| Ledger | 1 hour |\n\
        | Pay\x1b[31mments | 2h | 5m | High |\n| | 4h | 1h | Low |\n\n## Scenarios\n\n\
        ### Ledger outage\x07\n\n1. Page the \u{2066}team\u{2069}\n2. Run it\n\n```sh\necho \x1b]52;c;aGk=\x07\n```\n";
    let path = write("hostile.md", hostile.as_bytes());
    let out = warroom(&["import", &path, "-o", "hostile-kit"], tmp.path());
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert!(
        !report.contains('\x1b') && !report.contains('\u{202e}'),
        "{report}"
    );
    assert!(report.contains("RPO `ASAP` of"), "{report}");
    assert!(report.contains("listed twice"), "{report}");
    no_raw_controls(&tmp.path().join("hostile-kit"));
    let c = config(&tmp.path().join("hostile-kit"));
    assert_eq!(c.components.len(), 2, "{:?}", c.components);
    assert_eq!(c.components[0].rto, mins(15));
    let check = warroom(&["validate", "."], &tmp.path().join("hostile-kit"));
    assert!(check.status.success(), "{}", text(&check));
    // A 5 MB plan: fifty scenarios, each with 100 kB of text.
    let mut big = String::from(
        "# Big\n\n| Component | RTO | RPO |\n|---|---|---|\n| Core | 1h | 5m |\n\n## Scenarios\n\n",
    );
    let mut n = 0;
    while big.len() < 5_000_000 {
        n += 1;
        let _ = write!(
            big,
            "### Core failure {n}\n\n1. Look at core\n\n```sh\necho {n}\n```\n\n"
        );
        big.push_str(&format!("{}\n\n", "Filler text about the core. ".repeat(150)).repeat(25));
    }
    let path = write("big.md", big.as_bytes());
    let out = warroom(&["import", &path, "-o", "big-kit", "--dry-run"], tmp.path());
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        !tmp.path().join("big-kit").exists(),
        "a dry run writes nothing"
    );
    // The kit is never written over.
    let again = warroom(
        &[
            "import",
            &prose.replace("prose", "hostile"),
            "-o",
            "hostile-kit",
        ],
        tmp.path(),
    );
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    assert!(text(&again).contains("already exists"), "{}", text(&again));
}

/// An ops guide that is only procedures (etcd's recovery page, not in the plans the importer was
/// built on) becomes a kit of runbooks with no component, said for a human; it validates.
#[test]
fn a_plan_of_procedures_only_becomes_a_kit_of_runbooks() {
    let tmp = tempfile::tempdir().unwrap();
    let plan =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans-wild/etcd-recovery.md");
    let (kit, report) = import(tmp.path(), &plan);
    assert!(
        report.contains("names no component to watch: the kit holds what it gives"),
        "{report}"
    );
    let config = std::fs::read_to_string(kit.join("warroom.toml")).unwrap();
    assert!(!config.contains("[[component]]"), "{config}");
    let runbooks = std::fs::read_dir(kit.join("runbooks"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "md")
        })
        .count();
    assert!(runbooks >= 4, "{runbooks} runbooks");
    let restore = std::fs::read_to_string(kit.join("runbooks/restoring-from-snapshot.md")).unwrap();
    assert!(restore.contains("etcdutl snapshot restore"), "{restore}");
}

/// A bash block that defines a function, with a `#!` line and blank lines, stays one script run
/// by bash: the function serves the lines after it (cut at blank lines, the call failed with
/// exit 127 and the definition "ran ok" doing nothing).
#[test]
fn a_script_stays_whole_and_runs_with_its_shell() {
    let tmp = tempfile::tempdir().unwrap();
    let plan = tmp.path().join("plan.md");
    std::fs::write(
        &plan,
        "# Payments DR plan\n\n## Database restore procedure\n\n1. Restore the primary:\n\n\
         ```bash\n#!/bin/bash\n# Restore the primary from the last dump\nset -euo pipefail\n\n\
         greet() {\n  echo \"restored $1\"\n}\n\ngreet primary > restored.txt\n```\n",
    )
    .unwrap();
    let (kit, _) = import(tmp.path(), &plan);
    let rb = runbook(&kit, "database-restore-procedure");
    let commands: Vec<&warroom::runbook::Command> =
        rb.steps.iter().flat_map(|s| &s.commands).collect();
    assert_eq!(commands.len(), 1, "{:?}", rb.steps);
    let command = commands[0];
    assert_eq!(command.shell, "bash");
    assert!(
        command.script.starts_with("#!/bin/bash"),
        "{}",
        command.script
    );
    let ran = std::process::Command::new(&command.shell)
        .arg("-c")
        .arg(&command.script)
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(ran.success());
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("restored.txt")).unwrap(),
        "restored primary\n"
    );
}

/// Bounded and linear: a list of 100,000 steps, a list nested 5,000 deep, and a 5 MB plan
/// import without overflowing the stack (their time is measured by the benches, not here); a
/// section written twice gives a kit that validates; `--dry-run` writes nothing anywhere, not
/// even a scratch kit in the temporary folder.
#[test]
fn long_deep_big_and_repeated_plans_import_and_a_dry_run_writes_nothing() {
    use std::fmt::Write as _;
    let tmp = tempfile::tempdir().unwrap();
    let mut long = String::from("# Payments DR plan\n\n## Database restore procedure\n\n");
    for i in 1..=100_000 {
        let _ = writeln!(long, "{i}. Step {i}");
    }
    let plan = tmp.path().join("long.md");
    std::fs::write(&plan, &long).unwrap();
    let (kit, _) = import(tmp.path(), &plan);
    let rb = runbook(&kit, "database-restore-procedure");
    assert_eq!(rb.steps.len(), 100_000);

    let mut deep = String::from("# Plan\n\n## Restore procedure\n\n");
    for depth in 0..5_000 {
        let _ = writeln!(deep, "{}1. level {depth}", "   ".repeat(depth));
    }
    let deep_dir = tempfile::tempdir().unwrap();
    let plan = deep_dir.path().join("deep.md");
    std::fs::write(&plan, &deep).unwrap();
    import(deep_dir.path(), &plan);

    let mut big = String::from("# Big plan\n\n| Component | RTO | RPO |\n|---|---|---|\n");
    let mut row = 0;
    while big.len() < 5 * 1024 * 1024 {
        let _ = writeln!(big, "| Service number {row} of the platform | 1h | 15m |");
        row += 1;
    }
    let big_dir = tempfile::tempdir().unwrap();
    let plan = big_dir.path().join("big.md");
    std::fs::write(&plan, &big).unwrap();
    let (kit, _) = import(big_dir.path(), &plan);
    assert_eq!(config(&kit).components.len(), row);

    let twice_dir = tempfile::tempdir().unwrap();
    let section = "## Database restore procedure\n\n1. Stop writes\n2. Restore\n\n\
        | Component | RTO | RPO |\n|---|---|---|\n| Database | 1h | 15m |\n\n";
    let plan = twice_dir.path().join("twice.md");
    std::fs::write(&plan, format!("# Plan\n\n{section}{section}")).unwrap();
    let (kit, report) = import(twice_dir.path(), &plan);
    assert_eq!(config(&kit).components.len(), 1, "{report}");

    let dry = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans/waqiti.md");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["import", &plan.to_string_lossy(), "--dry-run"])
        .current_dir(dry.path())
        // A temporary folder that does not exist: anything written there would make it.
        .env("TMPDIR", scratch.path().join("tmp"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).starts_with("Would write a kit"),
        "{}",
        text(&out)
    );
    for folder in [dry.path(), scratch.path()] {
        let left: Vec<_> = std::fs::read_dir(folder).unwrap().collect();
        assert!(left.is_empty(), "{}: {left:?}", folder.display());
    }
}
