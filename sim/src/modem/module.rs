//! The parts of the simulated module, owned by one [`Module`], and the rules every
//! command shares: the running command, its result (`OK`, `+CME ERROR`, the ACK
//! line and the linger before `OK`), and URCs held while it runs.
//!
//! The AT verbs (`command/`) and the MQTT session (`session.rs`, `packets.rs`)
//! are built on these; this file does not know them.

use std::net::SocketAddr;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::{Received, SimConfig};
use crate::event::CoreEvent;
use crate::output::OutMsg;

use super::client::Client;
use super::faults::Faults;
use super::input::Input;
use super::link::Uplink;
use super::network::Network;
use super::serial::{framed, Kind, SerialOut};

/// Which step of a QoS 1/2 publish the module waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PubStage {
    Ack,
    Rec,
    Comp,
}

/// The command that blocks the serial line, and until when.
#[derive(Debug, Clone)]
pub(super) enum Pending {
    /// `AT+MQTTOPEN`: until the CONNACK (or the link fails).
    Open,
    /// `AT+MQTTSUB`: until the SUBACK.
    Sub {
        id: u16,
        topic: String,
        deadline: Instant,
    },
    /// `AT+MQTTUNSUB`: until the UNSUBACK.
    Unsub {
        id: u16,
        topic: String,
        deadline: Instant,
    },
    /// `AT+MQTTPUB` at QoS 1/2: until the PUBACK / PUBCOMP.
    Pub {
        id: u16,
        stage: PubStage,
        deadline: Instant,
    },
    /// The ACK line is out; `OK` follows at `until`.
    Linger { until: Instant },
}

/// Everything the module thread owns.
pub(super) struct Module {
    pub cfg: SimConfig,
    /// The module thread's own queue, for the link threads it starts.
    pub tx: Sender<CoreEvent>,
    pub log: Arc<Mutex<Vec<Received>>>,
    pub broker_addr: Option<SocketAddr>,
    /// TLS settings for `<encrypt>`=1: the CA the module trusts.
    pub tls: Arc<rustls::ClientConfig>,
    /// The in-process broker's TLS listener, where `<encrypt>`=1 goes.
    pub broker_tls_addr: Option<SocketAddr>,
    pub out: SerialOut,
    pub input: Input,
    pub faults: Faults,
    pub net: Network,
    pub client: Client,
    pub uplink: Uplink,
    /// The command that blocks the line.
    pub pending: Option<Pending>,
    /// `OK` was printed already (quirk `ok_before_ack`).
    pub ok_sent: bool,
    /// Rebooting: silent and deaf until then.
    pub booting_until: Option<Instant>,
}

impl Module {
    /// A module at power-up.
    pub fn new(
        cfg: SimConfig,
        tx: Sender<CoreEvent>,
        out: Sender<OutMsg>,
        log: Arc<Mutex<Vec<Received>>>,
        broker_addr: Option<SocketAddr>,
        tls: Arc<rustls::ClientConfig>,
    ) -> Module {
        Module {
            out: SerialOut::new(out, cfg.seed, cfg.spelling, cfg.cmee),
            input: Input::new(cfg.echo, cfg.max_line),
            faults: Faults::default(),
            net: Network::new(&cfg, Instant::now()),
            client: Client::default(),
            uplink: Uplink::default(),
            pending: None,
            ok_sent: false,
            booting_until: None,
            cfg,
            tx,
            log,
            broker_addr,
            tls,
            broker_tls_addr: None,
        }
    }

    /// `n` seconds of the module's clock.
    pub fn sec(&self, n: u64) -> Duration {
        self.cfg
            .module_second
            .saturating_mul(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// When an ACK sent now is due (`AT+MQTTTO`).
    pub fn ack_deadline(&self) -> Instant {
        Instant::now() + self.sec(u64::from(self.client.ack_to))
    }

    /// Appends to the log of what was received, keeping it bounded: a long soak
    /// must not grow it without end. The newest `RECEIVED_LOG_CAP` entries are kept.
    pub fn log_received(&self, r: Received) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= 2 * crate::RECEIVED_LOG_CAP {
            log.drain(..crate::RECEIVED_LOG_CAP);
        }
        log.push(r);
    }

    /// Power cycle: every part back to its power-up state, silent for the boot time
    /// (`Fault::Reboot`, `AT+CFUN=1,1`).
    pub fn reboot(&mut self) {
        self.uplink.drop_link(false);
        self.input.reset(self.cfg.echo);
        self.out.reset(self.cfg.cmee);
        self.faults.reset();
        self.client = Client::default();
        self.pending = None;
        self.ok_sent = false;
        let booted = Instant::now() + self.cfg.boot_time;
        self.net.reboot(booted);
        self.booting_until = Some(booted);
    }

    // ------------------------------------------------------------------ URCs

    /// URCs wait while a command runs (until its ACK line) and during length-mode
    /// data entry (between the prompt and the command's result).
    pub fn holding(&self) -> bool {
        matches!(
            self.pending,
            Some(Pending::Open | Pending::Sub { .. } | Pending::Unsub { .. } | Pending::Pub { .. })
        ) || !self.input.in_command_mode()
    }

    /// An unsolicited line, held if a command runs.
    pub fn urc(&mut self, text: &str) {
        self.urc_parts(vec![(Kind::Urc, framed(text))]);
    }

    /// An unsolicited output in parts, held if a command runs.
    pub fn urc_parts(&mut self, parts: Vec<(Kind, Vec<u8>)>) {
        let hold = self.holding();
        self.out.urc_parts(hold, parts);
    }

    // ------------------------------------------------------------------ results

    /// `+MQTTTO: <type>` — part of the failing command's answer, never held.
    pub fn ack_timeout_line(&mut self, kind: u8) {
        let line = format!("+MQTTTO:{}{kind}", self.out.sp());
        self.out.urc_now(&line);
    }

    /// Ends the running command with `OK` (unless it was printed already).
    pub fn finish_ok(&mut self) {
        self.out.flush_held();
        if !self.ok_sent {
            self.out.ok();
        }
        self.ok_sent = false;
        self.pending = None;
    }

    /// Ends the running command with `+CME ERROR: <code>` (unless `OK` was printed
    /// already).
    pub fn finish_err(&mut self, code: u16) {
        self.out.flush_held();
        if !self.ok_sent {
            self.out.cme(code);
        }
        self.ok_sent = false;
        self.pending = None;
    }

    /// Prints the ACK line that completes a blocking command, then lingers before OK.
    pub fn ack_line(&mut self, text: &str) {
        if self.ok_sent {
            self.out.flush_held();
            self.out.urc_now(text);
            self.ok_sent = false;
            self.pending = None;
            return;
        }
        self.out.resp(text);
        self.out.flush_held();
        if self.cfg.final_linger.is_zero() {
            self.finish_ok();
        } else {
            self.pending = Some(Pending::Linger {
                until: Instant::now() + self.cfg.final_linger,
            });
        }
    }

    /// For the `ok_before_ack` quirk: the final `OK` right when the command is sent.
    pub fn early_ok(&mut self) {
        if self.cfg.quirks.ok_before_ack {
            self.out.ok();
            self.ok_sent = true;
        }
    }

    /// When the running command times out or its linger ends.
    pub fn pending_deadline(&self) -> Option<Instant> {
        match &self.pending {
            Some(Pending::Sub { deadline, .. })
            | Some(Pending::Unsub { deadline, .. })
            | Some(Pending::Pub { deadline, .. }) => Some(*deadline),
            Some(Pending::Linger { until }) => Some(*until),
            Some(Pending::Open) | None => None,
        }
    }

    /// Ends the running command if its time is up: `+MQTTTO: <n>` and 616 for a
    /// missing ACK, `OK` after the linger.
    pub fn pending_timers(&mut self, now: Instant) {
        if self.pending_deadline().is_none_or(|d| now < d) {
            return;
        }
        match self.pending {
            Some(Pending::Sub { .. }) => {
                self.ack_timeout_line(3);
                self.finish_err(616);
            }
            Some(Pending::Unsub { .. }) => {
                self.ack_timeout_line(4);
                self.finish_err(616);
            }
            Some(Pending::Pub { .. }) => {
                self.ack_timeout_line(2);
                self.finish_err(616);
            }
            Some(Pending::Linger { .. }) => self.finish_ok(),
            Some(Pending::Open) | None => {}
        }
    }
}
