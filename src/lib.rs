#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(missing_docs)]
//! `ml302`: a typed, `no_std`, allocation-free driver for the MQTT AT commands of the
//! China Mobile ML302 LTE Cat.1 modem (and modems sharing its `AT+MQTT*` dialect).
//!
//! Layers, from the wire up (each usable on its own):
//!
//! | module | what it does |
//! |---|---|
//! | [`digest`] | streaming digester: bytes in, [`Frame`]s out; `+MQTTPUBLISH` framed by its length |
//! | [`line`](mod@line), [`urc`] | decoding of information lines and unsolicited result codes |
//! | [`command`], [`text`] | one typed struct per AT verb and form, validated before a byte is written |
//! | [`session`] | the sans-IO protocol brain: pending command, ACK correlation, state, re-subscription |
//! | [`blocking`], [`asynch`] | the two client faces over `embedded-io` / `embedded-io-async` |
//! | `serial` (feature `std`) | a `serialport` adapter for USB-serial modems |
//!
//! Features: `std` (host conveniences and the serial adapter), `log`, `defmt`.
//! Passwords never appear in `Debug` output or logs.
//!
//! # On a microcontroller
//!
//! Feed the UART's received bytes from the RX interrupt (or DMA) into a ring
//! buffer; give the client a port whose `read` drains that ring (returning
//! `Ok(0)` when it is empty) and a [`Clock`] over SysTick:
//!
//! ```
//! use ml302::{blocking::Client, Clock, MqttConfig, QoS};
//!
//! struct Uart; // stands for the board's UART with its interrupt-fed ring buffer
//! impl embedded_io::ErrorType for Uart { type Error = core::convert::Infallible; }
//! impl embedded_io::Read for Uart {
//!     fn read(&mut self, _buf: &mut [u8]) -> Result<usize, Self::Error> { Ok(0) }
//! }
//! impl embedded_io::Write for Uart {
//!     fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> { Ok(buf.len()) }
//!     fn flush(&mut self) -> Result<(), Self::Error> { Ok(()) }
//! }
//! struct SysTick(u64);
//! impl Clock for SysTick {
//!     fn now_ms(&mut self) -> u64 { self.0 += 1; self.0 }
//! }
//!
//! // 512-byte topics, 1 KiB payloads, one queued message, two subscriptions.
//! let mut client: Client<Uart, SysTick, 512, 1024, 1, 2> = Client::new(Uart, SysTick(0));
//! // With a real modem attached: start-up, configure, connect, publish.
//! # if false {
//! client.start()?;
//! client.configure(&MqttConfig::new("broker.example", 1883, "dev-1"))?;
//! client.connect(None)?;
//! client.publish("dev/1/hello", b"hi", QoS::AtLeastOnce, false)?;
//! # }
//! # Ok::<(), ml302::Error>(())
//! ```

#[cfg(any(test, feature = "std"))]
extern crate std;

#[macro_use]
mod fmt;

#[macro_use]
mod face;

pub mod asynch;
pub mod blocking;
pub mod clock;
pub mod command;
pub mod config;
pub mod digest;
pub mod error;
pub mod line;
pub mod network;
#[cfg(feature = "std")]
pub mod serial;
pub mod session;
pub mod text;
pub mod types;
pub mod urc;

pub use clock::Clock;
#[cfg(feature = "std")]
pub use clock::StdClock;
pub use config::{MqttConfig, Will};
pub use digest::{Digester, Frame, Publish};
pub use error::{CmeError, Error, FramingError, Retry, ValidationError};
pub use network::{
    BringUpCause, BringUpError, BringUpStep, NetworkConfig, NetworkInfo, NetworkStatus,
};
pub use session::{
    Event, Incoming, LinkState, Message, Published, ReportedConfig, Stats, Subscribed,
};
pub use types::{ModemState, QoS, TimeoutKind};
pub use urc::Urc;
