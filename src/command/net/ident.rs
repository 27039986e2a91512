//! The module's identity: `AT+CGSN=1` (IMEI), `AT+ICCID` \[ML302\] (SIM serial),
//! `AT+CIMI` (IMSI) (NETWORK.md §1, §2).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use heapless::String;

use super::{after, body_lines, digits, split};
use crate::command::{write_bare, Command, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use crate::line::Field as Arg;
use atat::atat_derive::AtatCmd;

/// The digits of the one field after `prefix` on the first such line, quoted or
/// bare, `min..=max` of them.
fn field_digits<'a>(body: &'a [u8], prefix: &[u8], min: usize, max: usize) -> Option<&'a str> {
    body_lines(body).find_map(|l| match split::<1>(after(l, prefix)?)? {
        ([f], 1) => digits(f, min, max),
        _ => None,
    })
}

/// Copies checked digits into a bounded string.
fn owned<const N: usize>(s: &str) -> Result<String<N>, Error> {
    let mut out = String::new();
    out.push_str(s).map_err(|_| Error::UnexpectedResponse)?;
    Ok(out)
}

/// Whether the last digit of `s` is the Luhn check digit of the others.
fn luhn(s: &str) -> bool {
    let sum = s.bytes().rev().enumerate().fold(0u32, |sum, (i, c)| {
        let d = u32::from(c.wrapping_sub(b'0'));
        let d = if i % 2 == 1 {
            let twice = d.wrapping_mul(2);
            if twice > 9 {
                twice.wrapping_sub(9)
            } else {
                twice
            }
        } else {
            d
        };
        sum.wrapping_add(d)
    });
    sum % 10 == 0
}

/// `AT+CGSN=1`. Answer: `+CGSN: <imei>`, quoted or bare ([`Imei`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+CGSN",
    Imei,
    parse = Imei::parse,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryImei {
    snt: u8,
}

impl QueryImei {
    /// The IMEI query.
    pub const fn new() -> Self {
        Self { snt: 1 }
    }
}

impl Default for QueryImei {
    fn default() -> Self {
        Self::new()
    }
}

impl Command for QueryImei {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CGSN=1", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// An IMEI: 15 digits whose last is the Luhn check digit (checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imei(pub String<15>);

impl atat::AtatResp for Imei {}

impl Imei {
    /// Parses the answer of `AT+CGSN=1`; a wrong check digit is an unexpected
    /// answer. A bare line of 15 digits (the answer of plain `AT+CGSN`) is
    /// accepted too.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let imei = field_digits(body, b"+CGSN:", 15, 15)
            .or_else(|| body_lines(body).find_map(|l| digits(Arg::Bare(l.trim_ascii()), 15, 15)))
            .filter(|s| luhn(s))
            .ok_or(Error::UnexpectedResponse)?;
        owned(imei).map(Self)
    }
}

/// `AT+ICCID` \[ML302\]. Answer: `+ICCID: <iccid>` ([`Iccid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+ICCID",
    Iccid,
    parse = Iccid::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryIccid;

impl Command for QueryIccid {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+ICCID", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// A SIM serial number: 19–20 digits starting `89` (`8986` in China).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iccid(pub String<20>);

impl atat::AtatResp for Iccid {}

impl Iccid {
    /// Parses the answer of `AT+ICCID` (quoted or bare).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let iccid = field_digits(body, b"+ICCID:", 19, 20)
            .filter(|s| s.starts_with("89"))
            .ok_or(Error::UnexpectedResponse)?;
        owned(iccid).map(Self)
    }
}

/// `AT+CIMI`. Answer: the IMSI on a bare line ([`Imsi`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+CIMI",
    Imsi,
    parse = Imsi::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryImsi;

impl Command for QueryImsi {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CIMI", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// An IMSI: 6–15 digits (15 on China Mobile cards, starting `46000`, `46002`,
/// `46004`, `46007` or `46008`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imsi(pub String<15>);

impl atat::AtatResp for Imsi {}

impl Imsi {
    /// Parses the answer of `AT+CIMI`: a bare line of digits (a `+CIMI:` prefix,
    /// which some firmware prints, is accepted too).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let imsi = body_lines(body)
            .find_map(|l| {
                let l = after(l, b"+CIMI:").unwrap_or(l.trim_ascii());
                digits(Arg::Bare(l), 6, 15)
            })
            .ok_or(Error::UnexpectedResponse)?;
        owned(imsi).map(Self)
    }

    /// Whether the IMSI belongs to China Mobile (`46000`, `46002`, `46004`,
    /// `46007`, `46008`).
    pub fn is_china_mobile(&self) -> bool {
        ["46000", "46002", "46004", "46007", "46008"]
            .iter()
            .any(|p| self.0.starts_with(p))
    }
}
