//! `AT+MQTTSTAT?`: connection state (spec §2.3).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{decode_lines, write_bare, Command, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use crate::line::Line;
use crate::types::{M5311State, ModemState};
use atat::atat_derive::AtatCmd;

/// `AT+MQTTSTAT?`. Answer: `+MQTTSTAT: <stat>` ([`StateResponse`]).
///
/// Never use the answer alone to decide that the link is up (spec §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTSTAT?",
    StateResponse,
    parse = StateResponse::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryState;

impl Command for QueryState {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTSTAT?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// The raw `<stat>` value of `+MQTTSTAT:`; decode it with the table the module
/// follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StateResponse(pub u8);

impl atat::AtatResp for StateResponse {}

impl StateResponse {
    /// Decoded with the ML302 manual's table (0–4).
    pub const fn manual(self) -> ModemState {
        ModemState::from_manual(self.0)
    }

    /// Decoded with the M5311 / OpenCPU numbering (0–7).
    pub const fn m5311(self) -> M5311State {
        M5311State::from_code(self.0)
    }

    /// Picks the `+MQTTSTAT:` line out of decoded lines.
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Result<Self, Error> {
        lines
            .into_iter()
            .find_map(|l| match l {
                Line::Stat(n) => Some(Self(n)),
                _ => None,
            })
            .ok_or(Error::UnexpectedResponse)
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_lines(decode_lines(body))
    }
}
