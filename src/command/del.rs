//! `AT+MQTTDEL`: delete the client instance (spec §2.8).
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

/// `AT+MQTTDEL`: delete the client and free its resources; allowed only while not
/// connected. Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTDEL",
    NoResponse,
    parse = super::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct Delete;

impl Command for Delete {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTDEL", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}
