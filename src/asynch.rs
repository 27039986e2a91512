//! The async client over any `embedded_io_async::{Read, Write}` port.
//!
//! Same operations, types and errors as [`crate::blocking::Client`] (both are
//! generated from one template over the one [`Session`]); waiting is done with an
//! [`embedded_hal_async::delay::DelayNs`] racing the port's `read`, so it runs on
//! embassy (with `embassy_time::Delay`) and on any host executor.
//!
//! It stays as the one-task face: a thin layer (moving bytes and waiting) over
//! the same [`Session`] and operation template as [`crate::split`]. It drops
//! the losing `read` when a deadline passes, so take it for ports whose `read`
//! is cancel-safe (a buffered or interrupt-fed UART) when one task owning the
//! client is enough; for a DMA-driven UART, or to receive in one task while
//! another publishes, use [`crate::split`], whose runner never drops a read.
//!
//! ```no_run
//! # async fn demo<P, C, D>(port: P, clock: C, delay: D) -> Result<(), ml302::Error>
//! # where P: embedded_io_async::Read + embedded_io_async::Write, C: ml302::Clock,
//! #       D: embedded_hal_async::delay::DelayNs {
//! let mut client: ml302::asynch::Client<_, _, _> = ml302::asynch::Client::new(port, clock, delay);
//! client.start().await?;
//! client.configure(&ml302::MqttConfig::new("broker.example", 1883, "dev-1")).await?;
//! client.connect(None).await?;
//! client.subscribe("cmd/#", ml302::QoS::AtLeastOnce).await?;
//! # Ok(()) }
//! ```

use embassy_futures::select::{select, Either};
use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{Error as _, ErrorKind, Read, Write};

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

/// The async client (see the module docs). Const parameters as in [`Session`].
pub struct Client<
    P,
    C,
    D,
    const TOPIC: usize = 512,
    const PAYLOAD: usize = 1024,
    const QUEUE: usize = 2,
    const SUBS: usize = 8,
> {
    port: P,
    clock: C,
    delay: D,
    session: Session<TOPIC, PAYLOAD, QUEUE, SUBS>,
    rx: [u8; 64],
}

fn io_error<E: embedded_io_async::Error>(e: E) -> Error {
    Error::Io(e.kind())
}

impl<P, C, D, const TOPIC: usize, const PAYLOAD: usize, const QUEUE: usize, const SUBS: usize>
    Client<P, C, D, TOPIC, PAYLOAD, QUEUE, SUBS>
where
    P: Read + Write,
    C: Clock,
    D: DelayNs,
{
    /// A client over `port`, reading time from `clock` and waiting with `delay`.
    pub fn new(port: P, clock: C, delay: D) -> Self {
        Self {
            port,
            clock,
            delay,
            session: Session::new(),
            rx: [0; 64],
        }
    }

    /// Gives the port, the clock and the delay back.
    pub fn release(self) -> (P, C, D) {
        (self.port, self.clock, self.delay)
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

    /// Waits until bytes arrive or `wait_until` passes, and processes them.
    async fn read_some(&mut self, wait_until: u64) -> Result<(), Error> {
        loop {
            let now = self.clock.now_ms();
            if now >= wait_until {
                return Ok(());
            }
            let ms = u32::try_from(wait_until.saturating_sub(now)).unwrap_or(u32::MAX);
            match select(self.port.read(&mut self.rx), self.delay.delay_ms(ms)).await {
                Either::First(Ok(0)) => {}
                Either::First(Ok(n)) => {
                    self.session.receive(self.rx.get(..n).unwrap_or(&[]));
                    return Ok(());
                }
                Either::First(Err(e))
                    if e.kind() == ErrorKind::TimedOut || e.kind() == ErrorKind::Interrupted => {}
                Either::First(Err(e)) => return Err(io_error(e)),
                Either::Second(()) => return Ok(()),
            }
        }
    }

    /// Runs one command to completion, after a resynchronisation when one
    /// is due.
    async fn run(&mut self, op: &Op<'_>) -> Result<Outcome, Error> {
        self.resync().await?;
        let now = self.clock.now_ms();
        self.session.begin(op, now)?;
        self.drive(op.payload()).await
    }

    /// Writes and flushes `bytes`.
    async fn write_to(port: &mut P, bytes: &[u8]) -> Result<(), Error> {
        port.write_all(bytes).await.map_err(io_error)?;
        port.flush().await.map_err(io_error)
    }

    /// The session and where the face writes, borrowed apart (for the
    /// template's `drive`).
    fn parts(&mut self) -> (&mut Session<TOPIC, PAYLOAD, QUEUE, SUBS>, &mut P) {
        (&mut self.session, &mut self.port)
    }

    client_operations!([async] [.await]);
    outbox_operations!([async] [.await]);
}
