//! `AT+MQTTCFG`: configure the client (spec §2.1).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{
    bit, check_range, decode_lines, write_bare, write_line, Bit, Command, NoResponse, Param,
    LOCAL_TIMEOUT_MS,
};
use crate::error::{Error, Field, ValidationError};
use crate::line::{CfgLine, Line};
use crate::text::{ClientId, Host, Password, User, Version, MAX_SHORT};
use atat::atat_derive::AtatCmd;

/// The keep-alive the constructors start with, in seconds (\[D\]).
pub const DEFAULT_KEEP_ALIVE_S: u16 = 60;

/// `AT+MQTTCFG=<host>,<port>,<id>,<keepAlive>,<user>,<passwd>,<clean>,<version>,<encrypt>`:
/// the 9-parameter form the driver sends (spec §2.1). Answer: `OK`.
///
/// Its `Debug` output masks the password.
///
/// ```
/// use ml302::command::{Command, Configure};
/// use ml302::text::{ClientId, Host, Password, User};
///
/// let cfg = Configure::new(Host::new("broker.example")?, 1883, ClientId::new("dev-1")?)
///     .keep_alive(30)
///     .credentials(User::new("user")?, Password::new("s3cret")?);
/// let mut buf = [0u8; 256];
/// let n = cfg.encode(&mut buf)?;
/// assert_eq!(
///     &buf[..n],
///     b"AT+MQTTCFG=\"broker.example\",1883,\"dev-1\",30,\"user\",\"s3cret\",1,\"\",0\r\n"
/// );
/// assert!(!format!("{cfg:?}").contains("s3cret"));
/// # Ok::<(), ml302::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTCFG",
    NoResponse,
    parse = super::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct Configure<'a> {
    host: Host<'a>,
    port: u16,
    client_id: ClientId<'a>,
    keep_alive: u16,
    user: User<'a>,
    password: Password<'a>,
    clean_session: Bit,
    version: Version<'a>,
    encrypt: Bit,
}

impl<'a> Configure<'a> {
    /// A configuration with keep-alive 60 s, no user or password, clean session,
    /// empty version and no encryption.
    pub const fn new(host: Host<'a>, port: u16, client_id: ClientId<'a>) -> Self {
        Self {
            host,
            port,
            client_id,
            keep_alive: DEFAULT_KEEP_ALIVE_S,
            user: User::EMPTY,
            password: Password::EMPTY,
            clean_session: Bit(true),
            version: Version::EMPTY,
            encrypt: Bit(false),
        }
    }

    /// Sets the keep-alive interval in seconds (1–65535).
    #[must_use]
    pub const fn keep_alive(mut self, seconds: u16) -> Self {
        self.keep_alive = seconds;
        self
    }

    /// Sets user name and password (either may be empty).
    #[must_use]
    pub const fn credentials(mut self, user: User<'a>, password: Password<'a>) -> Self {
        self.user = user;
        self.password = password;
        self
    }

    /// Sets the clean-session flag.
    #[must_use]
    pub const fn clean_session(mut self, clean: bool) -> Self {
        self.clean_session = Bit(clean);
        self
    }

    /// Sets the platform version string (not the MQTT version).
    #[must_use]
    pub const fn version(mut self, version: Version<'a>) -> Self {
        self.version = version;
        self
    }

    /// Sets the encryption flag; it requires a non-empty version string (manual
    /// note 2 under the command, spec §2.1).
    #[must_use]
    pub const fn encrypt(mut self, encrypt: bool) -> Self {
        self.encrypt = Bit(encrypt);
        self
    }

    /// Broker host.
    pub const fn host_name(&self) -> Host<'a> {
        self.host
    }
    /// Broker port.
    pub const fn port(&self) -> u16 {
        self.port
    }
    /// Client id.
    pub const fn client_id(&self) -> ClientId<'a> {
        self.client_id
    }
    /// Keep-alive interval in seconds.
    pub const fn keep_alive_s(&self) -> u16 {
        self.keep_alive
    }
    /// User name.
    pub const fn user(&self) -> User<'a> {
        self.user
    }
    /// Password (its `Debug`/`Display` are masked).
    pub const fn password(&self) -> Password<'a> {
        self.password
    }
    /// Clean-session flag.
    pub const fn is_clean_session(&self) -> bool {
        self.clean_session.0
    }
    /// Platform version string.
    pub const fn version_str(&self) -> Version<'a> {
        self.version
    }
    /// Encryption flag.
    pub const fn is_encrypted(&self) -> bool {
        self.encrypt.0
    }

    /// Checks the numeric ranges and the encryption rule.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_range(self.port.into(), Field::Port, 1, 65535)?;
        check_range(self.keep_alive.into(), Field::KeepAlive, 1, 65535)?;
        if self.encrypt.0 && self.version.is_empty() {
            return Err(ValidationError::Inconsistent {
                rule: crate::error::Rule::EncryptionWithoutVersion,
            });
        }
        Ok(())
    }
}

/// The nine parameters of the line, in order; the 7-parameter form sends the
/// first seven.
fn params<'c>(c: &Configure<'c>) -> [Param<'c>; 9] {
    [
        Param::Text(c.host.as_str()),
        Param::Num(c.port.into()),
        Param::Text(c.client_id.as_str()),
        Param::Num(c.keep_alive.into()),
        Param::Text(c.user.as_str()),
        Param::Text(c.password.expose()),
        bit(c.clean_session.0),
        Param::Text(c.version.as_str()),
        bit(c.encrypt.0),
    ]
}

impl Command for Configure<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.validate()?;
        write_line(buf, Field::Host, b"AT+MQTTCFG=", &params(self))
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+MQTTCFG=<host>,<port>,<id>,<keepAlive>,<user>,<passwd>,<clean>`: the
/// 7-parameter form (manual chapter 3, spec §2.1; the module then uses an empty
/// version and no encryption). Answer: `OK`. Its `Debug` output masks the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AtatCmd)]
#[at_cmd(
    "+MQTTCFG",
    NoResponse,
    parse = super::parse_no_response,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct Configure7<'a> {
    host: Host<'a>,
    port: u16,
    client_id: ClientId<'a>,
    keep_alive: u16,
    user: User<'a>,
    password: Password<'a>,
    clean_session: Bit,
}

impl<'a> Configure7<'a> {
    /// A configuration with keep-alive 60 s, no user or password and clean session.
    pub const fn new(host: Host<'a>, port: u16, client_id: ClientId<'a>) -> Self {
        Self {
            host,
            port,
            client_id,
            keep_alive: DEFAULT_KEEP_ALIVE_S,
            user: User::EMPTY,
            password: Password::EMPTY,
            clean_session: Bit(true),
        }
    }

    /// Sets the keep-alive interval in seconds (1–65535).
    #[must_use]
    pub const fn keep_alive(mut self, seconds: u16) -> Self {
        self.keep_alive = seconds;
        self
    }

    /// Sets user name and password (either may be empty).
    #[must_use]
    pub const fn credentials(mut self, user: User<'a>, password: Password<'a>) -> Self {
        self.user = user;
        self.password = password;
        self
    }

    /// Sets the clean-session flag.
    #[must_use]
    pub const fn clean_session(mut self, clean: bool) -> Self {
        self.clean_session = Bit(clean);
        self
    }

    /// User name.
    pub const fn user(&self) -> User<'a> {
        self.user
    }
    /// Password (its `Debug`/`Display` are masked).
    pub const fn password(&self) -> Password<'a> {
        self.password
    }

    /// Checks the numeric ranges.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_range(self.port.into(), Field::Port, 1, 65535)?;
        check_range(self.keep_alive.into(), Field::KeepAlive, 1, 65535)
    }
}

impl<'a> From<Configure7<'a>> for Configure<'a> {
    /// The same configuration in the 9-parameter form (empty version, no encryption).
    fn from(c: Configure7<'a>) -> Self {
        Configure::new(c.host, c.port, c.client_id)
            .keep_alive(c.keep_alive)
            .credentials(c.user, c.password)
            .clean_session(c.clean_session.0)
    }
}

impl Command for Configure7<'_> {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.validate()?;
        let params = params(&Configure::from(*self));
        let seven = params.get(..7).unwrap_or_default();
        write_line(buf, Field::Host, b"AT+MQTTCFG=", seven)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// `AT+MQTTCFG?`: read the configuration back (spec §2.1). Answer:
/// [`ConfigResponse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, AtatCmd)]
#[at_cmd(
    "+MQTTCFG?",
    ConfigResponse,
    parse = ConfigResponse::parse,
    value_sep = false,
    timeout_ms = 5000,
    termination = "\r\n"
)]
pub struct QueryConfig;

impl Command for QueryConfig {
    fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        write_bare(b"AT+MQTTCFG?", Field::Host, buf)
    }

    fn timeout_ms(&self, _ack_timeout_s: u16) -> u32 {
        LOCAL_TIMEOUT_MS
    }
}

/// The configuration the module reports (the password is masked by the module and
/// not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigInfo {
    /// Broker host.
    pub host: heapless::String<MAX_SHORT>,
    /// Broker port.
    pub port: u16,
    /// Client id.
    pub client_id: heapless::String<MAX_SHORT>,
    /// Keep-alive in seconds.
    pub keep_alive: u16,
    /// User name.
    pub user: heapless::String<MAX_SHORT>,
    /// Clean-session flag.
    pub clean_session: bool,
    /// Version string.
    pub version: heapless::String<MAX_SHORT>,
    /// Encryption flag.
    pub encrypt: bool,
}

/// The answer to `AT+MQTTCFG?`.
#[derive(Debug, Clone, PartialEq, Eq)]
// Owned strings sized by the spec; one value per answer, never stored in bulk.
#[allow(clippy::large_enum_variant)]
pub enum ConfigResponse {
    /// A client is configured.
    Configured(ConfigInfo),
    /// No client exists (host field `(null)`, spec §2.1, T-46).
    NoClient,
}

impl atat::AtatResp for ConfigResponse {}

fn owned(s: &str) -> Result<heapless::String<MAX_SHORT>, Error> {
    heapless::String::try_from(s).map_err(|_| Error::Overflow)
}

impl ConfigResponse {
    /// Builds the answer from one decoded `+MQTTCFG:` line.
    pub fn from_cfg_line(l: &CfgLine<'_>) -> Result<Self, Error> {
        Ok(Self::Configured(ConfigInfo {
            host: owned(l.host)?,
            port: l.port,
            client_id: owned(l.client_id)?,
            keep_alive: l.keep_alive,
            user: owned(l.user)?,
            clean_session: l.clean_session,
            version: owned(l.version)?,
            encrypt: l.encrypt,
        }))
    }

    /// Picks the `+MQTTCFG:` line out of decoded lines; other lines are ignored.
    pub fn from_lines<'l>(lines: impl IntoIterator<Item = Line<'l>>) -> Result<Self, Error> {
        for line in lines {
            match line {
                Line::Cfg(c) => return Self::from_cfg_line(&c),
                Line::CfgNoClient => return Ok(Self::NoClient),
                _ => {}
            }
        }
        Err(Error::UnexpectedResponse)
    }

    /// Parses a response body (the lines before the final `OK`).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        Self::from_lines(decode_lines(body))
    }
}
