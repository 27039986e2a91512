//! `AT+MQTTPING`: show or hide PINGRESP indications (spec §2.9).
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

/// `AT+MQTTPING=<rspEcho>`: print `+MQTTPINGRSP: OK` for every PINGRESP (1) or
/// not (0). Answer: `OK`. The setting is lost when the connection goes down, so
/// the driver sends it after every open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTPING",
    NoResponse,
    parse = super::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct SetPingEcho {
    enabled: Bit,
}

impl SetPingEcho {
    /// Shows (`true`) or hides (`false`) PINGRESP indications.
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

impl Command for SetPingEcho {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_line(buf, Field::Host, b"AT+MQTTPING=", &[bit(self.enabled.0)])
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+MQTTPING?`. Answer: `+MQTTPING: <rspEcho>` ([`PingEchoResponse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTPING?",
    PingEchoResponse,
    parse = PingEchoResponse::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryPingEcho;

impl Command for QueryPingEcho {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTPING?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// Whether PINGRESP indications are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PingEchoResponse(pub bool);

impl atat::AtatResp for PingEchoResponse {}

impl PingEchoResponse {
    /// Picks the `+MQTTPING:` line out of decoded lines; a value other than 0 or 1
    /// is an unexpected answer.
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Result<Self, Error> {
        match lines.into_iter().find_map(|l| match l {
            Line::PingEcho(n) => Some(n),
            _ => None,
        }) {
            Some(0) => Ok(Self(false)),
            Some(1) => Ok(Self(true)),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_lines(decode_lines(body))
    }
}
