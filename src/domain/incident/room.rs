//! The room and its approvals, as the incident's journal tells them: who holds which role, who
//! is in the room, and two-person approvals.

use super::Incident;
use crate::domain::Role;
use crate::domain::event::{Approvable, Event, Record};

/// Who holds the incident roles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roles {
    pub commander: String,
    pub scribe: Option<String>,
    pub comms: Option<String>,
    /// The roles a config adds ("technical lead"), by name, once someone holds them.
    pub others: std::collections::BTreeMap<String, String>,
}

impl Roles {
    /// Who holds `role`, if anyone.
    #[must_use]
    pub fn holder(&self, role: &Role) -> Option<&str> {
        match role.as_str() {
            Role::COMMANDER => Some(&self.commander),
            "scribe" => self.scribe.as_deref(),
            "comms" => self.comms.as_deref(),
            other => self.others.get(other).map(String::as_str),
        }
    }

    fn assign(&mut self, role: &Role, person: &str) {
        let person = person.to_owned();
        match role.as_str() {
            Role::COMMANDER => self.commander = person,
            "scribe" => self.scribe = Some(person),
            "comms" => self.comms = Some(person),
            other => {
                self.others.insert(other.to_owned(), person);
            }
        }
    }

    /// The roles `person` holds: `["commander", "scribe"]`.
    #[must_use]
    pub fn held_by(&self, person: &str) -> Vec<String> {
        let mut held = Vec::new();
        if self.commander == person {
            held.push(Role::COMMANDER.to_owned());
        }
        for (role, holder) in [("scribe", &self.scribe), ("comms", &self.comms)] {
            if holder.as_deref() == Some(person) {
                held.push(role.to_owned());
            }
        }
        held.extend(
            self.others
                .iter()
                .filter(|(_, holder)| *holder == person)
                .map(|(role, _)| role.clone()),
        );
        held
    }

    /// `IC dana · scribe sam · comms unassigned · technical lead lee`.
    #[must_use]
    pub fn describe(&self) -> String {
        let optional = |o: &Option<String>| o.clone().unwrap_or_else(|| "unassigned".into());
        let mut text = format!(
            "IC {} · scribe {} · comms {}",
            self.commander,
            optional(&self.scribe),
            optional(&self.comms)
        );
        for (role, person) in &self.others {
            text.push_str(" · ");
            text.push_str(role);
            text.push(' ');
            text.push_str(person);
        }
        text
    }
}

/// A two-person approval: who asked to run what, and the verdict of the second person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub requester: String,
    pub target: Approvable,
    pub what: String,
    /// Who answered, and whether they approved.
    pub verdict: Option<(String, bool)>,
    /// A run of the target has used the approval.
    pub used: bool,
    /// Withdrawn by who asked, or expired, unanswered: nobody answers it any more.
    pub withdrawn: bool,
}

impl Approval {
    /// Asked, and waiting for its answer.
    #[must_use]
    pub fn waiting(&self) -> bool {
        self.verdict.is_none() && !self.withdrawn
    }
}

/// Where a request to run something stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approved {
    /// Approved and not yet used.
    Yes,
    /// Asked, not yet answered.
    Waiting,
    /// Never asked, refused, or used up.
    No,
}

impl Incident {
    /// The room and its approvals: who is in it, who holds which role, who asked to run what
    /// and who answered.
    pub(super) fn apply_room(&mut self, record: &Record) {
        match &record.event {
            Event::HandedOver { to, .. } => self.roles.commander.clone_from(to),
            Event::RoleAssigned { role, person } => self.roles.assign(role, person),
            Event::ApprovalRequested { .. }
            | Event::ApprovalGiven { .. }
            | Event::ApprovalWithdrawn { .. } => {
                self.apply_approval(record);
            }
            Event::RoomOpened
            | Event::RoomJoined
            | Event::RoomLeft
            | Event::ReviewEditing { .. } => self.apply_presence(record),
            _ => {}
        }
    }

    /// How many consoles are in the room: the writer's and every joined one.
    #[must_use]
    pub fn room_size(&self) -> usize {
        1 + self.present.values().sum::<usize>()
    }

    /// The people in the room, the writing console's first; empty when nobody joined.
    #[must_use]
    pub fn people(&self) -> Vec<&str> {
        if self.present.is_empty() {
            return Vec::new();
        }
        let host = self.room_host.as_deref();
        host.into_iter()
            .chain(
                self.present
                    .keys()
                    .map(String::as_str)
                    .filter(|p| Some(*p) != host),
            )
            .collect()
    }

    /// The request waiting longest for a second person, if any.
    #[must_use]
    pub fn pending_approval(&self) -> Option<(u64, &Approval)> {
        self.approvals
            .iter()
            .find(|(_, a)| a.waiting())
            .map(|(seq, a)| (*seq, a))
    }

    /// Who asked, still unanswered, to run `target` (anyone in the room).
    #[must_use]
    pub fn asked_for(&self, target: &Approvable) -> Option<&str> {
        self.approvals
            .values()
            .find(|a| &a.target == target && a.waiting())
            .map(|a| a.requester.as_str())
    }

    /// Where `requester`'s latest unused request to run `target` stands.
    #[must_use]
    pub fn approval_of(&self, target: &Approvable, requester: &str) -> Approved {
        let latest = self
            .approvals
            .values()
            .rev()
            .find(|a| &a.target == target && a.requester == requester && !a.used);
        match latest.map(|a| (a.withdrawn, &a.verdict)) {
            Some((false, None)) => Approved::Waiting,
            Some((_, Some((_, true)))) => Approved::Yes,
            _ => Approved::No,
        }
    }

    /// A request for approval, or its answer.
    fn apply_approval(&mut self, record: &Record) {
        match &record.event {
            Event::ApprovalRequested { target, what } => {
                let approval = Approval {
                    requester: record.actor.clone(),
                    target: target.clone(),
                    what: what.clone(),
                    verdict: None,
                    used: false,
                    withdrawn: false,
                };
                self.approvals.insert(record.seq, approval);
            }
            Event::ApprovalGiven {
                request, approved, ..
            } => {
                if let Some(approval) = self.approvals.get_mut(request).filter(|a| a.waiting()) {
                    approval.verdict = Some((record.actor.clone(), *approved));
                }
            }
            Event::ApprovalWithdrawn { request, .. } => {
                if let Some(approval) = self.approvals.get_mut(request).filter(|a| a.waiting()) {
                    approval.withdrawn = true;
                }
            }
            _ => {}
        }
    }

    /// A command's start uses up its starter's approval of it.
    pub(super) fn use_approval(&mut self, record: &Record) {
        let Some(target) = Approvable::of(&record.event) else {
            return;
        };
        let actor = &record.actor;
        if let Some(approval) = self.approvals.values_mut().rev().find(|a| {
            a.target == target
                && &a.requester == actor
                && !a.used
                && matches!(a.verdict, Some((_, true)))
        }) {
            approval.used = true;
        }
    }

    /// Who is in the room, as its opening, joins and leaves tell.
    fn apply_presence(&mut self, record: &Record) {
        let who = &record.actor;
        match record.event {
            Event::RoomOpened => {
                // A new room: whoever was in the last one (its writer too) left it now, unless
                // they left before.
                let before = self.room_host.iter().chain(self.present.keys());
                let gone: Vec<String> = before.filter(|p| *p != who).cloned().collect();
                for person in gone {
                    self.left.entry(person).or_insert(record.at);
                }
                self.present.clear();
                self.room_host = Some(who.clone());
                self.review_editor = None;
            }
            Event::RoomJoined => {
                *self.present.entry(who.clone()).or_default() += 1;
                self.left.remove(who);
            }
            Event::ReviewEditing { editing: true } => self.review_editor = Some(who.clone()),
            Event::ReviewEditing { editing: false } => {
                if self.review_editor.as_ref() == Some(who) {
                    self.review_editor = None;
                }
            }
            _ => {
                if let Some(count) = self.present.get_mut(who) {
                    *count -= 1;
                    if *count == 0 {
                        self.present.remove(who);
                        self.left.insert(who.clone(), record.at);
                        if self.review_editor.as_ref() == Some(who) {
                            self.review_editor = None;
                        }
                    }
                }
            }
        }
    }
}
