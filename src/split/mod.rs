//! The async client split for embassy-style executors: a [`Runner`] that owns
//! the port and a [`Control`] that any number of tasks use at once.
//!
//! The caller owns the storage, a [`State`] (in a `static`, for example through
//! `StaticCell`, or any `&mut` that outlives both halves); [`new`] lends it to
//! a [`Runner`] and a [`Control`]. Nothing is allocated and the crate stays
//! `no_std`.
//!
//! * The **runner** runs in a task of its own ([`Runner::run`] never returns).
//!   It reads the port, writes what operations hand it, and between operations
//!   feeds the session, moves incoming messages and events into their channels
//!   and re-subscribes after the module reconnected on its own.
//! * The **control** (`&self` methods, `Copy` when the clock and the delay are)
//!   offers every operation of [`crate::asynch::Client`]; operations from
//!   several tasks are serialised through an async mutex around the one
//!   [`crate::session::Session`] and run exactly as in the clients (the same
//!   operation template drives it). Incoming messages arrive through a bounded
//!   channel ([`Control::receive`]), events through another
//!   ([`Control::next_event`]): one task awaits them while another publishes.
//!
//! # No read is ever cancelled
//!
//! The port is passed as its two halves, `(reader, writer)` (embassy's UARTs
//! split into `UartRx`/`UartTx` or their buffered twins; any port whose two
//! directions can be used at once fits). The runner keeps one `read` in flight
//! at all times and awaits each one to its end; writes go through the other
//! half concurrently, so a silent modem never holds a command back. Time-outs
//! are the session's deadlines, measured with the [`Clock`] and waited for
//! with the `DelayNs` on the runner's byte pipe, not on the port: dropping a
//! wait there loses nothing. A DMA-driven UART therefore never has a transfer
//! abandoned halfway. (A single port object that cannot be split cannot be
//! read and written at the same time without cancelling its read; for such a
//! port, and when one task is enough, [`crate::asynch::Client`] remains.)
//!
//! `read` returning `Ok(0)` (the end of the stream), or failing 8 times in a
//! row with errors other than `Interrupted` and `TimedOut`, ends reading for
//! good: operations then fail with [`crate::Error::PortClosed`] (or
//! [`crate::Error::Io`]) at once. A failed `write` or `flush` is the
//! [`crate::Error::Io`] of the operation that wrote.
//!
//! The clock and the delay are cloned for the runner and for every operation:
//! they must read one shared time source (a SysTick counter,
//! `embassy_time::Delay`), as all the usual ones do.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo<R, W, C, D>(rx: R, tx: W, clock: C, delay: D) -> Result<(), ml302::Error>
//! # where R: embedded_io_async::Read, W: embedded_io_async::Write,
//! #       C: ml302::Clock + Clone, D: embedded_hal_async::delay::DelayNs + Clone {
//! use embassy_futures::join::join3;
//! use ml302::split::{self, NoopRawMutex, State};
//! use ml302::{Incoming, MqttConfig, QoS};
//!
//! // In firmware: `static STATE: StaticCell<State<NoopRawMutex>>`.
//! let mut state: State<NoopRawMutex> = State::new();
//! let (runner, control) = split::new(&mut state, (rx, tx), clock, delay);
//! let receiver = async {
//!     loop {
//!         if let Incoming::Message(m) = control.receive().await {
//!             // handle m.topic, m.payload
//!             # let _ = m;
//!         }
//!     }
//! };
//! let publisher = async {
//!     control.start().await?;
//!     control.configure(&MqttConfig::new("broker.example", 1883, "dev-1")).await?;
//!     control.connect(None).await?;
//!     control.subscribe("cmd/#", QoS::AtLeastOnce).await?;
//!     control.publish("dev/up", b"hello", QoS::ExactlyOnce, false).await?;
//!     Ok::<(), ml302::Error>(())
//! };
//! // With embassy, each of these is a task of its own.
//! let (never, (), result) = join3(runner.run(), receiver, publisher).await;
//! # let _ = never;
//! result
//! # }
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod control;
mod link;
mod runner;
mod state;

pub use control::Control;
pub use embassy_sync::blocking_mutex::raw::{CriticalSectionRawMutex, NoopRawMutex, RawMutex};
pub use runner::Runner;
pub use state::State;

use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{Read, Write};

use crate::clock::Clock;

/// The runner and the control of a split client over `port` (its reader and
/// writer halves), timing with `clock` and waiting with `delay`, with its
/// storage in `state`. Nothing is sent yet; spawn [`Runner::run`], then use
/// the control.
#[allow(clippy::type_complexity)]
pub fn new<
    'a,
    M: RawMutex,
    R: Read,
    W: Write,
    C: Clock + Clone,
    D: DelayNs + Clone,
    const TOPIC: usize,
    const PAYLOAD: usize,
    const QUEUE: usize,
    const SUBS: usize,
    const MESSAGES: usize,
    const EVENTS: usize,
>(
    state: &'a mut State<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    port: (R, W),
    clock: C,
    delay: D,
) -> (
    Runner<'a, M, R, W, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    Control<'a, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
) {
    let shared = &state.shared;
    let (reader, writer) = port;
    let runner = Runner {
        shared,
        reader,
        writer,
        clock: clock.clone(),
        delay: delay.clone(),
    };
    let control = Control {
        shared,
        clock,
        delay,
    };
    (runner, control)
}
