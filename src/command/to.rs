//! `AT+MQTTTO`: the module's ACK time-out (spec §2.11).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{
    check_range, decode_lines, write_bare, write_line, Command, NoResponse, Param, LOCAL_TIMEOUT_MS,
};
use crate::error::{Error, Field, ValidationError};
use crate::line::Line;
use atat::atat_derive::AtatCmd;

/// Smallest ACK time-out the driver accepts, in seconds (\[D\], spec §2.11).
pub const MIN_ACK_TIMEOUT_S: u16 = 1;
/// Largest ACK time-out the driver accepts, in seconds (\[D\], spec §2.11).
pub const MAX_ACK_TIMEOUT_S: u16 = 3600;

/// `AT+MQTTTO=<timeout>`: how long the module waits for CONNACK, SUBACK,
/// UNSUBACK, PUBACK, PUBREC and PUBCOMP, in seconds (1–3600, checked by
/// [`Command::encode`]). Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTTO",
    NoResponse,
    parse = super::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct SetAckTimeout {
    seconds: u16,
}

impl SetAckTimeout {
    /// Sets the ACK time-out to `seconds`.
    pub const fn new(seconds: u16) -> Self {
        Self { seconds }
    }

    /// The requested time-out in seconds.
    pub const fn seconds(&self) -> u16 {
        self.seconds
    }

    /// Checks the range 1–3600.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_range(
            self.seconds.into(),
            Field::AckTimeout,
            MIN_ACK_TIMEOUT_S.into(),
            MAX_ACK_TIMEOUT_S.into(),
        )
    }
}

impl Command for SetAckTimeout {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.validate()?;
        write_line(
            buf,
            Field::AckTimeout,
            b"AT+MQTTTO=",
            &[Param::Num(self.seconds.into())],
        )
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+MQTTTO?`. Answer: `+MQTTTO: <timeout>` ([`AckTimeoutResponse`]) — the same
/// shape as the unsolicited time-out event, so it is only an answer while this
/// command is pending (spec §3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTTO?",
    AckTimeoutResponse,
    parse = AckTimeoutResponse::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryAckTimeout;

impl Command for QueryAckTimeout {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTTO?", Field::AckTimeout, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// The ACK time-out in force, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AckTimeoutResponse(pub u16);

impl atat::AtatResp for AckTimeoutResponse {}

impl AckTimeoutResponse {
    /// Picks the `+MQTTTO:` line out of decoded lines (the first one: the answer
    /// comes before the `OK`).
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Result<Self, Error> {
        lines
            .into_iter()
            .find_map(|l| match l {
                Line::To(n) => Some(Self(n)),
                _ => None,
            })
            .ok_or(Error::UnexpectedResponse)
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_lines(decode_lines(body))
    }
}
