//! The handle tasks use to run operations and take what arrives.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use embassy_futures::select::{select, Either};
use embassy_sync::blocking_mutex::raw::RawMutex;
use embedded_hal_async::delay::DelayNs;

use super::link::Link;
use super::state::Shared;
use crate::clock::Clock;
use crate::config::{MqttConfig, Will};
use crate::error::Error;
use crate::network::{BringUpError, NetworkConfig, NetworkInfo, NetworkStatus};
use crate::session::{
    Event, Incoming, LinkState, Published, ReportedConfig, Stats, Subscribed, SubscriptionEntry,
};
use crate::types::{ModemState, QoS};

/// Runs the client's operations and takes incoming messages and events (see
/// [`crate::split`]). Every method takes `&self`; copy or clone the control
/// (or share a reference) into as many tasks as you like. Operations run one
/// at a time, in the order the session is asked for; a task waiting in
/// [`Control::receive`] or [`Control::next_event`] holds nothing, so others
/// run operations meanwhile.
///
/// Dropping an operation's future before it completes abandons it: its
/// command still runs to its answer or deadline before the next operation
/// begins (its result is lost), so nothing is left busy.
pub struct Control<
    'a,
    M: RawMutex,
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
    pub(crate) clock: C,
    pub(crate) delay: D,
}

impl<
        M: RawMutex,
        C: Clone,
        D: Clone,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > Clone for Control<'_, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    fn clone(&self) -> Self {
        Self {
            shared: self.shared,
            clock: self.clock.clone(),
            delay: self.delay.clone(),
        }
    }
}

impl<
        M: RawMutex,
        C: Copy,
        D: Copy,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > Copy for Control<'_, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
}

/// Operations that only forward to the session's face.
macro_rules! forward {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty;
    )*) => {$(
        $(#[$doc])*
        pub async fn $name(&self, $($arg: $ty),*) -> $ret {
            self.link().await.$name($($arg),*).await
        }
    )*};
}

impl<
        'a,
        M: RawMutex,
        C: Clock + Clone,
        D: DelayNs + Clone,
        const TOPIC: usize,
        const PAYLOAD: usize,
        const QUEUE: usize,
        const SUBS: usize,
        const MESSAGES: usize,
        const EVENTS: usize,
    > Control<'a, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS>
{
    /// Waits for the session (other operations finish first) and holds it.
    async fn link(&self) -> Link<'a, M, C, D, TOPIC, PAYLOAD, QUEUE, SUBS, MESSAGES, EVENTS> {
        let session = self.shared.session.lock().await;
        Link::new(
            session,
            self.shared,
            self.clock.clone(),
            self.delay.clone(),
            true,
        )
        .await
    }

    forward! {
        /// Start-up: waits for the modem to answer `AT`, switches echo off and
        /// numeric errors on, and clears a stale MQTT client.
        fn start() -> Result<(), Error>;
        /// Configures the broker connection (`AT+MQTTCFG`, `AT+MQTTTO`, `AT+MQTTREC`).
        fn configure(cfg: &MqttConfig<'_>) -> Result<(), Error>;
        /// Connects to the broker, with an optional will, then re-issues known
        /// subscriptions.
        fn connect(will: Option<&Will<'_>>) -> Result<(), Error>;
        /// Subscribes to a topic filter; it is re-subscribed after reconnections.
        fn subscribe(topic: &str, qos: QoS) -> Result<Subscribed, Error>;
        /// Unsubscribes a topic filter; returns the packet id.
        fn unsubscribe(topic: &str) -> Result<u16, Error>;
        /// Publishes a message and returns once the acknowledgements its QoS
        /// needs have arrived (as [`crate::blocking::Client::publish`]).
        fn publish(topic: &str, payload: &[u8], qos: QoS, retain: bool) -> Result<Published, Error>;
        /// Disconnects from the broker (`AT+MQTTDISC`); already disconnected is fine.
        fn disconnect() -> Result<(), Error>;
        /// Deletes the module's MQTT client (`AT+MQTTDEL`).
        fn delete() -> Result<(), Error>;
        /// Shows or hides keep-alive answers as [`Event::PingResp`].
        fn set_ping_echo(on: bool) -> Result<(), Error>;
        /// Whether keep-alive answers are shown (`AT+MQTTPING?`).
        fn ping_echo() -> Result<bool, Error>;
        /// Switches the module's automatic reconnection on or off.
        fn set_auto_reconnect(on: bool) -> Result<(), Error>;
        /// Automatic reconnection: enabled, and attempts made (`AT+MQTTREC?`).
        fn auto_reconnect() -> Result<(bool, u16), Error>;
        /// Sets the module's ACK time-out in seconds (1–3600).
        fn set_ack_timeout(seconds: u16) -> Result<(), Error>;
        /// The module's ACK time-out in seconds (`AT+MQTTTO?`).
        fn ack_timeout() -> Result<u16, Error>;
        /// The module's own view of the connection (`AT+MQTTSTAT?`); prefer
        /// [`Control::link_state`].
        fn modem_state() -> Result<ModemState, Error>;
        /// Brings the module onto the network (as
        /// [`crate::blocking::Client::bring_up`]).
        fn bring_up(cfg: &NetworkConfig<'_>) -> Result<NetworkInfo, BringUpError>;
        /// Registration, signal, context 1 and its address, for a supervisor.
        fn network_status() -> Result<NetworkStatus, Error>;
        /// Brings the link back by climbing the recovery ladder (as
        /// [`crate::blocking::Client::recover`]); returns the rung that worked.
        fn recover(r: &crate::recover::Recovery<'_>) -> Result<crate::recover::Rung, crate::recover::RecoverError>;
    }

    /// [`Control::recover`] whose reboot rung pulses a reset line or power key
    /// (as [`crate::blocking::Client::recover_with_reset`]).
    pub async fn recover_with_reset<R: embedded_hal::digital::OutputPin>(
        &self,
        r: &crate::recover::Recovery<'_>,
        pin: &mut R,
        pulse: crate::recover::ResetPulse,
    ) -> Result<crate::recover::Rung, crate::recover::RecoverError> {
        self.link().await.recover_with_reset(r, pin, pulse).await
    }

    /// Sends any command defined with `#[derive(AtatCmd)]` in the same session
    /// (as [`crate::blocking::Client::send`]).
    pub async fn send<A: atat::AtatCmd>(&self, cmd: &A) -> Result<A::Response, Error> {
        self.link().await.send(cmd).await
    }

    /// Sends one command line (without CR LF; checked as
    /// [`crate::blocking::Client::send_raw`] checks it) and hands its
    /// information lines to `f` while the session is still held.
    pub async fn send_raw<R>(
        &self,
        line: &str,
        timeout_ms: u32,
        f: impl FnOnce(&mut dyn Iterator<Item = &[u8]>) -> R,
    ) -> Result<R, Error> {
        let mut link = self.link().await;
        let mut lines = link.send_raw(line, timeout_ms).await?;
        Ok(f(&mut lines))
    }

    /// The module's configuration (`AT+MQTTCFG?`, password masked by the
    /// module), handed to `f` while the session is still held; `None` when no
    /// client is configured.
    pub async fn reported_config<R>(
        &self,
        f: impl FnOnce(Option<ReportedConfig<'_>>) -> R,
    ) -> Result<R, Error> {
        let mut link = self.link().await;
        let cfg = link.reported_config().await?;
        Ok(f(cfg))
    }

    /// The module's subscription list (`AT+MQTTSUB?`), handed to `f` while the
    /// session is still held.
    pub async fn list_subscriptions<R>(
        &self,
        f: impl FnOnce(&mut dyn Iterator<Item = SubscriptionEntry<'_>>) -> R,
    ) -> Result<R, Error> {
        let mut link = self.link().await;
        let mut entries = link.list_subscriptions().await?;
        Ok(f(&mut entries))
    }

    /// Sends what `outbox` holds while the broker link is up (as
    /// [`crate::blocking::Client::flush_outbox`]).
    pub async fn flush_outbox<const N: usize, const OT: usize, const OP: usize>(
        &self,
        outbox: &mut crate::outbox::Outbox<N, OT, OP>,
    ) -> Result<usize, Error> {
        self.link().await.flush_outbox(outbox).await
    }

    /// Waits for the next incoming message (or oversize report). Cancel-safe:
    /// a message is taken only when the future completes. Once the port is
    /// closed nothing more arrives: bound the wait with
    /// [`Control::receive_within`] or check [`Control::port_status`].
    pub async fn receive(&self) -> Incoming<TOPIC, PAYLOAD> {
        let m = self.shared.messages.receive().await;
        // Room in the channel: the runner moves the next one out of the session.
        self.shared.pump.signal(());
        m
    }

    /// Waits up to `wait_ms` for the next incoming message; `None` if none
    /// came.
    pub async fn receive_within(&self, wait_ms: u32) -> Option<Incoming<TOPIC, PAYLOAD>> {
        let mut delay = self.delay.clone();
        match select(self.receive(), delay.delay_ms(wait_ms)).await {
            Either::First(m) => Some(m),
            Either::Second(()) => None,
        }
    }

    /// The next incoming message, if one is there (never waits).
    pub fn try_receive(&self) -> Option<Incoming<TOPIC, PAYLOAD>> {
        let m = self.shared.messages.try_receive().ok()?;
        self.shared.pump.signal(());
        Some(m)
    }

    /// Waits for the next event. Cancel-safe like [`Control::receive`].
    pub async fn next_event(&self) -> Event {
        let e = self.shared.events.receive().await;
        self.shared.pump.signal(());
        e
    }

    /// The next event, if one is there (never waits).
    pub fn try_next_event(&self) -> Option<Event> {
        let e = self.shared.events.try_receive().ok()?;
        self.shared.pump.signal(());
        Some(e)
    }

    /// The connection state as of the last bytes the session processed.
    pub fn link_state(&self) -> LinkState {
        self.shared.status().link
    }

    /// Counters of discarded data as of the last bytes the session processed.
    pub fn stats(&self) -> Stats {
        self.shared.status().stats
    }

    /// `Ok` while the runner reads the port; once it stopped,
    /// [`Error::PortClosed`] or the [`Error::Io`] of the failed reads.
    pub fn port_status(&self) -> Result<(), Error> {
        self.shared.check_open()
    }
}
