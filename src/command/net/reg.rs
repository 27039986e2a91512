//! `AT+CEREG` (LTE) and `AT+CGREG` (packet domain on older firmware): network
//! registration (NETWORK.md §1 step 5, §2). Both lines also arrive unsolicited
//! once reports are on (`AT+CEREG=1` or `2`); [`Registration::from_line`] is the
//! one decoder of either reading.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{after, body_lines, split_into};
use crate::command::{write_bare, write_line, Command, NoResponse, Param, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use crate::line::Field as Arg;
use atat::atat_derive::AtatCmd;

/// Which registration a line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Domain {
    /// `+CEREG`: EPS (LTE).
    Eps,
    /// `+CGREG`: GPRS packet domain.
    Gprs,
}

impl Domain {
    /// The line prefix, colon included.
    const fn prefix(self) -> &'static [u8] {
        match self {
            Self::Eps => b"+CEREG:",
            Self::Gprs => b"+CGREG:",
        }
    }
}

/// The `<stat>` of a registration line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RegStatus {
    /// 0: not registered, not searching.
    NotSearching,
    /// 1: registered, home network.
    Home,
    /// 2: not registered, searching.
    Searching,
    /// 3: registration denied (polling will not help).
    Denied,
    /// 4: unknown (for example out of coverage).
    Unknown,
    /// 5: registered, roaming.
    Roaming,
    /// Any other value (TS 27.007 adds SMS-only and emergency states), kept.
    Other(u8),
}

impl RegStatus {
    /// Decodes a `<stat>` value.
    pub const fn from_code(code: u8) -> Self {
        match code {
            0 => Self::NotSearching,
            1 => Self::Home,
            2 => Self::Searching,
            3 => Self::Denied,
            4 => Self::Unknown,
            5 => Self::Roaming,
            n => Self::Other(n),
        }
    }

    /// The `<stat>` value.
    pub const fn code(self) -> u8 {
        match self {
            Self::NotSearching => 0,
            Self::Home => 1,
            Self::Searching => 2,
            Self::Denied => 3,
            Self::Unknown => 4,
            Self::Roaming => 5,
            Self::Other(n) => n,
        }
    }

    /// Registered, at home or roaming: the data link can come up.
    pub const fn is_registered(self) -> bool {
        matches!(self, Self::Home | Self::Roaming)
    }
}

/// The location fields of a registration line (`<n>` ≥ 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Location {
    /// Tracking (or location) area code, from its hexadecimal text.
    pub area: u16,
    /// Cell id, from its hexadecimal text (28 bits in LTE).
    pub cell: u32,
    /// Access technology `<AcT>` (7: E-UTRAN), when printed.
    pub act: Option<u8>,
}

/// A registration state, as a `+CEREG:` / `+CGREG:` line reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Registration {
    /// Which registration.
    pub domain: Domain,
    /// Its state.
    pub status: RegStatus,
    /// Where, when the module prints it.
    pub location: Option<Location>,
}

/// Up to eight hexadecimal digits, quoted.
fn hex(f: Arg<'_>) -> Option<u32> {
    let Arg::Quoted(b) = f else {
        return None;
    };
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    b.iter().try_fold(0u32, |v, &c| {
        let d = char::from(c).to_digit(16)?;
        Some(v.wrapping_shl(4) | d)
    })
}

impl Registration {
    /// Decodes one `+CEREG:` / `+CGREG:` line in either reading, with the `<n>`
    /// of the query's answer when the line has one.
    ///
    /// * `<n>,<stat>[,"<tac>","<ci>"[,<AcT>…]]`: the answer of `AT+CEREG?`
    ///   (its second field is a bare number);
    /// * `<stat>[,"<tac>","<ci>"[,<AcT>…]]`: the unsolicited report.
    ///
    /// Fields after `<AcT>` (reject causes, `<n>` ≥ 3) are ignored. `None` for
    /// any other line, or a field that does not parse.
    pub fn from_line(line: &[u8]) -> Option<(Option<u8>, Self)> {
        let (domain, rest) = match after(line, Domain::Eps.prefix()) {
            Some(rest) => (Domain::Eps, rest),
            None => (Domain::Gprs, after(line, Domain::Gprs.prefix())?),
        };
        // Up to `<n>`, `<stat>`, location, `<AcT>`, reject cause and the two PSM
        // timers of `<n>` = 4 or 5.
        let mut f = [Arg::Bare(&[]); 10];
        let n = split_into(rest, &mut f)?;
        let mut fields = f.iter().take(n).copied();
        let first = fields.next()?.u8()?;
        let mut rest = fields.clone();
        let (mode, stat) = match rest.next() {
            Some(second @ Arg::Bare(b)) if !b.is_empty() => {
                fields = rest;
                (Some(first), second.u8()?)
            }
            _ => (None, first),
        };
        let location = match (fields.next(), fields.next()) {
            (None, _) => None,
            (Some(Arg::Bare(b"")), Some(Arg::Bare(b""))) | (Some(Arg::Bare(b"")), None) => None,
            (Some(tac), Some(ci)) => Some(Location {
                area: u16::try_from(hex(tac)?).ok()?,
                cell: hex(ci)?,
                act: match fields.next() {
                    Some(Arg::Bare(b"")) | None => None,
                    Some(a) => Some(a.u8()?),
                },
            }),
            (Some(_), None) => return None,
        };
        Some((
            mode,
            Self {
                domain,
                status: RegStatus::from_code(stat),
                location,
            },
        ))
    }
}

/// The answer of `AT+CEREG?` / `AT+CGREG?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RegistrationResponse {
    /// The report mode `<n>` in force (0 off, 1 state, 2 state and location, …).
    pub mode: u8,
    /// The registration.
    pub registration: Registration,
}

impl atat::AtatResp for RegistrationResponse {}

impl RegistrationResponse {
    /// Parses the answer of a registration query: the first line of the
    /// query's form (`<n>,<stat>…`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        body_lines(body)
            .find_map(|l| match Registration::from_line(l)? {
                (Some(mode), registration) => Some(Self { mode, registration }),
                (None, _) => None,
            })
            .ok_or(Error::UnexpectedResponse)
    }
}

macro_rules! registration_commands {
    ($query:ident, $set:ident, $q:literal, $s:literal, $name:literal, $wire_q:literal, $wire_s:literal) => {
        #[doc = concat!("`AT", $q, "`: the ", $name, " registration. Answer: `", $s,
                    ": <n>,<stat>[,…]` ([`RegistrationResponse`]).")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
        #[at_cmd(
                    $q,
                    RegistrationResponse,
                    parse = RegistrationResponse::parse,
                    value_sep = false,
                    timeout_ms = 5000,
                    termination = "\r\n"
                )]
        pub struct $query;

        impl Command for $query {
            fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
                write_bare($wire_q, Field::Host, buf)
            }

            fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
                LOCAL_TIMEOUT_MS
            }
        }

        #[doc = concat!("`AT", $s, "=<n>`: ", $name, " registration reports: 0 off, 1 `",
                    $s, ": <stat>` on change, 2 with the location (0–5 accepted). Answer: `OK`.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
        #[at_cmd(
                    $s,
                    NoResponse,
                    parse = crate::command::parse_no_response,
                    timeout_ms = 5000,
                    termination = "\r\n"
                )]
        pub struct $set {
            n: u8,
        }

        impl $set {
            /// Asks for report mode `n`.
            pub const fn new(n: u8) -> Self {
                Self { n }
            }
        }

        impl Command for $set {
            fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
                crate::command::check_range(u32::from(self.n), Field::ReportMode, 0, 5)?;
                write_line(buf, Field::ReportMode, $wire_s, &[Param::Num(u32::from(self.n))])
            }

            fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
                LOCAL_TIMEOUT_MS
            }
        }
    };
}

registration_commands!(
    QueryEpsRegistration,
    SetEpsRegistrationReports,
    "+CEREG?",
    "+CEREG",
    "EPS (LTE)",
    b"AT+CEREG?",
    b"AT+CEREG="
);
registration_commands!(
    QueryGprsRegistration,
    SetGprsRegistrationReports,
    "+CGREG?",
    "+CGREG",
    "GPRS",
    b"AT+CGREG?",
    b"AT+CGREG="
);
