//! The AT commands the module answers: a command line is parsed (`crate::at`) and
//! dispatched here to one handler per verb, grouped by concern:
//!
//! * `general.rs`: `AT`, basic commands (`ATE`, `ATZ`, `AT&W`), `AT+CMEE`, identity;
//! * `network.rs`: SIM, signal, registration, attach;
//! * `config.rs`: `AT+MQTTCFG`, `AT+MQTTDEL` and the client's settings
//!   (`AT+MQTTPING`, `AT+MQTTREC`, `AT+MQTTTO`);
//! * `connection.rs`: `AT+MQTTOPEN`, `AT+MQTTDISC`, `AT+MQTTSTAT`;
//! * `subscribe.rs`: `AT+MQTTSUB`, `AT+MQTTUNSUB`;
//! * `publish.rs`: `AT+MQTTPUB`, text and length mode.

mod config;
mod connection;
mod general;
mod network;
mod params;
mod publish;
mod subscribe;

use crate::at::{self, Form, Parsed};
use crate::config::Dialect;

use super::module::Module;

impl Module {
    /// Executes one command line (without its terminator).
    pub(in crate::modem) fn command_line(&mut self, line: &[u8]) {
        if let Some(code) = self.faults.next_cme.take() {
            self.out.resp(&format!("+CME ERROR: {code}"));
            return;
        }
        match at::parse_line(line) {
            Parsed::At => self.out.ok(),
            Parsed::Basic(cmds) => self.basic(&cmds),
            Parsed::Extended { name, form } => self.extended(&name, form),
            Parsed::Invalid => self.out.plain_error(),
        }
    }

    fn extended(&mut self, name: &str, form: Form) {
        if self.general_command(name, &form) || self.network_command(name, &form) {
            return;
        }
        if self.cfg.dialect != Dialect::Ml302 {
            return self.foreign_command(name, &form);
        }
        match (name, form) {
            ("MQTTCFG", Form::Set(p)) => self.cfg_set(&p),
            ("MQTTCFG", Form::Query) => self.cfg_query(),
            ("MQTTDEL", Form::Exec) => self.del_cmd(),
            ("MQTTPING" | "MQTTREC" | "MQTTTO", form) => self.setting(name, form),
            ("MQTTOPEN", Form::Set(p)) => self.open_cmd(&p),
            ("MQTTSTAT", Form::Query) => self.stat_query(),
            ("MQTTDISC", Form::Exec) => self.disc_cmd(),
            ("MQTTSUB", Form::Set(p)) => self.sub_cmd(&p),
            ("MQTTSUB", Form::Query) => self.sub_query(),
            ("MQTTUNSUB", Form::Set(p)) => self.unsub_cmd(&p),
            ("MQTTPUB", Form::Set(p)) => self.pub_cmd(&p),
            _ => self.out.plain_error(),
        }
    }

    /// A module of another dialect: its own MQTT commands exist (the test form
    /// answers `OK`), every other form of them answers `ERROR`, and a command it
    /// does not have is refused as unknown (`+CME ERROR: 100` with `AT+CMEE=1`).
    fn foreign_command(&mut self, name: &str, form: &Form) {
        if self.cfg.dialect.mqtt_commands().contains(&name) {
            match form {
                Form::Test => self.out.ok(),
                _ => self.out.plain_error(),
            }
        } else {
            self.out.cme(UNKNOWN_COMMAND);
        }
    }
}

/// The `+CME ERROR` code a foreign module gives for a command it does not know:
/// 3GPP TS 27.007's 100, "unknown".
const UNKNOWN_COMMAND: u16 = 100;
