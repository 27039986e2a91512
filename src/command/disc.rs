//! `AT+MQTTDISC`: disconnect from the broker (spec §2.7).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{decode_lines, write_bare, Command};
use crate::error::{Error, Field};
use crate::line::Line;
use atat::atat_derive::AtatCmd;

/// Host-side time-out of `AT+MQTTDISC` (spec §1.3).
pub const DISC_TIMEOUT_MS: u32 = 10_000;

/// `AT+MQTTDISC`: send DISCONNECT and close the link; the configuration survives.
/// Answer: `+MQTTDISC: OK` and `OK` ([`DisconnectResponse`]). `ERROR` or
/// `+CME ERROR: 620` mean "already disconnected" (spec §2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTDISC",
    DisconnectResponse,
    parse = DisconnectResponse::parse,
    timeout_ms = 10000,
    termination = "\r\n"
)]
pub struct Disconnect;

impl Command for Disconnect {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTDISC", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        DISC_TIMEOUT_MS
    }
}

/// What the body of an `AT+MQTTDISC` answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DisconnectResponse {
    /// Whether `+MQTTDISC: OK` came before the final `OK`.
    pub confirmed: bool,
}

impl atat::AtatResp for DisconnectResponse {}

impl DisconnectResponse {
    /// Looks for the `+MQTTDISC:` line among decoded lines.
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Self {
        Self {
            confirmed: lines.into_iter().any(|l| matches!(l, Line::Disc)),
        }
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Ok(Self::from_lines(decode_lines(body)))
    }
}
