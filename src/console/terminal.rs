//! Raw mode and the alternate screen, entered once and always left.

use std::io::{self, Stdout};
use std::mem::ManuallyDrop;

use anyhow::Context as _;
use crossterm::{cursor, event, execute, terminal};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Puts the terminal back as it was: on drop, on panic and on signals.
pub struct TerminalGuard {
    /// Never dropped: ratatui's own drop prints to stderr, which panics once the terminal is gone.
    /// `restore_terminal` shows the cursor instead.
    pub terminal: ManuallyDrop<Terminal<CrosstermBackend<Stdout>>>,
}

impl TerminalGuard {
    pub fn enter() -> anyhow::Result<Self> {
        terminal::enable_raw_mode()
            .context("cannot put the terminal in raw mode (is this a terminal?)")?;
        let mut stdout = io::stdout();
        execute!(
            stdout,
            terminal::EnterAlternateScreen,
            event::EnableBracketedPaste,
            cursor::Hide
        )?;
        let terminal = Terminal::new(CrosstermBackend::new(stdout))?;
        Ok(Self {
            terminal: ManuallyDrop::new(terminal),
        })
    }
}

/// Restores the terminal; safe to call more than once.
pub fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}
