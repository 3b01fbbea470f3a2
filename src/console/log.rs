//! The console's log file: a writer that never blocks the screen, never panics and never prints.
//! A write that fails (a full disk, `EIO`) turns the log off for good and is said once on screen;
//! the incident journal is not the log and is unaffected.

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// Why the log was turned off, once it was.
static FAILURE: OnceLock<String> = OnceLock::new();

/// The log file, shared by every thread that logs.
pub struct LogSink {
    file: Mutex<File>,
    off: AtomicBool,
}

impl LogSink {
    #[must_use]
    pub fn new(file: File) -> Self {
        Self {
            file: Mutex::new(file),
            off: AtomicBool::new(false),
        }
    }

    fn write(&self, bytes: &[u8]) {
        if self.off.load(Ordering::Relaxed) {
            return;
        }
        // A panic raised while this thread held the lock must not wait for it (the panic hook
        // logs too): while panicking, a busy log is skipped.
        let file = if std::thread::panicking() {
            self.file.try_lock().ok()
        } else {
            Some(
                self.file
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            )
        };
        let Some(mut file) = file else { return };
        if let Err(error) = file.write_all(bytes) {
            self.off.store(true, Ordering::Relaxed);
            let _ = FAILURE.set(error.to_string());
        }
    }
}

/// Why the log was turned off, if it was.
#[must_use]
pub fn failure() -> Option<&'static str> {
    FAILURE.get().map(String::as_str)
}

/// One log line's writer: every write succeeds as far as the logging library knows, so it never
/// prints its own complaint over the screen.
pub struct LineWriter<'a>(&'a LogSink);

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogSink {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_that_cannot_be_written_turns_itself_off_and_says_why_once() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let sink = LogSink::new(full);
        let mut writer = tracing_subscriber::fmt::MakeWriter::make_writer(&sink);
        assert_eq!(writer.write(b"a line\n").unwrap(), 7, "never an error");
        assert!(sink.off.load(Ordering::Relaxed));
        assert!(
            failure().is_some_and(|why| why.contains("space")),
            "{:?}",
            failure()
        );
        assert_eq!(writer.write(b"another\n").unwrap(), 8);
    }

    /// Logs as it is dropped, as a panic hook logs while the thread unwinds.
    struct Logs(std::sync::Arc<LogSink>);

    impl Drop for Logs {
        fn drop(&mut self) {
            self.0.write(b"panicking\n");
        }
    }

    #[test]
    fn a_panic_while_the_log_is_held_never_waits_for_it() {
        let sink = std::sync::Arc::new(LogSink::new(tempfile::tempfile().unwrap()));
        let held = std::sync::Arc::clone(&sink);
        let result = std::thread::spawn(move || {
            let _guard = held.file.lock().unwrap();
            let _logs = Logs(std::sync::Arc::clone(&held));
            panic!("while logging");
        })
        .join();
        assert!(
            result.is_err(),
            "the thread panicked and returned: no deadlock"
        );
    }
}
