//! Label matchers in Alertmanager's syntax: `service="payments"`, `env!="dev"`,
//! `component=~"db|cache"`, `team!~"infra-.*"`. Regular expressions match the whole value, as in
//! Alertmanager.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// How a matcher compares a label's value.
#[derive(Debug, Clone)]
pub enum Test {
    Equal(String),
    NotEqual(String),
    Matches(regex::Regex),
    NotMatches(regex::Regex),
}

/// One label matcher.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub test: Test,
    /// As written, for messages and silences.
    pub written: String,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.written == other.written
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

impl FromStr for Matcher {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let written = text.trim();
        let wrong = |why: &str| {
            format!(
                "matcher `{written}` {why}; write it like 'service=\"payments\"', 'env!=\"dev\"' or 'component=~\"db|cache\"'"
            )
        };
        let at = written
            .find(['=', '!'])
            .ok_or_else(|| wrong("has no operator"))?;
        let name = written[..at].trim();
        let valid_name = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return Err(wrong("has no label name before its operator"));
        }
        let rest = &written[at..];
        let (op, value) = ["=~", "!~", "!=", "="]
            .iter()
            .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v)))
            .ok_or_else(|| wrong("has an unknown operator"))?;
        let value = unquote(value.trim()).ok_or_else(|| wrong("has an unclosed quote"))?;
        let regex = || {
            regex::Regex::new(&format!("^(?:{value})$")).map_err(|e| {
                let text = e.to_string();
                let why = text.lines().last().unwrap_or_default().trim();
                wrong(&format!(
                    "has a bad regular expression ({})",
                    why.trim_start_matches("error: ")
                ))
            })
        };
        let test = match op {
            "=" => Test::Equal(value.clone()),
            "!=" => Test::NotEqual(value.clone()),
            "=~" => Test::Matches(regex()?),
            _ => Test::NotMatches(regex()?),
        };
        Ok(Self {
            name: name.to_owned(),
            test,
            written: written.to_owned(),
        })
    }
}

/// A value as written: bare, or in double quotes with `\"`, `\\` and `\n` escapes.
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else {
        return Some(value.to_owned());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next()? {
                'n' => out.push('\n'),
                other => out.push(other),
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

impl Matcher {
    /// Whether the labels pass; a missing label has the empty value, as in Alertmanager.
    #[must_use]
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.name).map_or("", String::as_str);
        match &self.test {
            Test::Equal(v) => value == v,
            Test::NotEqual(v) => value != v,
            Test::Matches(re) => re.is_match(value),
            Test::NotMatches(re) => !re.is_match(value),
        }
    }
}

/// Whether every matcher passes.
#[must_use]
pub fn all_match(matchers: &[Matcher], labels: &BTreeMap<String, String>) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn matcher(text: &str) -> Matcher {
        text.parse().unwrap()
    }

    #[test]
    fn every_operator_compares_as_alertmanager_does() {
        let db = labels(&[
            ("service", "payments"),
            ("component", "db"),
            ("env", "prod"),
        ]);
        assert!(matcher("service=\"payments\"").matches(&db));
        assert!(matcher("service = payments").matches(&db));
        assert!(matcher("env!=\"dev\"").matches(&db));
        assert!(matcher("component=~\"db|cache\"").matches(&db));
        assert!(!matcher("component=~\"d\"").matches(&db), "anchored");
        assert!(
            matcher("team!~\"infra-.*\"").matches(&db),
            "a missing label is empty"
        );
        assert!(matcher("team=\"\"").matches(&db));
        assert!(!all_match(
            &[matcher("service=\"payments\""), matcher("env=\"dev\"")],
            &db
        ));
        let quoted = labels(&[("summary", "say \"hi\"\nnow")]);
        assert!(matcher(r#"summary="say \"hi\"\nnow""#).matches(&quoted));
    }

    #[test]
    fn bad_matchers_say_how_to_write_them() {
        for bad in ["service", "=\"x\"", "9a=\"x\"", "a=\"x", "a=~\"(\""] {
            let err = bad.parse::<Matcher>().unwrap_err();
            assert!(err.contains("'service=\"payments\"'"), "{bad}: {err}");
        }
    }
}
