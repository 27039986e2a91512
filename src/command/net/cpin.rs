//! `AT+CPIN?`: the SIM's state (NETWORK.md §1 step 2, §2). `+CPIN:` lines also
//! arrive unsolicited (`+CPIN: READY`, `+CPIN: NOT READY`).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{after, body_lines};
use crate::command::{write_bare, Command, LOCAL_TIMEOUT_MS};
use crate::error::{Error, Field};
use crate::line::lookup;
use atat::atat_derive::AtatCmd;

/// `AT+CPIN?`. Answer: `+CPIN: <code>` ([`SimState`]); no SIM: `+CME ERROR: 10`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+CPIN?",
    SimState,
    parse = SimState::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QuerySim;

impl Command for QuerySim {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+CPIN?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// What `+CPIN:` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SimState {
    /// `READY`: no code needed; the SIM can be used.
    Ready,
    /// `SIM PIN`: the SIM waits for its PIN.
    PinRequired,
    /// `SIM PUK`: the SIM waits for its PUK.
    PukRequired,
    /// Another `… PIN` / `… PUK` code (`SIM PIN2`, `PH-SIM PIN`, `PH-NET PIN`, …).
    OtherCodeRequired,
    /// `NOT READY`: the SIM went away or is being reset (unsolicited).
    NotReady,
    /// `NOT INSERTED`: no SIM (some firmware prints it instead of an error).
    NotInserted,
}

impl atat::AtatResp for SimState {}

/// The codes that name one state.
const CODES: [(&[u8], SimState); 5] = [
    (b"READY", SimState::Ready),
    (b"SIM PIN", SimState::PinRequired),
    (b"SIM PUK", SimState::PukRequired),
    (b"NOT READY", SimState::NotReady),
    (b"NOT INSERTED", SimState::NotInserted),
];

impl SimState {
    /// Decodes one `+CPIN: <code>` line; `None` for any other line or code.
    pub fn from_line(line: &[u8]) -> Option<Self> {
        let code = after(line, b"+CPIN:")?;
        if let Some(state) = lookup(code, &CODES) {
            return Some(state);
        }
        // `<anything> PIN`, `PUK`, `PIN2` or `PUK2`: the code's last word.
        let space = code.iter().rposition(|&b| b == b' ')?;
        let last = code.get(space.saturating_add(1)..)?;
        let codes: [&[u8]; 4] = [b"PIN", b"PUK", b"PIN2", b"PUK2"];
        codes.contains(&last).then_some(Self::OtherCodeRequired)
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        body_lines(body)
            .find_map(Self::from_line)
            .ok_or(Error::UnexpectedResponse)
    }

    /// Whether the SIM can be used without a code.
    pub const fn is_ready(self) -> bool {
        matches!(self, Self::Ready)
    }
}
