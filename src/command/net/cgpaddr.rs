//! `AT+CGPADDR=<cid>`: the address of a PDP context (NETWORK.md §1 step 6, §2).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use heapless::String;

use super::{find, split, MAX_CID};
use crate::command::{check_range, write_line, Command, Param, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use crate::line::Field as Arg;
use atat::atat_derive::AtatCmd;

/// Longest address text kept: an IPv4 and an IPv6 address with a separator.
pub const MAX_ADDRESS: usize = 64;

/// `AT+CGPADDR=<cid>`. Answer: `+CGPADDR: <cid>,"<addr>"` ([`PdpAddress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+CGPADDR",
    PdpAddress,
    parse = PdpAddress::parse,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryPdpAddress {
    cid: u8,
}

impl QueryPdpAddress {
    /// The address of context `cid` (1–[`MAX_CID`], checked when encoded).
    pub const fn new(cid: u8) -> Self {
        Self { cid }
    }
}

impl Command for QueryPdpAddress {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        check_range(u32::from(self.cid), Field::Cid, 1, u32::from(MAX_CID))?;
        write_line(
            buf,
            Field::Cid,
            b"AT+CGPADDR=",
            &[Param::Num(u32::from(self.cid))],
        )
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// The address of a context, quoted or bare on the wire (both accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdpAddress {
    /// Context id.
    pub cid: u8,
    /// The address as printed (empty when the module prints none).
    pub address: String<MAX_ADDRESS>,
}

impl atat::AtatResp for PdpAddress {}

impl PdpAddress {
    /// Whether the context has an address (not empty, not `0.0.0.0`).
    pub fn is_assigned(&self) -> bool {
        !matches!(self.address.as_str(), "" | "0.0.0.0")
    }

    /// Parses the answer of `AT+CGPADDR=<cid>`.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let bad = Error::UnexpectedResponse;
        let (f, n) = find(body, b"+CGPADDR:")
            .and_then(split::<3>)
            .ok_or(bad.clone())?;
        let [cid, addr, _] = f;
        let cid = cid.u8().ok_or(bad.clone())?;
        let text = match (n, addr) {
            (1, _) => "",
            (2, Arg::Quoted(b) | Arg::Bare(b))
                if b.iter().all(|c| c.is_ascii_graphic() && *c != b'"') =>
            {
                core::str::from_utf8(b).map_err(|_| bad.clone())?
            }
            _ => return Err(bad),
        };
        let mut address = String::new();
        address.push_str(text).map_err(|_| bad)?;
        Ok(Self { cid, address })
    }
}
