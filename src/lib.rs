#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![doc = "ml302: a typed, no_std, allocation-free driver for the MQTT AT commands of the China Mobile ML302 modem."]

#[cfg(feature = "std")]
extern crate std;

#[macro_use]
mod fmt;

pub mod command;
pub mod digest;
pub mod error;
pub mod line;
pub mod text;
pub mod types;
pub mod urc;

pub use digest::{Digester, Frame, Publish};
pub use error::{CmeError, Error, FramingError, ValidationError};
pub use types::{ModemState, QoS, TimeoutKind};
pub use urc::Urc;
