//! The simulated module: one thread that reads AT command lines, answers them as
//! the spec says, and runs the MQTT 3.1.1 session with the broker.
//!
//! Everything the module does happens on this thread, driven by
//! [`CoreEvent`](crate::event::CoreEvent)s (serial input, link events, injected
//! faults) and by its own timers; output goes to the output thread in order.
//!
//! The parts, each in its own file, owned by one `Module` (`module.rs`):
//!
//! | part | file | concern |
//! | --- | --- | --- |
//! | `SerialOut` | `serial.rs` | output, echo, held URCs, `AT+CMEE`, byte faults |
//! | `Input` | `input.rs` | command lines and length-mode payloads |
//! | `Faults` | `faults.rs` | forced `+CME ERROR`, withheld and delayed ACKs |
//! | `Network` | `network.rs` | SIM, registration, signal, attach |
//! | `Client` | `client.rs` | MQTT client state: configuration, subscriptions, ids |
//! | `Uplink` | `link.rs` | the TCP link to the broker and its thread |
//!
//! Behaviour built on them: `command/` (one handler per AT verb), `session.rs`
//! (opening the session, keep-alive, reconnect) and `packets.rs` (packets from the
//! broker). This file runs the loop: events, timers, input, faults, reboot.
//!
//! Dependencies go one way: this file → `command/`, `session.rs`, `packets.rs` →
//! `module.rs` → the parts. The link thread (`crate::mqtt`) knows none of them.

mod client;
mod command;
mod faults;
mod input;
mod link;
mod module;
mod network;
mod packets;
mod serial;
mod session;

use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::config::{Fault, Received, SimConfig};
use crate::event::CoreEvent;
use crate::output::OutMsg;

use input::{Expiry, Step};
use module::Module;
use serial::{framed, Kind};
use session::Fail;

/// What the module thread needs.
pub(crate) struct CoreSetup {
    pub cfg: SimConfig,
    pub rx: Receiver<CoreEvent>,
    pub tx: Sender<CoreEvent>,
    pub out: Sender<OutMsg>,
    pub log: Arc<Mutex<Vec<Received>>>,
    pub broker_addr: Option<SocketAddr>,
    /// TLS settings for `<encrypt>`=1.
    pub tls: Arc<rustls::ClientConfig>,
    /// The in-process broker's TLS listener, if it has one.
    pub broker_tls_addr: Option<SocketAddr>,
}

/// Runs the module until [`CoreEvent::Shutdown`].
pub(crate) fn run(setup: CoreSetup) {
    let rx = setup.rx;
    let mut m = Module::new(
        setup.cfg,
        setup.tx,
        setup.out,
        setup.log,
        setup.broker_addr,
        setup.tls,
    );
    m.broker_tls_addr = setup.broker_tls_addr;
    m.boot_banner();
    loop {
        let ev = match m.next_deadline() {
            Some(t) => rx.recv_timeout(t.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match ev {
            Ok(CoreEvent::Shutdown) | Err(RecvTimeoutError::Disconnected) => break,
            Ok(ev) => m.handle(ev),
            Err(RecvTimeoutError::Timeout) => {}
        }
        m.after_event();
    }
    m.uplink.drop_link(false);
    m.out.stop();
}

impl Module {
    fn handle(&mut self, ev: CoreEvent) {
        match ev {
            CoreEvent::Input(bytes) => {
                if self.booting_until.is_none() {
                    self.input.push(bytes);
                }
            }
            CoreEvent::Link(gen, ev) => self.link_event(gen, ev),
            CoreEvent::Fault(f) => self.fault(f),
            CoreEvent::Shutdown => {}
        }
    }

    /// Timers and input until nothing changes, then held URCs and echo.
    fn after_event(&mut self) {
        for _ in 0..64 {
            let before = self.progress_marker();
            self.timers();
            if self.uplink.take_broken() {
                self.link_failed(Fail::Closed);
            }
            self.process_input();
            if self.progress_marker() == before {
                break;
            }
        }
        if !self.holding() && self.out.has_held() {
            self.out.flush_held();
        }
        self.out.flush_echo();
    }

    fn progress_marker(&self) -> (usize, bool, bool) {
        (
            self.input.buffered(),
            self.pending.is_some(),
            self.input.in_command_mode(),
        )
    }

    // ------------------------------------------------------------------ faults

    fn fault(&mut self, f: Fault) {
        match f {
            Fault::DropByte(t) => self.out.byte_fault(t, true),
            Fault::CorruptByte(t) => self.out.byte_fault(t, false),
            Fault::WithholdAck => self.faults.withhold_ack(),
            Fault::DelayAck(d) => self.faults.delay_ack(d),
            Fault::CutLink => self.link_failed(Fail::Closed),
            Fault::RestartBroker => {}
            Fault::CmeError(n) => self.faults.next_cme = Some(n),
            Fault::Reboot => self.reboot(),
            Fault::Garbage(n) => self.out.garbage(n),
            Fault::Raw(bytes) => self.out.emit(Kind::Raw, bytes),
            Fault::RegistrationLost(outage) => {
                let events = self.net.lose_registration(Instant::now(), outage);
                self.net_events(events);
            }
            Fault::PdpDeactivated => {
                let events = self.net.network_deactivation();
                self.net_events(events);
            }
            Fault::SimRemoved => {
                let events = self.net.remove_sim();
                self.net_events(events);
            }
            Fault::RegistrationStuck => {
                let events = self.net.stop_searching();
                self.net_events(events);
            }
        }
    }

    /// The configured banner, if any, at the simulator's start (the module's first
    /// boot happened before anyone listened).
    fn boot_banner(&mut self) {
        if let Some(b) = self.cfg.boot_banner.clone() {
            self.out.emit(Kind::Urc, framed(&b));
        }
    }

    /// After a reboot: the configured banner, or `RDY` and the SIM's state
    /// (NETWORK.md §2).
    fn boot_lines(&mut self) {
        if self.cfg.boot_banner.is_some() {
            return self.boot_banner();
        }
        self.out.urc_now("RDY");
        if let Some(line) = self.net.boot_sim_line() {
            self.out.urc_now(&line);
        }
    }

    // ------------------------------------------------------------------ timers

    fn next_deadline(&self) -> Option<Instant> {
        [
            self.booting_until,
            self.input.deadline(),
            self.pending_deadline(),
            self.session_deadline(),
            self.faults.next_deadline(),
            self.net.deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn timers(&mut self) {
        let now = Instant::now();
        if let Some(b) = self.booting_until {
            if now < b {
                return;
            }
            self.booting_until = None;
            self.boot_lines();
        }
        let events = self.net.tick(now);
        self.net_events(events);
        for (gen, p) in self.faults.due(now) {
            if self.uplink.is_current(gen) {
                self.packet(p, true);
            }
        }
        match self.input.expire(now) {
            Some(Expiry::Prompt) => self.prompt(),
            Some(Expiry::PayloadTimeout) => self.finish_err(601),
            None => {}
        }
        self.pending_timers(now);
        self.session_timers(now);
    }

    // ------------------------------------------------------------------ input

    fn process_input(&mut self) {
        while self.pending.is_none() && self.booting_until.is_none() {
            let Some(step) = self.input.next(&mut self.out) else {
                return;
            };
            match step {
                Step::Line(line) => {
                    self.log_received(Received::Line(line.clone()));
                    self.command_line(&line);
                }
                Step::TooLong(line) => {
                    self.log_received(Received::Line(line));
                    self.out.plain_error();
                }
                Step::Prompt => self.prompt(),
                Step::Payload(cmd, got) => {
                    self.log_received(Received::Payload(got.clone()));
                    self.publish(cmd, got);
                }
            }
        }
    }
}
