//! Threshold rules on a metric (`down_if = "< 1"`, `degraded_if = "> 0.5"`) and the state that
//! the values of a query give a component.

use std::fmt;
use std::str::FromStr;

use super::Health;

/// A comparison with a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub op: Op,
    pub threshold: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// Longest operators first, so that `<=` is not read as `<` and `= 1`.
const OPS: [(&str, Op); 6] = [
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<", Op::Lt),
    (">", Op::Gt),
];

impl FromStr for Rule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let written = text.trim();
        let wrong = || {
            format!(
                "`{written}` is not a rule; write a comparison and a number, like \"< 1\", \">= 0.5\" or \"== 0\""
            )
        };
        let (op, rest) = OPS
            .iter()
            .find_map(|(symbol, op)| written.strip_prefix(symbol).map(|rest| (*op, rest)))
            .ok_or_else(wrong)?;
        let threshold: f64 = rest.trim().parse().map_err(|_| wrong())?;
        if threshold.is_nan() {
            return Err(wrong());
        }
        Ok(Self { op, threshold })
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let symbol = OPS
            .iter()
            .find(|(_, op)| *op == self.op)
            .map_or("?", |(s, _)| *s);
        write!(f, "{symbol} {}", self.threshold)
    }
}

impl Rule {
    /// Whether `value` meets the rule; NaN meets none. Equality is exact, as `PromQL`'s `==` is.
    #[must_use]
    #[allow(clippy::float_cmp)]
    pub fn holds(self, value: f64) -> bool {
        let t = self.threshold;
        match self.op {
            Op::Lt => value < t,
            Op::Le => value <= t,
            Op::Gt => value > t,
            Op::Ge => value >= t,
            Op::Eq => value == t,
            Op::Ne => !value.is_nan() && value != t,
        }
    }
}

/// What the values of a query make of a component.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub health: Health,
    /// The rule that decided it (`None`: up, or nothing to decide on).
    pub rule: Option<Rule>,
    /// How many of the values met that rule.
    pub met: usize,
}

/// Down when any value meets `down_if`, else degraded when any meets `degraded_if`, else up.
/// Values that are not numbers (NaN) decide nothing; when there is no other, the state is
/// unknown.
#[must_use]
pub fn judge(values: &[f64], down_if: Option<Rule>, degraded_if: Option<Rule>) -> Verdict {
    if values.iter().all(|v| v.is_nan()) {
        return Verdict {
            health: Health::Unknown,
            rule: None,
            met: 0,
        };
    }
    for (health, rule) in [(Health::Down, down_if), (Health::Degraded, degraded_if)] {
        let Some(rule) = rule else { continue };
        let met = values.iter().filter(|v| rule.holds(**v)).count();
        if met > 0 {
            return Verdict {
                health,
                rule: Some(rule),
                met,
            };
        }
    }
    Verdict {
        health: Health::Up,
        rule: None,
        met: 0,
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)]
mod tests {
    use super::*;

    fn rule(text: &str) -> Rule {
        text.parse().unwrap()
    }

    #[test]
    fn rules_read_every_comparison_and_refuse_the_rest() {
        assert_eq!(
            rule("< 1"),
            Rule {
                op: Op::Lt,
                threshold: 1.0
            }
        );
        assert_eq!(
            rule("<=0.5"),
            Rule {
                op: Op::Le,
                threshold: 0.5
            }
        );
        assert_eq!(
            rule(" >= -2 "),
            Rule {
                op: Op::Ge,
                threshold: -2.0
            }
        );
        assert_eq!(rule("== 0").to_string(), "== 0");
        assert_eq!(rule("!= 1e3").threshold, 1000.0);
        assert_eq!(rule("> inf").threshold, f64::INFINITY);
        for bad in ["1", "< one", "=< 1", "", "< NaN", "= 1"] {
            let err = bad.parse::<Rule>().unwrap_err();
            assert!(err.contains("\"< 1\""), "{bad}: {err}");
        }
    }

    #[test]
    fn any_series_meeting_down_if_makes_it_down_before_degraded() {
        let (down, slow) = (Some(rule("< 1")), Some(rule("> 0.5")));
        let verdict = judge(&[1.0, 0.0, 0.0], down, slow);
        assert_eq!((verdict.health, verdict.met), (Health::Down, 2));
        assert_eq!(judge(&[1.0, 1.7], down, slow).health, Health::Degraded);
        assert_eq!(judge(&[0.4], None, slow).health, Health::Up);
        assert_eq!(judge(&[f64::INFINITY], down, slow).health, Health::Degraded);
    }

    #[test]
    fn nan_decides_nothing() {
        let down = Some(rule("!= 1"));
        assert_eq!(judge(&[f64::NAN], down, None).health, Health::Unknown);
        assert_eq!(judge(&[f64::NAN, 1.0], down, None).health, Health::Up);
        assert!(!rule("!= 1").holds(f64::NAN));
    }
}
