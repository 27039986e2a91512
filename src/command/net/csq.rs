//! `AT+CSQ`: signal quality, with the conversion of `<rssi>` to dBm (NETWORK.md §2).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{find, split};
use crate::command::{write_bare, Command, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use atat::atat_derive::AtatCmd;

/// `AT+CSQ`. Answer: `+CSQ: <rssi>,<ber>` ([`SignalQuality`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+CSQ",
    SignalQuality,
    parse = SignalQuality::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QuerySignal;

impl Command for QuerySignal {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CSQ", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// The raw `<rssi>` and `<ber>` of `+CSQ:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SignalQuality {
    /// 0–31, or 99 when unknown.
    pub rssi: u8,
    /// Bit error rate class 0–7, or 99 when unknown.
    pub ber: u8,
}

impl atat::AtatResp for SignalQuality {}

impl SignalQuality {
    /// The received signal strength in dBm: 0 → −113 (or less), 1 → −111,
    /// 2–30 → −109 … −53 in 2 dB steps, 31 → −51 (or more); `None` for 99
    /// (unknown) and any value outside the table.
    pub const fn dbm(self) -> Option<i16> {
        match self.rssi {
            // In range: -113 + 2 × rssi lies within -113..=-51.
            r @ 0..=31 => Some((-113i16).wrapping_add((r as i16).wrapping_mul(2))),
            _ => None,
        }
    }

    /// The bit error rate class, `None` when unknown (99) or out of range.
    pub const fn ber_class(self) -> Option<u8> {
        match self.ber {
            b @ 0..=7 => Some(b),
            _ => None,
        }
    }

    /// Parses the answer of `AT+CSQ`.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let bad = Error::UnexpectedResponse;
        let ([rssi, ber], 2) = find(body, b"+CSQ:")
            .and_then(split::<2>)
            .ok_or(bad.clone())?
        else {
            return Err(bad);
        };
        match (rssi.u8(), ber.u8()) {
            (Some(rssi), Some(ber)) => Ok(Self { rssi, ber }),
            _ => Err(bad),
        }
    }
}
