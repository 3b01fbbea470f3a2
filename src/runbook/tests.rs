use super::*;

const VALID: &str = r#"+++
id = "db-failover"
title = "Primary database failover"
components = ["db"]
severities = ["P1", "P2"]
tags = ["database"]

[expect]
"Check replication" = "db-replica up within 1m"
+++

# Primary database failover

Use when the primary refuses connections.

## Confirm the primary is down

Look at the dashboard and the database logs.
Both must agree.

- [ ] Primary refuses connections
- [ ] Replica is healthy

## Check replication

```sh
./examples/scripts/replica-lag.sh
```

## Promote the replica

Promotion takes about a minute.

```sh {confirm=true timeout="2m" on_fail="stop" expect="db up within 3m"}
./examples/scripts/promote-replica.sh
```

```text
not a command
```
"#;

fn errors(text: &str) -> Vec<String> {
    parse("rb.md", text)
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_runbook_parses_into_steps_commands_checks_and_expectations() {
    let rb = parse("rb.md", VALID).unwrap();
    assert_eq!(rb.id, "db-failover");
    assert_eq!(rb.components, ["db"]);
    assert_eq!(rb.severities, [Severity::P1, Severity::P2]);
    assert_eq!(rb.summary, "Use when the primary refuses connections.");
    assert_eq!(rb.steps.len(), 3);
    let first = &rb.steps[0];
    assert_eq!(first.title, "Confirm the primary is down");
    assert_eq!(
        first.text(),
        "Look at the dashboard and the database logs. Both must agree."
    );
    assert_eq!(
        first.checks,
        ["Primary refuses connections", "Replica is healthy"]
    );
    assert!(first.commands.is_empty());
    let check = &rb.steps[1];
    assert_eq!(
        check.commands[0].script,
        "./examples/scripts/replica-lag.sh\n"
    );
    assert_eq!(
        (check.commands[0].confirm, check.commands[0].timeout),
        (false, DEFAULT_TIMEOUT)
    );
    assert_eq!(
        check.expect.as_ref().unwrap().to_string(),
        "db-replica up within 1m"
    );
    let promote = &rb.steps[2];
    assert_eq!(
        promote.commands.len(),
        1,
        "only sh/bash blocks are commands"
    );
    let cmd = &promote.commands[0];
    assert!(cmd.confirm);
    assert_eq!(cmd.timeout, Duration::from_mins(2));
    assert_eq!(cmd.on_fail, OnFail::Stop);
    assert_eq!(cmd.line, 34);
    assert_eq!(
        promote.expect,
        Some(Expect {
            component: "db".into(),
            state: Health::Up,
            within: Duration::from_mins(3)
        })
    );
}

#[test]
fn front_matter_that_is_not_toml_is_located() {
    let text = VALID.replace("tags = [\"database\"]", "tags = [database]");
    assert_eq!(
        errors(&text)[0],
        "rb.md:6:9: string values must be quoted, expected literal string"
    );
}

#[test]
fn front_matter_is_toml_yaml_or_none_and_a_bad_id_is_located() {
    let none = parse(
        "runbooks/KubePodCrashLooping.md",
        "# Kube Pod Crash Looping\n\n## Meaning\n\nIt restarts.\n",
    )
    .unwrap();
    assert_eq!(
        (none.id.as_str(), none.title.as_str()),
        ("kubepodcrashlooping", "Kube Pod Crash Looping")
    );
    let yaml = "---\ntitle: Disk full\nweight: 20\naliases: [/disk]\ndate:\ncomponents: [db]\n---\n\n## Free space\n\nDelete old logs.\n";
    let rb = parse("disk.md", yaml).unwrap();
    assert_eq!((rb.id.as_str(), rb.title.as_str()), ("disk", "Disk full"));
    assert_eq!(
        rb.components,
        ["db"],
        "warroom's own keys are read from YAML"
    );
    let bad = yaml.replace("components: [db]", "components: db-is-not-a-list");
    assert_eq!(
        errors(&bad),
        ["rb.md:6:1: invalid type: string \"db-is-not-a-list\", expected a sequence"]
    );
    let hugo = VALID.replace(
        "tags = [\"database\"]",
        "tags = [\"database\"]\nweight = 20",
    );
    assert!(
        parse("rb.md", &hugo).is_ok(),
        "other tools' keys are left alone"
    );
    let text = VALID.replace("\"db-failover\"", "\"DB Failover\"");
    assert_eq!(
        errors(&text)[0],
        "rb.md:2:6: runbook id `DB Failover` must use only a-z, 0-9 and `-`"
    );
}

#[test]
fn unknown_attributes_and_keys_are_named_with_suggestions() {
    let text = VALID.replace("confirm=true", "confrim=true");
    assert_eq!(
        errors(&text)[0],
        "rb.md:34:1: unknown attribute `confrim`; did you mean `confirm`? (one of: confirm, timeout, on_fail, expect, recovers, approve)"
    );
    let text = VALID.replace("tags =", "tag =");
    assert!(
        errors(&text)[0].contains("unknown field `tag`")
            && errors(&text)[0].contains("did you mean `tags`?")
    );
    let text = VALID.replace("on_fail=\"stop\"", "on_fail=\"retry\"");
    assert!(errors(&text)[0].ends_with("on_fail `retry` must be \"stop\" or \"continue\""));
}

#[test]
fn commands_and_checks_need_a_step() {
    let text = VALID.replace(
        "# Primary database failover\n",
        "# Primary database failover\n\n```sh\necho early\n```\n",
    );
    assert_eq!(
        errors(&text)[0],
        "rb.md:14:1: a command before the first step: put it under a `##` heading"
    );
    let no_steps = "+++\nid = \"x\"\ntitle = \"X\"\nsteps = \"h2\"\n+++\n\nJust text.\n";
    assert!(errors(no_steps)[0].contains("at least one step"));
}

#[test]
fn expectations_are_checked() {
    let text = VALID.replace("db-replica up within 1m", "db-replica fine within 1m");
    assert!(
        errors(&text)[0].contains("`fine` is not a state"),
        "{:?}",
        errors(&text)
    );
    let text = VALID.replace("\"Check replication\" =", "\"Check replica\" =");
    assert!(
        errors(&text)[0].contains("names step `Check replica`"),
        "{:?}",
        errors(&text)
    );
    assert!(parse_expect("db up in 2m").is_err());
}

#[test]
fn other_code_is_shown_verbatim_and_text_keeps_its_spacing() {
    let text = "+++\nid = \"t\"\ntitle = \"T\"\n+++\n\nIntro line one\nsecond line.\n\n## Check\n\nLook at the counts\nbefore and after.\n\n```sql\nSELECT count(*)\n  FROM payments;\n```\n\n- [ ] Counts\n  match\n\n```sh\necho hi\n```\n";
    let rb = parse("t.md", text).unwrap();
    assert_eq!(rb.summary, "Intro line one second line.");
    let step = &rb.steps[0];
    assert_eq!(
        step.text(),
        "Look at the counts before and after.\n\n```sql\nSELECT count(*)\n  FROM payments;\n```"
    );
    assert_eq!(step.checks, ["Counts match"]);
    assert_eq!(step.commands.len(), 1, "only the shell block runs");
    assert_eq!(step.commands[0].script, "echo hi\n");
}

#[test]
fn a_command_that_recovers_an_unknown_component_is_an_error() {
    let text = "+++\nid = \"t\"\ntitle = \"T\"\n+++\n\n## Promote\n\n```sh {recovers=\"dbb\"}\n./promote.sh\n```\n";
    let rb = parse("t.md", text).unwrap();
    assert_eq!(rb.steps[0].commands[0].recovers.as_deref(), Some("dbb"));
    let errors = check_components(&rb, &crate::demo::config());
    assert!(
        errors[0]
            .message
            .contains("unknown component `dbb`; did you mean `db`?"),
        "{errors:?}"
    );
}

#[test]
fn phases_windows_estimates_and_automation_are_read_as_plans_write_them() {
    let text = "+++\nid = \"dr\"\ntitle = \"DR\"\nautomation = \"partial\"\n+++\n\
        # Immediate (0-5 minutes)\n\n## Assess the damage {estimate=2m automation=manual}\n\nLook.\n\n\
        ## Page the team\n\n# Short-term (5–15 minutes)\n\n## Fail over {window=5-10m}\n\n";
    let runbook = parse("dr.md", text).unwrap();
    let phases: Vec<String> = runbook
        .phases
        .iter()
        .map(|p| format!("{} {}", p.title, p.window.unwrap()))
        .collect();
    assert_eq!(
        phases,
        [
            "Immediate (0-5 minutes) 0–5m",
            "Short-term (5–15 minutes) 5m–15m"
        ]
    );
    assert_eq!(
        runbook.steps[0].title, "Assess the damage",
        "attributes leave the title"
    );
    assert_eq!(runbook.steps[0].estimate, Some(Duration::from_mins(2)));
    assert_eq!(runbook.automation(0), Some(Automation::Manual));
    assert_eq!(
        runbook.automation(1),
        Some(Automation::Partial),
        "the procedure's level"
    );
    assert_eq!(
        runbook.window(1).unwrap().to_string(),
        "0–5m",
        "the phase's window"
    );
    assert_eq!(
        runbook.window(2).unwrap().to_string(),
        "5m–10m",
        "its own window"
    );
}

#[test]
fn bad_windows_overlapping_phases_and_unknown_attributes_are_located() {
    let text = "+++\nid = \"dr\"\ntitle = \"DR\"\n+++\n\
        # First (0-10 minutes)\n\n## A {window=soon}\n\n# Second (5-15 minutes)\n\n## B {automatik=manual}\n\n";
    let errors: Vec<String> = parse("dr.md", text)
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("dr.md:7:1:") && e.contains("window `soon`")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("dr.md:9:1:")
                && e.contains("overlaps phase `First (0-10 minutes)`")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(
            |e| e.contains("unknown heading attribute `automatik`; did you mean `automation`?")
        ),
        "{errors:?}"
    );
}

#[test]
fn commands_and_checks_stand_where_they_are_written() {
    let text = "## Fail over\n\nFirst look.\n\n- [ ] Replica healthy\n\n```sh\n./promote.sh\n```\n\nThen wait for the lag:\n\n1. watch it\n2. note it\n\n```console\n$ rm -rf /var/lib/db\n```\n";
    let rb = parse("t.md", text).unwrap();
    let step = &rb.steps[0];
    assert_eq!(
        step.body,
        [
            Part::Text("First look.".into()),
            Part::Check(0),
            Part::Command(0),
            Part::Text("Then wait for the lag:\n\n1. watch it\n2. note it\n\n```console\n$ rm -rf /var/lib/db\n```".into()),
            Part::Command(1),
        ]
    );
    let offered = &step.commands[1];
    assert_eq!(
        offered.script, "rm -rf /var/lib/db\n",
        "a transcript's prompt line, alone"
    );
    assert!(offered.confirm, "and it asks first");
}

#[test]
fn a_transcript_offers_its_prompt_lines_never_its_output() {
    let text = "## Look\n\n```bash\n$ kubectl get pods \\\n    -n prod\nNAME    READY\nweb-0   1/1\n$ kubectl logs web-0\nerror: boom\n```\n";
    let rb = parse("t.md", text).unwrap();
    let scripts: Vec<&str> = rb.steps[0]
        .commands
        .iter()
        .map(|c| c.script.as_str())
        .collect();
    assert_eq!(
        scripts,
        ["kubectl get pods \\\n    -n prod\n", "kubectl logs web-0\n"]
    );
    assert!(rb.steps[0].commands.iter().all(|c| c.confirm));
    assert!(
        rb.steps[0].text().contains("web-0   1/1"),
        "the transcript is shown whole"
    );
    assert!(
        rb.warnings[0]
            .to_string()
            .starts_with("t.md:3:1: this shell block reads as a transcript"),
        "{:?}",
        rb.warnings
    );
}
