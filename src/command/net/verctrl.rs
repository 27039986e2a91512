//! `AT+VERCTRL` \[ML302\]: who activates the default PDP context (NETWORK.md §1
//! step 4, §2).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{find, split};
use crate::command::{
    check_range, write_bare, write_line, Command, NoResponse, Param, LOCAL_TIMEOUT_MS,
};
use crate::error::{Error, Field};
use atat::atat_derive::AtatCmd;

/// Who activates the default PDP context (the `<b>` of `+VERCTRL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PdpMode {
    /// `<b>` = 1: the module activates it by itself (most shipped firmware).
    Automatic,
    /// `<b>` = 0: the host defines and activates it (`AT+CGDCONT`, `AT+CGATT=1`,
    /// `AT+CGACT=1,1`).
    Manual,
}

/// `AT+VERCTRL?`. Answer: `+VERCTRL: <a>,<b>` ([`PdpModeResponse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+VERCTRL?",
    PdpModeResponse,
    parse = PdpModeResponse::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryPdpMode;

impl Command for QueryPdpMode {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+VERCTRL?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+VERCTRL=<a>,<b>` (each 0 or 1): `0,1` automatic PDP, `0,0` manual.
/// Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+VERCTRL",
    NoResponse,
    parse = crate::command::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct SetPdpMode {
    a: u8,
    b: u8,
}

impl SetPdpMode {
    /// `AT+VERCTRL=0,<b>` for `mode`.
    pub const fn new(mode: PdpMode) -> Self {
        Self::raw(
            0,
            match mode {
                PdpMode::Automatic => 1,
                PdpMode::Manual => 0,
            },
        )
    }

    /// `AT+VERCTRL=<a>,<b>` as given (each 0 or 1, checked when encoded).
    pub const fn raw(a: u8, b: u8) -> Self {
        Self { a, b }
    }
}

impl Command for SetPdpMode {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        check_range(u32::from(self.a), Field::PdpMode, 0, 1)?;
        check_range(u32::from(self.b), Field::PdpMode, 0, 1)?;
        write_line(
            buf,
            Field::PdpMode,
            b"AT+VERCTRL=",
            &[Param::Num(u32::from(self.a)), Param::Num(u32::from(self.b))],
        )
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// The two values of `+VERCTRL: <a>,<b>` (a space after the comma or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PdpModeResponse {
    /// `<a>`.
    pub a: u8,
    /// `<b>`: 1 automatic, 0 manual.
    pub b: u8,
}

impl atat::AtatResp for PdpModeResponse {}

impl PdpModeResponse {
    /// The PDP mode; a `<b>` other than 0 or 1 is an error, as OneOS treats it.
    pub const fn mode(self) -> Result<PdpMode, Error> {
        match self.b {
            1 => Ok(PdpMode::Automatic),
            0 => Ok(PdpMode::Manual),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Parses the answer of `AT+VERCTRL?`.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        match find(body, b"+VERCTRL:").and_then(split::<2>) {
            Some(([a, b], 2)) => match (a.u8(), b.u8()) {
                (Some(a), Some(b)) => Ok(Self { a, b }),
                _ => Err(Error::UnexpectedResponse),
            },
            _ => Err(Error::UnexpectedResponse),
        }
    }
}
