//! The network commands of NETWORK.md §2: `AT+CPIN`, `AT+CFUN`, `AT+CSQ`,
//! `AT+CEREG`, `AT+CGREG`, `AT+CGEREP`, `AT+CGATT`, `AT+CGDCONT`, `AT+CGACT`,
//! `AT+CGPADDR`, `AT+VERCTRL`, `AT+CGSN`, `AT+ICCID`, `AT+CIMI`, answered from the
//! state in `modem/network.rs`.
//!
//! Broken syntax and out-of-range values give plain `ERROR`; refusals by the
//! network state give `+CME ERROR: <n>` (TS 27.007 §9.2) after `AT+CMEE=1`.

use std::time::Instant;

use crate::at::{Form, Param};

use super::super::module::Module;
use super::super::network::NetEvent;
use super::params::{flag, one_number, string_max};

/// The two numbers of `AT+X=<a>,<b>`.
fn two_numbers(p: &[Param]) -> Option<(u32, u32)> {
    match p {
        [a, b] => Some((a.number()?, b.number()?)),
        _ => None,
    }
}

impl Module {
    /// Prints the URCs of a network change and drops the MQTT link if the PDP
    /// context went down.
    pub(in crate::modem) fn net_events(&mut self, events: Vec<NetEvent>) {
        for e in events {
            match e {
                NetEvent::Urc(line) => self.urc(&line),
                NetEvent::PdpDown => self.pdp_lost(),
            }
        }
    }

    /// The URCs of the change, then `OK` (so that the answer ends the exchange).
    fn ok_then(&mut self, r: Result<Vec<NetEvent>, u16>) {
        match r {
            Ok(events) => {
                self.net_events(events);
                self.out.ok();
            }
            Err(code) => self.out.cme(code),
        }
    }

    fn info_or(&mut self, r: Result<String, u16>) {
        match r {
            Ok(line) => self.out.info(&line),
            Err(code) => self.out.cme(code),
        }
    }

    /// Handles a network command; `false` if `name`/`form` is not one.
    pub(super) fn network_command(&mut self, name: &str, form: &Form) -> bool {
        let now = Instant::now();
        match (name, form) {
            ("CPIN", Form::Query) => self.info_or(self.net.cpin()),
            ("CPIN", Form::Set(p)) => match p.as_slice() {
                [pin] => match string_max(pin, 8) {
                    Some(pin) => {
                        let r = self.net.enter_pin(&pin, now);
                        self.ok_then(r);
                    }
                    None => self.out.plain_error(),
                },
                _ => self.out.plain_error(),
            },
            ("CFUN", Form::Query) => {
                let line = format!("+CFUN: {}", self.net.fun());
                self.out.info(&line);
            }
            ("CFUN", Form::Set(p)) => self.cfun(p, now),
            ("CSQ", Form::Exec) => {
                let line = self.net.csq();
                self.out.info(&line);
            }
            ("CEREG" | "CGREG", Form::Query) => {
                let line = self.net.reg_query(name == "CEREG");
                self.out.info(&line);
            }
            ("CEREG" | "CGREG", Form::Set(p)) => match one_number(p) {
                Some(n @ 0..=2) => {
                    self.net.set_reg_urc(name == "CEREG", n as u8);
                    self.out.ok();
                }
                _ => self.out.plain_error(),
            },
            ("CGEREP", Form::Query) => {
                let line = format!("+CGEREP: {},0", self.net.cgerep());
                self.out.info(&line);
            }
            ("CGEREP", Form::Set(p)) => match p.first().and_then(Param::number) {
                Some(n @ 0..=2) if p.len() <= 2 => {
                    self.net.set_cgerep(n as u8);
                    self.out.ok();
                }
                _ => self.out.plain_error(),
            },
            ("CGATT", Form::Query) => {
                let line = format!("+CGATT: {}", u8::from(self.net.attached()));
                self.out.info(&line);
            }
            ("CGATT", Form::Set(p)) => match p.as_slice() {
                [on] => match flag(on) {
                    Some(on) => {
                        let r = self.net.set_attach(on);
                        self.ok_then(r);
                    }
                    None => self.out.plain_error(),
                },
                _ => self.out.plain_error(),
            },
            ("CGDCONT", Form::Query) => {
                if let Some(line) = self.net.context() {
                    self.out.resp(&line);
                }
                self.out.ok();
            }
            ("CGDCONT", Form::Set(p)) => self.cgdcont(p),
            ("CGACT", Form::Query) => {
                if let Some(line) = self.net.cgact() {
                    self.out.resp(&line);
                }
                self.out.ok();
            }
            ("CGACT", Form::Set(p)) => match p.as_slice() {
                [state, cid] if cid.number() == Some(1) => match flag(state) {
                    Some(on) => {
                        let r = self.net.set_active(on);
                        self.ok_then(r);
                    }
                    None => self.out.plain_error(),
                },
                _ => self.out.plain_error(),
            },
            ("CGPADDR", Form::Set(p)) if one_number(p) == Some(1) => {
                let line = self.net.address();
                self.out.info(&line);
            }
            ("VERCTRL", Form::Query) => {
                let line = self.net.verctrl();
                self.out.info(&line);
            }
            ("VERCTRL", Form::Set(p)) => match two_numbers(p) {
                Some((a @ 0..=255, b @ 0..=1)) => {
                    self.net.set_verctrl(a as u8, b == 1);
                    self.out.ok();
                }
                _ => self.out.plain_error(),
            },
            ("CGSN", Form::Exec) => {
                let line = self.net.imei().to_owned();
                self.out.info(&line);
            }
            ("CGSN", Form::Set(p)) if one_number(p) == Some(1) => {
                let line = format!("+CGSN: {}", self.net.imei());
                self.out.info(&line);
            }
            ("ICCID", Form::Exec) => {
                let r = self.net.iccid().map(|i| format!("+ICCID: {i}"));
                self.info_or(r);
            }
            ("CIMI", Form::Exec) => {
                let r = self.net.imsi().map(str::to_owned);
                self.info_or(r);
            }
            _ => return false,
        }
        true
    }

    /// `AT+CFUN=<fun>[,<rst>]`: 0, 1 or 4; `1,1` answers `OK` and reboots.
    fn cfun(&mut self, p: &[Param], now: Instant) {
        let (fun, rst) = match p {
            [f] => (f.number(), Some(0)),
            [f, r] => (f.number(), r.number()),
            _ => (None, None),
        };
        match (fun, rst) {
            (Some(1), Some(1)) => {
                self.out.ok();
                self.reboot();
            }
            (Some(f @ (0 | 1 | 4)), Some(0)) => {
                let events = self.net.set_fun(f as u8, now);
                self.ok_then(Ok(events));
            }
            _ => self.out.plain_error(),
        }
    }

    /// `AT+CGDCONT=1,"<type>","<apn>"` (cid 1 only).
    fn cgdcont(&mut self, p: &[Param]) {
        let parsed = (|| {
            let [cid, pdp_type, apn] = p else {
                return None;
            };
            if cid.number()? != 1 {
                return None;
            }
            let pdp_type = string_max(pdp_type, 8)?;
            let apn = string_max(apn, 99)?;
            let known = matches!(pdp_type.as_str(), "IP" | "IPV6" | "IPV4V6");
            let printable = apn.bytes().all(|b| b.is_ascii_graphic());
            (known && printable).then_some((pdp_type, apn))
        })();
        match parsed {
            Some((t, apn)) => {
                let r = self.net.define(&t, &apn).map(|()| Vec::new());
                self.ok_then(r);
            }
            None => self.out.plain_error(),
        }
    }
}
