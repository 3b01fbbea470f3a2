//! The workers a console starts: probes, and readers of recovery points.

use tokio::sync::mpsc;

use crate::msg::Msg;

use super::event_loop::Loop;

impl Loop {
    /// Starts one task per backup stream with a real source, reading it on its interval.
    fn spawn_recovery_points(&self, now: &crate::workers::probe::Now) {
        for (index, component) in self.state.config.components.iter().enumerate() {
            for (stream, backup) in component.backups.iter().enumerate() {
                if matches!(
                    backup.point.source,
                    crate::config::notify::PointSource::Sim { .. }
                ) {
                    continue;
                }
                let (client, tx, now, point) = (
                    self.probe_clients.for_point(&backup.point.source).clone(),
                    self.tx.clone(),
                    std::sync::Arc::clone(now),
                    backup.point.clone(),
                );
                tokio::spawn(async move {
                    loop {
                        let reading =
                            crate::workers::recovery_point::read_point(&client, &point, now())
                                .await;
                        let msg = Msg::RecoveryPoint {
                            index,
                            stream,
                            reading,
                        };
                        if tx.send(msg).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(point.interval).await;
                    }
                });
            }
        }
    }

    /// Starts the probes and recovery-point readers (none for a console that only shows).
    pub(super) fn spawn_probes(&self, tx: mpsc::Sender<Msg>) -> Vec<tokio::task::JoinHandle<()>> {
        if self.state.viewer().is_some() {
            return Vec::new();
        }
        let clock = self.clock.clone();
        let now: crate::workers::probe::Now = std::sync::Arc::new(move || clock.now());
        self.spawn_recovery_points(&now);
        let probes = self
            .state
            .config
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.probe.clone()))
            .collect();
        crate::workers::probe::spawn_steered(
            probes,
            (self.state.config.probe_concurrency, &self.probe_clients),
            now,
            tx,
            &self.steering,
        )
    }
}
