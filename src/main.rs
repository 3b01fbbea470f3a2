//! warroom: parse the command line, run it, and turn every failure into one clear paragraph.

use std::io::Write as _;
use std::process::ExitCode;

use warroom::cli::Cli;
use warroom::commands::{self, NoConfig};
use warroom::config::{Invalid, Unreadable};
use warroom::sanitize::sanitize;

/// mimalloc rather than the C library's allocator: reading a long journal allocates millions of
/// small strings on two threads (review export of 100,000 records: 200 → 170 ms on the benchmark
/// machine). Built without transparent huge pages, which would cost a small console ~8 MiB of
/// RSS. Compiled in: the binary still needs only the C library.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::parse_args() {
        Ok(cli) => cli,
        Err(error) => return argument_error(&error),
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) if reader_left(&error) => ExitCode::from(READER_LEFT),
        Err(error) => {
            let config_error = error.downcast_ref::<Invalid>().is_some()
                || error.downcast_ref::<NoConfig>().is_some()
                || error.downcast_ref::<Unreadable>().is_some();
            let _ = writeln!(
                std::io::stderr(),
                "warroom: {}",
                sanitize(&format!("{error:#}"))
            );
            ExitCode::from(if config_error { 2 } else { 1 })
        }
    }
}

/// The status of a command whose reader went away (`warroom incident list | head -1`): what a
/// shell reports for a process ended by SIGPIPE, as `yes | head -1` does, and nothing printed.
const READER_LEFT: u8 = 141;

/// Whether the command stopped because its output pipe closed.
fn reader_left(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Help and version print as clap writes them; a bad argument is echoed through the sanitiser.
fn argument_error(error: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let _ = write!(
        std::io::stderr(),
        "{}",
        sanitize(&error.render().to_string())
    );
    ExitCode::from(2)
}

/// A panic restores the terminal and says where the (already durable) journal is; no backtrace.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        warroom::console::restore_terminal();
        let journal = warroom::journal::writer::CURRENT_PATH
            .lock()
            .ok()
            .and_then(|p| p.clone())
            .map_or_else(
                || "no incident journal was open".to_owned(),
                |p| format!("the incident journal is safe at {}", p.display()),
            );
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown error".into());
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!(%what, %place, %backtrace, "panic");
        let _ = writeln!(
            std::io::stderr(),
            "warroom crashed{place}: {}\nNothing recorded is lost: {journal}. Run warroom again to resume.",
            sanitize(&what)
        );
    }));
}
