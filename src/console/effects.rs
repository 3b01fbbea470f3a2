//! Running the effects `update` asks for: journal writes, deliveries, silences, recovery actions
//! and runbook commands; a joined console sends its journal writes to the writer instead.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::journal::writer::Command;
use crate::msg::{Effect, Msg};

use super::event_loop::Loop;

/// How long a silence request waits for Alertmanager when its source sets no timeout.
const SILENCE_TIMEOUT: Duration = Duration::from_secs(10);

impl Loop {
    /// A joined console's effects: journal writes go to the writer as requests, commands run
    /// here, and what only the writer does (sending, silences, the review file) is left to it.
    /// Returns the effect when `run` performs it.
    fn route(&mut self, effect: Effect) -> Option<Effect> {
        let Some(client) = self.room_client.as_mut() else {
            return Some(effect);
        };
        match effect {
            Effect::Append { event, .. } => {
                client.request(event);
                None
            }
            Effect::Declare { .. } => {
                let result =
                    Err("a joined console cannot declare: run your own `warroom`".to_owned());
                self.dispatch(Msg::Answered { id: 0, result });
                None
            }
            Effect::Send { .. }
            | Effect::Silence { .. }
            | Effect::FindSilence { .. }
            | Effect::ExpireSilence { .. }
            | Effect::WriteReview { .. }
            | Effect::FastProbe { .. }
            | Effect::AppendFor { .. }
            | Effect::AppendAs { .. } => None,
            effect => Some(effect),
        }
    }

    pub(super) fn run(&mut self, effect: Effect) {
        let Some(effect) = self.route(effect) else {
            return;
        };
        if self.state.viewer().is_some()
            && !matches!(
                effect,
                Effect::Quit | Effect::Clock { .. } | Effect::Seek { .. }
            )
        {
            tracing::warn!(?effect, "a read-only console dropped an effect");
            return;
        }
        let writes = effect.writes_journal() || matches!(effect, Effect::AppendFor { .. });
        if !writes {
            self.perform(effect);
        } else if let Some(command) = self.journal_command(effect)
            && self.journal.send(command).is_err()
        {
            self.dispatch(Msg::JournalFailed("the journal writer stopped".into()));
        }
    }

    /// The journal writer's command for an effect that writes the journal.
    fn journal_command(&self, effect: Effect) -> Option<Command> {
        // A drill's records are stamped by the drill clock; each also keeps the wall clock.
        let wall = self.state.is_drill().then(chrono::Utc::now);
        Some(match effect {
            Effect::Declare { id, at, event } => Command::Create {
                dir: self.store.dir(&id),
                at,
                wall,
                actor: self.state.actor.clone(),
                event,
            },
            Effect::Append { at, event } => Command::Append {
                at,
                wall,
                actor: self.state.actor.clone(),
                event,
                peer: None,
            },
            Effect::AppendAs { at, event, actor } => Command::Append {
                at,
                wall,
                actor,
                event,
                peer: None,
            },
            Effect::AppendFor { at, event, peer } => Command::Append {
                at,
                wall,
                actor: peer.actor.clone(),
                event,
                peer: Some(peer),
            },
            _ => return None,
        })
    }

    /// Performs an effect that is not a journal write.
    fn perform(&mut self, effect: Effect) {
        match effect {
            effect @ (Effect::Declare { .. }
            | Effect::Append { .. }
            | Effect::AppendAs { .. }
            | Effect::AppendFor { .. }) => {
                tracing::error!(?effect, "a journal write reached `perform`; dropped");
            }
            Effect::Quit => self.quit = true,
            Effect::FindWriter => self.find_writer(),
            Effect::LeaveRunning => crate::workers::process::leave_steps(),
            Effect::RewriteJournal => {
                let records = self.state.records.clone();
                if self.journal.send(Command::Rewrite { records }).is_err() {
                    self.dispatch(Msg::JournalRewritten(Err(
                        "the journal writer stopped".into()
                    )));
                }
            }
            Effect::Clock { paused, speed } => self.clock.set(paused, speed),
            Effect::Seek { to } => self.clock.seek(to),
            Effect::Answer { conn, reply } => {
                if let Some(room) = &self.room {
                    room.answer(conn, &reply);
                }
            }
            Effect::Welcome { conn, actor, after } => {
                if let Some(room) = &self.room {
                    let from = self.state.records.partition_point(|r| r.seq <= after);
                    room.welcome(conn, &actor, &self.state.records[from..]);
                }
            }
            Effect::Run {
                started,
                runbook,
                step,
                component,
                shell,
                script,
                timeout,
            } => {
                let job = (
                    shell,
                    script,
                    timeout,
                    self.state.config.runbook_workdir.clone(),
                );
                self.spawn_run(started, &runbook, step, component, job);
            }
            Effect::WriteReview { text } => {
                if let Some(incident) = &self.state.incident {
                    let path = self.store.dir(&incident.id).join("review.md");
                    // Off the UI task: a slow disk never stalls the screen.
                    tokio::task::spawn_blocking(move || write_review(&path, &text));
                }
            }
            Effect::FastProbe { component } => {
                self.steering.fast.start(component, Duration::from_mins(1));
            }
            Effect::Recover {
                started,
                component,
                action,
            } => {
                self.spawn_recovery(started, component, action);
            }
            Effect::CancelRun { started } => {
                if let Some(cancel) = self.cancels.remove(&started) {
                    let _ = cancel.send(());
                }
            }
            effect @ (Effect::Silence { .. }
            | Effect::FindSilence { .. }
            | Effect::ExpireSilence { .. }) => {
                self.run_silence(effect);
            }
            Effect::Send {
                queued,
                channel,
                payload,
            } => {
                let (client, notify, tx) = (
                    self.client.clone(),
                    self.state.config.notify.clone(),
                    self.tx.clone(),
                );
                tokio::spawn(async move {
                    let result =
                        crate::workers::outbox::deliver(&client, &notify, channel, payload).await;
                    let _ = tx.send(Msg::Delivered { queued, result }).await;
                });
            }
        }
    }

    /// Creates, looks up or expires a silence off the UI task.
    fn run_silence(&self, effect: Effect) {
        match effect {
            Effect::Silence {
                requested,
                source,
                body,
            } => self.ask_alertmanager(
                &source,
                move |client, endpoint| async move {
                    let result = crate::workers::silence::create(&client, &endpoint, &body).await;
                    Msg::Silenced { requested, result }
                },
                move |error| Msg::Silenced {
                    requested,
                    result: Err(error),
                },
            ),
            Effect::FindSilence {
                requested,
                source,
                sought,
            } => self.ask_alertmanager(
                &source,
                move |client, endpoint| async move {
                    let result = crate::workers::silence::find(&client, &endpoint, &sought).await;
                    Msg::SilenceFound { requested, result }
                },
                move |error| Msg::SilenceFound {
                    requested,
                    result: Err(error),
                },
            ),
            Effect::ExpireSilence { source, id } => {
                let again = id.clone();
                self.ask_alertmanager(
                    &source,
                    move |client, endpoint| async move {
                        let result = crate::workers::silence::expire(&client, &endpoint, &id).await;
                        Msg::SilenceExpired { id, result }
                    },
                    move |error| Msg::SilenceExpired {
                        id: again,
                        result: Err(error),
                    },
                );
            }
            _ => {}
        }
    }

    /// Runs one request to Alertmanager `source` off the UI task, bounded by the source's
    /// timeout; its answer comes back as the message `ask` makes, or `failed` says why not.
    fn ask_alertmanager<F, Fut>(
        &self,
        source: &str,
        ask: F,
        failed: impl FnOnce(String) -> Msg + Send + 'static,
    ) where
        F: FnOnce(reqwest::Client, crate::config::sources::Endpoint) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Msg> + Send,
    {
        let tx = self.tx.clone();
        let Some(endpoint) = self
            .state
            .config
            .sources
            .alertmanager
            .iter()
            .find(|e| e.name == source)
            .cloned()
        else {
            let error = format!("the config names no Alertmanager `{source}`");
            tokio::spawn(async move {
                let _ = tx.send(failed(error)).await;
            });
            return;
        };
        let client = self.probe_clients.for_tls(endpoint.tls_verify).clone();
        let timeout = endpoint.timeout.unwrap_or(SILENCE_TIMEOUT);
        let name = endpoint.name.clone();
        tokio::spawn(async move {
            let msg = match tokio::time::timeout(timeout, ask(client, endpoint)).await {
                Ok(msg) => msg,
                Err(_) => failed(format!(
                    "Alertmanager `{name}` did not answer within {} (it may still have acted: look there)",
                    humantime::format_duration(timeout)
                )),
            };
            let _ = tx.send(msg).await;
        });
    }

    /// The open incident's id (empty without one).
    fn incident_id(&self) -> String {
        self.state
            .incident
            .as_ref()
            .map(|i| i.id.clone())
            .unwrap_or_default()
    }

    fn spawn_recovery(&mut self, started: u64, component: usize, action: usize) {
        let c = &self.state.config.components[component];
        let Some(recovery) = c.recovery.get(action).cloned() else {
            return;
        };
        match recovery.kind {
            crate::config::RecoveryKind::Command(script) => {
                let id = c.id.clone();
                // A recovery action is the config's: it runs where the config is.
                let cwd = self.state.config.dir.clone();
                let job = ("sh".to_owned(), script, recovery.timeout, cwd);
                self.spawn_run(started, "recovery", action, id, job);
            }
            crate::config::RecoveryKind::Webhook(url) => {
                let incident = self.incident_id();
                let payload = serde_json::json!({ "incident": incident, "component": c.id, "action": recovery.name });
                let (client, tx) = (self.client.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let outcome = crate::workers::outbox::post_action(
                        &client,
                        &url,
                        &payload,
                        recovery.timeout,
                    )
                    .await;
                    let _ = tx.send(Msg::RunFinished { started, outcome }).await;
                });
            }
        }
    }

    fn spawn_run(
        &mut self,
        started: u64,
        runbook: &str,
        step: usize,
        component: String,
        (shell, script, timeout, cwd): (String, String, Duration, Option<std::path::PathBuf>),
    ) {
        let incident = self.incident_id();
        let env = [
            ("WARROOM_INCIDENT_ID", incident.clone()),
            ("WARROOM_COMPONENT", component),
            ("WARROOM_RUNBOOK", runbook.to_owned()),
            ("WARROOM_STEP", (step + 1).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let runs = self.store.dir(&incident).join("runs");
        let log = crate::journal::create_private_dir(&runs)
            .ok()
            .map(|()| runs.join(format!("{started}.log")));
        let job = crate::workers::process::Job {
            shell,
            script,
            env,
            cwd,
            timeout,
            log,
        };
        let (cancel, cancelled) = tokio::sync::oneshot::channel();
        self.cancels.insert(started, cancel);
        let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(64);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let forward = tx.clone();
            let relay = tokio::spawn(async move {
                while let Some(chunk) = out_rx.recv().await {
                    let text = String::from_utf8_lossy(&chunk).into_owned();
                    if forward
                        .send(Msg::RunOutput { started, text })
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
            let outcome = crate::workers::process::run(job, out_tx, cancelled).await;
            let _ = relay.await;
            let _ = tx.send(Msg::RunFinished { started, outcome }).await;
        });
    }
}

/// Writes the saved review to `review.md` (the journal already holds it), with no control byte:
/// a file someone will `cat` keeps them escaped, as every export does.
fn write_review(path: &std::path::Path, text: &str) {
    let text = crate::sanitize::sanitize(text);
    let written = crate::journal::open_private_file(path, false)
        .map_err(|e| e.to_string())
        .and_then(|mut f| {
            f.set_len(0)
                .and_then(|()| std::io::Write::write_all(&mut f, text.as_bytes()))
                .map_err(|e| e.to_string())
        });
    if let Err(error) = written {
        tracing::warn!(%error, "review.md not written");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn review_md_keeps_no_control_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("review.md");
        super::write_review(&path, "# Review\n\x1b]52;c;cGF3bmVk\x07 pasted\n");
        let written = std::fs::read(&path).unwrap();
        assert!(
            !written.iter().any(|b| *b < b' ' && *b != b'\n'),
            "{}",
            String::from_utf8_lossy(&written)
        );
        assert!(String::from_utf8_lossy(&written).contains("\\x1b]52;c;cGF3bmVk\\x07 pasted"));
    }
}
