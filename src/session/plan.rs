//! The multi-command sequences of the spec (§5.8), written once for both faces.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::config::{MqttConfig, Will};

use super::Op;

/// One command of a sequence.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The command.
    pub op: Op<'a>,
    /// Whether an error of this step is ignored (clean-up commands whose result
    /// is undocumented on an empty module).
    pub ignore_error: bool,
}

impl<'a> Step<'a> {
    const fn must(op: Op<'a>) -> Self {
        Self {
            op,
            ignore_error: false,
        }
    }

    const fn may_fail(op: Op<'a>) -> Self {
        Self {
            op,
            ignore_error: true,
        }
    }
}

/// Start-up after the modem answered `AT`: echo off and numeric errors. The
/// clean-up of a stale client ([`CLEAN_UP`]) follows (spec §5.8).
pub const STARTUP: [Step<'static>; 2] = [Step::must(Op::EchoOff), Step::must(Op::NumericErrors)];

/// Clearing the module's MQTT client before it is configured again (start-up,
/// recovery): `AT+MQTTDISC`, `AT+MQTTDEL`, errors ignored (there may be none).
/// At start-up `AT+MQTTDEL`'s answer is also the first step of the dialect
/// probe (see [`crate::dialect`]).
pub const CLEAN_UP: [Step<'static>; 2] =
    [Step::may_fail(Op::Disconnect), Step::may_fail(Op::Delete)];

/// How many times `AT` is tried before the modem is declared absent.
pub const AT_ATTEMPTS: u8 = 5;

/// Configuration: `AT+MQTTCFG`, then the settings a new configuration resets
/// (`AT+MQTTTO`, `AT+MQTTREC`), spec §2.1.
pub fn configure<'a>(cfg: &'a MqttConfig<'a>) -> [Step<'a>; 3] {
    configure_with(cfg, cfg.ack_timeout_s, cfg.auto_reconnect)
}

/// [`configure`] with the ACK time-out and automatic reconnection given apart
/// from `cfg` (recovery re-applies the ones set after the configuration).
pub fn configure_with<'a>(
    cfg: &'a MqttConfig<'a>,
    ack_timeout_s: u16,
    auto_reconnect: bool,
) -> [Step<'a>; 3] {
    [
        Step::must(Op::Configure(cfg)),
        Step::must(Op::SetAckTimeout(ack_timeout_s)),
        Step::must(Op::SetReconnect(auto_reconnect)),
    ]
}

/// Connection: `AT+MQTTOPEN`, then `AT+MQTTPING`, which only holds after an open
/// (spec §2.9). Re-subscription follows through
/// [`super::Session::next_resubscription`].
pub fn connect<'a>(will: Option<&'a Will<'a>>, ping_echo: bool) -> [Step<'a>; 2] {
    [
        Step::must(Op::Open(will)),
        Step::may_fail(Op::SetPingEcho(ping_echo)),
    ]
}
