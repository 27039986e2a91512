//! The task that owns the port.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use core::convert::Infallible;

use embassy_futures::join::join3;
use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{Error as _, ErrorKind, Read, Write};

use super::link::Link;
use super::state::{Closed, Shared};
use crate::clock::Clock;

/// Consecutive failed reads (other than `Interrupted` and `TimedOut`) after
/// which the runner stops reading: a port that fails every read would
/// otherwise keep it busy forever.
const MAX_READ_ERRORS: u8 = 8;

/// Owns the port and moves its bytes; run it in a task of its own with
/// [`Runner::run`] (see [`crate::split`]).
pub struct Runner<
    'a,
    M: RawMutex,
    R,
    W,
    C,
    D,
    const TOPIC: usize = 512,
    const PAYLOAD: usize = 1024,
    const QUEUE: usize = 2,
    const SUBS: usize = 8,
    const MESSAGES: usize = 2,
    const EVENTS: usize = 4,
> {
    pub(crate) shared: &'a Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    pub(crate) reader: R,
    pub(crate) writer: W,
    pub(crate) clock: C,
    pub(crate) delay: D,
}

impl<
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
    > Runner<'a, M, R, W, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    /// Runs forever: reads the port (one `read` in flight at all times, each
    /// awaited to its end), writes what operations hand it, and between
    /// operations feeds the session, fills the message and event channels and
    /// re-subscribes after the module reconnected on its own.
    ///
    /// When `read` returns `Ok(0)` (the end of the stream) or fails 8 times in
    /// a row (`Interrupted` and `TimedOut` aside), reading stops for good:
    /// every operation then fails with [`crate::Error::PortClosed`] (or the
    /// [`crate::Error::Io`] of the read) instead of waiting. A failed write is
    /// the [`crate::Error::Io`] of the operation that wrote.
    pub async fn run(self) -> ! {
        let Runner {
            shared,
            mut reader,
            mut writer,
            clock,
            delay,
        } = self;
        let read = async {
            read_loop(shared, &mut reader).await;
            core::future::pending::<Infallible>().await
        };
        let (never, _, _) = join3(
            read,
            write_loop(shared, &mut writer),
            pump_loop(shared, clock, delay),
        )
        .await;
        match never {}
    }
}

/// Reads until the port ends; every read is awaited to its end.
async fn read_loop<
    M: RawMutex,
    R: Read,
    const TOPIC: usize,
    const PAYLOAD: usize,
    const QUEUE: usize,
    const SUBS: usize,
    const MESSAGES: usize,
    const EVENTS: usize,
>(
    shared: &Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    reader: &mut R,
) {
    let mut buf = [0u8; 64];
    let mut errors = 0u8;
    loop {
        match reader.read(&mut buf).await {
            Ok(0) => {
                shared.close(Closed::Eof);
                shared.pump.signal(());
                return;
            }
            Ok(n) => {
                errors = 0;
                // Waits while the pipe is full: the session is behind, and the
                // port (its own buffer, the UART's ring or DMA) holds the rest.
                shared.rx.write_all(buf.get(..n).unwrap_or(&[])).await;
                shared.pump.signal(());
            }
            Err(e) if matches!(e.kind(), ErrorKind::Interrupted | ErrorKind::TimedOut) => {}
            Err(e) => {
                warn!("read failed: {:?}", e.kind());
                errors = errors.saturating_add(1);
                if errors >= MAX_READ_ERRORS {
                    shared.close(Closed::Io(e.kind()));
                    shared.pump.signal(());
                    return;
                }
            }
        }
    }
}

/// Writes what the holder of the session puts in the pipe; flushes on request
/// and reports the first error since the last flush.
async fn write_loop<
    M: RawMutex,
    W: Write,
    const TOPIC: usize,
    const PAYLOAD: usize,
    const QUEUE: usize,
    const SUBS: usize,
    const MESSAGES: usize,
    const EVENTS: usize,
>(
    shared: &Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    writer: &mut W,
) -> Infallible {
    let mut buf = [0u8; 64];
    let mut failed: Option<ErrorKind> = None;
    loop {
        // Neither future touches the port: dropping the loser loses nothing.
        match select(shared.tx.read(&mut buf), shared.flush.wait()).await {
            Either::First(n) => put(writer, buf.get(..n).unwrap_or(&[]), &mut failed).await,
            Either::Second(()) => {
                while let Ok(n) = shared.tx.try_read(&mut buf) {
                    put(writer, buf.get(..n).unwrap_or(&[]), &mut failed).await;
                }
                if failed.is_none() {
                    if let Err(e) = writer.flush().await {
                        failed = Some(e.kind());
                    }
                }
                shared.flushed.signal(failed.take().map_or(Ok(()), Err));
            }
        }
    }
}

/// Writes `bytes` unless a write failed since the last flush (the rest of
/// that request is dropped: its operation fails anyway).
async fn put<W: Write>(writer: &mut W, bytes: &[u8], failed: &mut Option<ErrorKind>) {
    if failed.is_none() {
        if let Err(e) = writer.write_all(bytes).await {
            *failed = Some(e.kind());
        }
    }
}

/// Between operations: feeds the session what arrived, moves messages and
/// events into the channels, re-subscribes after a reconnection.
async fn pump_loop<
    M: RawMutex,
    C: Clock + Clone,
    D: DelayNs + Clone,
    const TOPIC: usize,
    const PAYLOAD: usize,
    const QUEUE: usize,
    const SUBS: usize,
    const MESSAGES: usize,
    const EVENTS: usize,
>(
    shared: &Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    clock: C,
    delay: D,
) -> Infallible {
    loop {
        shared.pump.wait().await;
        let session = shared.session.lock().await;
        let mut link: Link<'_, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS> =
            Link::new(session, shared, clock.clone(), delay.clone(), false).await;
        link.absorb();
        // A failure is left for the next operation, which re-subscribes first.
        if link.resubscribe_due().await.is_err() {
            warn!("re-subscription failed; the next operation retries it");
        }
    }
}
