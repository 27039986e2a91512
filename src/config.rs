//! What the caller configures: the broker connection and the will.

use crate::types::QoS;

/// Broker connection settings (`AT+MQTTCFG`, `AT+MQTTTO`, `AT+MQTTREC`,
/// `AT+MQTTPING`). Strings are validated when the command is encoded, before
/// any byte is written.
///
/// `Debug` never shows the password:
///
/// ```
/// let cfg = ml302::MqttConfig::new("broker.example", 1883, "dev-1").with_credentials("u", "secret");
/// assert!(!format!("{cfg:?}").contains("secret"));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MqttConfig<'a> {
    /// Broker host name or IP address (≤ 128 bytes).
    pub host: &'a str,
    /// Broker TCP port (1–65535).
    pub port: u16,
    /// MQTT client identifier (1–128 bytes).
    pub client_id: &'a str,
    /// Keep-alive interval in seconds (1–65535).
    pub keep_alive_s: u16,
    /// User name (empty: none is sent).
    pub user: &'a str,
    /// Password (empty: none is sent). Never logged, never shown by `Debug`.
    pub password: &'a str,
    /// Clean session: the broker discards the session on connect.
    pub clean_session: bool,
    /// Platform version string (not the MQTT version; usually empty).
    pub version: &'a str,
    /// Run TLS with the module's built-in certificates.
    pub encrypt: bool,
    /// How long the module waits for the broker's acknowledgements, in seconds
    /// (1–3600, `AT+MQTTTO`).
    pub ack_timeout_s: u16,
    /// Let the module reconnect on its own after a link loss (`AT+MQTTREC`).
    pub auto_reconnect: bool,
    /// Report every keep-alive answer as [`crate::Event::PingResp`] (`AT+MQTTPING`).
    pub ping_echo: bool,
}

impl<'a> MqttConfig<'a> {
    /// Settings with the driver's defaults: keep-alive 60 s, clean session,
    /// no credentials, no TLS, ACK time-out 10 s, automatic reconnection on, ping
    /// echo off.
    pub const fn new(host: &'a str, port: u16, client_id: &'a str) -> Self {
        Self {
            host,
            port,
            client_id,
            keep_alive_s: 60,
            user: "",
            password: "",
            clean_session: true,
            version: "",
            encrypt: false,
            ack_timeout_s: 10,
            auto_reconnect: true,
            ping_echo: false,
        }
    }

    /// Sets user name and password.
    pub const fn with_credentials(mut self, user: &'a str, password: &'a str) -> Self {
        self.user = user;
        self.password = password;
        self
    }

    /// Sets the keep-alive interval in seconds.
    pub const fn with_keep_alive(mut self, seconds: u16) -> Self {
        self.keep_alive_s = seconds;
        self
    }

    /// Sets the clean-session flag.
    pub const fn with_clean_session(mut self, clean: bool) -> Self {
        self.clean_session = clean;
        self
    }

    /// TLS on the module's socket (`<encrypt>`=1) with the certificates built
    /// into the module; `version` is the platform version string the spec
    /// requires with it (§2.1 note 2, for example OneNET's `2018-10-31`): an
    /// empty one is refused by [`crate::blocking::Client::configure`].
    pub const fn with_encryption(mut self, version: &'a str) -> Self {
        self.version = version;
        self.encrypt = true;
        self
    }
}

impl core::fmt::Debug for MqttConfig<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MqttConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field("keep_alive_s", &self.keep_alive_s)
            .field("user", &self.user)
            .field("password", &"***")
            .field("clean_session", &self.clean_session)
            .field("version", &self.version)
            .field("encrypt", &self.encrypt)
            .field("ack_timeout_s", &self.ack_timeout_s)
            .field("auto_reconnect", &self.auto_reconnect)
            .field("ping_echo", &self.ping_echo)
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for MqttConfig<'_> {
    fn format(&self, f: defmt::Formatter) {
        defmt::write!(
            f,
            "MqttConfig {{ host: {=str}, port: {=u16}, client_id: {=str}, user: {=str}, password: ***, clean_session: {=bool} }}",
            self.host,
            self.port,
            self.client_id,
            self.user,
            self.clean_session
        )
    }
}

/// The will the broker publishes when the link dies abnormally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Will<'a> {
    /// Will topic (≤ 512 bytes).
    pub topic: &'a str,
    /// Will message (printable ASCII, ≤ 256 bytes).
    pub message: &'a str,
    /// QoS of the will.
    pub qos: QoS,
    /// Whether the broker retains the will.
    pub retain: bool,
}
