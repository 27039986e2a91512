//! Small value types shared by commands, URCs and the client.

/// MQTT quality of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum QoS {
    /// QoS 0: at most once.
    #[default]
    AtMostOnce = 0,
    /// QoS 1: at least once (`+MQTTPUBACK`).
    AtLeastOnce = 1,
    /// QoS 2: exactly once (`+MQTTPUBREC`, `+MQTTPUBCOMP`).
    ExactlyOnce = 2,
}

impl QoS {
    /// Decodes 0, 1 or 2; anything else is `None`.
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Self::AtMostOnce),
            1 => Some(Self::AtLeastOnce),
            2 => Some(Self::ExactlyOnce),
            _ => None,
        }
    }

    /// The numeric value written on the wire.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}

/// Which acknowledgement a `+MQTTTO: <type>` line says was missing (spec §3.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TimeoutKind {
    /// 1: CONNACK missing.
    Connect,
    /// 2: PUBACK / PUBREC / PUBCOMP missing.
    Publish,
    /// 3: SUBACK missing.
    Subscribe,
    /// 4: UNSUBACK missing.
    Unsubscribe,
    /// 5: PINGRESP missing.
    Ping,
    /// 6: another packet.
    Other,
    /// Any other value, kept as received.
    Unknown(u16),
}

impl TimeoutKind {
    /// Decodes the `<type>` field.
    pub const fn from_code(code: u16) -> Self {
        match code {
            1 => Self::Connect,
            2 => Self::Publish,
            3 => Self::Subscribe,
            4 => Self::Unsubscribe,
            5 => Self::Ping,
            6 => Self::Other,
            n => Self::Unknown(n),
        }
    }
}

/// The module's connection state as `AT+MQTTSTAT?` reports it, decoded with the
/// ML302 manual's table (spec §2.3).
///
/// Do not use it alone to decide that the link is up: the client tracks the
/// state from `+MQTTOPEN` / `+MQTTDISC` lines instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ModemState {
    /// 0: not connected.
    NotConnected,
    /// 1: connected and idle.
    Connected,
    /// 2: TCP socket connecting.
    SocketConnecting,
    /// 3: socket connected, CONNECT not yet sent.
    SocketConnected,
    /// 4: CONNECT sent, waiting for CONNACK.
    ConnectSent,
    /// Any other value.
    Unknown(u8),
}

impl ModemState {
    /// Decodes a `+MQTTSTAT` value with the ML302 manual's table.
    pub const fn from_manual(v: u8) -> Self {
        match v {
            0 => Self::NotConnected,
            1 => Self::Connected,
            2 => Self::SocketConnecting,
            3 => Self::SocketConnected,
            4 => Self::ConnectSent,
            n => Self::Unknown(n),
        }
    }
}

/// The module's connection state decoded with the M5311 firmware's numbering, which
/// some ML302 firmware (the OpenCPU library) also uses (spec §2.3 warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum M5311State {
    /// 0: no client.
    Uninitialised,
    /// 1: configured, not connected.
    Configured,
    /// 2: disconnected.
    Disconnected,
    /// 3: CONNECT sent.
    ConnectSent,
    /// 4: reconnecting.
    Reconnecting,
    /// 5: connected.
    Connected,
    /// 6: socket connecting.
    SocketConnecting,
    /// 7: socket connected.
    SocketConnected,
    /// Any other value.
    Unknown(u8),
}

impl M5311State {
    /// Decodes a `+MQTTSTAT` value with the M5311 table.
    pub const fn from_code(v: u8) -> Self {
        match v {
            0 => Self::Uninitialised,
            1 => Self::Configured,
            2 => Self::Disconnected,
            3 => Self::ConnectSent,
            4 => Self::Reconnecting,
            5 => Self::Connected,
            6 => Self::SocketConnecting,
            7 => Self::SocketConnected,
            n => Self::Unknown(n),
        }
    }
}
