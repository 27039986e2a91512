//! A mock ML302 for your own tests: [`MockModem`].
//!
//! Firmware that drives an ML302 through the `ml302` crate (or through its own
//! AT code) can run its logic on the host against a simulated module, with no
//! hardware and no pseudo-terminal: [`MockModem::start`] returns the host end
//! of an in-memory serial line ([`MemoryPort`], an `embedded_io`
//! `Read + ReadReady + Write` port, also `std::io` and `embedded_io_async`)
//! and a handle. Behind the line runs the simulated module, speaking real
//! MQTT 3.1.1 to an in-process broker on a free loopback port. With the
//! handle a test injects faults ([`MockModem::inject`], [`MockModem::cut_link`],
//! [`MockModem::reboot`]) and talks to the broker as any other MQTT client
//! would ([`MockModem::remote`]): publish to the firmware, see what it
//! publishes.
//!
//! Take it as a dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! ml302-sim = "0.1"
//! ```
//!
//! ```
//! use std::time::Duration;
//! use ml302::{blocking::Client, Incoming, MqttConfig, QoS, StdClock};
//! use ml302_sim::mock::MockModem;
//!
//! let (port, modem) = MockModem::start()?;
//! let mut client: Client<_, _> = Client::new(port, StdClock::new());
//! client.start().unwrap();
//! // Any host: the simulated network routes it to the in-process broker.
//! client.configure(&MqttConfig::new("broker.example", 1883, "dev-1")).unwrap();
//! client.connect(None).unwrap();
//! client.subscribe("dev-1/cmd", QoS::AtLeastOnce).unwrap();
//!
//! let remote = modem.remote("backend")?;
//! remote.publish("dev-1/cmd", b"reboot")?;
//! let Some(Incoming::Message(m)) = client.receive(5_000).unwrap() else { panic!() };
//! assert_eq!(&m.payload[..], b"reboot");
//! modem.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Everything stops on [`MockModem::shutdown`] (or drop): the module's
//! threads, the broker, and every [`Remote`]'s thread when it is dropped. The
//! mock's default settings are the module's power-up ones (echo on, numeric
//! errors off) with a 200 ms automatic-reconnect interval, so tests of
//! reconnection do not wait the module's 8 s; [`MockModem::start_with`] takes
//! any [`SimConfig`].

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::{BrokerMode, Fault, MemoryPort, Received, SimConfig, Simulator};

/// How long a [`Remote`] waits for the broker's acknowledgement.
const ACK_WAIT: Duration = Duration::from_secs(10);

/// A simulated ML302 with its broker, behind an in-memory serial line (see the
/// module docs).
#[derive(Debug)]
pub struct MockModem {
    sim: Simulator,
    broker: SocketAddr,
}

impl MockModem {
    /// Starts a module with the mock's default settings (see the module docs)
    /// and returns the host end of its serial line and the handle.
    pub fn start() -> io::Result<(MemoryPort, MockModem)> {
        Self::start_with(SimConfig::default().reconnect_interval(Duration::from_millis(200)))
    }

    /// Starts a module with `cfg`; the broker is always the in-process one.
    pub fn start_with(cfg: SimConfig) -> io::Result<(MemoryPort, MockModem)> {
        let (sim, port) = Simulator::in_memory(cfg.broker(BrokerMode::InProcess))?;
        let broker = sim
            .broker_addr()
            .ok_or_else(|| io::Error::other("the in-process broker did not start"))?;
        Ok((port, MockModem { sim, broker }))
    }

    /// Injects a fault; it takes effect at once or on the next matching event
    /// (see [`Fault`]).
    pub fn inject(&self, fault: Fault) {
        self.sim.inject(fault);
    }

    /// Closes the module's connection to the broker abruptly, as a lost
    /// network would: the module reconnects on its own (`+MQTTREC:0`, then
    /// `+MQTTOPEN:OK`; automatic reconnection is on until `AT+MQTTREC=0`) or,
    /// with it off, prints `+MQTTDISC: OK`.
    pub fn cut_link(&self) {
        self.inject(Fault::CutLink);
    }

    /// Power-cycles the module: every setting is lost, the boot lines follow
    /// after [`SimConfig::boot_time`].
    pub fn reboot(&self) {
        self.inject(Fault::Reboot);
    }

    /// The broker's address (loopback, a free port).
    pub fn broker_addr(&self) -> SocketAddr {
        self.broker
    }

    /// Every command line (and length-mode payload) the module received, in
    /// order.
    pub fn received_lines(&self) -> Vec<Received> {
        self.sim.received_lines()
    }

    /// The simulator behind the mock, for everything else it offers.
    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    /// Connects another MQTT client to the broker, as `client_id`: a backend,
    /// a phone app, whatever talks to your device through the broker.
    pub fn remote(&self, client_id: &str) -> io::Result<Remote> {
        Remote::connect(self.broker, client_id)
    }

    /// Powers the module off and stops the broker; returns once every thread
    /// has stopped.
    pub fn shutdown(self) {
        self.sim.shutdown();
    }
}

/// A message a [`Remote`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMessage {
    /// Its topic.
    pub topic: String,
    /// Its payload.
    pub payload: Vec<u8>,
    /// Whether the broker delivered it as a retained message.
    pub retained: bool,
}

/// What the event thread passes on.
enum Note {
    Message(RemoteMessage),
    SubAck,
    PubAck,
}

/// An MQTT 3.1.1 client on the mock's broker ([`MockModem::remote`]). Its
/// calls wait for the broker's acknowledgement, so a test can go on knowing
/// the broker has the subscription or the message. Dropping it disconnects
/// and stops its thread.
pub struct Remote {
    client: rumqttc::Client,
    notes: Receiver<Note>,
    /// Messages that arrived while waiting for an acknowledgement.
    early: std::sync::Mutex<std::collections::VecDeque<RemoteMessage>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").finish_non_exhaustive()
    }
}

impl Remote {
    fn connect(broker: SocketAddr, client_id: &str) -> io::Result<Remote> {
        let mut opts = rumqttc::MqttOptions::new(client_id, broker.ip().to_string(), broker.port());
        opts.set_keep_alive(Duration::from_secs(30));
        let (client, mut conn) = rumqttc::Client::new(opts, 64);
        let (tx, notes) = channel();
        let (ready_tx, ready) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("ml302-sim-remote".into())
            .spawn(move || {
                let mut ready_tx = Some(ready_tx);
                while !stopped.load(Ordering::Relaxed) {
                    use rumqttc::{Event, Packet};
                    let note = match conn.recv_timeout(Duration::from_millis(20)) {
                        Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => {
                            if let Some(r) = ready_tx.take() {
                                let _ = r.send(());
                            }
                            continue;
                        }
                        Ok(Ok(Event::Incoming(Packet::Publish(p)))) => {
                            Note::Message(RemoteMessage {
                                topic: p.topic.clone(),
                                payload: p.payload.to_vec(),
                                retained: p.retain,
                            })
                        }
                        Ok(Ok(Event::Incoming(Packet::SubAck(_)))) => Note::SubAck,
                        Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => Note::PubAck,
                        Ok(Ok(_)) | Err(_) => continue,
                        Ok(Err(_)) => {
                            // The connection failed; rumqttc reconnects on the
                            // next poll. Not in a tight loop.
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                    };
                    if tx.send(note).is_err() {
                        break;
                    }
                }
            })?;
        let remote = Remote {
            client,
            notes,
            early: Default::default(),
            stop,
            thread: Some(thread),
        };
        match ready.recv_timeout(ACK_WAIT) {
            Ok(()) => Ok(remote),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the broker did not accept the connection",
            )),
        }
    }

    /// Waits for the acknowledgement `want` picks out, keeping messages that
    /// arrive meanwhile for [`Remote::next_message`].
    fn wait_ack(&self, what: &str, want: impl Fn(&Note) -> bool) -> io::Result<()> {
        let deadline = Instant::now() + ACK_WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.notes.recv_timeout(left) {
                Ok(Note::Message(m)) => self.early_lock().push_back(m),
                Ok(n) if want(&n) => return Ok(()),
                Ok(_) => {}
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no {what} from the broker"),
                    ))
                }
            }
        }
    }

    fn early_lock(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<RemoteMessage>> {
        self.early.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Subscribes `filter` at QoS 1 and waits for the SUBACK.
    pub fn subscribe(&self, filter: &str) -> io::Result<()> {
        self.client
            .subscribe(filter, rumqttc::QoS::AtLeastOnce)
            .map_err(io::Error::other)?;
        self.wait_ack("SUBACK", |n| matches!(n, Note::SubAck))
    }

    /// Publishes `payload` to `topic` at QoS 1 and waits for the PUBACK.
    pub fn publish(&self, topic: &str, payload: &[u8]) -> io::Result<()> {
        self.client
            .publish(topic, rumqttc::QoS::AtLeastOnce, false, payload.to_vec())
            .map_err(io::Error::other)?;
        self.wait_ack("PUBACK", |n| matches!(n, Note::PubAck))
    }

    /// The next message on the subscribed topics, waiting up to `timeout`.
    pub fn next_message(&self, timeout: Duration) -> Option<RemoteMessage> {
        if let Some(m) = self.early_lock().pop_front() {
            return Some(m);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.notes.recv_timeout(left) {
                Ok(Note::Message(m)) => return Some(m),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = self.client.try_disconnect();
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
