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

/// Where the modem's MQTT client connects, and as whom: mosquitto's spelling
/// (`-h`, `-p`, `-L`, `-i`, `-I`, `-u`, `-P`, `-k`, `-c`).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Broker")]
pub struct BrokerOpts {
    /// Broker host name or IP address, as the modem should reach it (default
    /// `localhost`). `ml302 sim` routes every connection to its own broker and
    /// ignores it (unless `--honour-host`).
    #[arg(short = 'h', long, value_name = "HOST")]
    pub host: Option<String>,

    /// Broker TCP port (default 1883).
    #[arg(short = 'p', long, value_name = "PORT",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// User, password, host, port and topic as one URL:
    /// `mqtt://[USER[:PASS]@]HOST[:PORT]/TOPIC`.
    #[arg(short = 'L', long = "url", value_name = "URL",
          conflicts_with_all = ["host", "port", "username"])]
    pub url: Option<String>,

    /// MQTT client id (default: `ml302-<subcommand>-<process id>`).
    #[arg(
        short = 'i',
        long = "id",
        value_name = "ID",
        conflicts_with = "id_prefix"
    )]
    pub id: Option<String>,

    /// Client id prefix: the id is PREFIX followed by the process id.
    #[arg(short = 'I', long = "id-prefix", value_name = "PREFIX")]
    pub id_prefix: Option<String>,

    /// User name.
    #[arg(short = 'u', long = "username", value_name = "USER")]
    pub username: Option<String>,

    /// Password (needs a user name). Never printed; `-d` masks it in the AT log.
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

    /// Clean session off: the broker keeps the session (subscriptions, queued
    /// messages) after a disconnect. Needs `-i`.
    #[arg(short = 'c', long = "disable-clean-session")]
    pub no_clean: bool,

    /// TLS on the modem's own socket (AT+MQTTCFG `<encrypt>`=1). The modem
    /// checks the broker against the certificates built into it: no CA file,
    /// certificate or key on this host takes part, so mosquitto's `--cafile`,
    /// `--cert` and `--key` have no counterpart here.
    #[arg(long)]
    pub tls: bool,

    /// With `--tls`: the platform version string the module requires with
    /// encryption (AT+MQTTCFG `<version>`, spec §2.1), for example OneNET's.
    #[arg(long, value_name = "VERSION", default_value = "2018-10-31")]
    pub tls_version: String,
}

/// A broker connection with the options and the `-L` URL resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Client id.
    pub id: String,
    /// User name, if any.
    pub username: Option<String>,
    /// Password, if any.
    pub pw: Option<String>,
    /// Keep-alive in seconds.
    pub keepalive: u16,
    /// Clean session.
    pub clean: bool,
    /// TLS on the modem's socket, with this `<version>` string.
    pub tls: Option<String>,
}

impl Broker {
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

/// What a `-L` URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttUrl {
    /// User name, if any.
    pub username: Option<String>,
    /// Password, if any.
    pub pw: Option<String>,
    /// Host.
    pub host: String,
    /// Port (1883 when the URL has none).
    pub port: u16,
    /// Topic (the path without its leading `/`).
    pub topic: String,
}

/// Parses `mqtt://[USER[:PASS]@]HOST[:PORT]/TOPIC`; `mqtts://` is refused
/// (TLS is `--tls`, on the modem's socket with its own certificates).
pub fn parse_url(url: &str) -> CliResult<MqttUrl> {
    let bad = |why: &str| CliError::usage(format!("-L {url}: {why}"));
    let rest = if let Some(r) = url.strip_prefix("mqtt://") {
        r
    } else if url.starts_with("mqtts://") {
        return Err(bad(
            "mqtts:// needs TLS: give mqtt:// with --tls (the modem checks the broker with its own certificates)",
        ));
    } else {
        return Err(bad("the URL must start with mqtt://"));
    };
    let (authority, topic) = rest
        .split_once('/')
        .ok_or_else(|| bad("no topic: the form is mqtt://[user[:pass]@]host[:port]/topic"))?;
    if topic.is_empty() {
        return Err(bad(
            "no topic: the form is mqtt://[user[:pass]@]host[:port]/topic",
        ));
    }
    let (auth, hostport) = match authority.rsplit_once('@') {
        Some((a, h)) => (Some(a), h),
        None => (None, authority),
    };
    let (username, pw) = match auth {
        None => (None, None),
        Some(a) => match a.split_once(':') {
            Some((u, p)) => (Some(u.to_owned()), Some(p.to_owned())),
            None => (Some(a.to_owned()), None),
        },
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse::<u16>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| bad("the port must be a number from 1 to 65535"))?,
        ),
        None => (hostport, 1883),
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok(MqttUrl {
        username,
        pw,
        host: host.to_owned(),
        port,
        topic: topic.to_owned(),
    })
}

impl BrokerOpts {
    /// The `-L` URL, parsed, if one was given.
    pub fn parsed_url(&self) -> CliResult<Option<MqttUrl>> {
        self.url.as_deref().map(parse_url).transpose()
    }

    /// The connection to make: the options, with what `-L` names, and the client
    /// id (`-i`, `-I PREFIX` + process id, or `ml302-<role>-<pid>`).
    pub fn resolve(&self, role: &str) -> CliResult<Broker> {
        if self.no_clean && self.id.is_none() {
            return Err(CliError::usage(
                "-c (clean session off) needs a client id: give one with -i",
            ));
        }
        let url = self.parsed_url()?;
        let pid = std::process::id();
        let id = match (&self.id, &self.id_prefix) {
            (Some(id), _) => id.clone(),
            (None, Some(prefix)) => format!("{prefix}{pid}"),
            (None, None) => format!("ml302-{role}-{pid}"),
        };
        let (host, port, username, url_pw) = match url {
            Some(u) => (u.host, u.port, u.username, u.pw),
            None => (
                self.host.clone().unwrap_or_else(|| "localhost".to_owned()),
                self.port.unwrap_or(1883),
                self.username.clone(),
                None,
            ),
        };
        let broker = Broker {
            host,
            port,
            id,
            username,
            pw: url_pw.or_else(|| self.pw.clone()),
            keepalive: self.keepalive,
            clean: !self.no_clean,
            tls: self.tls.then(|| self.tls_version.clone()),
        };
        broker.check()?;
        Ok(broker)
    }
}

/// mosquitto options that cannot mean anything over the modem: accepted by the
/// parser only to be refused with the reason.
#[derive(Debug, Clone, Args)]
pub struct Unsupported {
    /// `-A`: bind address.
    #[arg(short = 'A', value_name = "ADDR", hide = true)]
    bind: Option<String>,
    /// `--unix`: Unix socket.
    #[arg(long, value_name = "PATH", hide = true)]
    unix: Option<String>,
    /// `--nodelay`: Nagle off.
    #[arg(long, hide = true)]
    nodelay: bool,
    /// `-x`: MQTT 5 session expiry.
    #[arg(
        short = 'x',
        value_name = "SECS",
        hide = true,
        allow_hyphen_values = true
    )]
    session_expiry: Option<String>,
    /// `-V`: protocol version.
    #[arg(short = 'V', value_name = "VERSION", hide = true)]
    protocol: Option<String>,
    /// `-D`: MQTT 5 properties.
    #[arg(short = 'D', num_args = 3, value_name = "PROPERTY", hide = true)]
    property: Vec<String>,
    /// `--proxy`: SOCKS proxy.
    #[arg(long, value_name = "URL", hide = true)]
    proxy: Option<String>,
}

impl Unsupported {
    /// Refuses the first such option given, saying why (exit code 2).
    pub fn check(&self) -> CliResult {
        let why = if self.bind.is_some() {
            Some("-A: the modem opens the connection from its own LTE interface; no bind address can be chosen")
        } else if self.unix.is_some() {
            Some("--unix: the modem reaches brokers over TCP only")
        } else if self.nodelay {
            Some("--nodelay: the modem's TCP stack has no such setting")
        } else if self.session_expiry.is_some() {
            Some("-x: session expiry is MQTT 5; the modem speaks MQTT 3.1.1")
        } else if self
            .protocol
            .as_deref()
            .is_some_and(|v| !matches!(v, "mqttv311" | "311"))
        {
            Some("-V: the modem speaks MQTT 3.1.1 only (-V mqttv311)")
        } else if !self.property.is_empty() {
            Some("-D: properties are MQTT 5; the modem speaks MQTT 3.1.1")
        } else if self.proxy.is_some() {
            Some("--proxy: the modem cannot reach a broker through a SOCKS proxy")
        } else {
            None
        };
        why.map_or(Ok(()), |w| Err(CliError::usage(w)))
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
