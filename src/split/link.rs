//! One operation's hold on the session: the face the shared operation
//! template (`client_operations!`) is generated for, as for the two clients,
//! except that bytes travel through the runner instead of a port.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_sync::mutex::MutexGuard;
use embedded_hal_async::delay::DelayNs;

use super::state::Shared;
use crate::clock::Clock;
use crate::config::{MqttConfig, Will};
use crate::error::Error;
use crate::session::{
    plan, Action, Event, Incoming, Op, Outcome, Published, ReportedConfig, Session, Step,
    Subscribed, SubscriptionEntry,
};
use crate::types::{ModemState, QoS};
#[rustfmt::skip]
use crate::{command::{self, net, Command}, error::CmeError, network::{self, BringUpCause, BringUpError, BringUpStep, NetworkConfig, NetworkInfo, NetworkStatus}};

/// The session held by one operation (or by the runner's pump).
pub(crate) struct Link<
    'a,
    M: RawMutex,
    C,
    D,
    const TOPIC: usize,
    const PAYLOAD: usize,
    const QUEUE: usize,
    const SUBS: usize,
    const MESSAGES: usize,
    const EVENTS: usize,
> {
    pub(crate) session: MutexGuard<'a, M, Session<TOPIC, PAYLOAD, QUEUE, SUBS>>,
    shared: &'a Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    clock: C,
    delay: D,
    /// Whether letting the session go wakes the runner's pump (an operation:
    /// yes, for what arrived after its last read; the pump itself: no).
    wake_pump: bool,
    rx: [u8; 64],
}

#[allow(dead_code)] // the template generates a few helpers only the clients use
impl<
        'a,
        M: RawMutex,
        C: Clock,
        D: DelayNs,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > Link<'a, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    /// Takes hold of `session`. A command left pending by an operation whose
    /// future was dropped is first driven to its end (answer or deadline), so
    /// it cannot make this one [`Error::Busy`]; once the port is closed, the
    /// session is reset instead.
    pub(crate) async fn new(
        session: MutexGuard<'a, M, Session<TOPIC, PAYLOAD, QUEUE, SUBS>>,
        shared: &'a Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
        clock: C,
        delay: D,
        wake_pump: bool,
    ) -> Self {
        let mut link = Self {
            session,
            shared,
            clock,
            delay,
            wake_pump,
            rx: [0; 64],
        };
        link.absorb();
        if link.shared.check_open().is_err() {
            // The port is gone for good: nothing pending can complete, and
            // nothing is known of the module any more.
            link.session.reset();
            return link;
        }
        let now = link.clock.now_ms();
        if !matches!(link.session.poll(now), Action::Idle) {
            // Its result (or `InvalidState` if `poll` just returned it) is
            // the abandoned operation's, not anyone's to report.
            let _ = link.drive(&[]).await;
        }
        link
    }

    /// Hands the session whatever the runner has read so far (never waits).
    pub(crate) fn absorb(&mut self) {
        while let Ok(n) = self.shared.rx.try_read(&mut self.rx) {
            self.session.receive(self.rx.get(..n).unwrap_or(&[]));
        }
        self.shared.dispatch(&mut self.session);
    }

    /// Waits until bytes arrive or `wait_until` passes, and processes them.
    /// The wait ends on the runner's pipe, never on the port: dropping a pipe
    /// read loses nothing.
    async fn read_some(&mut self, wait_until: u64) -> Result<(), Error> {
        self.shared.check_open()?;
        if let Ok(n) = self.shared.rx.try_read(&mut self.rx) {
            self.session.receive(self.rx.get(..n).unwrap_or(&[]));
            self.shared.dispatch(&mut self.session);
            return Ok(());
        }
        let now = self.clock.now_ms();
        if now >= wait_until {
            return Ok(());
        }
        let ms = u32::try_from(wait_until.saturating_sub(now)).unwrap_or(u32::MAX);
        let read = self.shared.rx.read(&mut self.rx);
        if let Either::First(n) = select(read, self.delay.delay_ms(ms)).await {
            self.session.receive(self.rx.get(..n).unwrap_or(&[]));
            self.shared.dispatch(&mut self.session);
        }
        Ok(())
    }

    async fn run(&mut self, op: &Op<'_>) -> Result<Outcome, Error> {
        // Before `begin`: a closed port is the answer, not `Busy`.
        self.shared.check_open()?;
        self.resync().await?;
        let now = self.clock.now_ms();
        self.session.begin(op, now)?;
        self.drive(op.payload()).await
    }

    /// Writes `bytes` through the runner and waits until they are flushed.
    async fn write_to(
        shared: &Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
        bytes: &[u8],
    ) -> Result<(), Error> {
        shared.check_open()?;
        // A result left by an operation dropped while it waited is not this one's.
        shared.flushed.reset();
        shared.tx.write_all(bytes).await;
        shared.flush.signal(());
        shared.flushed.wait().await.map_err(Error::Io)
    }

    /// The session and where the face writes, borrowed apart (for the
    /// template's `drive`).
    fn parts(
        &mut self,
    ) -> (
        &mut Session<TOPIC, PAYLOAD, QUEUE, SUBS>,
        &'a Shared<M, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>,
    ) {
        (&mut self.session, self.shared)
    }

    /// Re-issues the subscription table if the module reconnected meanwhile.
    pub(crate) async fn resubscribe_due(&mut self) -> Result<(), Error> {
        if self.session.next_resubscription().is_some() {
            self.shared.check_open()?;
            self.resubscribe().await?;
        }
        Ok(())
    }

    client_operations!([async] [.await]);
    outbox_operations!([async] [.await]);
}

impl<
        M: RawMutex,
        C,
        D,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > Drop for Link<'_, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    fn drop(&mut self) {
        self.shared.dispatch(&mut self.session);
        if self.wake_pump {
            self.shared.pump.signal(());
        }
    }
}
