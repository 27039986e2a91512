//! Options shared by several subcommands: the serial device, the broker, the will.

use clap::Args;

use crate::error::{CliError, CliResult};

/// Default baud rate of the modem's UART.
pub const DEFAULT_BAUD: u32 = 115_200;

/// The message printed when a subcommand needs a device and none was given.
pub const NO_DEVICE: &str =
    "no device: pass --device or set ML302_DEVICE, or use `ml302 sim` to get one";

/// Which serial device the modem is on.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Device")]
pub struct DeviceOpts {
    /// Serial device of the modem (a USB-serial port, or the PTY `ml302 sim` prints).
    #[arg(long, value_name = "PATH", env = "ML302_DEVICE")]
    pub device: Option<String>,

    /// Baud rate of the serial device.
    #[arg(long, value_name = "N", env = "ML302_BAUD", default_value_t = DEFAULT_BAUD)]
    pub baud: u32,
}

impl DeviceOpts {
    /// The device path, or the "no device" error (exit code 3).
    pub fn require(&self) -> CliResult<&str> {
        self.device
            .as_deref()
            .filter(|d| !d.is_empty())
            .ok_or_else(|| CliError::device(NO_DEVICE))
    }
}

/// Where the modem's MQTT client connects, and as whom.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Broker")]
pub struct BrokerOpts {
    /// Broker host name or IP address, as the modem should reach it. `ml302 sim`
    /// routes every connection to its own broker and ignores it (unless
    /// `--honour-host`).
    #[arg(long, value_name = "HOST", default_value = "localhost")]
    pub host: String,

    /// Broker TCP port.
    #[arg(short = 'p', long, value_name = "PORT", default_value_t = 1883,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,

    /// MQTT client id (default: `ml302-<subcommand>-<process id>`).
    #[arg(short = 'i', long = "id", value_name = "ID")]
    pub id: Option<String>,

    /// User name.
    #[arg(short = 'u', long = "username", value_name = "USER")]
    pub username: Option<String>,

    /// Password (needs --username). Never printed; `-d` masks it in the AT log.
    #[arg(
        short = 'P',
        long = "pw",
        visible_alias = "password",
        value_name = "PASS",
        env = "ML302_PASSWORD",
        hide_env_values = true
    )]
    pub pw: Option<String>,

    /// Keep-alive interval in seconds.
    #[arg(short = 'k', long = "keepalive", value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub keepalive: u16,
}

impl BrokerOpts {
    /// The client id to use: `--id`, or `ml302-<role>-<pid>`.
    pub fn client_id(&self, role: &str) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("ml302-{role}-{}", std::process::id()))
    }

    /// Checks that a password comes with a user name.
    pub fn check(&self) -> CliResult {
        if self.pw.as_deref().is_some_and(|p| !p.is_empty())
            && self.username.as_deref().is_none_or(str::is_empty)
        {
            return Err(CliError::usage("a password (-P) needs a user name (-u)"));
        }
        Ok(())
    }
}

/// The will the broker publishes if the modem's link dies abnormally.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Will")]
pub struct WillOpts {
    /// Will topic (enables the will).
    #[arg(long, value_name = "TOPIC")]
    pub will_topic: Option<String>,

    /// Will message (printable ASCII).
    #[arg(long, value_name = "MSG", default_value = "", requires = "will_topic")]
    pub will_payload: String,

    /// QoS of the will (0, 1 or 2).
    #[arg(long, value_name = "QOS", default_value_t = 0, requires = "will_topic",
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub will_qos: u8,

    /// Let the broker retain the will.
    #[arg(long, requires = "will_topic")]
    pub will_retain: bool,
}

impl WillOpts {
    /// The will, if a topic was given.
    pub fn will(&self) -> Option<ml302::Will<'_>> {
        self.will_topic.as_deref().map(|topic| ml302::Will {
            topic,
            message: &self.will_payload,
            qos: qos(self.will_qos),
            retain: self.will_retain,
        })
    }
}

/// A QoS from a number clap has already checked to be 0–2.
pub fn qos(n: u8) -> ml302::QoS {
    ml302::QoS::from_u8(n).unwrap_or(ml302::QoS::AtMostOnce)
}

/// Parser for `-q`: 0, 1 or 2.
pub fn qos_parser() -> clap::builder::RangedI64ValueParser<u8> {
    clap::value_parser!(u8).range(0..=2)
}
