//! `AT+MQTTREC`: automatic reconnection (spec §2.10).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{
    bit, decode_lines, write_bare, write_line, Bit, Command, NoResponse, LOCAL_TIMEOUT_MS,
};
use crate::error::{Error, Field};
use crate::line::Line;
use atat::atat_derive::AtatCmd;

/// `AT+MQTTREC=<recon>`: reconnect automatically after a link loss the host did
/// not ask for (1) or not (0). Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTREC",
    NoResponse,
    parse = super::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct SetReconnect {
    enabled: Bit,
}

impl SetReconnect {
    /// Enables (`true`) or disables (`false`) automatic reconnection.
    pub const fn new(enabled: bool) -> Self {
        Self {
            enabled: Bit(enabled),
        }
    }

    /// The requested setting.
    pub const fn enabled(&self) -> bool {
        self.enabled.0
    }
}

impl Command for SetReconnect {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_line(buf, Field::Host, b"AT+MQTTREC=", &[bit(self.enabled.0)])
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+MQTTREC?`. Answer: `+MQTTREC: <recon>,<reconnum>` ([`ReconnectResponse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTREC?",
    ReconnectResponse,
    parse = ReconnectResponse::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryReconnect;

impl Command for QueryReconnect {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTREC?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// The reconnection setting and the attempts made so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ReconnectResponse {
    /// Automatic reconnection enabled.
    pub enabled: bool,
    /// Reconnect attempts made so far.
    pub attempts: u16,
}

impl atat::AtatResp for ReconnectResponse {}

impl ReconnectResponse {
    /// Picks the two-field `+MQTTREC:` line out of decoded lines (a one-field line
    /// is a reconnect event, not the answer, spec §3.10).
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Result<Self, Error> {
        lines
            .into_iter()
            .find_map(|l| match l {
                Line::Reconnect { enabled, attempts } => Some(Self { enabled, attempts }),
                _ => None,
            })
            .ok_or(Error::UnexpectedResponse)
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_lines(decode_lines(body))
    }
}
