//! Configuration of the simulated module, and the values the public API exchanges.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// How the `+XXX:` prefixes of the module's lines are spelled (spec §1.3, §5.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Spelling {
    /// The spec's §5.9 default, line by line as the manual's chapter 2 prints them:
    /// `+MQTTPUBLISH: 0,1,0,1,"t",3,abc`, `+MQTTPINGRSP: OK`, `+MQTTDISC: OK`, but
    /// `+MQTTOPEN:OK` and ACK lines without a space.
    #[default]
    Manual,
    /// Chapter 3 of the manual: no space after any colon, `+MQTTPINGRESP:OK`, and the
    /// topic of `+MQTTPUBLISH` unquoted.
    Chapter3,
}

/// Alternative behaviours of sister modules and other firmware that the driver must
/// survive (spec §5.9, last sentence). All off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quirks {
    /// Print `OK` as soon as a blocking command is accepted and its ACK lines
    /// (`+MQTTOPEN:OK`, `+MQTTSUBACK:…`, …) later, as NB-IoT sister modules do. A failure
    /// after that `OK` shows only as `+MQTTOPEN:FAIL` / `+MQTTTO: <n>`.
    pub ok_before_ack: bool,
    /// Answer `AT+MQTTSTAT?` with the M5311 numbering (0 uninitialised, 1 configured,
    /// 2 disconnected, 3 CONNECT sent, 4 reconnecting, 5 connected, 6 socket connecting).
    pub m5311_stat: bool,
    /// Print the `+MQTTPUBLISH` payload on its own line (`…,"t",5\r\nhello\r\n`), as
    /// older firmware does.
    pub payload_own_line: bool,
}

/// Which MQTT AT command set the module speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// The spec's: `AT+MQTTCFG`, `AT+MQTTOPEN`, … (the default).
    #[default]
    Ml302,
    /// Firmware builds with `AT+MMQTTCON`, `AT+MMQTTPUB`, `AT+MMQTTSUB`, … instead.
    Mmqtt,
    /// UNISOC's set: `AT+MQTTCONN`, `AT+MQTTSUBUNSUB`, `AT+MQTTPUB`,
    /// `AT+MQTTDISCONN`.
    Unisoc,
}

impl Dialect {
    /// The extended commands (names after `AT+`) this dialect has for MQTT.
    pub(crate) fn mqtt_commands(self) -> &'static [&'static str] {
        match self {
            Dialect::Ml302 => &[
                "MQTTCFG",
                "MQTTOPEN",
                "MQTTSTAT",
                "MQTTSUB",
                "MQTTUNSUB",
                "MQTTPUB",
                "MQTTDISC",
                "MQTTDEL",
                "MQTTPING",
                "MQTTREC",
                "MQTTTO",
            ],
            Dialect::Mmqtt => &[
                "MMQTTCFG",
                "MMQTTCON",
                "MMQTTDISCON",
                "MMQTTSUB",
                "MMQTTUNSUB",
                "MMQTTPUB",
            ],
            Dialect::Unisoc => &["MQTTCONN", "MQTTSUBUNSUB", "MQTTPUB", "MQTTDISCONN"],
        }
    }
}

/// Which broker the module's MQTT client talks to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BrokerMode {
    /// Start an in-process broker on a free loopback port and send every connection
    /// there, whatever host and port `AT+MQTTCFG` names.
    #[default]
    InProcess,
    /// Connect to the host and port that `AT+MQTTCFG` names.
    Honour,
    /// Connect to this address, whatever `AT+MQTTCFG` names.
    Fixed(SocketAddr),
}

/// The serial side: where the module reads AT commands and writes its answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// Create a pseudo-terminal; its slave (`/dev/pts/N`, see
    /// [`Simulator::device_path`](crate::Simulator::device_path)) is the module's UART.
    Pty,
    /// Serve on an existing serial device (or any character device / FIFO pair end).
    Device(PathBuf),
    /// Connect to a TCP server (for example QEMU's `-serial tcp:…,server`) and serve
    /// on that connection; reconnects when it closes.
    TcpConnect(SocketAddr),
    /// Listen on this address (port 0 = a free port, see
    /// [`Simulator::serial_addr`](crate::Simulator::serial_addr)) and serve one
    /// client at a time.
    TcpListen(SocketAddr),
}

/// The SIM card in the module at power-up (`AT+CPIN?`, NETWORK.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SimCard {
    /// Inserted and unlocked: `+CPIN: READY`.
    #[default]
    Ready,
    /// No SIM: `AT+CPIN?` answers `+CME ERROR: 10`; the module never registers.
    Absent,
    /// Locked until `AT+CPIN="<pin>"` gives this PIN: `+CPIN: SIM PIN`.
    Pin(String),
}

/// What the network answers once the registration delay is over (`<stat>` of
/// `+CEREG`, NETWORK.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Registration {
    /// Registered on the home network (1).
    #[default]
    Home,
    /// Registered, roaming (5).
    Roaming,
    /// Registration denied (3): the module never attaches.
    Denied,
    /// Searching forever (2).
    Searching,
}

/// Which kind of output a byte-level fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The next unsolicited line (for `+MQTTPUBLISH`, its header).
    Urc,
    /// The next solicited output: information line, ACK line, prompt or final result.
    Response,
    /// The payload bytes of the next `+MQTTPUBLISH`.
    Payload,
}

/// A fault injected at run time with [`Simulator::inject`](crate::Simulator::inject).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Drop one byte (position drawn from the seed) of the next output of this kind.
    DropByte(Target),
    /// Replace one byte (position and value drawn from the seed) of the next output
    /// of this kind.
    CorruptByte(Target),
    /// Ignore the next ACK the broker sends (CONNACK, SUBACK, UNSUBACK, PUBACK,
    /// PUBREC, PUBCOMP): the command runs into its time-out (`+MQTTTO: <n>`).
    /// ACK faults queue up: each one applies to the next ACK not yet affected.
    WithholdAck,
    /// Act on the next ACK from the broker only after this delay (queued like
    /// [`Fault::WithholdAck`]).
    DelayAck(Duration),
    /// Close the module's TCP connection to the broker abruptly (no DISCONNECT), as a
    /// network loss would: the broker publishes the will, the module reconnects.
    CutLink,
    /// Restart the in-process broker: every connection is dropped, the listener is
    /// closed and opened again on the same port. Ignored for other broker modes.
    RestartBroker,
    /// Answer the next command line with `+CME ERROR: <n>` instead of executing it.
    CmeError(u16),
    /// Power-cycle the module: all state is lost, the broker link is dropped without
    /// DISCONNECT, nothing is answered for [`SimConfig::boot_time`]; then the boot
    /// lines (`RDY`, `+CPIN: <state>`) or the boot banner, if one is set, are printed.
    Reboot,
    /// Send this many random bytes (drawn from the seed) on the serial line now.
    Garbage(usize),
    /// Send these bytes on the serial line now, as they are.
    Raw(Vec<u8>),
    /// The module loses the network for this long (`<stat>` 2, searching): the PDP
    /// context goes down with it (`+CGEV: NW PDN DEACT 1`) and the MQTT link drops.
    /// Then it registers again, and in automatic PDP mode activates the context.
    RegistrationLost(Duration),
    /// The network deactivates the PDP context (`+CGEV: NW PDN DEACT 1`): the MQTT
    /// link drops with it, and the context stays down until `AT+CGACT=1,1` (or a
    /// radio or module restart in automatic mode).
    PdpDeactivated,
    /// The SIM card is pulled out: `+CPIN: NOT READY`, registration and the PDP
    /// context are lost, the MQTT link drops; `AT+CPIN?` answers `+CME ERROR: 10`.
    /// A reboot finds the SIM again as configured.
    SimRemoved,
    /// The module drops off the network and stops searching (`<stat>` 0, not
    /// registered and not searching), as modules do after a long loss of coverage:
    /// the PDP context and the MQTT link go with it, and neither re-activating the
    /// context nor waiting helps; a radio off and on (`AT+CFUN=0`, `AT+CFUN=1`) or
    /// a reboot makes it search and register again.
    RegistrationStuck,
}

/// One entry of the log of what the module received
/// ([`Simulator::received_lines`](crate::Simulator::received_lines)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A command line, raw bytes without its terminator.
    Line(Vec<u8>),
    /// The raw bytes given after a `>` prompt in length mode.
    Payload(Vec<u8>),
}

/// A realistic broker round trip for an LTE Cat.1 module, in milliseconds: the
/// radio's own round trip (tens of milliseconds once connected) plus a path across
/// the internet to a cloud broker. `ml302 sim --round-trip` and the throughput
/// example default to it; [`SimConfig`] itself defaults to none.
pub const LTE_ROUND_TRIP_MS: u64 = 60;

/// Settings of a simulated module. Start from [`SimConfig::default`] and chain the
/// builder methods.
///
/// ```
/// use std::time::Duration;
/// use ml302_sim::{SimConfig, Spelling};
/// let cfg = SimConfig::default()
///     .echo(false)
///     .spelling(Spelling::Chapter3)
///     .reconnect_interval(Duration::from_millis(200));
/// assert!(!cfg.echo_enabled());
/// ```
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub(crate) echo: bool,
    pub(crate) cmee: u8,
    pub(crate) spelling: Spelling,
    pub(crate) quirks: Quirks,
    pub(crate) pacing_baud: Option<u32>,
    pub(crate) bursts: Option<u64>,
    pub(crate) seed: u64,
    pub(crate) broker: BrokerMode,
    pub(crate) users: Vec<(String, String)>,
    pub(crate) reconnect_interval: Duration,
    pub(crate) module_second: Duration,
    pub(crate) final_linger: Duration,
    pub(crate) broker_round_trip: Duration,
    pub(crate) lf_grace: Duration,
    pub(crate) payload_timeout: Duration,
    pub(crate) boot_time: Duration,
    pub(crate) boot_banner: Option<String>,
    pub(crate) max_line: usize,
    pub(crate) sim: SimCard,
    pub(crate) registration: Registration,
    pub(crate) registration_delay: Duration,
    pub(crate) auto_pdp: bool,
    pub(crate) apn: String,
    pub(crate) signal: (u8, u8),
    pub(crate) ca: Option<PathBuf>,
    pub(crate) dialect: Dialect,
    pub(crate) broker_tls: Option<(PathBuf, PathBuf)>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            echo: true,
            cmee: 0,
            spelling: Spelling::Manual,
            quirks: Quirks::default(),
            pacing_baud: None,
            bursts: None,
            seed: 0x004d_4c33_3032,
            broker: BrokerMode::InProcess,
            users: Vec::new(),
            reconnect_interval: Duration::from_secs(8),
            module_second: Duration::from_secs(1),
            final_linger: Duration::ZERO,
            broker_round_trip: Duration::ZERO,
            lf_grace: Duration::from_millis(100),
            payload_timeout: Duration::from_secs(20),
            boot_time: Duration::from_millis(500),
            boot_banner: None,
            max_line: 1024,
            sim: SimCard::Ready,
            registration: Registration::Home,
            registration_delay: Duration::ZERO,
            auto_pdp: true,
            apn: "CMIOT".to_owned(),
            signal: (31, 99),
            ca: None,
            dialect: Dialect::Ml302,
            broker_tls: None,
        }
    }
}

impl SimConfig {
    /// Echo at power-up (`ATE1`); default on, as a real module.
    pub fn echo(mut self, on: bool) -> Self {
        self.echo = on;
        self
    }

    /// Whether echo is on at power-up.
    pub fn echo_enabled(&self) -> bool {
        self.echo
    }

    /// `AT+CMEE` value at power-up: 0 (default) answers failures with plain `ERROR`,
    /// 1 with `+CME ERROR: <n>`.
    pub fn cmee(mut self, mode: u8) -> Self {
        self.cmee = mode.min(1);
        self
    }

    /// How `+XXX:` prefixes are spelled.
    pub fn spelling(mut self, spelling: Spelling) -> Self {
        self.spelling = spelling;
        self
    }

    /// Alternative behaviours of other firmware.
    pub fn quirks(mut self, quirks: Quirks) -> Self {
        self.quirks = quirks;
        self
    }

    /// Pace the line at this baud rate (10 bits per byte), both ways: the module
    /// writes no faster, and takes the host's bytes off the line no faster;
    /// `None` (the default) moves bytes as fast as the transport does.
    pub fn pacing_baud(mut self, baud: Option<u32>) -> Self {
        self.pacing_baud = baud.filter(|b| *b > 0);
        self
    }

    /// Pace the line at 115200 baud, the module's usual UART speed.
    pub fn paced(self) -> Self {
        self.pacing_baud(Some(115_200))
    }

    /// Split the module's output into random bursts with short random gaps, drawn
    /// from this seed.
    pub fn bursts(mut self, seed: u64) -> Self {
        self.bursts = Some(seed);
        self
    }

    /// Seed for the byte positions and values of injected faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Which broker to talk to; default [`BrokerMode::InProcess`].
    pub fn broker(mut self, mode: BrokerMode) -> Self {
        self.broker = mode;
        self
    }

    /// User names and passwords the in-process broker accepts; empty (the default)
    /// means no authentication.
    pub fn users(mut self, users: &[(&str, &str)]) -> Self {
        self.users = users
            .iter()
            .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
            .collect();
        self
    }

    /// Time between automatic reconnect attempts; default 8 s (spec §5.6).
    pub fn reconnect_interval(mut self, interval: Duration) -> Self {
        self.reconnect_interval = interval;
        self
    }

    /// How long one second of the module's own timers lasts (`AT+MQTTTO` time-outs,
    /// keep-alive pings, the 20 s TCP connect limit); default 1 s. Tests shorten it.
    pub fn module_second(mut self, second: Duration) -> Self {
        self.module_second = second.max(Duration::from_millis(1));
        self
    }

    /// How long the module waits after the last ACK of a command before its final
    /// `OK`, printing URCs that arrive meanwhile (manual example 3.2 shows a
    /// `+MQTTPUBLISH` there); default 0.
    pub fn final_linger(mut self, linger: Duration) -> Self {
        self.final_linger = linger;
        self
    }

    /// The broker round trip: how long each ACK from the broker (CONNACK,
    /// SUBACK, UNSUBACK, PUBACK, PUBREC, PUBCOMP) is held before the module acts
    /// on it, on top of the real link's; default 0 (as fast as the broker
    /// answers). A QoS 1 publish waits one round trip, QoS 2 two. `ml302 sim
    /// --round-trip` defaults to a realistic LTE figure.
    pub fn broker_round_trip(mut self, round_trip: Duration) -> Self {
        self.broker_round_trip = round_trip;
        self
    }

    /// After a length-mode `AT+MQTTPUB` line ended by CR, how long to wait for the LF
    /// before printing the `>` prompt anyway; default 100 ms.
    pub fn lf_grace(mut self, grace: Duration) -> Self {
        self.lf_grace = grace;
        self
    }

    /// How long length mode waits for the announced bytes before giving up with
    /// `+CME ERROR: 601`; default 20 s.
    pub fn payload_timeout(mut self, timeout: Duration) -> Self {
        self.payload_timeout = timeout;
        self
    }

    /// How long a reboot keeps the module silent; default 500 ms.
    pub fn boot_time(mut self, time: Duration) -> Self {
        self.boot_time = time;
        self
    }

    /// A line printed when the module has booted (after start and after a reboot),
    /// in place of the boot lines `RDY` and `+CPIN: <state>` that a reboot prints
    /// otherwise; default none.
    pub fn boot_banner(mut self, banner: Option<&str>) -> Self {
        self.boot_banner = banner.map(str::to_owned);
        self
    }

    /// Longest command line accepted, terminator (CR LF) included; default 1024.
    pub fn max_line(mut self, len: usize) -> Self {
        self.max_line = len.max(8);
        self
    }

    /// The SIM card at power-up; default [`SimCard::Ready`].
    pub fn sim(mut self, sim: SimCard) -> Self {
        self.sim = sim;
        self
    }

    /// What the network answers once the registration delay is over; default
    /// [`Registration::Home`].
    pub fn registration(mut self, registration: Registration) -> Self {
        self.registration = registration;
        self
    }

    /// How long the module searches (`<stat>` 2) after power-up, `AT+CFUN=1`, a
    /// reboot or a lost registration before the network answers; default zero, so
    /// that the module is registered, with its PDP context up, when it answers its
    /// first command.
    pub fn registration_delay(mut self, delay: Duration) -> Self {
        self.registration_delay = delay;
        self
    }

    /// `AT+VERCTRL` at power-up: `true` (default) activates the default PDP context
    /// on registration; `false` leaves `AT+CGDCONT`, `AT+CGATT=1` and `AT+CGACT=1,1`
    /// to the host.
    pub fn auto_pdp(mut self, auto: bool) -> Self {
        self.auto_pdp = auto;
        self
    }

    /// The APN of the context automatic mode defines; default `CMIOT`.
    pub fn apn(mut self, apn: &str) -> Self {
        self.apn = apn.to_owned();
        self
    }

    /// `AT+CSQ` while registered: rssi (0–31, 99) and ber (0–7, 99); default 31,99.
    pub fn signal(mut self, rssi: u8, ber: u8) -> Self {
        self.signal = (rssi, ber);
        self
    }

    /// The CA certificates (a PEM file) the module trusts for `<encrypt>`=1,
    /// standing for the certificates built into a real module (it has no command
    /// to load any). The broker's certificate must chain to one of them and name
    /// the host of `AT+MQTTCFG`, or `AT+MQTTOPEN` fails with `+CME ERROR: 603`.
    /// Default none: every TLS handshake fails. [`Simulator::start`] reads the
    /// file and fails if it holds no certificate.
    ///
    /// [`Simulator::start`]: crate::Simulator::start
    pub fn ca_file(mut self, path: Option<&std::path::Path>) -> Self {
        self.ca = path.map(std::path::Path::to_path_buf);
        self
    }

    /// Give the in-process broker a TLS listener too, with this certificate
    /// chain and private key (PEM files): with [`BrokerMode::InProcess`], a
    /// connection with `<encrypt>`=1 goes there (and must trust its chain, see
    /// [`SimConfig::ca_file`]). Default none: such a connection meets the plain
    /// listener and fails its handshake (603).
    pub fn broker_tls(mut self, cert_chain: &std::path::Path, key: &std::path::Path) -> Self {
        self.broker_tls = Some((cert_chain.to_path_buf(), key.to_path_buf()));
        self
    }

    /// The MQTT AT command set the module speaks; default [`Dialect::Ml302`].
    /// Another one is played as far as a driver's start-up sees it (see the
    /// crate docs).
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }
}
