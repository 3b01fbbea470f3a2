use super::*;
use crate::domain::Health;
use crate::keymap::Action;

const MINIMAL: &str = r#"
[service]
name = "Shop"

[[component]]
id = "db"
name = "Database"
tier = "critical"
probe = { kind = "sim" }
"#;

fn first_error(text: &str) -> String {
    parse("w.toml", text).unwrap_err().0[0].to_string()
}

fn all_errors(text: &str) -> Vec<String> {
    parse("w.toml", text)
        .unwrap_err()
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_minimal_config_parses() {
    let config = parse("w.toml", MINIMAL).unwrap();
    assert_eq!(config.components[0].probe, Probe::sim(Health::Up));
}

#[test]
fn a_misspelt_tier_is_quoted_with_a_suggestion() {
    let err = first_error(&MINIMAL.replace("\"critical\"", "\"critcal\""));
    assert!(err.starts_with("w.toml:8:8: "), "{err}");
    assert!(
        err.contains("`critcal`") && err.contains("did you mean `critical`?"),
        "{err}"
    );
}

#[test]
fn an_unknown_key_is_named_with_a_suggestion() {
    let err = first_error(&MINIMAL.replace("name = \"Database\"", "nmae = \"Database\""));
    assert!(
        err.contains("unknown field `nmae`") && err.contains("did you mean `name`?"),
        "{err}"
    );
}

#[test]
fn a_bad_duration_is_quoted() {
    let err = first_error(&format!("{MINIMAL}rto = \"5 minuts\"\n"));
    assert!(err.contains("`5 minuts`"), "{err}");
}

#[test]
fn missing_env_vars_name_key_and_variable() {
    let text =
        format!("{MINIMAL}\n[notify.pagerduty]\nrouting_key = \"${{WARROOM_TEST_UNSET_VAR}}\"\n");
    // Left out, not refused: work that sends nothing starts; a console that would send asks
    // `require`, which refuses with the same words.
    let config = parse("w.toml", &text).unwrap();
    assert!(config.notify.pagerduty.is_none());
    let err = config.notify.require().unwrap_err().to_string();
    assert!(
        err.contains("notify.pagerduty.routing_key")
            && err.contains("WARROOM_TEST_UNSET_VAR")
            && err.contains("nothing will be sent to PagerDuty"),
        "{err}"
    );
}

#[test]
fn secrets_resolve_and_never_print() {
    let text =
        format!("{MINIMAL}\n[notify.slack]\nwebhook_url = \"http://127.0.0.1${{HOME}}/x\"\n");
    let config = parse("w.toml", &text).unwrap();
    let secret = config.notify.slack.unwrap();
    assert!(secret.expose().ends_with("/x"));
    assert_eq!(format!("{secret:?}"), "[REDACTED]");
}

#[test]
fn unknown_dependencies_and_cycles_are_errors() {
    let text = MINIMAL.replace("probe =", "depends_on = [\"dbb\"]\nprobe =");
    assert!(first_error(&text).contains("unknown component `dbb`"));
    let cyclic = MINIMAL.replace("probe =", "depends_on = [\"db\"]\nprobe =");
    assert!(first_error(&cyclic).contains("depends on itself"));
}

fn probe_error(table: &str) -> String {
    first_error(&MINIMAL.replace("probe = { kind = \"sim\" }", &format!("probe = {table}")))
}

#[test]
fn probe_mistakes_are_located_and_explained() {
    let unknown = probe_error("{ kind = \"htp\", url = \"http://x/\" }");
    assert!(
        unknown.contains("`htp`") && unknown.contains("did you mean `http`?"),
        "{unknown}"
    );
    let url = probe_error("{ kind = \"http\", url = \"not a url\" }");
    assert!(
        url.starts_with("w.toml:9:32:") && url.contains("invalid url `not a url`"),
        "{url}"
    );
    let scheme = probe_error("{ kind = \"http\", url = \"ftp://x/\" }");
    assert!(scheme.contains("scheme `ftp`"), "{scheme}");
    let slow = probe_error(
        "{ kind = \"tcp\", address = \"db:5432\", interval = \"5s\", timeout = \"10s\" }",
    );
    assert!(
        slow.contains("timeout `10s` must be above zero and below the interval `5s`"),
        "{slow}"
    );
    let stray = probe_error("{ kind = \"tcp\", address = \"db:5432\", url = \"http://x/\" }");
    assert!(
        stray.contains("`url` is not an option of a tcp probe"),
        "{stray}"
    );
    let address = probe_error("{ kind = \"tcp\", address = \"db\" }");
    assert!(
        address.contains("address `db` must be host:port"),
        "{address}"
    );
    let missing = probe_error("{ kind = \"command\" }");
    assert!(missing.contains("needs `command`"), "{missing}");
}

#[test]
fn probe_defaults_are_what_a_new_user_expects() {
    let text = MINIMAL.replace(
        "{ kind = \"sim\" }",
        "{ kind = \"tcp\", address = \"127.0.0.1:5432\" }",
    );
    let probe = &parse("w.toml", &text).unwrap().components[0].probe;
    assert_eq!(
        (probe.interval, probe.timeout),
        (Duration::from_secs(10), Duration::from_secs(5))
    );
    assert_eq!((probe.fail_after, probe.recover_after), (2, 2));
    let short = MINIMAL.replace(
        "{ kind = \"sim\" }",
        "{ kind = \"tcp\", address = \"h:1\", interval = \"2s\" }",
    );
    let probe = &parse("w.toml", &short).unwrap().components[0].probe;
    assert!(
        probe.timeout < probe.interval,
        "the default timeout stays below a short interval"
    );
}

#[test]
fn escalation_mistakes_are_located() {
    let contact = "\n[[contact]]\nid = \"oncall\"\nname = \"D\"\nrole = \"r\"\n";
    let policy = |sev: &str, levels: &str| {
        format!("\n[[escalation]]\nseverity = \"{sev}\"\nlevels = {levels}\n")
    };
    let ok = "[ { after = \"0m\", notify = [\"oncall\"] } ]";
    let all = |first: &str| {
        format!(
            "{MINIMAL}{contact}{first}{}{}{}",
            policy("P2", ok),
            policy("P3", ok),
            policy("P4", ok)
        )
    };
    let unknown = first_error(&all(&policy(
        "P1",
        "[ { after = \"0m\", notify = [\"oncal\"] } ]",
    )));
    assert!(
        unknown.contains("unknown contact `oncal`; did you mean `oncall`?"),
        "{unknown}"
    );
    let order =
        "[ { after = \"15m\", notify = [\"oncall\"] }, { after = \"5m\", notify = [\"oncall\"] } ]";
    let order = first_error(&all(&policy("P1", order)));
    assert!(order.contains("comes before the previous level"), "{order}");
    let missing = first_error(&format!("{MINIMAL}{contact}{}", policy("P1", ok)));
    assert!(
        missing.contains("no escalation policy for P2, P3, P4"),
        "{missing}"
    );
    assert!(parse("w.toml", &all(&policy("P1", ok))).is_ok());
}

#[test]
fn key_overrides_are_checked() {
    let err = first_error(&format!("{MINIMAL}\n[keys.global]\nx = \"declar\"\n"));
    assert!(
        err.contains("`declar`") && err.contains("did you mean `declare`?"),
        "{err}"
    );
    let config = parse(
        "w.toml",
        &format!("{MINIMAL}\n[keys.global]\nx = \"declare\"\n"),
    )
    .unwrap();
    assert_eq!(config.keys[0].action, Action::Declare);
}

fn scenario_errors(text: &str) -> Vec<String> {
    let config = crate::demo::config();
    let runbooks: Vec<crate::runbook::Runbook> = crate::demo::runbooks()
        .into_iter()
        .filter(|r| r.id == "db-failover")
        .collect();
    match parse_scenario("s.toml", text, Some(&config), Some(&runbooks)) {
        Ok(_) => Vec::new(),
        Err(Invalid(errors)) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_full_scenario_parses_with_objectives_and_safe_defaults() {
    let text = "title = \"t\"\nspeed = 5\n\
        [[inject]]\nat = \"10s\"\ncomponent = \"db\"\nstate = \"down\"\n\
        [[inject]]\nat = \"20s\"\ncomponent = \"db\"\nrecovery_point = \"7m\"\n\
        [[inject]]\nat = \"30s\"\npager = \"failing\"\n\
        [[inject]]\nat = \"40s\"\nmessage = \"hello\"\n\
        [[objective]]\ndeclared_within = \"3m\"\n\
        [[objective]]\nseverity = \"P1\"\n\
        [[objective]]\nrunbook = \"db-failover\"\n\
        [[objective]]\nacknowledged_within = \"5m\"\nlevel = 2\n\
        [[objective]]\nrto_met = \"db\"\n";
    let config = crate::demo::config();
    let scenario = parse_scenario("s.toml", text, Some(&config), None).unwrap();
    assert!(
        !scenario.allow_commands && !scenario.allow_notify,
        "safe by default"
    );
    assert_eq!(
        scenario.simulate.len(),
        config.components.len(),
        "all simulated"
    );
    assert_eq!(scenario.injects.len(), 4);
    assert_eq!(
        scenario.objectives[3],
        crate::domain::objective::Objective::Acknowledged {
            level: 1,
            within_secs: 300
        }
    );
    assert_eq!(
        scenario.objectives[4],
        crate::domain::objective::Objective::RtoMet {
            component: "db".into(),
            rto_secs: 300
        },
        "the RTO comes from the service"
    );
}

#[test]
fn scenario_mistakes_are_located_and_explained() {
    let errors = scenario_errors(
        "title = \"t\"\nspeed = 10000\n\
         [[inject]]\nat = \"2m\"\ncomponent = \"dbb\"\nstate = \"down\"\n\
         [[inject]]\nat = \"1m\"\nmessage = \"m\"\n\
         [[inject]]\nat = \"3m\"\npager = \"broken\"\n\
         [[objective]]\nrunbook = \"nope\"\n\
         [[objective]]\nrto_met = \"cache\"\n\
         [[objective]]\nacknowledged_within = \"1m\"\nlevel = 7\n\
         [[objective]]\nseverity = \"P1\"\nrunbook = \"db-failover\"\n",
    );
    let expected = [
        "s.toml:2:9: speed `10000` is out of range; use 1 to 60",
        "s.toml:5:13: unknown component `dbb`",
        "s.toml:8:6: inject at `1m` comes before the previous one (2m)",
        "s.toml:11:6: pager `broken` is not known",
        "s.toml:14:11: objective names unknown runbook `nope`",
        "s.toml:16:11: no inject takes `cache` down or degraded",
        "s.toml:19:9: level 7 is not an escalation level of the service (it has 3)",
        "s.toml:20:1: an objective has exactly one of",
    ];
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (error, start) in errors.iter().zip(expected) {
        assert!(
            error.starts_with(start),
            "{error}\n does not start with\n{start}"
        );
    }
}

#[test]
fn injects_into_components_with_real_probes_are_refused() {
    let errors = scenario_errors(
        "title = \"t\"\nsimulate = [\"api\"]\n\
         [[inject]]\nat = \"1s\"\ncomponent = \"db\"\nstate = \"down\"\n",
    );
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].contains("`db` keeps its real probe"),
        "{}",
        errors[0]
    );
}

#[test]
fn one_escalation_policy_serves_several_severities() {
    let contact = "\n[[contact]]\nid = \"oncall\"\nname = \"Dana\"\nrole = \"On-call\"\n";
    let policy = |sev: &str| {
        format!(
            "\n[[escalation]]\nseverity = {sev}\nlevels = [ {{ after = \"0m\", notify = [\"oncall\"] }} ]\n"
        )
    };
    let text = format!(
        "{MINIMAL}{contact}{}{}",
        policy("[\"P1\", \"P2\"]"),
        policy("[\"P3\", \"P4\"]")
    );
    let config = parse("w.toml", &text).unwrap();
    for severity in <Severity as strum::IntoEnumIterator>::iter() {
        assert_eq!(
            config.policy(severity).unwrap().levels[0].notify,
            ["oncall"],
            "{severity}"
        );
    }
    let twice = format!(
        "{MINIMAL}{contact}{}{}",
        policy("[\"P1\", \"P2\"]"),
        policy("[\"P2\", \"P3\", \"P4\"]")
    );
    assert!(
        first_error(&twice).contains("a second escalation policy for P2"),
        "{}",
        first_error(&twice)
    );
    let none = format!(
        "{MINIMAL}{contact}{}{}",
        policy("[]"),
        policy("[\"P1\", \"P2\", \"P3\", \"P4\"]")
    );
    assert!(
        first_error(&none).contains("names no severity"),
        "{}",
        first_error(&none)
    );
}

#[test]
fn a_contact_names_its_backup_shown_beside_it() {
    let contacts = "\n[[contact]]\nid = \"oncall\"\nname = \"Dana\"\nrole = \"Primary\"\nphone = \"+1 555 0100\"\nbackup = \"second\"\n\
                    [[contact]]\nid = \"second\"\nname = \"Sam\"\nrole = \"Secondary\"\nphone = \"+1 555 0101\"\n";
    let config = parse("w.toml", &format!("{MINIMAL}{contacts}")).unwrap();
    assert_eq!(
        config.who(&["oncall".into()]),
        "Dana (Primary) +1 555 0100 (backup: Sam +1 555 0101)"
    );
    let typo = contacts.replace("backup = \"second\"", "backup = \"secnd\"");
    let err = first_error(&format!("{MINIMAL}{typo}"));
    assert!(
        err.contains(
            "`backup` names `secnd`, which is not another contact; did you mean `second`?"
        ),
        "{err}"
    );
}

#[test]
fn severities_mean_what_the_team_says() {
    let text = format!("{MINIMAL}\n[severity.P1]\nmeaning = \"complete outage of payments\"\n");
    let config = parse("w.toml", &text).unwrap();
    assert_eq!(config.meaning(Severity::P1), "complete outage of payments");
    assert_eq!(
        config.meaning(Severity::P2),
        Severity::P2.meaning(),
        "the built-in one elsewhere"
    );
    let bad = first_error(&format!("{MINIMAL}\n[severity.P7]\nmeaning = \"x\"\n"));
    assert!(bad.contains("P7"), "{bad}");
}

#[test]
fn backup_streams_keep_their_names_and_frequencies_beside_the_recovery_point() {
    let text = format!(
        "{MINIMAL}recovery_point = {{ kind = \"sim\", age = \"1m\" }}\n\
         [[component.backup]]\nname = \"nightly full\"\nevery = \"24h\"\nsource = {{ kind = \"file\", glob = \"/b/*.dump\" }}\n"
    );
    let config = parse("w.toml", &text).unwrap();
    let names: Vec<(&str, Option<Duration>)> = config.components[0]
        .backups
        .iter()
        .map(|b| (b.name.as_str(), b.every))
        .collect();
    assert_eq!(
        names,
        [
            (RECOVERY_POINT, None),
            ("nightly full", Some(Duration::from_hours(24)))
        ]
    );
    let twice = format!(
        "{MINIMAL}[[component.backup]]\nname = \"wal\"\nsource = {{ kind = \"sim\", age = \"1m\" }}\n\
         [[component.backup]]\nname = \"wal\"\nsource = {{ kind = \"file\", glob = \"[\" }}\n"
    );
    let errors = all_errors(&twice);
    assert!(
        errors.iter().any(|e| e.starts_with("w.toml:14:8:") && e.contains("backup name `wal` is used twice")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("invalid glob `[`")),
        "{errors:?}"
    );
}

#[test]
fn a_template_naming_an_unknown_field_is_located_with_a_suggestion() {
    let text = format!(
        "{MINIMAL}[[template]]\nname = \"Critical\"\ntext = \"{{{{ sevrity }}}} {{{{ title }}}}\"\n\
         [[template]]\nname = \"Broken\"\nfor = \"resolve\"\ntext = \"{{{{ title \"\n"
    );
    let errors = all_errors(&text);
    assert!(
        errors.iter().any(|e| e.starts_with("w.toml:12:8:")
            && e.contains("unknown field `sevrity`; did you mean `severity`?")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("w.toml:16:8: template text:")),
        "{errors:?}"
    );
    let good = text
        .replace("sevrity", "severity")
        .replace("{{ title \"", "{{ title }}\"");
    let config = parse("w.toml", &good).unwrap();
    assert_eq!(config.templates.len(), 2);
    assert_eq!(config.templates[1].purpose, template::Purpose::Resolve);
}

#[test]
fn roles_are_the_teams_own_with_the_commander_first() {
    let config = parse("w.toml", MINIMAL).unwrap();
    let names: Vec<String> = config.roles.iter().map(ToString::to_string).collect();
    assert_eq!(names, ["commander", "scribe", "comms"], "the defaults");
    let text = format!("roles = [\"Scribe\", \"Technical  Lead\", \"business lead\"]\n{MINIMAL}");
    let config = parse("w.toml", &text).unwrap();
    let names: Vec<String> = config.roles.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        ["commander", "scribe", "technical lead", "business lead"]
    );
    let twice = all_errors(&format!("roles = [\"scribe\", \"Scribe\"]\n{MINIMAL}"));
    assert!(
        twice.iter().any(|e| e.starts_with("w.toml:1:9:")
            && e.contains("role `Scribe` is empty or listed twice")),
        "{twice:?}"
    );
}

#[test]
fn a_role_objective_names_a_role_the_service_has() {
    let errors = scenario_errors("title = \"t\"\n[[objective]]\nrole_assigned = \"tech lead\"\n");
    assert!(
        errors.iter().any(|e| e
            .contains("`role_assigned` names role `tech lead`, which the service does not have")
            && e.contains("(its roles: commander, scribe, comms)")),
        "{errors:?}"
    );
}

#[test]
fn a_prometheus_source_sets_its_probes_timeout_below_their_interval() {
    let text = |probe: &str| {
        format!(
            "[service]\nname = \"Shop\"\n[sources.prometheus.main]\nurl = \"http://127.0.0.1:9090/prom\"\n\
             timeout = \"3s\"\n[[component]]\nid = \"db\"\nname = \"DB\"\ntier = \"critical\"\n\
             probe = {{ kind = \"prometheus\", query = \"up\", down_if = \"< 1\"{probe} }}\n"
        )
    };
    let timeout = |probe: &str| {
        parse("w.toml", &text(probe)).unwrap().components[0]
            .probe
            .timeout
    };
    assert_eq!(timeout(""), Duration::from_secs(3));
    assert_eq!(timeout(", interval = \"2s\""), Duration::from_millis(1600));
    assert_eq!(timeout(", timeout = \"1s\""), Duration::from_secs(1));
    let config = parse("w.toml", &text("")).unwrap();
    let Check::Prometheus(promql) = &config.components[0].probe.check else {
        panic!("a prometheus check");
    };
    assert_eq!(promql.source.url.as_str(), "http://127.0.0.1:9090/prom");
    assert_eq!(promql.on_empty, Health::Unknown);
}
