//! The blocking client over any `embedded_io::{Read, ReadReady, Write}` port.
//!
//! It reads the port itself while it waits, so URCs and incoming messages are
//! processed during every call; no reader thread is needed. The protocol logic
//! is the [`Session`]'s; this face only moves bytes and waits.
//!
//! # The port
//!
//! The port follows embedded-io's contract as it stands: `read` may block until
//! a byte arrives, and `Ok(0)` from `read` means the end of the stream. The
//! client therefore calls `read` only after `read_ready()` said bytes are
//! there, so it never blocks past a deadline; between looks it calls
//! [`Clock::idle`]. `Ok(0)` from `read` is [`Error::PortClosed`]; an error of
//! kind `Interrupted` is retried; any other error is [`Error::Io`]. The crate
//! docs list the ports that fit (serial adapter, embedded-hal-nb UARTs,
//! interrupt-fed rings).
//!
//! ```no_run
//! # #[cfg(feature = "std")] {
//! use ml302::{blocking::Client, serial::SerialPort, MqttConfig, QoS, StdClock};
//! let port = SerialPort::open("/dev/ttyUSB0", 115_200).unwrap();
//! let mut client: Client<_, _> = Client::new(port, StdClock::new());
//! client.start().unwrap();
//! let cfg = MqttConfig::new("broker.example", 1883, "dev-1");
//! client.configure(&cfg).unwrap();
//! client.connect(None).unwrap();
//! client.publish("dev/hello", b"hi", QoS::AtLeastOnce, false).unwrap();
//! # }
//! ```

use embedded_io::{Error as _, ErrorKind, Read, ReadReady, Write};

use crate::clock::Clock;
use crate::config::{MqttConfig, Will};
use crate::error::Error;
use crate::session::{
    plan, Action, Event, Incoming, LinkState, Op, Outcome, Published, ReportedConfig, Session,
    Stats, Step, Subscribed, SubscriptionEntry,
};
use crate::types::{ModemState, QoS};
#[rustfmt::skip]
use crate::{command::{self, net, Command}, error::CmeError, network::{self, BringUpCause, BringUpError, BringUpStep, NetworkConfig, NetworkInfo, NetworkStatus}};

/// The blocking client (see the module docs). Const parameters as in
/// [`Session`].
pub struct Client<
    P,
    C,
    const TOPIC: usize = 512,
    const PAYLOAD: usize = 1024,
    const QUEUE: usize = 2,
    const SUBS: usize = 8,
> {
    port: P,
    clock: C,
    session: Session<TOPIC, PAYLOAD, QUEUE, SUBS>,
    rx: [u8; 64],
}

fn io_error<E: embedded_io::Error>(e: E) -> Error {
    Error::Io(e.kind())
}

impl<P, C, const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize>
    Client<P, C, TOPIC, PAYLOAD, QUEUE, SUBS>
where
    P: Read + ReadReady + Write,
    C: Clock,
{
    /// A client over `port`, timing with `clock`. Nothing is sent yet.
    pub fn new(port: P, clock: C) -> Self {
        Self {
            port,
            clock,
            session: Session::new(),
            rx: [0; 64],
        }
    }

    /// Gives the port and the clock back.
    pub fn release(self) -> (P, C) {
        (self.port, self.clock)
    }

    /// The session (state, counters, subscription table).
    pub fn session(&self) -> &Session<TOPIC, PAYLOAD, QUEUE, SUBS> {
        &self.session
    }

    /// The connection state the client tracks.
    pub fn link_state(&self) -> LinkState {
        self.session.link_state()
    }

    /// Counters of discarded data.
    pub fn stats(&self) -> Stats {
        self.session.stats()
    }

    /// Reads what arrives before `wait_until` (one read at most) and processes
    /// it. `read` is called only when the port says bytes are ready, so a port
    /// whose `read` blocks never holds the client past the deadline.
    fn read_some(&mut self, wait_until: u64) -> Result<(), Error> {
        loop {
            if self.port.read_ready().map_err(io_error)? {
                match self.port.read(&mut self.rx) {
                    Ok(0) => return Err(Error::PortClosed),
                    Ok(n) => {
                        self.session.receive(self.rx.get(..n).unwrap_or(&[]));
                        return Ok(());
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(io_error(e)),
                }
            }
            if self.clock.now_ms() >= wait_until {
                return Ok(());
            }
            self.clock.idle();
        }
    }

    /// Runs one command to completion, after a resynchronisation when one
    /// is due.
    fn run(&mut self, op: &Op<'_>) -> Result<Outcome, Error> {
        self.resync()?;
        let now = self.clock.now_ms();
        self.session.begin(op, now)?;
        self.drive(op.payload())
    }

    /// Writes and flushes `bytes`.
    fn write_to(port: &mut P, bytes: &[u8]) -> Result<(), Error> {
        port.write_all(bytes).map_err(io_error)?;
        port.flush().map_err(io_error)
    }

    /// The session and where the face writes, borrowed apart (for the
    /// template's `drive`).
    fn parts(&mut self) -> (&mut Session<TOPIC, PAYLOAD, QUEUE, SUBS>, &mut P) {
        (&mut self.session, &mut self.port)
    }

    client_operations!([] []);
    outbox_operations!([] []);
}
