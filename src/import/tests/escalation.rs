//! Escalation ladders, orders and contacts read from a plan.

use super::{called, level_number, window_start};
use std::time::Duration;

#[test]
fn a_ladder_in_a_list_gives_each_level_its_start_and_the_people_it_calls() {
    assert_eq!(level_number("Level 3"), Some(3));
    assert_eq!(level_number("L2"), Some(2));
    assert_eq!(level_number("Tier 1"), Some(1));
    assert_eq!(level_number("Lead"), None);
    assert_eq!(window_start("engaged (0-30 min)"), Some(Duration::ZERO));
    assert_eq!(window_start("(30-60 min)"), Some(Duration::from_mins(30)));
    assert_eq!(window_start("(1-2 hours)"), Some(Duration::from_hours(1)));
    assert_eq!(window_start("(2+ hours)"), Some(Duration::from_hours(2)));
    assert_eq!(window_start("Primary DBA engaged"), None);
    assert_eq!(
        called("Backup DBA + DevOps Lead (1-2 hours)"),
        ["Backup DBA", "DevOps Lead"]
    );
    assert_eq!(
        called("DevOps engineer attempts recovery (0-30 min)"),
        ["DevOps engineer"]
    );
    assert_eq!(
        called("CTO notification + External support"),
        ["CTO", "External support"]
    );
    assert_eq!(called("[NAME] and the on-call"), ["the on-call"]);
}

#[test]
fn a_list_of_name_role_and_how_to_reach_them_gives_contacts() {
    let plan = "# Plan\n\n## Line of succession\n\n\
        * Ben Uphoff, CTO: 414-335-0253, ben@example.com\n\
        * {{ceoName}}, CEO: {{ceoEmail}}\n\n\
        ## Response teams\n\n\
        1. **IT** is responsible for recovery of the hosted environment. It reports to the COO.\n";
    let (_, config) = crate::import::imported(plan);
    assert!(config.contains("name = \"Ben Uphoff\""), "{config}");
    assert!(config.contains("phone = \"414-335-0253\""), "{config}");
    assert!(config.contains("role = \"CEO\""), "{config}");
    assert!(
        !config.contains("{{ceoName}}"),
        "a placeholder is no name: {config}"
    );
    assert!(
        !config.contains("is responsible"),
        "duties are no name: {config}"
    );
}

#[test]
fn a_chat_channel_is_no_contact() {
    let plan = "# Plan\n\n## Contacts\n\n\
        - **Incident Channel**: `#incident-response`\n\
        - **On-call DBA**: Dana Ortiz - +1 555 0100\n\n\
        ## Database restore procedure\n\n1. Restore\n2. Verify\n";
    let (_, config) = crate::import::imported(plan);
    assert!(config.contains("Dana Ortiz"), "{config}");
    assert!(!config.contains("incident-response"), "{config}");
}

#[test]
fn a_ladder_table_calls_who_is_responsible_and_a_time_it_does_not_give_is_assumed() {
    let plan = "# Plan\n\n## Contacts\n\n| Function | Name | Phone |\n|---|---|---|\n\
        | Incident Commander | [TODO] | [TODO] |\n\n\
        ## Alerting procedure\n\n\
        1. **Initial detection:** Disruption detected (monitoring, report)\n\
        2. **Alerting:** Contact according to escalation level\n\n\
        ## Escalation\n\n| Level | Trigger | Responsible | Response Time |\n|---|---|---|---|\n\
        | 1 | One system | IT Operations | 4 hours |\n\
        | 2 | Critical service | Incident Commander | 1 hour |\n";
    let (kit, config) = crate::import::imported(plan);
    assert!(
        config.contains(
            "# level 2 after 15m assumed: the plan gives it no time\n# plan line 16\n\
             [[escalation]]\nseverity = [\"P1\", \"P2\", \"P3\", \"P4\"]\nlevels = [\n  \
             { after = \"0s\", notify = [\"it-operations\"] },\n  \
             { after = \"15m\", notify = [\"incident-commander\"] },"
        ),
        "a response time is no time to call: {config}"
    );
    assert!(
        !config.contains("Disruption"),
        "a sentence is no contact: {config}"
    );
    assert!(
        config.contains(
            "# placeholder: the plan names no person, phone or email for this role\n\
             # plan line 7\n[[contact]]\nid = \"incident-commander\""
        ),
        "{config}"
    );
    let human: Vec<&str> = kit.report.human.iter().map(|e| e.text.as_str()).collect();
    assert!(
        human.iter().any(|h| h.starts_with(
            "2 contact(s) with no person, phone or email in the plan (placeholders): \
             Incident Commander, IT Operations"
        )),
        "{human:?}"
    );
}

#[test]
fn a_name_reads_as_whom_to_call() {
    for yes in ["Jane van Dyke", "J. Smith", "DevOps Team", "@jane"] {
        assert!(super::words::is_person_name(yes), "{yes}");
    }
    for no in [
        "Disruption detected (monitoring",
        "Contact according to level",
        "Room 101",
    ] {
        assert!(!super::words::is_person_name(no), "{no}");
    }
}

#[test]
fn an_on_call_order_is_a_ladder_where_the_heading_is_about_calling() {
    let plan = "# Backup & Disaster Recovery Plan\n\n## Infrastructure\n\n\
        - **Primary**: US East (N. Virginia)\n- **Secondary**: US West (Oregon)\n\n\
        ## Emergency Contacts & Escalation\n\n**On-Call Support:**\n\n\
        1. **Primary:** Project owner (Drew)\n2. **Secondary:** Team lead\n\
        3. **Escalation:** Alert via:\n   - Sentry email alerts\n\n\
        ## Restore\n\n1. Restore the site\n";
    let (_, config) = crate::import::imported(plan);
    assert!(
        config.contains(
            "levels = [\n  { after = \"0s\", notify = [\"project-owner\"] },\n  \
             { after = \"15m\", notify = [\"team-lead\"] },\n]"
        ),
        "{config}"
    );
    assert!(
        !config.contains("US East"),
        "regions are no levels: {config}"
    );
}

#[test]
fn outside_help_is_a_contact_only_where_named_and_never_all_hands() {
    let plan = "# Plan\n\n## Contacts\n\n| Role | Name | Email |\n|---|---|---|\n\
        | DBA | Ann Lee | ann@example.com |\n| Supabase Support | Support | support@supabase.com |\n\n\
        ## Communication Channels\n\n- **Customer Communication**: [PROCEDURE]\n\n\
        ## Escalation Path\n\n1. **Level 1**: DBA engaged (0-30 min)\n\
        2. **Level 2**: All hands + External support (30-60 min)\n";
    let (kit, config) = crate::import::imported(plan);
    assert!(
        config.contains("{ after = \"30m\", notify = [\"dba\"] },\n]"),
        "all hands is the team, not a vendor's desk; outside help named by no one is none: {config}"
    );
    assert!(!config.contains("Customer Communication"), "{config}");
    let human: Vec<&str> = kit.report.human.iter().map(|e| e.text.as_str()).collect();
    assert!(
        human
            .iter()
            .any(|h| h.starts_with("`External support` is called")),
        "{human:?}"
    );
}

#[test]
fn a_numbered_escalation_order_is_a_ladder_and_tier_rows_name_their_components() {
    let plan = "# DR Runbook\n\n### Service Tiers\n\n| Service Tier | RTO | RPO | Priority |\n\
        |---|---|---|---|\n| Critical (Auth, API) | 1 hour | 5 minutes | P0 |\n\
        | Low (Batch Jobs, Archive) | 72 hours | 24 hours | P3 |\n\n\
        ## Scenario: Region down\n\n1. Fail over\n\n\
        ### Escalation\n\n1. Engineering Manager\n2. CTO\n3. CEO (for catastrophic failures)\n";
    let (kit, config) = crate::import::imported(plan);
    assert!(
        config.contains("name = \"API\"\ntier = \"critical\"")
            && config.contains("name = \"Archive\"\ntier = \"low\""),
        "{config}"
    );
    assert!(
        config.contains(
            "{ after = \"0s\", notify = [\"engineering-manager\"] },\n  \
             { after = \"15m\", notify = [\"cto\"] },\n  { after = \"30m\", notify = [\"ceo\"] },"
        ),
        "{config}"
    );
    let made: Vec<&str> = kit.report.made.iter().map(|e| e.text.as_str()).collect();
    assert!(
        made.contains(&"drill `region-down`: fails auth"),
        "{made:?}"
    );
}

#[test]
fn a_scenario_with_no_component_to_fail_gets_no_drill_and_is_told_so() {
    let plan = "# Ops\n\n## Scenario: Region down\n\n1. Fail over\n2. Check\n";
    let (kit, _) = crate::import::imported(plan);
    assert!(
        !kit.files
            .iter()
            .any(|(p, _)| p.starts_with("runbooks/drills/"))
    );
    assert!(
        kit.report.human.iter().any(|e| e.text.starts_with(
            "scenario \"Region down\" can have no drill: the plan names no component"
        )),
        "{:?}",
        kit.report.human
    );
}
