//! Unsolicited result codes.
//!
//! INTERFACE CONTRACT (implementation pending; see the wire helper's task).

use crate::digest::Publish;
use crate::types::TimeoutKind;

/// Every unsolicited line the module prints (spec §1.2, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Urc<'a> {
    /// `+MQTTPUBLISH`: an incoming message.
    Publish(Publish<'a>),
    /// `+MQTTPUBLISH` whose payload did not fit the buffer: consumed and reported.
    MessageTooLarge {
        /// Topic of the message.
        topic: &'a str,
        /// Its announced length.
        len: usize,
    },
    /// `+MQTTPUBREL: <dup>,<packId>`: the broker released a QoS 2 message.
    PubRel {
        /// DUP flag.
        dup: bool,
        /// Packet id of the released message.
        packet_id: u16,
    },
    /// `+MQTTPINGRSP: OK` / `+MQTTPINGRESP:OK`: a keep-alive answered.
    PingResp,
    /// `+MQTTTO: <type>`: an ACK time-out.
    AckTimeout(TimeoutKind),
    /// `+MQTTREC:<n>`: automatic reconnect attempt n (from 0).
    ReconnectAttempt(u16),
    /// `+MQTTDISC: OK` outside `AT+MQTTDISC`: the module gave up the connection.
    Disconnected,
    /// `+MQTTOPEN:OK` / `+MQTTOPEN:FAIL` outside `AT+MQTTOPEN`: result of an
    /// automatic reconnect.
    Reopened(bool),
    /// `+CME ERROR: 609`: the module could not decode an incoming PUBLISH.
    BadIncomingPublish,
    /// `+CME ERROR: 619`: the module could not decode an incoming PUBREL.
    BadIncomingPubRel,
    /// A `+MQTT…` line this driver does not know, reported rather than dropped.
    Unknown(&'a [u8]),
}
