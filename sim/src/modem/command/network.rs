//! The network commands the module answers: `AT+CPIN`, `AT+CSQ`, `AT+CGATT`,
//! `AT+CEREG`, from the state in `modem/network.rs`.

use crate::at::Form;

use super::super::module::Module;

impl Module {
    /// Handles a network command; `false` if `name`/`form` is not one.
    pub(super) fn network_command(&mut self, name: &str, form: &Form) -> bool {
        let net = &self.net;
        let line = match (name, form) {
            ("CPIN", Form::Query) => "+CPIN: READY".to_owned(),
            ("CSQ", Form::Exec) => format!("+CSQ: {},{}", net.rssi, net.ber),
            ("CGATT", Form::Query) => format!("+CGATT: {}", u8::from(net.attached)),
            ("CEREG", Form::Query) => format!("+CEREG: {},{}", net.cereg_n, net.stat),
            _ => return false,
        };
        self.out.info(&line);
        true
    }
}
