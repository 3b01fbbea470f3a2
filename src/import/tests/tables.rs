//! What a plan's table holds, told by its columns and cells.

use super::{contacts, has_targets, severities, targets};
use crate::domain::Severity;
use crate::import::outline::{Row, Table};

fn table(header: &[&str], rows: &[&[&str]]) -> Table {
    Table {
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, cells)| Row {
                cells: cells.iter().map(|c| (*c).to_owned()).collect(),
                line: i + 3,
            })
            .collect(),
        line: 1,
    }
}

#[test]
fn a_severity_table_is_known_by_its_values_and_means_its_type_and_example() {
    let priorities = table(
        &["Classification", "Type", "Example", "Response time"],
        &[
            &["P1", "Critical", "Complete outage", "20 minutes"],
            &["P2", "Major", "Substantial degradation", "60 minutes"],
        ],
    );
    let read = severities(&priorities).unwrap();
    assert_eq!(read[0].0, Severity::P1);
    assert_eq!(read[0].1, "Critical: Complete outage");
    assert_eq!(read[1].1, "Major: Substantial degradation");
    // A components table whose first column is not severities is not one.
    let components = table(
        &["Component", "RTO", "Priority"],
        &[&["Database", "1h", "P1"], &["Cache", "4h", "P2"]],
    );
    assert!(severities(&components).is_none());
}

#[test]
fn the_names_are_the_column_holding_names_and_scenarios_are_no_components() {
    let ranked = table(
        &["Rank", "Service", "RTO", "RPO"],
        &[
            &["1", "Payments API", "1h", "5m"],
            &["2", "Ledger", "4h", "1h"],
        ],
    );
    let names: Vec<String> = targets(&ranked)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["Payments API", "Ledger"]);
    let priority_first = table(
        &["Priority", "Application", "RTO"],
        &[&["P1", "Checkout", "30m"]],
    );
    assert_eq!(targets(&priority_first).unwrap().rows[0].name, "Checkout");
    let scenarios = table(
        &["Scenario", "Recovery Steps", "RTO"],
        &[&["Redis connection lost", "Restart", "5 minutes"]],
    );
    assert!(targets(&scenarios).is_none());
}

#[test]
fn targets_need_rto_or_rpo_as_words_and_mtd_stands_in_only_without_an_rto() {
    let emergency = table(
        &["Organization", "Purpose", "Phone"],
        &[&["Fire Department", "Fire, hazardous materials", "112"]],
    );
    assert!(
        !has_targets(&emergency),
        "`Purpose` holds the letters of RPO"
    );
    let both = table(
        &["Process", "MTPD", "RTO", "Max downtime"],
        &[&["Orders", "24h", "4h", "12h"]],
    );
    assert_eq!(
        targets(&both).unwrap().rows[0].rto,
        Some(std::time::Duration::from_hours(4))
    );
    let mtd_only = table(
        &["Process", "Maximum tolerable downtime"],
        &[&["Orders", "24h"]],
    );
    assert_eq!(
        targets(&mtd_only).unwrap().rows[0].rto,
        Some(std::time::Duration::from_hours(24))
    );
}

#[test]
fn a_contact_table_is_named_by_its_first_column_and_needs_a_way_to_reach() {
    let departments = table(
        &["Department", "Contact Person", "Phone"],
        &[&["Production", "[TODO]", "[TODO]"]],
    );
    let people = contacts(&departments).unwrap();
    assert_eq!(people[0].role, "Production");
    assert_eq!(people[0].name, None, "a placeholder is no name");
    let roster = table(
        &["Role", "Name", "Contact", "Responsibility"],
        &[&[
            "IT Recovery Lead",
            "[NAME]",
            "[CONTACT]",
            "Technical recovery",
        ]],
    );
    assert_eq!(contacts(&roster).unwrap()[0].role, "IT Recovery Lead");
    let signatures = table(
        &["Role", "Name", "Date", "Signature"],
        &[&["CIO", "[Name]", "[Date]", ""]],
    );
    assert!(
        contacts(&signatures).is_none(),
        "an approval table reaches no one"
    );
}

#[test]
fn a_row_with_targets_and_no_name_is_said_not_dropped() {
    let merged = table(
        &["Component", "RTO", "RPO"],
        &[&["DB", "1h", "5m"], &["", "2h", "10m"], &["", "", ""]],
    );
    let read = targets(&merged).unwrap();
    assert_eq!(read.rows.len(), 1);
    assert_eq!(
        read.unnamed,
        [4],
        "the row with targets; the empty one is nothing"
    );
}
