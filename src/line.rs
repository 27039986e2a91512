//! Decoding of one complete line of modem output (everything but final results
//! and `+MQTTPUBLISH`, which the digester frames itself).
//!
//! INTERFACE CONTRACT (implementation pending; see the wire helper's task):
//! `Line::parse(bytes: &[u8]) -> Line<'_>` never fails and never panics.

/// The fields of a `+MQTTCFG:` answer (spec §2.1). The password is always masked
/// by the modem and is therefore not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CfgLine<'a> {
    /// Broker host.
    pub host: &'a str,
    /// Broker port.
    pub port: u16,
    /// Client id.
    pub client_id: &'a str,
    /// Keep-alive in seconds.
    pub keep_alive: u16,
    /// User name.
    pub user: &'a str,
    /// Clean-session flag.
    pub clean_session: bool,
    /// Version string (empty in the 7-field form).
    pub version: &'a str,
    /// Encryption flag.
    pub encrypt: bool,
}

/// One decoded line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Line<'a> {
    /// `+MQTTCFG: …` with a configured client.
    Cfg(CfgLine<'a>),
    /// `+MQTTCFG:"(null)",…`: no client configured.
    CfgNoClient,
    /// `+MQTTSTAT: <n>` (raw value; decode with [`crate::types::ModemState`]).
    Stat(u8),
    /// `+MQTTSUBACK:<packId>,<code>,<topic>` (topic quoted or not).
    SubAck {
        /// Packet id.
        packet_id: u16,
        /// Granted QoS, or 128 for a refusal.
        code: u8,
        /// Topic, quotes stripped.
        topic: &'a str,
    },
    /// `+MQTTSUB:` header of the `AT+MQTTSUB?` answer.
    SubListHeader,
    /// `+MQTTUNSUBACK:<packId>,<topic>`.
    UnsubAck {
        /// Packet id.
        packet_id: u16,
        /// Topic, quotes stripped.
        topic: &'a str,
    },
    /// `+MQTTPUBACK:<dup>,<packId>`.
    PubAck {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBREC:<dup>,<packId>`.
    PubRec {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBCOMP:<dup>,<packId>`.
    PubComp {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPUBREL:<dup>,<packId>` (unsolicited).
    PubRel {
        /// DUP flag.
        dup: bool,
        /// Packet id.
        packet_id: u16,
    },
    /// `+MQTTPING: <n>` (answer to `AT+MQTTPING?`).
    PingEcho(u8),
    /// `+MQTTREC: <enabled>,<attempts>` (answer to `AT+MQTTREC?`).
    Reconnect {
        /// Automatic reconnection enabled.
        enabled: bool,
        /// Attempts made so far.
        attempts: u16,
    },
    /// `+MQTTREC:<n>` (one field: a reconnect attempt, unsolicited).
    ReconnectAttempt(u16),
    /// `+MQTTTO: <n>`: the answer to `AT+MQTTTO?` while it is pending, otherwise
    /// an ACK time-out event of type n (spec §3.10).
    To(u16),
    /// `+MQTTOPEN:OK` (`true`) or `+MQTTOPEN:FAIL` (`false`).
    Open(bool),
    /// `+MQTTDISC: OK`.
    Disc,
    /// `+MQTTPINGRSP: OK` or `+MQTTPINGRESP:OK`.
    PingResp,
    /// A `+MQTT…` line that is not recognised or whose fields do not parse.
    UnknownMqtt(&'a [u8]),
    /// Any other line (echo, `AT+MQTTSUB?` entries, other modem URCs).
    Text(&'a [u8]),
}
