//! Workers do slow things off the loop and report back as messages. They never touch the screen.

pub mod alertmanager;
pub mod outbox;
pub mod probe;
pub mod process;
pub mod prometheus;
pub mod recovery_point;
pub mod silence;
pub mod source;
