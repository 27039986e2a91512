//! `AT+MQTTCFG` (set and query), `AT+MQTTDEL`, and the client's settings
//! `AT+MQTTPING`, `AT+MQTTREC`, `AT+MQTTTO`.

use crate::at::{Form, Param};

use super::super::client::{ClientCfg, State};
use super::super::module::Module;
use super::params::{flag, one_number, string_max};

/// Parses the 7 or 9 parameters of `AT+MQTTCFG=`.
fn parse_cfg(p: &[Param]) -> Option<ClientCfg> {
    if p.len() != 7 && p.len() != 9 {
        return None;
    }
    let host = string_max(p.first()?, 128).filter(|h| !h.is_empty())?;
    let port = u16::try_from(p.get(1)?.number()?).ok().filter(|v| *v > 0)?;
    let id = string_max(p.get(2)?, 128)?;
    let keep_alive = u16::try_from(p.get(3)?.number()?).ok()?;
    let user = string_max(p.get(4)?, 128)?;
    let pass = string_max(p.get(5)?, 128)?;
    let clean = flag(p.get(6)?)?;
    let (version, encrypt) = if p.len() == 9 {
        (string_max(p.get(7)?, 128)?, flag(p.get(8)?)?)
    } else {
        (String::new(), false)
    };
    if encrypt && version.is_empty() {
        return None;
    }
    Some(ClientCfg {
        host,
        port,
        id,
        keep_alive,
        user,
        pass,
        clean,
        version,
        encrypt,
    })
}

impl Module {
    pub(super) fn cfg_set(&mut self, p: &[Param]) {
        if self.client.state != State::NoClient {
            return self.out.plain_error();
        }
        match parse_cfg(p) {
            Some(c) => {
                self.client.configure(c);
                self.out.ok();
            }
            None => self.out.plain_error(),
        }
    }

    pub(super) fn cfg_query(&mut self) {
        match self.client.cfg.clone() {
            Some(c) => {
                let line = format!(
                    "+MQTTCFG:{}\"{}\",{},\"{}\",{},\"{}\",\"***\",{},\"{}\",{}",
                    self.out.sp(),
                    c.host,
                    c.port,
                    c.id,
                    c.keep_alive,
                    c.user,
                    u8::from(c.clean),
                    c.version,
                    u8::from(c.encrypt)
                );
                self.out.resp(&line);
            }
            None => self
                .out
                .resp("+MQTTCFG:\"(null)\",0,\"(null)\",0,\"(null)\",\"***\",0,\"(null)\",0"),
        }
        self.out.ok();
    }

    pub(super) fn del_cmd(&mut self) {
        match self.client.state {
            State::Connected | State::Reconnecting => self.out.cme(602),
            State::Idle | State::NoClient => {
                self.client.cfg = None;
                self.client.open = None;
                self.client.state = State::NoClient;
                self.client.subs.clear();
                self.out.ok();
            }
        }
    }

    /// `AT+MQTTPING`, `AT+MQTTREC`, `AT+MQTTTO`: accepted in every state.
    pub(super) fn setting(&mut self, name: &str, form: Form) {
        let sp = self.out.sp();
        match (name, form) {
            ("MQTTPING", Form::Set(p)) => match one_number(&p) {
                Some(n @ 0..=1) => {
                    self.client.ping_echo = n == 1;
                    self.out.ok();
                }
                _ => self.out.cme(601),
            },
            ("MQTTPING", Form::Query) => {
                let v = u8::from(self.client.ping_echo);
                self.out.info(&format!("+MQTTPING:{sp}{v}"));
            }
            ("MQTTREC", Form::Set(p)) => match one_number(&p) {
                Some(n @ 0..=1) => {
                    self.client.rec_enabled = n == 1;
                    self.out.ok();
                }
                _ => self.out.cme(601),
            },
            ("MQTTREC", Form::Query) => {
                let (e, c) = (u8::from(self.client.rec_enabled), self.client.rec_count);
                self.out.info(&format!("+MQTTREC:{sp}{e},{c}"));
            }
            ("MQTTTO", Form::Set(p)) => match one_number(&p) {
                Some(n @ 1..=3600) => {
                    self.client.ack_to = n;
                    self.out.ok();
                }
                _ => self.out.cme(601),
            },
            ("MQTTTO", Form::Query) => {
                let v = self.client.ack_to;
                self.out.info(&format!("+MQTTTO:{sp}{v}"));
            }
            _ => self.out.plain_error(),
        }
    }
}
