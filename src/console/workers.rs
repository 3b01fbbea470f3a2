//! The workers a console starts: probes, and readers of recovery points.

use crate::msg::Msg;
use crate::room::protocol::Reading;

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

    /// Starts the probes and recovery-point readers, once: none for a console that only shows
    /// or that joined a room (the writer relays its readings), until it writes the incident.
    pub(super) fn spawn_probes(&mut self) {
        if self.state.viewer().is_some() || self.state.joined() || self.probes.is_some() {
            return;
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
        self.probes = Some(crate::workers::probe::spawn_steered(
            probes,
            (self.state.config.probe_concurrency, &self.probe_clients),
            now,
            self.tx.clone(),
            &self.steering,
        ));
    }

    /// Writer: what its probes and readers found goes to the room's joined consoles too.
    pub(super) fn relay(&self, room: &crate::room::server::Room, msg: &Msg) {
        let id = |index: usize| {
            let component = self.state.config.components.get(index);
            component.map(|c| c.id.clone())
        };
        let reading = match msg {
            Msg::Probed { index, sample } => id(*index).map(|component| Reading::Sample {
                component,
                sample: sample.clone(),
            }),
            Msg::RecoveryPoint {
                index,
                stream,
                reading,
            } => id(*index).map(|component| Reading::Point {
                component,
                stream: *stream,
                reading: reading.clone(),
            }),
            _ => None,
        };
        if let Some(reading) = reading {
            room.reading(reading);
        }
    }
}
