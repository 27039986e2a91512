//! `AT+CGDCONT`: defines a PDP context (NETWORK.md §1 step 4, §2).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::MAX_CID;
use crate::command::{check_range, write_line, Command, NoResponse, Param, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field, ValidationError};
use atat::atat_derive::AtatCmd;
use atat::serde_at::serde::{Serialize, Serializer};

/// Longest APN accepted, in bytes (\[D\], NETWORK.md §2).
pub const MAX_APN: usize = 99;

/// An access point name: printable ASCII without `"` (nothing to escape), at
/// most [`MAX_APN`] bytes; may be empty (the network's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Apn<'a>(&'a str);

impl<'a> Apn<'a> {
    /// Checks `apn` (`CMIOT` for China Mobile IoT cards, `CMNET` for consumer ones).
    pub fn new(apn: &'a str) -> Result<Self, ValidationError> {
        if apn.len() > MAX_APN {
            return Err(ValidationError::TooLong {
                field: Field::Apn,
                max: MAX_APN,
            });
        }
        match apn
            .bytes()
            .find(|&c| !(0x20..=0x7e).contains(&c) || c == b'"')
        {
            Some(byte) => Err(ValidationError::ForbiddenByte {
                field: Field::Apn,
                byte,
            }),
            None => Ok(Self(apn)),
        }
    }

    /// The APN.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }
}

impl Serialize for Apn<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// The `<PDP_type>` of a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PdpType {
    /// `IP` (IPv4).
    #[default]
    Ip,
    /// `IPV6`.
    Ipv6,
    /// `IPV4V6` (dual stack).
    Ipv4v6,
}

impl PdpType {
    /// How the command spells it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Ip => "IP",
            Self::Ipv6 => "IPV6",
            Self::Ipv4v6 => "IPV4V6",
        }
    }
}

impl Serialize for PdpType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// `AT+CGDCONT=<cid>,"<PDP_type>","<APN>"`. Answer: `OK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+CGDCONT",
    NoResponse,
    parse = crate::command::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct DefinePdpContext<'a> {
    cid: u8,
    pdp_type: PdpType,
    apn: Apn<'a>,
}

impl<'a> DefinePdpContext<'a> {
    /// Context `cid` (1–[`MAX_CID`], checked when encoded) of type `pdp_type` on `apn`.
    pub const fn new(cid: u8, pdp_type: PdpType, apn: Apn<'a>) -> Self {
        Self { cid, pdp_type, apn }
    }
}

impl Command for DefinePdpContext<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        check_range(u32::from(self.cid), Field::Cid, 1, u32::from(MAX_CID))?;
        write_line(
            buf,
            Field::Apn,
            b"AT+CGDCONT=",
            &[
                Param::Num(u32::from(self.cid)),
                Param::Text(self.pdp_type.as_str()),
                Param::Text(self.apn.0),
            ],
        )
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}
