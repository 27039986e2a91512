//! The caller-owned storage of a split client and what the runner and the
//! controls share through it.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use core::cell::Cell;

use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::blocking_mutex::Mutex as BlockingMutex;
use embassy_sync::channel::Channel;
use embassy_sync::mutex::Mutex;
use embassy_sync::pipe::Pipe;
use embassy_sync::signal::Signal;
use embedded_io_async::ErrorKind;

use crate::error::Error;
use crate::session::{Event, Incoming, LinkState, Session, Stats};

/// Bytes read from the port that wait for the session (runner → session).
pub(crate) const RX_PIPE: usize = 128;
/// Bytes to write that wait for the runner (session → runner).
pub(crate) const TX_PIPE: usize = 64;

/// Why the runner stopped reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    /// `read` returned `Ok(0)`: the end of the stream.
    Eof,
    /// `read` failed this way again and again.
    Io(ErrorKind),
}

/// What [`crate::split::Control::link_state`] and
/// [`crate::split::Control::stats`] read without waiting for the session.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Status {
    pub(crate) link: LinkState,
    pub(crate) stats: Stats,
    pub(crate) closed: Option<Closed>,
}

/// The storage of a split client: the [`Session`] (behind an async mutex that
/// one operation holds at a time), the byte pipes between the runner and the
/// session, and the bounded channels of incoming messages and events.
///
/// `M` is the raw mutex of embassy-sync: `NoopRawMutex` when the runner and
/// every task using the control run on one executor, `CriticalSectionRawMutex`
/// otherwise. The const parameters are the [`Session`]'s, then the depth of the
/// message channel (`MESSAGES`) and of the event channel (`EVENTS`). A `State`
/// is several KiB: keep it in a `static` (for example through `StaticCell`).
pub struct State<
    M: RawMutex,
    const TOPIC: usize = 512,
    const PAYLOAD: usize = 1024,
    const QUEUE: usize = 2,
    const SUBS: usize = 8,
    const MESSAGES: usize = 2,
    const EVENTS: usize = 4,
> {
    pub(crate) shared: Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
}

impl<
        M: RawMutex,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > State<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    /// Empty storage: no command pending, nothing received.
    pub fn new() -> Self {
        Self {
            shared: Shared {
                session: Mutex::new(Session::new()),
                rx: Pipe::new(),
                tx: Pipe::new(),
                flush: Signal::new(),
                flushed: Signal::new(),
                pump: Signal::new(),
                messages: Channel::new(),
                events: Channel::new(),
                status: BlockingMutex::new(Cell::new(Status {
                    link: LinkState::NoClient,
                    stats: Stats::default(),
                    closed: None,
                })),
            },
        }
    }
}

impl<
        M: RawMutex,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > Default for State<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    fn default() -> Self {
        Self::new()
    }
}

/// What the runner and the controls share (see [`State`]).
pub(crate) struct Shared<
    M: RawMutex,
    const TOPIC: usize,
    const PAYLOAD: usize,
    const QUEUE: usize,
    const SUBS: usize,
    const MESSAGES: usize,
    const EVENTS: usize,
> {
    /// The one session; an operation holds it from its first byte written to
    /// its result.
    pub(crate) session: Mutex<M, Session<TOPIC, PAYLOAD, QUEUE, SUBS>>,
    /// Bytes the runner read, for whoever holds the session.
    pub(crate) rx: Pipe<M, RX_PIPE>,
    /// Bytes the holder of the session wants written.
    pub(crate) tx: Pipe<M, TX_PIPE>,
    /// "Everything I wanted written is in `tx`: write it out and flush."
    pub(crate) flush: Signal<M, ()>,
    /// The result of the last flush request.
    pub(crate) flushed: Signal<M, Result<(), ErrorKind>>,
    /// Wakes the runner's pump: bytes arrived, a channel has room, or an
    /// operation let the session go.
    pub(crate) pump: Signal<M, ()>,
    /// Incoming messages (and oversize reports), oldest first.
    pub(crate) messages: Channel<M, Incoming<TOPIC, PAYLOAD>, MESSAGES>,
    /// Events, oldest first.
    pub(crate) events: Channel<M, Event, EVENTS>,
    /// Link state, counters and the port's end, readable without the session.
    pub(crate) status: BlockingMutex<M, Cell<Status>>,
}

impl<
        M: RawMutex,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    /// The last status published.
    pub(crate) fn status(&self) -> Status {
        self.status.lock(Cell::get)
    }

    /// Notes that the runner stopped reading.
    pub(crate) fn close(&self, why: Closed) {
        self.status.lock(|s| {
            let mut v = s.get();
            v.closed = Some(why);
            s.set(v);
        });
    }

    /// `Err` once the runner stopped reading the port.
    pub(crate) fn check_open(&self) -> Result<(), Error> {
        match self.status().closed {
            None => Ok(()),
            Some(Closed::Eof) => Err(Error::PortClosed),
            Some(Closed::Io(kind)) => Err(Error::Io(kind)),
        }
    }

    /// Moves what the session holds into the channels, as far as they have
    /// room (what does not fit stays in the session, whose own bounded queues
    /// count what they must drop), and publishes the status.
    pub(crate) fn dispatch(&self, session: &mut Session<TOPIC, PAYLOAD, QUEUE, SUBS>) {
        while !self.messages.is_full() {
            match session.next_incoming() {
                // Cannot fail: the channel has room and only the holder of the
                // session sends.
                Some(m) => {
                    let _ = self.messages.try_send(m);
                }
                None => break,
            }
        }
        while !self.events.is_full() {
            match session.next_event() {
                Some(e) => {
                    let _ = self.events.try_send(e);
                }
                None => break,
            }
        }
        let link = session.link_state();
        let stats = session.stats();
        self.status.lock(|s| {
            let mut v = s.get();
            v.link = link;
            v.stats = stats;
            s.set(v);
        });
    }
}
