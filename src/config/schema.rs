//! `warroom schema`: the JSON Schema of the config and of drill files, derived from the very
//! types serde reads them into, so that it cannot drift from what `validate` accepts.
//!
//! Draft 7, which Taplo (and so Even Better TOML) reads. The checks of meaning (names that
//! must exist, order, secrets) stay with `warroom validate`; the schema gives an editor the
//! keys, their types and their allowed words.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};

use super::duration::HumanDuration;
use super::file::{ConfigFile, ScenarioFile, Severities};
use super::tier::{BUILT_IN, TierBudgetFile, TierFile, TiersFile};

/// Which file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Of {
    /// `warroom.toml`, a service's config.
    Config,
    /// A drill scenario under `runbooks/drills/`.
    Drill,
}

impl Of {
    /// The file name `init` and `import` write the schema to, beside the config.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Config => "warroom.schema.json",
            Self::Drill => "drill.schema.json",
        }
    }
}

/// The schema as pretty JSON text, ending in a newline.
#[must_use]
pub fn text(of: Of) -> String {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = match of {
        Of::Config => generator.into_root_schema_for::<ConfigFile>(),
        Of::Drill => generator.into_root_schema_for::<ScenarioFile>(),
    };
    let title = match of {
        Of::Config => "warroom config (warroom.toml)",
        Of::Drill => "warroom drill scenario",
    };
    schema.insert("title".into(), title.into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The `#:schema` line Taplo reads, for a file `depth` folders below the kit's root.
#[must_use]
pub fn directive(of: Of, depth: usize) -> String {
    let up = if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    };
    format!("#:schema {up}{}\n", of.file_name())
}

/// A kit's files with the `#:schema` line at the top of its config and drills, and the two
/// schema files beside the config, so that an editor checks them as they are written.
#[must_use]
pub fn with_schemas(files: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = files
        .into_iter()
        .map(|(path, text)| {
            let of = if path == "warroom.toml" {
                Some(Of::Config)
            } else {
                let drill = path.starts_with("runbooks/drills/")
                    && std::path::Path::new(&path)
                        .extension()
                        .is_some_and(|e| e == "toml");
                drill.then_some(Of::Drill)
            };
            match of {
                Some(of) => {
                    let line = directive(of, path.matches('/').count());
                    (path, format!("{line}{text}"))
                }
                None => (path, text),
            }
        })
        .collect();
    for of in [Of::Config, Of::Drill] {
        out.push((of.file_name().to_owned(), self::text(of)));
    }
    out
}

impl JsonSchema for HumanDuration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A duration: a number and a unit, repeated (\"90s\", \"15m\", \"1h30m\", \"2 hours\").",
            "pattern": "^\\s*(0|([0-9]+\\s*[a-zA-Zµ]+\\s*)+)$",
            "examples": ["90s", "15m", "1h30m"]
        })
    }
}

impl JsonSchema for super::notify::UrlFile {
    fn schema_name() -> Cow<'static, str> {
        "UrlFile".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let url = json_schema!({
            "type": "string",
            "description": "The endpoint (a secret: `${ENV}` references are resolved)."
        });
        json_schema!({
            "type": "object",
            "properties": { "url": url, "webhook_url": url },
            "additionalProperties": false,
            "oneOf": [{ "required": ["url"] }, { "required": ["webhook_url"] }]
        })
    }
}

impl JsonSchema for Severities {
    fn schema_name() -> Cow<'static, str> {
        "Severities".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let one = generator.subschema_for::<crate::domain::Severity>();
        json_schema!({
            "description": "One severity (\"P1\") or a list of them ([\"P1\", \"P2\"]).",
            "anyOf": [one, { "type": "array", "items": one, "minItems": 1 }]
        })
    }
}

impl JsonSchema for TiersFile {
    fn schema_name() -> Cow<'static, str> {
        "Tiers".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let budget = generator.subschema_for::<TierBudgetFile>();
        let own = generator.subschema_for::<TierFile>();
        let built_in: serde_json::Map<String, serde_json::Value> = BUILT_IN
            .iter()
            .map(|(name, _, _)| ((*name).to_owned(), budget.clone().into()))
            .collect();
        json_schema!({
            "description": "Either a `[tiers]` table tuning the built-in tiers, or `[[tiers]]` entries listing the service's own tiers, most important first.",
            "anyOf": [
                { "type": "object", "properties": built_in, "additionalProperties": false },
                { "type": "array", "items": own, "minItems": 1 }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(of: Of) -> serde_json::Value {
        serde_json::from_str(&text(of)).expect("the schema is JSON")
    }

    #[test]
    fn the_config_schema_lists_the_keys_serde_reads_and_refuses_others() {
        let schema = parsed(Of::Config);
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["service"]));
        let component = &schema["definitions"]["ComponentFile"];
        for key in [
            "id",
            "name",
            "tier",
            "rto",
            "rpo",
            "depends_on",
            "probe",
            "backup",
        ] {
            assert!(
                component["properties"].get(key).is_some(),
                "{key}: {component}"
            );
        }
        assert_eq!(component["additionalProperties"], false);
        let kinds = &schema["definitions"]["Kind"]["enum"];
        assert!(
            kinds.as_array().is_some_and(|k| k.contains(&"http".into())),
            "{kinds}"
        );
    }

    #[test]
    fn the_drill_schema_describes_injects_and_objectives() {
        let schema = parsed(Of::Drill);
        assert_eq!(schema["required"], serde_json::json!(["title"]));
        assert!(schema["properties"]["inject"].is_object(), "{schema}");
        assert!(schema["properties"]["objective"].is_object(), "{schema}");
    }

    #[test]
    fn a_kit_gets_its_directives_and_schema_files() {
        let kit = with_schemas(vec![
            ("warroom.toml".into(), "[service]\n".into()),
            ("runbooks/a.md".into(), "+++\n".into()),
            ("runbooks/drills/a.toml".into(), "title = \"a\"\n".into()),
        ]);
        let paths: Vec<&str> = kit.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "warroom.toml",
                "runbooks/a.md",
                "runbooks/drills/a.toml",
                "warroom.schema.json",
                "drill.schema.json"
            ]
        );
        assert_eq!(kit[0].1, "#:schema ./warroom.schema.json\n[service]\n");
        assert_eq!(kit[1].1, "+++\n");
        assert_eq!(
            kit[2].1,
            "#:schema ../../drill.schema.json\ntitle = \"a\"\n"
        );
        assert_eq!(kit[3].1, text(Of::Config));
    }

    #[test]
    fn the_directive_points_up_to_the_kit_root() {
        assert_eq!(directive(Of::Config, 0), "#:schema ./warroom.schema.json\n");
        assert_eq!(
            directive(Of::Drill, 2),
            "#:schema ../../drill.schema.json\n"
        );
    }
}
