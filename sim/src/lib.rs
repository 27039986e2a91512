//! A software China Mobile ML302 LTE module, for testing the `ml302` driver (and
//! anything else that speaks the module's MQTT AT commands) without hardware.
//!
//! The simulator reads AT command lines on a serial line — a pseudo-terminal, an
//! existing device, TCP, or the in-memory [`MemoryPort`] — and answers as the
//! project's spec (`ML302-MQTT-AT.md`, §5.9) says the module does, while it speaks
//! real MQTT 3.1.1 over TCP to a real broker: by default an in-process broker
//! ([`Broker`], rumqttd) on a free loopback port, to which every host named by
//! `AT+MQTTCFG` is routed.
//!
//! ```
//! use std::io::Write;
//! use std::time::Duration;
//! use ml302_sim::{SimConfig, Simulator};
//!
//! let (sim, mut port) = Simulator::in_memory(SimConfig::default().echo(false))?;
//! let t = Duration::from_secs(5);
//! port.write_all(b"AT+CMEE=1\r\n")?;
//! assert_eq!(port.read_until(b"\r\nOK\r\n", t)?, b"\r\nOK\r\n");
//! port.write_all(b"AT+MQTTCFG=\"broker.example\",1883,\"dev1\",60,\"\",\"\",1\r\n")?;
//! assert_eq!(port.read_until(b"\r\nOK\r\n", t)?, b"\r\nOK\r\n");
//! port.write_all(b"AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"\r\n")?;
//! assert_eq!(port.read_until(b"\r\nOK\r\n", t)?, b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n");
//! sim.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Decisions where the spec leaves room
//!
//! * **Errors.** `AT+CMEE` starts at 0 (plain `ERROR` for every failure), as 3GPP
//!   modems do; after `AT+CMEE=1` MQTT command failures read `+CME ERROR: <n>` with
//!   the codes of spec §4. `AT+MQTTCFG` failures, `AT+MQTTDISC` without a
//!   connection, unknown commands, test forms (`=?`) and broken syntax always give
//!   plain `ERROR` (spec §2.1, §2.7). Wrong state: SUB/UNSUB/PUB when not connected
//!   600, while reconnecting 617; OPEN without a configuration 601, when connected
//!   or reconnecting 602; DEL while connected 602.
//! * **Echo.** Each byte is echoed as it is processed; a LF right after a CR is
//!   swallowed, not echoed, so `AT\r\n` echoes `AT\r`. Bytes that arrive while a
//!   command blocks are buffered and processed (and echoed) after it. Length-mode
//!   payloads are never echoed.
//! * **URCs during a command** are held until the command's ACK line, then printed;
//!   the final `OK` follows after [`SimConfig::final_linger`], printing what arrives
//!   meanwhile — this reproduces manual example 3.2 (`+MQTTPUBACK`, `+MQTTPUBLISH`,
//!   `OK`). URCs are also held between the `>` prompt and the result of a
//!   length-mode `AT+MQTTPUB`, so nothing interrupts data entry.
//! * **Packet ids**: one counter for SUBSCRIBE, UNSUBSCRIBE and PUBLISH (QoS 0
//!   included), 1 after `AT+MQTTCFG`, 65535 → 1; the module's id is the MQTT packet
//!   identifier on the wire too. Duplicate subscribe: 606; unsubscribing an unknown
//!   topic: 621 (no packet is sent, no id used).
//! * **SUBACK** with a granted QoS other than the requested one is accepted and
//!   printed as granted; 128 gives `+MQTTSUBACK:<id>,128,<topic>` then 605.
//! * **Keep-alive.** A PINGREQ goes out after `<keepAlive>` seconds without a packet
//!   *sent* (MQTT 3.1.1 §3.1.2.10 counts the client's packets); each ping still open
//!   when the next is due prints `+MQTTTO: 5`, the third one drops the link.
//! * **`AT+MQTTPING`, `AT+MQTTREC`, `AT+MQTTTO`** are accepted in every state (OneOS
//!   sends `AT+MQTTTO` before `AT+MQTTCFG`); `AT+MQTTCFG` resets the time-out to
//!   10 s and PING echo to 0, as the OpenCPU library does.
//! * **TLS** (`<encrypt>`=1) is not simulated: `AT+MQTTOPEN` answers 613.
//! * **Reboot** ([`Fault::Reboot`]): silence for [`SimConfig::boot_time`], input
//!   discarded, then the optional boot banner; no banner by default.
//! * **Line limit**: a command line longer than [`SimConfig::max_line`] (1024 bytes
//!   with CR LF) is answered with `ERROR`.
//!
//! # The MQTT client
//!
//! The module's MQTT 3.1.1 client encodes and decodes packets with rumqttc's
//! codec (`rumqttc::mqttbytes::v4`) and runs the session itself on a blocking TCP
//! socket, because the module's own rules do not fit rumqttc's event loop: the
//! packet id on the wire is the module's counter, the keep-alive allows three lost
//! pings, ACKs can be withheld or delayed for fault tests, and commands block until
//! their ACK.
//!
//! # Threads
//!
//! A simulator runs a module thread, an output thread, a serial reader thread (not
//! for [`MemoryPort`]), one thread per broker connection, and the broker's thread.
//! [`Simulator::shutdown`] (or drop) stops and joins all of them; see [`Broker`]
//! for the one parked thread rumqttd leaves behind.

#![deny(missing_docs)]

mod at;
mod broker;
mod config;
mod event;
mod modem;
mod mqtt;
mod output;
mod port;
mod rng;

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use broker::{Broker, BrokerConfig};
pub use config::{BrokerMode, Fault, Quirks, Received, SimConfig, Spelling, Target, Transport};
pub use port::{MemoryPort, MemoryPortError};

use event::CoreEvent;
use modem::CoreSetup;
use output::{OutMsg, Pacer, Sink};
use port::{MemShared, MemSink, ReaderFn};

/// How many entries of the received log are kept at the least (older ones are
/// dropped in batches so that a long run does not grow it without end).
pub const RECEIVED_LOG_CAP: usize = 4096;

/// A running simulated module. Dropping it (or [`Simulator::shutdown`]) powers the
/// module off: threads are joined, the broker link is closed, the in-process broker
/// stopped and the PTY closed.
pub struct Simulator {
    core_tx: Sender<CoreEvent>,
    out_tx: Sender<OutMsg>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    broker: Option<Broker>,
    keep: Vec<OwnedFd>,
    path: Option<PathBuf>,
    serial_addr: Option<SocketAddr>,
    log: Arc<Mutex<Vec<Received>>>,
    mem: Option<Arc<MemShared>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("device_path", &self.path)
            .field("serial_addr", &self.serial_addr)
            .field("broker", &self.broker)
            .finish()
    }
}

impl Simulator {
    /// Starts a module serving on `transport`.
    ///
    /// ```no_run
    /// use ml302_sim::{SimConfig, Simulator, Transport};
    /// let sim = Simulator::start(SimConfig::default(), Transport::Pty)?;
    /// println!("module on {}", sim.device_path().unwrap().display());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start(cfg: SimConfig, transport: Transport) -> io::Result<Simulator> {
        let serial = match &transport {
            Transport::Pty => port::open_pty()?,
            Transport::Device(p) => port::open_device(p)?,
            Transport::TcpConnect(a) => port::tcp_connect(*a)?,
            Transport::TcpListen(a) => port::tcp_listen(*a)?,
        };
        let mut sim = Simulator::launch(cfg, serial.sink, serial.reader, None)?;
        sim.keep = serial.keep;
        sim.path = serial.path;
        sim.serial_addr = serial.addr;
        Ok(sim)
    }

    /// Starts a module whose serial line is the returned in-memory port.
    pub fn in_memory(cfg: SimConfig) -> io::Result<(Simulator, MemoryPort)> {
        let shared = Arc::new(MemShared::default());
        let sim = Simulator::launch(
            cfg,
            Box::new(MemSink(shared.clone())),
            None,
            Some(shared.clone()),
        )?;
        let port = MemoryPort {
            input: sim.core_tx.clone(),
            shared,
            poke: sim.out_tx.clone(),
            timeout: Duration::from_secs(5),
        };
        Ok((sim, port))
    }

    fn launch(
        cfg: SimConfig,
        sink: Box<dyn Sink>,
        reader: Option<ReaderFn>,
        mem: Option<Arc<MemShared>>,
    ) -> io::Result<Simulator> {
        let broker = match cfg.broker {
            BrokerMode::InProcess => {
                let bc = BrokerConfig::default().users_owned(cfg.users.clone());
                Some(Broker::start(bc)?)
            }
            BrokerMode::Honour | BrokerMode::Fixed(_) => None,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (core_tx, core_rx) = mpsc::channel();
        let (out_tx, out_rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut sim = Simulator {
            core_tx: core_tx.clone(),
            out_tx: out_tx.clone(),
            stop: stop.clone(),
            threads: Vec::new(),
            broker,
            keep: Vec::new(),
            path: None,
            serial_addr: None,
            log: log.clone(),
            mem,
        };
        let pacer = Pacer {
            baud: cfg.pacing_baud,
            bursts: cfg.bursts.map(rng::Rng::new),
        };
        let stop_w = stop.clone();
        sim.threads.push(
            std::thread::Builder::new()
                .name("ml302-sim-out".into())
                .spawn(move || output::run(out_rx, sink, pacer, stop_w))?,
        );
        let setup = CoreSetup {
            broker_addr: sim.broker.as_ref().map(Broker::addr),
            cfg,
            rx: core_rx,
            tx: core_tx.clone(),
            out: out_tx,
            log,
        };
        sim.threads.push(
            std::thread::Builder::new()
                .name("ml302-sim-module".into())
                .spawn(move || modem::run(setup))?,
        );
        if let Some(reader) = reader {
            let stop_r = stop.clone();
            sim.threads.push(
                std::thread::Builder::new()
                    .name("ml302-sim-serial".into())
                    .spawn(move || reader(core_tx, stop_r))?,
            );
        }
        Ok(sim)
    }

    /// The PTY slave (`/dev/pts/N`) or device path the module serves on.
    pub fn device_path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The TCP address of the serial line ([`Transport::TcpListen`]: the bound
    /// address, port 0 resolved; [`Transport::TcpConnect`]: the peer).
    pub fn serial_addr(&self) -> Option<SocketAddr> {
        self.serial_addr
    }

    /// The address of the in-process broker, if [`BrokerMode::InProcess`].
    pub fn broker_addr(&self) -> Option<SocketAddr> {
        self.broker.as_ref().map(Broker::addr)
    }

    /// The in-process broker, if [`BrokerMode::InProcess`].
    pub fn broker(&self) -> Option<&Broker> {
        self.broker.as_ref()
    }

    /// Injects a fault; it takes effect at once or on the next matching event.
    pub fn inject(&self, fault: Fault) {
        if fault == Fault::RestartBroker {
            if let Some(b) = &self.broker {
                let _ = b.restart();
            }
            return;
        }
        let _ = self.core_tx.send(CoreEvent::Fault(fault));
    }

    /// Every command line and length-mode payload the module received so far (at
    /// least the newest [`RECEIVED_LOG_CAP`] entries), in
    /// order, as raw bytes.
    pub fn received_lines(&self) -> Vec<Received> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Powers the module off and waits until everything has stopped.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.core_tx.send(CoreEvent::Shutdown);
        let _ = self.out_tx.send(OutMsg::Stop);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        if let Some(m) = &self.mem {
            m.close();
        }
        self.broker.take();
        self.keep.clear();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn handles_can_move_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<super::Simulator>();
        send_sync::<super::Broker>();
        send::<super::MemoryPort>();
    }
}
