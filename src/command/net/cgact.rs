//! `AT+CGACT`: PDP context activation (NETWORK.md §1 steps 4 and 6, §2, §4).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use heapless::Vec;

use super::{after, body_lines, split, MAX_CID, NETWORK_TIMEOUT_MS};
use crate::command::{
    bit, check_range, write_bare, write_line, Bit, Command, Param, LOCAL_TIMEOUT_MS,
};
use crate::error::{Error, Field};
use atat::atat_derive::AtatCmd;

/// Most contexts [`PdpActivationList`] keeps (\[D\]: the ML302 defines a few).
pub const MAX_CONTEXTS: usize = 8;

/// `AT+CGACT?`. Answer: one `+CGACT: <cid>,<state>` per defined context
/// ([`PdpActivationList`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+CGACT?",
    PdpActivationList,
    parse = PdpActivationList::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryPdpActivation;

impl Command for QueryPdpActivation {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CGACT?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+CGACT=<state>,<cid>`: activates (`true`) or deactivates a context.
/// Answer: `OK`; failure `+CME ERROR: 148` or `149`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+CGACT",
    crate::command::NoResponse,
    parse = crate::command::parse_no_response,
    timeout_ms = 60000,
    termination = "\r\n"
)]
pub struct SetPdpActivation {
    state: Bit,
    cid: u8,
}

impl SetPdpActivation {
    /// Activates (`true`) or deactivates context `cid` (1–[`MAX_CID`], checked
    /// when encoded).
    pub const fn new(active: bool, cid: u8) -> Self {
        Self {
            state: Bit(active),
            cid,
        }
    }
}

impl Command for SetPdpActivation {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        check_range(u32::from(self.cid), Field::Cid, 1, u32::from(MAX_CID))?;
        write_line(
            buf,
            Field::Cid,
            b"AT+CGACT=",
            &[bit(self.state.0), Param::Num(u32::from(self.cid))],
        )
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        NETWORK_TIMEOUT_MS
    }
}

/// One `+CGACT: <cid>,<state>` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct PdpActivation {
    /// Context id.
    pub cid: u8,
    /// Whether it is active.
    pub active: bool,
}

/// The answer of `AT+CGACT?`: the first [`MAX_CONTEXTS`] contexts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PdpActivationList {
    /// The contexts, in the module's order.
    pub contexts: Vec<PdpActivation, MAX_CONTEXTS>,
}

impl atat::AtatResp for PdpActivationList {}

impl PdpActivationList {
    /// Whether context `cid` is listed as active.
    pub fn is_active(&self, cid: u8) -> bool {
        self.contexts.iter().any(|c| c.cid == cid && c.active)
    }

    /// Parses the answer of `AT+CGACT?`; a `+CGACT:` line that does not parse
    /// makes the whole answer unexpected. Contexts beyond [`MAX_CONTEXTS`] are
    /// left out.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let mut out = Self::default();
        for l in body_lines(body) {
            let Some(rest) = after(l, b"+CGACT:") else {
                continue;
            };
            let c = match split::<2>(rest) {
                Some(([cid, state], 2)) => match (cid.u8(), state.num()) {
                    (Some(cid), Some(0)) => PdpActivation { cid, active: false },
                    (Some(cid), Some(1)) => PdpActivation { cid, active: true },
                    _ => return Err(Error::UnexpectedResponse),
                },
                _ => return Err(Error::UnexpectedResponse),
            };
            // Full: the rest is left out (documented).
            let _ = out.contexts.push(c);
        }
        Ok(out)
    }
}
