//! Each deploy step as it starts: a spinner on a terminal, plain lines otherwise. The
//! deployers in the library only report steps (`&dyn Fn(String)`); showing them is the
//! command layer's job, so it lives here, once for every target.

use std::time::Duration;

/// The spinner starts at the first step, so one made before a confirmation prompt does not
/// draw over it.
pub struct Progress {
    terminal: bool,
    bar: std::cell::OnceCell<indicatif::ProgressBar>,
}

impl Progress {
    pub fn new(terminal: bool) -> Self {
        Self {
            terminal,
            bar: std::cell::OnceCell::new(),
        }
    }

    pub fn step(&self, message: String) {
        if !self.terminal {
            eprintln!("{message}");
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        bar.set_message(message);
    }

    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
