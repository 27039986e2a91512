//! A device's MQTT behaviour, written over `ml302` the way a firmware team
//! would: no_std, generic over the port and the clock, so the same code runs
//! on the board (a UART port, a SysTick clock) and on the host against
//! `ml302-sim`'s mock modem (see `tests/mock_modem.rs`).
//!
//! The device subscribes to `<id>/cmd`; it answers `ping` with `pong` on
//! `<id>/reply`, publishes its readings to `<id>/temp`, and reconnects when
//! the module reports that the broker link is gone.
#![no_std]
#![deny(missing_docs)]

use core::fmt::Write as _;

use ml302::blocking::Client;
use ml302::{Clock, Error, Event, Incoming, LinkState, MqttConfig, QoS};

/// The client the device uses: 64-byte topics, 128-byte payloads, 2 queued
/// messages, 2 subscriptions.
pub type DeviceClient<P, C> = Client<P, C, 64, 128, 2, 2>;

/// A topic `<id>/<leaf>`.
type Topic = heapless::String<64>;

/// What [`Device::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing arrived.
    Idle,
    /// A `ping` was answered with `pong`.
    Ponged,
    /// A command the device does not know arrived (ignored).
    Unknown,
    /// The broker link was lost and is up again.
    Reconnected,
}

/// The device.
pub struct Device<P, C> {
    client: DeviceClient<P, C>,
    id: &'static str,
    broker: &'static str,
    module_reconnects: bool,
}

fn topic(id: &str, leaf: &str) -> Result<Topic, Error> {
    let mut t = Topic::new();
    write!(t, "{id}/{leaf}").map_err(|_| Error::Overflow)?;
    Ok(t)
}

impl<P, C> Device<P, C>
where
    P: embedded_io::Read + embedded_io::ReadReady + embedded_io::Write,
    C: Clock,
{
    /// A device `id` talking to `broker` through the modem on `port`.
    pub fn new(port: P, clock: C, id: &'static str, broker: &'static str) -> Self {
        Self {
            client: Client::new(port, clock),
            id,
            broker,
            module_reconnects: true,
        }
    }

    /// Whether the module reconnects on its own after a lost link (the
    /// default); without, the device reconnects itself.
    pub fn module_reconnects(mut self, on: bool) -> Self {
        self.module_reconnects = on;
        self
    }

    /// Starts the modem, connects and subscribes to `<id>/cmd`.
    pub fn bring_up(&mut self) -> Result<(), Error> {
        self.client.start()?;
        let mut cfg = MqttConfig::new(self.broker, 1883, self.id).with_keep_alive(60);
        cfg.auto_reconnect = self.module_reconnects;
        self.client.configure(&cfg)?;
        self.connect()
    }

    fn connect(&mut self) -> Result<(), Error> {
        self.client.connect(None)?;
        self.client
            .subscribe(&topic(self.id, "cmd")?, QoS::AtLeastOnce)?;
        Ok(())
    }

    /// Publishes a reading (tenths of a degree) to `<id>/temp`.
    pub fn report(&mut self, decidegrees: i16) -> Result<(), Error> {
        let mut text: heapless::String<8> = heapless::String::new();
        write!(text, "{decidegrees}").map_err(|_| Error::Overflow)?;
        self.client.publish(
            &topic(self.id, "temp")?,
            text.as_bytes(),
            QoS::AtLeastOnce,
            false,
        )?;
        Ok(())
    }

    /// Waits up to `wait_ms` for a command, and handles it; reconnects first
    /// if the module reported the broker link gone.
    pub fn step(&mut self, wait_ms: u32) -> Result<Step, Error> {
        let incoming = self.client.receive(wait_ms)?;
        let (mut gone, mut back) = (false, false);
        while let Some(e) = self.client.next_event() {
            // The module gave the link up, or reconnected on its own (the
            // client re-subscribes by itself then).
            gone |= matches!(e, Event::Disconnected);
            back |= matches!(e, Event::Reconnected);
        }
        if gone || self.client.link_state() == LinkState::Idle {
            self.connect()?;
            return Ok(Step::Reconnected);
        }
        if back {
            return Ok(Step::Reconnected);
        }
        match incoming {
            None => Ok(Step::Idle),
            Some(Incoming::Message(m)) if &m.payload[..] == b"ping" => {
                self.client
                    .publish(&topic(self.id, "reply")?, b"pong", QoS::AtLeastOnce, false)?;
                Ok(Step::Ponged)
            }
            Some(_) => Ok(Step::Unknown),
        }
    }

    /// The link state the client tracks.
    pub fn link_state(&self) -> LinkState {
        self.client.link_state()
    }
}
