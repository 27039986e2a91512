//! `AT+CGATT`: packet-domain attach (NETWORK.md §1 step 4, §2).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{find, split, NETWORK_TIMEOUT_MS};
use crate::command::{bit, write_bare, write_line, Bit, Command, NoResponse, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use atat::atat_derive::AtatCmd;

/// `AT+CGATT?`. Answer: `+CGATT: <state>` ([`AttachResponse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+CGATT?",
    AttachResponse,
    parse = AttachResponse::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryAttach;

impl Command for QueryAttach {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CGATT?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+CGATT=<0|1>`: detach or attach. Answer: `OK`; can take tens of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+CGATT",
    NoResponse,
    parse = crate::command::parse_no_response,
    timeout_ms = 60000,
    termination = "\r\n"
)]
pub struct SetAttach {
    state: Bit,
}

impl SetAttach {
    /// Attach (`true`) or detach (`false`).
    pub const fn new(attached: bool) -> Self {
        Self {
            state: Bit(attached),
        }
    }
}

impl Command for SetAttach {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_line(buf, Field::Host, b"AT+CGATT=", &[bit(self.state.0)])
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        NETWORK_TIMEOUT_MS
    }
}

/// Whether the module is attached to the packet domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AttachResponse(pub bool);

impl atat::AtatResp for AttachResponse {}

impl AttachResponse {
    /// Parses the answer of `AT+CGATT?` (a state other than 0 or 1 is an
    /// unexpected answer).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        match find(body, b"+CGATT:").and_then(split::<1>) {
            Some(([f], 1)) => match f.num() {
                Some(0) => Ok(Self(false)),
                Some(1) => Ok(Self(true)),
                _ => Err(Error::UnexpectedResponse),
            },
            _ => Err(Error::UnexpectedResponse),
        }
    }
}
