//! The start-up commands outside the MQTT set: `AT`, `ATE0`, `AT+CMEE=1`
//! (spec §1.3, §5.8).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{write_bare, Command, NoResponse, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use atat::atat_derive::AtatCmd;

/// Host-side time-out of the `AT` probe: short, because the driver repeats it
/// until the module answers (\[D\]).
pub const AT_TIMEOUT_MS: u32 = 1_000;

/// `AT`: is the module there? Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "",
    NoResponse,
    parse = super::parse_no_response,
    value_sep = false,
    timeout_ms = 1000,
    termination = "\r\n"
)]
pub struct At;

impl Command for At {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        AT_TIMEOUT_MS
    }
}

/// `ATE0`: switch command echo off. Answer: `OK` (possibly after the echo of
/// this very line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "E0",
    NoResponse,
    parse = super::parse_no_response,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct EchoOff;

impl Command for EchoOff {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"ATE0", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+CMEE=1`: report failures as numeric `+CME ERROR: <n>`. Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+CMEE=1",
    NoResponse,
    parse = super::parse_no_response,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct NumericErrors;

impl Command for NumericErrors {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CMEE=1", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}
