//! `AT+CFUN`: the radio's functionality, and the module reboot (NETWORK.md §1
//! step 3, §2, §4).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{find, split, RADIO_TIMEOUT_MS};
use crate::command::{write_bare, write_line, Command, NoResponse, Param, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use atat::atat_derive::AtatCmd;

/// The `<fun>` of `AT+CFUN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Functionality {
    /// 0: minimum functionality (radio off).
    Minimum,
    /// 1: full functionality.
    Full,
    /// 4: airplane mode (transmit and receive off).
    Airplane,
    /// Any other value the module reports, kept as received.
    Other(u8),
}

impl Functionality {
    /// Decodes a `<fun>` value.
    pub const fn from_code(code: u8) -> Self {
        match code {
            0 => Self::Minimum,
            1 => Self::Full,
            4 => Self::Airplane,
            n => Self::Other(n),
        }
    }

    /// The `<fun>` value.
    pub const fn code(self) -> u8 {
        match self {
            Self::Minimum => 0,
            Self::Full => 1,
            Self::Airplane => 4,
            Self::Other(n) => n,
        }
    }

    /// Parses the answer of `AT+CFUN?`: `+CFUN: <fun>`.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let (f, n) = find(body, b"+CFUN:")
            .and_then(split::<1>)
            .ok_or(Error::UnexpectedResponse)?;
        match (n, f) {
            (1, [f]) => f.u8().map(Self::from_code).ok_or(Error::UnexpectedResponse),
            _ => Err(Error::UnexpectedResponse),
        }
    }
}

impl atat::AtatResp for Functionality {}

/// `AT+CFUN?`. Answer: `+CFUN: <fun>` ([`Functionality`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+CFUN?",
    Functionality,
    parse = Functionality::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryFunctionality;

impl Command for QueryFunctionality {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CFUN?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+CFUN=<fun>`: switches the radio (0, 1 or 4; other values are refused).
/// Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+CFUN",
    NoResponse,
    parse = crate::command::parse_no_response,
    timeout_ms = 15000,
    termination = "\r\n"
)]
pub struct SetFunctionality {
    fun: u8,
}

impl SetFunctionality {
    /// Asks for `fun`.
    pub const fn new(fun: Functionality) -> Self {
        Self { fun: fun.code() }
    }

    /// The requested functionality.
    pub const fn functionality(&self) -> Functionality {
        Functionality::from_code(self.fun)
    }
}

impl Command for SetFunctionality {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        if !matches!(self.fun, 0 | 1 | 4) {
            return Err(crate::error::ValidationError::Inconsistent {
                rule: crate::error::Rule::RadioFunctionality,
            }
            .into());
        }
        write_line(
            buf,
            Field::Functionality,
            b"AT+CFUN=",
            &[Param::Num(u32::from(self.fun))],
        )
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        RADIO_TIMEOUT_MS
    }
}

/// `AT+CFUN=1,1`: reboots the module (full functionality after the restart).
/// Answer: `OK`, then the boot lines; every module-side setting is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+CFUN",
    NoResponse,
    parse = crate::command::parse_no_response,
    timeout_ms = 15000,
    termination = "\r\n"
)]
pub struct Reboot {
    fun: u8,
    rst: u8,
}

impl Reboot {
    /// The reboot command.
    pub const fn new() -> Self {
        Self { fun: 1, rst: 1 }
    }
}

impl Default for Reboot {
    fn default() -> Self {
        Self::new()
    }
}

impl Command for Reboot {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CFUN=1,1", Field::Functionality, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        RADIO_TIMEOUT_MS
    }
}
