//! The [`Simulator`] handle: starts the module's threads on a transport, injects
//! faults, and powers everything off.

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::broker::{Broker, BrokerConfig};
use crate::config::{BrokerMode, Fault, Received, SimConfig, Transport};
use crate::event::CoreEvent;
use crate::modem::CoreSetup;
use crate::output::{self, OutMsg, Pacer, Sink};
use crate::port::{self, MemShared, MemSink, MemoryPort, ReaderFn};
use crate::{input, modem, rng};

/// How many entries of the received log are kept at the least (older ones are
/// dropped in batches so that a long run does not grow it without end).
pub const RECEIVED_LOG_CAP: usize = 4096;

/// A running simulated module. Dropping it (or [`Simulator::shutdown`]) powers the
/// module off: threads are joined, the broker link is closed, the in-process broker
/// stopped and the PTY closed.
pub struct Simulator {
    core_tx: Sender<CoreEvent>,
    /// Where line bytes go: the module, or the input pacer in front of it.
    line_tx: Sender<CoreEvent>,
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
            input: sim.line_tx.clone(),
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
        let tls = crate::tls::client_config(cfg.ca.as_deref())?;
        let broker = match cfg.broker {
            BrokerMode::InProcess => {
                let mut bc = BrokerConfig::default().users_owned(cfg.users.clone());
                if let Some((chain, key)) = &cfg.broker_tls {
                    bc = bc.tls(chain, key);
                }
                Some(Broker::start(bc)?)
            }
            BrokerMode::Honour | BrokerMode::Fixed(_) => None,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (core_tx, core_rx) = mpsc::channel();
        let (out_tx, out_rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop_i = stop.clone();
        let (line_tx, input_pacer) = match cfg.pacing_baud {
            Some(baud) => {
                let (tx, rx) = mpsc::channel();
                let to_module = core_tx.clone();
                let t = std::thread::Builder::new()
                    .name("ml302-sim-in".into())
                    .spawn(move || input::run(rx, to_module, baud, stop_i))?;
                (tx, Some(t))
            }
            None => (core_tx.clone(), None),
        };
        let mut sim = Simulator {
            core_tx: core_tx.clone(),
            line_tx: line_tx.clone(),
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
        sim.threads.extend(input_pacer);
        let stop_w = stop.clone();
        sim.threads.push(
            std::thread::Builder::new()
                .name("ml302-sim-out".into())
                .spawn(move || output::run(out_rx, sink, pacer, stop_w))?,
        );
        let setup = CoreSetup {
            broker_addr: sim.broker.as_ref().map(Broker::addr),
            broker_tls_addr: sim.broker.as_ref().and_then(Broker::tls_addr),
            tls,
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
                    .spawn(move || reader(line_tx, stop_r))?,
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
