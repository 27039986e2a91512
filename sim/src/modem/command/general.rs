//! `AT`, the basic commands (`ATE`, `ATZ`, `AT&F`, `AT&W`), `AT+CMEE` and the
//! module's identity (`AT+CGMI`, `AT+CGMM`).

use crate::at::{Basic, Form};

use super::super::module::Module;
use super::params::one_number;

impl Module {
    /// A line of basic commands: all of them, then `OK`.
    pub(super) fn basic(&mut self, cmds: &[Basic]) {
        for c in cmds {
            match c {
                Basic::Echo(on) => self.input.echo = *on,
                Basic::Store => {}
                Basic::Reset => {
                    self.input.echo = self.cfg.echo;
                    self.out.cmee = self.cfg.cmee;
                }
            }
        }
        self.out.ok();
    }

    /// Handles a general command; `false` if `name`/`form` is not one.
    pub(super) fn general_command(&mut self, name: &str, form: &Form) -> bool {
        match (name, form) {
            ("CMEE", Form::Set(p)) => match one_number(p) {
                Some(n @ 0..=1) => {
                    self.out.cmee = n as u8;
                    self.out.ok();
                }
                _ => self.out.plain_error(),
            },
            ("CMEE", Form::Query) => {
                let line = format!("+CMEE: {}", self.out.cmee);
                self.out.info(&line);
            }
            ("CGMI", Form::Exec) => self.out.info("China Mobile"),
            ("CGMM", Form::Exec) => self.out.info("ML302"),
            _ => return false,
        }
        true
    }
}
