#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(missing_docs)]
#![doc = "ml302: a typed, no_std, allocation-free driver for the MQTT AT commands of the China Mobile ML302 modem."]

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
#[cfg(feature = "std")]
pub mod serial;
pub mod session;
pub mod text;
pub mod types;
pub mod urc;

#[cfg(feature = "std")]
pub use clock::StdClock;
pub use clock::Clock;
pub use config::{MqttConfig, Will};
pub use digest::{Digester, Frame, Publish};
pub use session::{
    Event, Incoming, LinkState, Message, Published, ReportedConfig, Stats, Subscribed,
};
pub use error::{CmeError, Error, FramingError, ValidationError};
pub use types::{ModemState, QoS, TimeoutKind};
pub use urc::Urc;
