use crate::runbook::{Part, parse};

fn titles(text: &str) -> Vec<String> {
    let rb = parse("rb.md", text).unwrap();
    rb.steps.iter().map(|s| s.title.clone()).collect()
}

#[test]
fn steps_are_where_the_author_put_them() {
    let h3 = "# Redis\n\nIntro.\n\n### Check memory\n\nLook.\n\n### Restart\n\n```sh\nsystemctl restart redis\n```\n";
    assert_eq!(titles(h3), ["Check memory", "Restart"]);
    let list = "# Disk full\n\nWhen the disk fills:\n\n1. Find the largest files\n   with `du`.\n2. **Delete** old logs\n\n   ```sh\n   rm /var/log/app/*.gz\n   ```\n3. Tell the team\n\nDone.\n";
    let rb = parse("disk.md", list).unwrap();
    let names: Vec<&str> = rb.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        names,
        ["Find the largest files", "Delete old logs", "Tell the team"]
    );
    assert_eq!(rb.preface, "When the disk fills:");
    assert_eq!(rb.steps[0].text(), "with `du`.");
    assert_eq!(rb.steps[1].body, [Part::Command(0)]);
    assert_eq!(
        rb.steps[2].text(),
        "Done.",
        "text after the list belongs to the last step"
    );
    let whole =
        "# Rotate the certificate\n\nRenew it, then reload:\n\n```sh\nnginx -s reload\n```\n";
    let rb = parse("cert.md", whole).unwrap();
    assert_eq!(rb.steps.len(), 1);
    assert_eq!(rb.steps[0].title, "Rotate the certificate");
    assert_eq!(rb.steps[0].commands.len(), 1);
}

#[test]
fn the_front_matter_says_where_the_steps_are() {
    let text = "---\nsteps: h3\n---\n\n## Diagnosis\n\n### Look at the logs\n\n## Mitigation\n\n### Restart\n";
    assert_eq!(titles(text), ["Look at the logs", "Restart"]);
    let rb = parse("rb.md", text).unwrap();
    let phases: Vec<&str> = rb.phases.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        phases,
        ["Diagnosis", "Mitigation"],
        "`##` sections hold `###` steps"
    );
    assert_eq!(rb.steps[1].phase, Some(1));
    let list = "+++\nsteps = \"list\"\n+++\n\n## Procedure\n\n1. One\n2. Two\n";
    assert_eq!(titles(list), ["One", "Two"]);
}

#[test]
fn a_block_runs_whole_with_the_shell_it_was_written_for() {
    let text = "## Fix\n\n```bash\nrestart() {\n  systemctl restart \"$1\"\n}\n\nrestart db\n```\n\n```sh\n#!/usr/bin/env zsh\nprint -l a b\n```\n\n```shell\nls\n```\n\n```bash\n#!/usr/bin/python3\nimport os\n```\n";
    let rb = parse("rb.md", text).unwrap();
    let commands = &rb.steps[0].commands;
    let shells: Vec<&str> = commands.iter().map(|c| c.shell.as_str()).collect();
    assert_eq!(
        shells,
        ["bash", "zsh", "sh"],
        "a python script is shown, never run by a shell"
    );
    assert!(
        commands[0].script.contains("\n\nrestart db"),
        "blank lines never split a script"
    );
    assert!(rb.steps[0].text().contains("import os"));
}
