//! The module's view of the cellular network (NETWORK.md §1–§4): the SIM, radio
//! function, registration after a delay, signal, the packet-domain attach, PDP
//! context 1 (automatic or manual mode, `AT+VERCTRL`), and the identity (IMEI,
//! ICCID, IMSI).
//!
//! [`Network`] knows nothing of the rest of the module: it is told the time, and
//! each change hands back [`NetEvent`]s (URC lines, the PDP context going down)
//! for the module to print and act on.

use std::time::{Duration, Instant};

use crate::config::{Registration, SimCard, SimConfig};
use crate::rng::Rng;

/// `+CME ERROR` codes of TS 27.007 §9.2 the network commands give.
pub(super) mod code {
    /// Operation not allowed.
    pub const NOT_ALLOWED: u16 = 3;
    /// SIM not inserted.
    pub const NO_SIM: u16 = 10;
    /// SIM PIN required.
    pub const SIM_PIN: u16 = 11;
    /// Incorrect password.
    pub const WRONG_PIN: u16 = 16;
    /// No network service.
    pub const NO_SERVICE: u16 = 30;
}

/// Tracking area and cell of the simulated network (`+CEREG` with `<n>` 2).
const LOCATION: &str = "\"1A2B\",\"0C3D4E5F\",7";

/// What a change means for the rest of the module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NetEvent {
    /// Print this unsolicited line.
    Urc(String),
    /// The PDP context went down: the MQTT link drops with it.
    PdpDown,
}

/// The network state of the module.
#[derive(Debug, Clone)]
pub(super) struct Network {
    // what the configuration says
    sim_cfg: SimCard,
    answer: Registration,
    delay: Duration,
    auto_cfg: bool,
    apn_cfg: String,
    signal: (u8, u8),
    // state
    sim: SimCard,
    fun: u8,
    stat: u8,
    reg_at: Option<Instant>,
    cereg_n: u8,
    cgreg_n: u8,
    cgerep: u8,
    verctrl_a: u8,
    auto_pdp: bool,
    context: Option<(String, String)>,
    attached: bool,
    active: bool,
    activations: u8,
    // identity
    imei: String,
    iccid: String,
    imsi: String,
}

/// The Luhn check digit of `digits` (the digit to append).
pub(super) fn luhn_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b.wrapping_sub(b'0') % 10);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn with_luhn(mut s: String) -> String {
    let d = luhn_digit(&s);
    s.push(char::from(b'0' + d));
    s
}

impl Network {
    /// The network of a module powered up at `now` with `cfg`; identity drawn from
    /// the seed.
    pub fn new(cfg: &SimConfig, now: Instant) -> Network {
        let mut rng = Rng::new(cfg.seed ^ 0x4e45_5457);
        // IMEI: a TAC of a Chinese LTE module, a serial number, the Luhn digit.
        let imei = with_luhn(format!("86959703{}", digits(&mut rng, 6)));
        // ICCID: 89 (telecom), 86 (China), 00 (China Mobile), 19 digits + Luhn.
        let iccid = with_luhn(format!("898600{}", digits(&mut rng, 13)));
        // IMSI: MCC 460, MNC 04 (China Mobile IoT), 10 digits.
        let imsi = format!("46004{}", digits(&mut rng, 10));
        let mut net = Network {
            sim_cfg: cfg.sim.clone(),
            answer: cfg.registration,
            delay: cfg.registration_delay,
            auto_cfg: cfg.auto_pdp,
            apn_cfg: cfg.apn.clone(),
            signal: cfg.signal,
            sim: cfg.sim.clone(),
            fun: 1,
            stat: 0,
            reg_at: None,
            cereg_n: 0,
            cgreg_n: 0,
            cgerep: 0,
            verctrl_a: 0,
            auto_pdp: cfg.auto_pdp,
            context: None,
            attached: false,
            active: false,
            activations: 0,
            imei,
            iccid,
            imsi,
        };
        net.power_on(now);
        // a zero delay: registered (and the context up) before the first command
        let _ = net.tick(now);
        net
    }

    /// A reboot that ends at `booted`: every setting back to the configuration,
    /// the configured SIM found again, registration from `booted` on. The identity
    /// and the configuration stay.
    pub fn reboot(&mut self, booted: Instant) {
        self.sim = self.sim_cfg.clone();
        self.fun = 1;
        self.stat = 0;
        self.reg_at = None;
        self.cereg_n = 0;
        self.cgreg_n = 0;
        self.cgerep = 0;
        self.verctrl_a = 0;
        self.auto_pdp = self.auto_cfg;
        self.context = None;
        self.attached = false;
        self.active = false;
        self.activations = 0;
        self.power_on(booted);
    }

    /// Starts searching if the radio is on and the SIM ready.
    fn power_on(&mut self, now: Instant) {
        if self.fun == 1 && self.sim == SimCard::Ready {
            self.stat = 2;
            self.reg_at = Some(now + self.delay);
        }
    }

    /// When the registration changes next.
    pub fn deadline(&self) -> Option<Instant> {
        self.reg_at
    }

    /// Registration due at `now`.
    pub fn tick(&mut self, now: Instant) -> Vec<NetEvent> {
        let mut ev = Vec::new();
        if self.reg_at.is_some_and(|t| now >= t) {
            self.reg_at = None;
            let stat = match self.answer {
                Registration::Home => 1,
                Registration::Roaming => 5,
                Registration::Denied => 3,
                Registration::Searching => 2,
            };
            self.set_stat(stat, &mut ev);
            if self.registered() && self.auto_pdp {
                self.attached = true;
                if self.context.is_none() {
                    self.context = Some(("IP".to_owned(), self.apn_cfg.clone()));
                }
                self.activate(&mut ev);
            }
        }
        ev
    }

    /// Registered, home or roaming.
    pub fn registered(&self) -> bool {
        matches!(self.stat, 1 | 5)
    }

    /// Whether the PDP context is up (MQTT can reach the broker).
    pub fn pdp_up(&self) -> bool {
        self.active
    }

    fn cgev(&self, what: &str, ev: &mut Vec<NetEvent>) {
        if self.cgerep > 0 {
            ev.push(NetEvent::Urc(format!("+CGEV: {what} 1")));
        }
    }

    fn activate(&mut self, ev: &mut Vec<NetEvent>) {
        if !self.active {
            self.active = true;
            self.activations = self.activations.wrapping_add(1);
            self.cgev("ME PDN ACT", ev);
        }
    }

    /// Context down; `by` is `ME` or `NW` for the `+CGEV` line.
    fn deactivate(&mut self, by: &str, ev: &mut Vec<NetEvent>) {
        if self.active {
            self.active = false;
            self.cgev(&format!("{by} PDN DEACT"), ev);
            ev.push(NetEvent::PdpDown);
        }
    }

    fn reg_urc(&self, prefix: &str, n: u8) -> Option<String> {
        match n {
            1 => Some(format!("+{prefix}: {}", self.stat)),
            2 if self.registered() => Some(format!("+{prefix}: {},{LOCATION}", self.stat)),
            2 => Some(format!("+{prefix}: {}", self.stat)),
            _ => None,
        }
    }

    fn set_stat(&mut self, stat: u8, ev: &mut Vec<NetEvent>) {
        if stat == self.stat {
            return;
        }
        self.stat = stat;
        if !self.registered() {
            self.attached = false;
            self.deactivate("NW", ev);
        }
        ev.extend(self.reg_urc("CEREG", self.cereg_n).map(NetEvent::Urc));
        ev.extend(self.reg_urc("CGREG", self.cgreg_n).map(NetEvent::Urc));
    }

    // ------------------------------------------------------------------ faults

    /// Out of coverage for `outage`, then registration again.
    pub fn lose_registration(&mut self, now: Instant, outage: Duration) -> Vec<NetEvent> {
        let mut ev = Vec::new();
        if self.fun == 1 && self.sim == SimCard::Ready {
            self.set_stat(2, &mut ev);
            self.reg_at = Some(now + outage + self.delay);
        }
        ev
    }

    /// The network tears the context down.
    pub fn network_deactivation(&mut self) -> Vec<NetEvent> {
        let mut ev = Vec::new();
        self.deactivate("NW", &mut ev);
        ev
    }

    /// Off the network and no longer searching, until the radio is switched off
    /// and on again or the module reboots.
    pub fn stop_searching(&mut self) -> Vec<NetEvent> {
        let mut ev = Vec::new();
        if self.fun == 1 && self.sim == SimCard::Ready {
            self.reg_at = None;
            self.set_stat(0, &mut ev);
        }
        ev
    }

    /// The SIM is pulled out.
    pub fn remove_sim(&mut self) -> Vec<NetEvent> {
        let mut ev = Vec::new();
        if self.sim != SimCard::Absent {
            self.sim = SimCard::Absent;
            ev.push(NetEvent::Urc("+CPIN: NOT READY".to_owned()));
            self.reg_at = None;
            self.set_stat(0, &mut ev);
        }
        ev
    }

    // ------------------------------------------------------------------ commands

    /// The boot line about the SIM after a reboot, if any.
    pub fn boot_sim_line(&self) -> Option<String> {
        self.cpin().ok()
    }

    /// `AT+CPIN?`.
    pub fn cpin(&self) -> Result<String, u16> {
        match &self.sim {
            SimCard::Ready => Ok("+CPIN: READY".to_owned()),
            SimCard::Pin(_) => Ok("+CPIN: SIM PIN".to_owned()),
            SimCard::Absent => Err(code::NO_SIM),
        }
    }

    /// `AT+CPIN="<pin>"`.
    pub fn enter_pin(&mut self, pin: &str, now: Instant) -> Result<Vec<NetEvent>, u16> {
        match &self.sim {
            SimCard::Absent => Err(code::NO_SIM),
            SimCard::Ready => Err(code::NOT_ALLOWED),
            SimCard::Pin(p) if p == pin => {
                self.sim = SimCard::Ready;
                self.power_on(now);
                Ok(vec![NetEvent::Urc("+CPIN: READY".to_owned())])
            }
            SimCard::Pin(_) => Err(code::WRONG_PIN),
        }
    }

    /// `AT+CFUN?`.
    pub fn fun(&self) -> u8 {
        self.fun
    }

    /// `AT+CFUN=<fun>` (0, 1 or 4; a reset is the module's business).
    pub fn set_fun(&mut self, fun: u8, now: Instant) -> Vec<NetEvent> {
        let mut ev = Vec::new();
        if fun == self.fun {
            return ev;
        }
        self.fun = fun;
        if fun == 1 {
            let before = self.stat;
            self.power_on(now);
            if self.stat != before {
                ev.extend(self.reg_urc("CEREG", self.cereg_n).map(NetEvent::Urc));
                ev.extend(self.reg_urc("CGREG", self.cgreg_n).map(NetEvent::Urc));
            }
        } else {
            self.reg_at = None;
            self.deactivate("ME", &mut ev);
            self.set_stat(0, &mut ev);
        }
        ev
    }

    /// `AT+CSQ`: the configured signal while registered, else unknown.
    pub fn csq(&self) -> String {
        let (rssi, ber) = if self.registered() {
            self.signal
        } else {
            (99, 99)
        };
        format!("+CSQ: {rssi},{ber}")
    }

    /// `AT+CEREG?` (`lte`) or `AT+CGREG?`.
    pub fn reg_query(&self, lte: bool) -> String {
        let (prefix, n) = if lte {
            ("CEREG", self.cereg_n)
        } else {
            ("CGREG", self.cgreg_n)
        };
        if n >= 2 && self.registered() {
            format!("+{prefix}: {n},{},{LOCATION}", self.stat)
        } else {
            format!("+{prefix}: {n},{}", self.stat)
        }
    }

    /// `AT+CEREG=<n>` (`lte`) or `AT+CGREG=<n>`.
    pub fn set_reg_urc(&mut self, lte: bool, n: u8) {
        if lte {
            self.cereg_n = n;
        } else {
            self.cgreg_n = n;
        }
    }

    /// `AT+CGEREP?`.
    pub fn cgerep(&self) -> u8 {
        self.cgerep
    }

    /// `AT+CGEREP=<mode>`.
    pub fn set_cgerep(&mut self, mode: u8) {
        self.cgerep = mode;
    }

    /// `AT+CGATT?`.
    pub fn attached(&self) -> bool {
        self.attached
    }

    /// `AT+CGATT=<0|1>`.
    pub fn set_attach(&mut self, on: bool) -> Result<Vec<NetEvent>, u16> {
        let mut ev = Vec::new();
        if on {
            self.ready_and_registered()?;
            self.attached = true;
        } else {
            self.deactivate("ME", &mut ev);
            self.attached = false;
        }
        Ok(ev)
    }

    fn ready_and_registered(&self) -> Result<(), u16> {
        match self.sim {
            SimCard::Absent => Err(code::NO_SIM),
            SimCard::Pin(_) => Err(code::SIM_PIN),
            SimCard::Ready if self.registered() => Ok(()),
            SimCard::Ready => Err(code::NO_SERVICE),
        }
    }

    /// `AT+CGDCONT=1,"<type>","<apn>"`; only while the context is down.
    pub fn define(&mut self, pdp_type: &str, apn: &str) -> Result<(), u16> {
        if self.active {
            return Err(code::NOT_ALLOWED);
        }
        self.context = Some((pdp_type.to_owned(), apn.to_owned()));
        Ok(())
    }

    /// `AT+CGDCONT?`.
    pub fn context(&self) -> Option<String> {
        self.context
            .as_ref()
            .map(|(t, apn)| format!("+CGDCONT: 1,\"{t}\",\"{apn}\""))
    }

    /// `AT+CGACT?`.
    pub fn cgact(&self) -> Option<String> {
        self.context
            .as_ref()
            .map(|_| format!("+CGACT: 1,{}", u8::from(self.active)))
    }

    /// `AT+CGACT=<state>,1`.
    pub fn set_active(&mut self, on: bool) -> Result<Vec<NetEvent>, u16> {
        let mut ev = Vec::new();
        if on {
            self.ready_and_registered()?;
            if self.context.is_none() {
                return Err(code::NOT_ALLOWED);
            }
            self.attached = true;
            self.activate(&mut ev);
        } else {
            self.deactivate("ME", &mut ev);
        }
        Ok(ev)
    }

    /// `AT+CGPADDR=1`: the address while active, else `0.0.0.0`.
    pub fn address(&self) -> String {
        if self.active {
            format!(
                "+CGPADDR: 1,\"10.64.{}.{}\"",
                self.activations / 200,
                2 + self.activations % 200
            )
        } else {
            "+CGPADDR: 1,\"0.0.0.0\"".to_owned()
        }
    }

    /// `AT+VERCTRL?`.
    pub fn verctrl(&self) -> String {
        format!("+VERCTRL: {},{}", self.verctrl_a, u8::from(self.auto_pdp))
    }

    /// `AT+VERCTRL=<a>,<b>`: the PDP mode for the next registration.
    pub fn set_verctrl(&mut self, a: u8, auto: bool) {
        self.verctrl_a = a;
        self.auto_pdp = auto;
    }

    /// IMEI, ICCID, IMSI.
    pub fn imei(&self) -> &str {
        &self.imei
    }

    /// `AT+ICCID`: readable while a SIM is in.
    pub fn iccid(&self) -> Result<&str, u16> {
        match self.sim {
            SimCard::Absent => Err(code::NO_SIM),
            _ => Ok(&self.iccid),
        }
    }

    /// `AT+CIMI`: needs an unlocked SIM.
    pub fn imsi(&self) -> Result<&str, u16> {
        match self.sim {
            SimCard::Absent => Err(code::NO_SIM),
            SimCard::Pin(_) => Err(code::SIM_PIN),
            SimCard::Ready => Ok(&self.imsi),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_that_stopped_searching_registers_again_only_after_a_radio_cycle() {
        let t0 = Instant::now();
        let mut net = Network::new(&SimConfig::default(), t0);
        net.set_cgerep(1);
        assert!(net.registered() && net.pdp_up());
        assert_eq!(
            net.stop_searching(),
            [
                NetEvent::Urc("+CGEV: NW PDN DEACT 1".into()),
                NetEvent::PdpDown,
            ]
        );
        assert!(!net.registered() && !net.pdp_up());
        // Waiting does not help.
        assert!(net.tick(t0 + Duration::from_secs(3600)).is_empty());
        assert!(!net.registered());
        // Radio off and on: it searches, registers and (automatic mode) activates.
        let _ = net.set_fun(0, t0);
        let _ = net.set_fun(1, t0);
        let _ = net.tick(t0);
        assert!(net.registered() && net.pdp_up());
    }

    #[test]
    fn radio_on_without_sim_says_nothing_and_a_reboot_restores_the_configuration() {
        let t0 = Instant::now();
        let mut net = Network::new(&SimConfig::default(), t0);
        let imei = net.imei().to_owned();
        net.set_reg_urc(true, 1);
        net.set_cgerep(1);
        net.set_verctrl(0, false);
        assert_eq!(
            net.remove_sim(),
            [
                NetEvent::Urc("+CPIN: NOT READY".into()),
                NetEvent::Urc("+CGEV: NW PDN DEACT 1".into()),
                NetEvent::PdpDown,
                NetEvent::Urc("+CEREG: 0".into()),
            ]
        );
        assert!(net.set_fun(0, t0).is_empty(), "nothing left to lose");
        assert!(net.set_fun(1, t0).is_empty(), "no SIM: no search, no URC");
        net.reboot(t0);
        assert_eq!(net.cpin().as_deref(), Ok("+CPIN: READY"));
        assert_eq!(net.verctrl(), "+VERCTRL: 0,1");
        assert!(net.tick(t0).is_empty(), "URCs off again");
        assert!(net.pdp_up());
        assert_eq!(net.imei(), imei, "the identity survives");
    }

    #[test]
    fn luhn_of_known_numbers() {
        // the IMEI example of 3GPP TS 23.003 annex B
        assert_eq!(luhn_digit("49015420323751"), 8);
        assert_eq!(luhn_digit("7992739871"), 3);
    }

    #[test]
    fn zero_delay_is_registered_with_the_context_up_at_once() {
        let net = Network::new(&SimConfig::default(), Instant::now());
        assert!(net.registered() && net.pdp_up() && net.attached());
        assert_eq!(net.reg_query(true), "+CEREG: 0,1");
    }

    #[test]
    fn a_delay_searches_first_and_manual_mode_leaves_the_context_down() {
        let t0 = Instant::now();
        let cfg = SimConfig::default()
            .registration_delay(Duration::from_secs(5))
            .auto_pdp(false);
        let mut net = Network::new(&cfg, t0);
        net.set_reg_urc(true, 1);
        assert_eq!(net.reg_query(true), "+CEREG: 1,2");
        assert!(net.tick(t0 + Duration::from_secs(4)).is_empty());
        assert_eq!(
            net.tick(t0 + Duration::from_secs(5)),
            [NetEvent::Urc("+CEREG: 1".into())]
        );
        assert!(!net.pdp_up() && !net.attached());
        assert_eq!(
            net.set_active(true),
            Err(code::NOT_ALLOWED),
            "no context defined"
        );
        net.define("IP", "CMNET").unwrap();
        net.set_cgerep(1);
        assert_eq!(
            net.set_active(true).unwrap(),
            [NetEvent::Urc("+CGEV: ME PDN ACT 1".into())]
        );
        assert_eq!(net.address(), "+CGPADDR: 1,\"10.64.0.3\"");
    }
}
