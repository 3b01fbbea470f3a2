//! The live world: component health and the scenario injects that drive simulated components.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::Health;
use super::health::{Change, ComponentHealth, Hysteresis, Sample};

/// A state change of one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub component: String,
    pub from: Health,
    pub to: Health,
    pub detail: Option<String>,
    /// When the new state began: the first sample of the run that caused it.
    pub since: DateTime<Utc>,
}

/// What an inject does when its time comes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InjectAction {
    /// A simulated component takes a new state.
    /// Sets a component's state; with `cascade`, every component that depends on it (through
    /// `depends_on`, transitively) takes the same state.
    Set {
        component: String,
        state: Health,
        cascade: bool,
    },
    /// The last good copy of a component is now this old.
    RecoveryPoint { component: String, age: Duration },
    /// Pages start failing (true) or work again (false).
    Pager { failing: bool },
    /// Only the message is delivered.
    Message,
}

/// One timed event of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inject {
    /// Offset from the start of the scenario.
    pub at: Duration,
    pub action: InjectAction,
    pub message: Option<String>,
}

impl Inject {
    /// One line for the facilitator: what the inject does.
    #[must_use]
    pub fn describe(&self) -> String {
        let action = match &self.action {
            InjectAction::Set {
                component,
                state,
                cascade: false,
            } => format!("{component} → {state}"),
            InjectAction::Set {
                component, state, ..
            } => format!("{component} → {state}, with what depends on it"),
            InjectAction::RecoveryPoint { component, age } => format!(
                "{component} recovery point {} old",
                humantime::format_duration(*age)
            ),
            InjectAction::Pager { failing: true } => "pager starts failing".to_owned(),
            InjectAction::Pager { failing: false } => "pager works again".to_owned(),
            InjectAction::Message => String::new(),
        };
        match (&self.message, action.is_empty()) {
            (Some(message), true) => format!("\"{message}\""),
            (Some(message), false) => format!("{action}: {message}"),
            (None, _) => action,
        }
    }
}

/// A timeline of injects and what a drill is judged on (the demo's, and a drill's).
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub title: String,
    pub briefing: String,
    /// How many scenario seconds pass per wall-clock second.
    pub speed: f64,
    /// Start the timeline over after this long (the demo runs forever).
    pub repeat_every: Option<Duration>,
    /// Sorted by `at`.
    pub injects: Vec<Inject>,
    /// Runbook commands and recovery actions really run (otherwise dry-run).
    pub allow_commands: bool,
    /// Pages and webhooks are really sent (otherwise recorded, not sent).
    pub allow_notify: bool,
    /// The components whose probes the scenario replaces; the others keep their real probes.
    pub simulate: Vec<String>,
    pub objectives: Vec<super::objective::Objective>,
    /// The service config file the drill runs on (absent: the embedded demo service).
    pub config: Option<String>,
    /// Tabletop, walkthrough or simulation.
    pub kind: super::objective::DrillKind,
    /// A runbook step completed whose `expect` wants a simulated component up brings it back,
    /// as if the step had worked (`expect_recovers = true`).
    pub expect_recovers: bool,
}

/// Fires a scenario's injects as time passes; the facilitator can fire one early.
#[derive(Debug, Clone)]
pub struct InjectEngine {
    pub scenario: Scenario,
    pub started: DateTime<Utc>,
    cycle: u32,
    /// When each inject of this cycle fired.
    fired: Vec<Option<DateTime<Utc>>>,
}

impl InjectEngine {
    #[must_use]
    pub fn new(scenario: Scenario, started: DateTime<Utc>) -> Self {
        let fired = vec![None; scenario.injects.len()];
        Self {
            scenario,
            started,
            cycle: 0,
            fired,
        }
    }

    /// Scenario time elapsed at `now` within the current cycle.
    #[must_use]
    pub fn offset(&self, now: DateTime<Utc>) -> Duration {
        let cycle_start = self.cycle_start(self.cycle);
        (now - cycle_start).to_std().unwrap_or_default()
    }

    fn cycle_start(&self, cycle: u32) -> DateTime<Utc> {
        let period = self.scenario.repeat_every.unwrap_or_default();
        self.started + TimeDelta::from_std(period * cycle).unwrap_or_default()
    }

    /// When the inject at `index` fired in this cycle.
    #[must_use]
    pub fn fired_at(&self, index: usize) -> Option<DateTime<Utc>> {
        self.fired.get(index).copied().flatten()
    }

    /// Marks every inject due by `offset` as fired without firing it (a resumed drill).
    pub fn skip_to(&mut self, offset: Duration, now: DateTime<Utc>) {
        for (inject, fired) in self.scenario.injects.iter().zip(&mut self.fired) {
            if inject.at <= offset {
                *fired = Some(now);
            }
        }
    }

    /// Fires one inject now, ahead of its time; `None` if it already fired.
    pub fn fire(&mut self, index: usize, now: DateTime<Utc>) -> Option<Inject> {
        let slot = self.fired.get_mut(index)?;
        if slot.is_some() {
            return None;
        }
        *slot = Some(now);
        self.scenario.injects.get(index).cloned()
    }

    /// The injects that became due since the last call, in order.
    pub fn due(&mut self, now: DateTime<Utc>) -> Vec<Inject> {
        let mut due = Vec::new();
        loop {
            let offset = self.offset(now);
            for (inject, fired) in self.scenario.injects.iter().zip(&mut self.fired) {
                if inject.at <= offset && fired.is_none() {
                    *fired = Some(now);
                    due.push(inject.clone());
                }
            }
            match self.scenario.repeat_every {
                Some(period) if !period.is_zero() && offset >= period => {
                    self.cycle += 1;
                    self.fired.iter_mut().for_each(|f| *f = None);
                }
                _ => return due,
            }
        }
    }
}

/// Health of every configured component, in config order, with the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    pub ids: Vec<String>,
    pub health: Vec<ComponentHealth>,
    /// Indices each component depends on.
    pub deps: Vec<Vec<usize>>,
}

impl World {
    /// A world of `(id, initial state, depends_on)` components, all starting at `now`.
    #[must_use]
    pub fn new(components: Vec<(String, Health, Vec<String>)>, now: DateTime<Utc>) -> Self {
        let ids: Vec<String> = components.iter().map(|(id, _, _)| id.clone()).collect();
        let deps = components
            .iter()
            .map(|(_, _, deps)| {
                deps.iter()
                    .filter_map(|d| ids.iter().position(|id| id == d))
                    .collect()
            })
            .collect();
        let health = components
            .iter()
            .map(|(_, state, _)| ComponentHealth::new(*state, now))
            .collect();
        Self { ids, health, deps }
    }

    /// Takes the states a journal record tells of: marked last known until a fresh sample (a
    /// resumed console: a restart invents no transition), or as they are (a console showing a
    /// journal it does not probe for).
    pub fn take(&mut self, record: &super::event::Record, last_known: bool) {
        for (component, state, detail, since) in told(record) {
            let Some(i) = self.index(&component) else {
                continue;
            };
            if last_known {
                self.health[i].restore(state, since, detail);
            } else {
                self.health[i].force(state, detail, since);
            }
        }
    }

    /// Index of a component by id.
    #[must_use]
    pub fn index(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|known| known == id)
    }

    fn transition(&self, index: usize, change: Change) -> Transition {
        Transition {
            component: self.ids[index].clone(),
            from: change.from,
            to: change.to,
            detail: change.detail,
            since: change.at,
        }
    }

    /// Sets a component's state at once (simulation); the transition if the state changed.
    pub fn set(
        &mut self,
        id: &str,
        state: Health,
        detail: Option<String>,
        now: DateTime<Utc>,
    ) -> Option<Transition> {
        let index = self.index(id)?;
        let change = self.health[index].force(state, detail, now)?;
        Some(self.transition(index, change))
    }

    /// Records a probe sample; the transition if hysteresis lets the state change.
    pub fn observe(
        &mut self,
        index: usize,
        sample: Sample,
        rules: Hysteresis,
    ) -> Option<Transition> {
        let change = self.health.get_mut(index)?.observe(sample, rules)?;
        Some(self.transition(index, change))
    }

    /// The components failing now, with their state and outage start.
    pub fn failing(&self) -> impl Iterator<Item = (&str, &ComponentHealth)> {
        self.ids
            .iter()
            .zip(&self.health)
            .filter(|(_, h)| h.state.is_failing())
            .map(|(id, h)| (id.as_str(), h))
    }

    /// For a failing component whose dependency is down: the component at the root of the chain.
    #[must_use]
    pub fn root_cause(&self, index: usize) -> Option<usize> {
        if !self.health.get(index)?.state.is_failing() {
            return None;
        }
        self.deps[index]
            .iter()
            .find(|&&d| self.health[d].state == Health::Down)
            .map(|&d| self.root_cause(d).unwrap_or(d))
    }

    /// The components that depend on `index` directly.
    #[must_use]
    pub fn dependents(&self, index: usize) -> Vec<usize> {
        (0..self.ids.len())
            .filter(|&i| self.deps[i].contains(&index))
            .collect()
    }

    /// Everything that depends on a component, directly or through others, nearest first.
    #[must_use]
    pub fn all_dependents(&self, index: usize) -> Vec<usize> {
        let mut found: Vec<usize> = Vec::new();
        let mut next = vec![index];
        while let Some(i) = next.pop() {
            for d in self.dependents(i) {
                if d != index && !found.contains(&d) {
                    found.push(d);
                    next.insert(0, d);
                }
            }
        }
        found
    }
}

/// A component's state as a journal record tells it: (component, state, detail, since).
pub type Told = (String, Health, Option<String>, DateTime<Utc>);

/// The component states a record tells of: a change, or the outages at declaration.
#[must_use]
pub fn told(record: &super::event::Record) -> Vec<Told> {
    use super::event::Event;
    match &record.event {
        Event::ComponentChanged {
            component,
            to,
            detail,
            since,
            ..
        } => vec![(
            component.clone(),
            *to,
            detail.clone(),
            since.unwrap_or(record.at),
        )],
        Event::Declared(declaration) => declaration
            .outages
            .iter()
            .map(|o| (o.component.clone(), o.state, None, o.since))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
    }

    fn scenario(repeat: Option<u64>) -> Scenario {
        let set = |secs, state| Inject {
            at: Duration::from_secs(secs),
            action: InjectAction::Set {
                component: "db".into(),
                state,
                cascade: false,
            },
            message: None,
        };
        Scenario {
            title: "t".into(),
            briefing: String::new(),
            speed: 1.0,
            repeat_every: repeat.map(Duration::from_secs),
            injects: vec![set(10, Health::Down), set(20, Health::Up)],
            allow_commands: false,
            allow_notify: false,
            simulate: vec!["db".into()],
            objectives: Vec::new(),
            config: None,
            expect_recovers: false,
            kind: crate::domain::objective::DrillKind::Simulation,
        }
    }

    #[test]
    fn an_inject_fired_early_does_not_fire_again() {
        let mut engine = InjectEngine::new(scenario(None), t0());
        assert!(engine.fire(1, t0()).is_some());
        assert!(engine.fire(1, t0()).is_none(), "already fired");
        let due = engine.due(t0() + TimeDelta::seconds(25));
        assert_eq!(due.len(), 1, "only the first is left: {due:?}");
        assert_eq!(due[0].at, Duration::from_secs(10));
    }

    #[test]
    fn injects_fire_once_in_order() {
        let mut engine = InjectEngine::new(scenario(None), t0());
        assert!(engine.due(t0() + TimeDelta::seconds(5)).is_empty());
        assert_eq!(engine.due(t0() + TimeDelta::seconds(25)).len(), 2);
        assert!(engine.due(t0() + TimeDelta::seconds(500)).is_empty());
    }

    #[test]
    fn repeating_scenarios_start_over() {
        let mut engine = InjectEngine::new(scenario(Some(30)), t0());
        assert_eq!(engine.due(t0() + TimeDelta::seconds(25)).len(), 2);
        assert_eq!(engine.due(t0() + TimeDelta::seconds(41)).len(), 1);
        assert_eq!(engine.due(t0() + TimeDelta::seconds(49)).len(), 0);
        assert_eq!(engine.due(t0() + TimeDelta::seconds(51)).len(), 1);
    }

    #[test]
    fn failures_are_attributed_to_the_root_of_the_dependency_chain() {
        let comp = |id: &str, deps: &[&str]| {
            (
                id.to_owned(),
                Health::Up,
                deps.iter().map(|d| (*d).to_owned()).collect(),
            )
        };
        let mut world = World::new(
            vec![
                comp("net", &[]),
                comp("db", &["net"]),
                comp("api", &["db"]),
                comp("web", &["api"]),
            ],
            t0(),
        );
        world.set("net", Health::Down, None, t0());
        world.set("db", Health::Down, None, t0());
        world.set("api", Health::Degraded, None, t0());
        assert_eq!(
            world.root_cause(0),
            None,
            "the root cause itself is not impacted"
        );
        assert_eq!(world.root_cause(1), Some(0));
        assert_eq!(world.root_cause(2), Some(0));
        assert_eq!(world.root_cause(3), None, "web is up");
        world.set("net", Health::Up, None, t0());
        assert_eq!(world.root_cause(2), Some(1));
        assert_eq!(world.dependents(1), vec![2]);
    }

    #[test]
    fn set_reports_only_real_transitions() {
        let mut world = World::new(vec![("db".into(), Health::Up, vec![])], t0());
        assert!(world.set("db", Health::Up, None, t0()).is_none());
        let change = world
            .set("db", Health::Down, Some("refused".into()), t0())
            .unwrap();
        assert_eq!((change.from, change.to), (Health::Up, Health::Down));
        assert_eq!(world.failing().count(), 1);
        assert!(world.set("nope", Health::Down, None, t0()).is_none());
    }
}
