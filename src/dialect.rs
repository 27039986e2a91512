//! Recognising a module that speaks another MQTT AT dialect.
//!
//! Some ML302 firmware builds and sibling modules run a different MQTT command
//! set. Driven with this one they answer every command with `ERROR`, which
//! would surface as a string of unrelated failures; [`start`] recognises them
//! and fails once with [`Error::WrongDialect`] naming what it found.
//!
//! The probe costs nothing on a module of this dialect. The clean-up that
//! start-up runs anyway (`AT+MQTTDISC`, `AT+MQTTDEL`, spec §5.8) is its first
//! step: when `AT+MQTTDEL` answers `OK` or an MQTT error code (600–621), the
//! module speaks this dialect (`AT+MQTTDISC` proves nothing: plain `ERROR` is
//! its documented "already disconnected"). Only when `AT+MQTTDEL` is refused the
//! way an AT engine refuses a command it does not know (plain `ERROR`, or a
//! general `+CME ERROR` such as 3, 4, 58 or 100) does start-up ask
//! `AT+MQTTCFG?`, which a module of this
//! dialect answers in every state with a `+MQTTCFG:` line (spec §2.1, A27). If
//! that is refused or answered in another shape, each [`PROBES`] line is tried
//! in turn: the V.250 test form (`AT+<name>=?`) of a command only the other
//! dialect has, which any AT engine answers `OK` if it knows the command and
//! `ERROR` if not, and which changes nothing. The spec keeps the driver from
//! test forms of this dialect's commands (they are undocumented); these are
//! another dialect's.
//!
//! [`start`]: crate::blocking::Client::start
//! [`Error::WrongDialect`]: crate::Error::WrongDialect

use crate::error::{CmeError, Error};

/// An MQTT AT command set other than this driver's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Dialect {
    /// `AT+MMQTTCON` / `AT+MMQTTPUB` firmware builds.
    Mmqtt,
    /// UNISOC's set: `AT+MQTTCONN`, `AT+MQTTSUBUNSUB`, and a shorter
    /// `+MQTTPUBLISH:` line.
    Unisoc,
    /// Neither: the module refuses `AT+MQTTCFG?` and knows none of the probed
    /// commands.
    Unknown,
}

impl Dialect {
    /// The commands that gave it away, for messages.
    pub const fn commands(self) -> &'static str {
        match self {
            Dialect::Mmqtt => "AT+MMQTTCON/AT+MMQTTPUB",
            Dialect::Unisoc => "UNISOC AT+MQTTCONN/AT+MQTTSUBUNSUB",
            Dialect::Unknown => "unknown: AT+MQTTCFG? refused",
        }
    }
}

impl core::fmt::Display for Dialect {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.commands())
    }
}

/// The probes run after `AT+MQTTCFG?` was refused, in order: a test-form
/// command line and the dialect that answering it `OK` reveals.
pub const PROBES: [(&str, Dialect); 2] = [
    ("AT+MMQTTCON=?", Dialect::Mmqtt),
    ("AT+MQTTSUBUNSUB=?", Dialect::Unisoc),
];

/// Time-out of each probe (a local command, spec §1.3).
pub const PROBE_TIMEOUT_MS: u32 = 5_000;

/// Whether `e` is how an AT engine refuses a command it does not know (or
/// answers in a shape this dialect never uses), as opposed to an answer of
/// this dialect's MQTT client (600–621), a SIM or network condition, or no
/// answer at all.
pub const fn refused(e: &Error) -> bool {
    match e {
        Error::Modem | Error::UnexpectedResponse => true,
        Error::Cme(c) => matches!(
            c,
            CmeError::OperationNotAllowed
                | CmeError::OperationNotSupported
                | CmeError::Unknown
                | CmeError::Other(_)
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_engine_refusal_counts() {
        assert!(refused(&Error::Modem));
        assert!(refused(&Error::UnexpectedResponse));
        assert!(refused(&Error::Cme(CmeError::from_code(4))));
        assert!(refused(&Error::Cme(CmeError::from_code(58))));
        assert!(!refused(&Error::Cme(CmeError::from_code(620))));
        assert!(!refused(&Error::Cme(CmeError::from_code(601))));
        assert!(!refused(&Error::Cme(CmeError::from_code(10))));
        assert!(!refused(&Error::Timeout));
    }

    #[test]
    fn each_dialect_names_its_commands() {
        assert!(Dialect::Mmqtt.commands().contains("AT+MMQTTCON"));
        assert!(Dialect::Unisoc.commands().contains("AT+MQTTSUBUNSUB"));
        for (line, _) in PROBES {
            assert!(line.starts_with("AT+") && line.ends_with("=?"));
        }
    }
}
