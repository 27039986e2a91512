//! Opening the modem and bringing an MQTT session up, with failures mapped to
//! the tool's exit codes.

use std::sync::Arc;
use std::time::Instant;

use ml302::blocking::Client;
use ml302::serial::{SerialError, SerialPort};
use ml302::{MqttConfig, NetworkConfig, NetworkInfo, StdClock, Will};

use crate::error::{CliError, CliResult};
use crate::opts::Broker;
use crate::tap::{Counters, Sink, Tap};

/// Payload buffer: incoming messages up to this size are kept, and a publish may
/// use the whole length-mode range the module takes (`2048 − 7 − topic length`
/// bytes, spec §1.3), which this buffer exceeds; other publishers may send
/// more than that.
pub const PAYLOAD: usize = 4096;
/// How many incoming messages may wait in the inbox.
pub const QUEUE: usize = 16;

/// The client the tool drives: the blocking client over the logging tap over the
/// serial adapter.
pub type ModemClient = Client<Tap<SerialPort>, StdClock, 512, PAYLOAD, QUEUE, 8>;

/// An open modem.
pub struct Modem {
    /// The client (boxed: its buffers are large).
    pub client: Box<ModemClient>,
    /// The device path, for messages.
    pub path: String,
    /// Bytes exchanged so far.
    pub counters: Arc<Counters>,
}

/// Opens the serial device. A missing device, a busy one, or one that is not a
/// terminal is a device error (exit code 3) naming the path.
pub fn open_port(path: &str, baud: u32) -> CliResult<SerialPort> {
    SerialPort::open(path, baud).map_err(|e| match e {
        SerialError::NotFound { path } => CliError::device(format!("{path}: no such device")),
        SerialError::Open { path, reason } => {
            CliError::device(format!("{path}: {}", open_reason(&reason)))
        }
    })
}

/// A clearer word for the usual reasons `open` fails.
fn open_reason(reason: &str) -> String {
    let lower = reason.to_ascii_lowercase();
    if lower.contains("busy") || lower.contains("exclusive") {
        format!("device busy, another program has it open ({reason})")
    } else if lower.contains("typewriter") || lower.contains("inappropriate ioctl") {
        format!("not a serial device ({reason})")
    } else if lower.contains("permission") {
        format!("permission denied (are you in the dialout group?) ({reason})")
    } else {
        reason.to_owned()
    }
}

impl Modem {
    /// Opens `path` and wraps it in a client; with `log`, the AT exchange is
    /// printed there (timed from `start`).
    pub fn open(path: &str, baud: u32, log: Option<Sink>, start: Instant) -> CliResult<Self> {
        let port = open_port(path, baud)?;
        let tap = Tap::new(port, log, start);
        let counters = tap.counters();
        Ok(Self {
            client: Box::new(Client::new(tap, StdClock::new())),
            path: path.to_owned(),
            counters,
        })
    }

    /// Maps a driver error met while doing `what`.
    pub fn err(&self, e: ml302::Error, what: &str) -> CliError {
        CliError::driver(e, &self.path, what)
    }

    /// Start-up (`AT` … `AT+MQTTDEL`). A modem that never answers `AT` is a
    /// time-out naming the device.
    pub fn start(&mut self) -> CliResult {
        self.client.start().map_err(|e| match e {
            ml302::Error::Timeout => CliError::timeout(format!(
                "{}: the modem does not answer AT (is it powered, and at this baud rate?)",
                self.path
            )),
            e => self.err(e, "start-up"),
        })
    }

    /// Configures the broker connection from the options.
    pub fn configure(&mut self, broker: &Broker) -> CliResult {
        let mut cfg = MqttConfig::new(&broker.host, broker.port, &broker.id)
            .with_keep_alive(broker.keepalive)
            .with_clean_session(broker.clean)
            .with_credentials(
                broker.username.as_deref().unwrap_or(""),
                broker.pw.as_deref().unwrap_or(""),
            );
        if let Some(version) = &broker.tls {
            cfg = cfg.with_encryption(version);
        }
        self.client
            .configure(&cfg)
            .map_err(|e| self.err(e, "configure"))
    }

    /// Connects to the broker.
    pub fn connect(&mut self, will: Option<&Will<'_>>) -> CliResult {
        self.client
            .connect(will)
            .map_err(|e| self.err(e, "connect"))
    }

    /// Brings the module onto the network (`bring_up`) as `cfg` says. A
    /// failure is mapped by [`crate::net::bring_up_error`].
    pub fn bring_up_network(&mut self, cfg: &NetworkConfig<'_>) -> CliResult<NetworkInfo> {
        self.client
            .bring_up(cfg)
            .map_err(|e| crate::net::bring_up_error(&e, &self.path))
    }

    /// MQTT start-up, configuration and connection in one go.
    pub fn open_session(&mut self, broker: &Broker, will: Option<&Will<'_>>) -> CliResult {
        broker.check()?;
        self.start()?;
        self.configure(broker)?;
        self.connect(will)
    }

    /// Disconnects; failures are reported but the link is gone either way.
    pub fn disconnect(&mut self) -> CliResult {
        self.client
            .disconnect()
            .map_err(|e| self.err(e, "disconnect"))
    }
}

/// Where `-d` sends the AT log: standard error.
pub fn debug_sink(debug: bool) -> Option<Sink> {
    debug.then(|| Box::new(std::io::stderr()) as Sink)
}
