//! Words of a plan: durations, priorities, placeholders, names and instructions.

use super::*;

#[test]
fn an_instruction_starts_with_a_verb_also_after_a_condition() {
    for yes in [
        "Scale down the pods",
        "[Take a backup](x.md) of the PVC",
        "Recreate the storageclass",
        "If you recreate the PV, remove the claimRef",
        "On the primary site, verify the status",
    ] {
        assert!(is_instruction(yes), "{yes}");
    }
    for no in [
        "Network infrastructure and internet connection",
        "Once the image is primary, the PVC is ready",
        "Identify how the service fails",
        "Database errors in logs",
    ] {
        assert!(!is_instruction(no), "{no}");
    }
}

fn mins(n: u64) -> Duration {
    Duration::from_mins(n)
}

#[test]
fn durations_as_plans_write_them() {
    assert_eq!(duration("15 minutes"), Some(mins(15)));
    assert_eq!(duration("< 1 hour"), Some(mins(60)));
    assert_eq!(duration("0 minutes"), Some(mins(0)));
    assert_eq!(duration("4h"), Some(mins(240)));
    assert_eq!(duration("1h30m"), Some(mins(90)));
    assert_eq!(duration("3.5 hours"), Some(mins(210)));
    assert_eq!(duration("15 min"), Some(mins(15)));
    assert_eq!(duration("two days"), Some(mins(2 * 24 * 60)));
    assert_eq!(duration("1-2 hours"), Some(mins(120)));
    assert_eq!(duration("Zero data loss"), Some(mins(0)));
    assert_eq!(duration("Real-time replication"), Some(mins(0)));
    assert_eq!(duration("within 30 seconds"), Some(Duration::from_secs(30)));
    assert_eq!(duration("ASAP"), None);
    assert_eq!(duration("TBD"), None);
    assert_eq!(duration("Tier 1"), None);
}

#[test]
fn frequencies() {
    assert_eq!(frequency("Every 2 hours"), Some(mins(120)));
    assert_eq!(frequency("Daily"), Some(mins(24 * 60)));
    assert_eq!(
        frequency("Weekly or on configuration changes"),
        Some(mins(7 * 24 * 60))
    );
    assert_eq!(frequency("every hour"), Some(mins(60)));
    assert_eq!(frequency("On every deployment"), None);
    assert_eq!(frequency("30 days"), None);
}

#[test]
fn priorities_and_severities() {
    assert_eq!(priority("Critical"), Some(("critical".into(), 0)));
    assert_eq!(priority("High Priority Services"), Some(("high".into(), 1)));
    assert_eq!(priority("Medium"), Some(("medium".into(), 2)));
    assert_eq!(priority("Tier 1"), Some(("tier-1".into(), 0)));
    assert_eq!(
        priority("Non-critical integrations"),
        Some(("low".into(), 3))
    );
    assert_eq!(priority("Payments"), None);
    assert_eq!(severity("P1").map(|s| s.to_string()), Some("P1".into()));
    assert_eq!(severity("SEV-2").map(|s| s.to_string()), Some("P2".into()));
    assert_eq!(severity("Sev 3").map(|s| s.to_string()), Some("P3".into()));
    assert_eq!(
        severity("Critical").map(|s| s.to_string()),
        Some("P1".into())
    );
    assert_eq!(severity("Low").map(|s| s.to_string()), Some("P4".into()));
    assert_eq!(severity("Payments"), None);
}

#[test]
fn slugs_numbering_placeholders() {
    assert_eq!(
        slug("Application Frontend").as_deref(),
        Some("application-frontend")
    );
    assert_eq!(
        slug("Vercel (Edge) — EU!").as_deref(),
        Some("vercel-edge-eu")
    );
    assert_eq!(slug("---"), None);
    let mut taken = std::collections::HashSet::from(["db".to_owned()]);
    assert_eq!(unique_slug("DB", "c", &mut taken), "db-2");
    assert_eq!(
        strip_numbering("1. Single Service Failure"),
        "Single Service Failure"
    );
    assert_eq!(
        strip_numbering("Scenario 1: Complete Outage"),
        "Complete Outage"
    );
    assert_eq!(
        strip_numbering("A. Emergency Contact List"),
        "Emergency Contact List"
    );
    assert_eq!(
        strip_numbering("PostgreSQL Recovery"),
        "PostgreSQL Recovery"
    );
    assert!(is_placeholder("[Name]") && is_placeholder("TBD") && is_placeholder(""));
    assert!(!is_placeholder("Alice"));
}
