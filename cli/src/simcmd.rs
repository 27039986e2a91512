//! `ml302 sim`: serve a simulated ML302 until Ctrl-C.

use std::io::{BufRead as _, Write as _};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use clap::Args;
use ml302_sim::{
    BrokerMode, Dialect, Fault, Registration, SimCard, SimConfig, Simulator, Spelling, Transport,
};

use crate::error::{CliError, CliResult};

/// Arguments of `ml302 sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Serve on this existing serial device (for example one end of a null-modem
    /// pair) instead of a new PTY. `ML302_DEVICE` is not read here.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["tcp_listen", "tcp_connect"])]
    pub device: Option<PathBuf>,

    /// Serve on a TCP socket: listen on ADDR (port 0 picks a free port) and serve
    /// one client at a time.
    #[arg(long, value_name = "ADDR", value_parser = parse_addr, conflicts_with = "tcp_connect")]
    pub tcp_listen: Option<SocketAddr>,

    /// Serve on a TCP socket: connect to ADDR (for example QEMU's
    /// `-serial tcp:127.0.0.1:PORT,server`); reconnects when it closes.
    #[arg(long, value_name = "ADDR", value_parser = parse_addr)]
    pub tcp_connect: Option<SocketAddr>,

    /// Send the module's MQTT connections to this external broker instead of
    /// starting one in-process (for example another `ml302 sim`'s broker).
    #[arg(long, value_name = "ADDR", value_parser = parse_addr, conflicts_with = "honour_host")]
    pub broker: Option<SocketAddr>,

    /// Connect to the host and port that AT+MQTTCFG names (no in-process broker).
    #[arg(long)]
    pub honour_host: bool,

    /// User name and password the in-process broker accepts (repeatable); without
    /// any, it accepts every client.
    #[arg(long = "user", value_name = "USER:PASS", value_parser = parse_user)]
    pub users: Vec<(String, String)>,

    /// Spell lines as the manual's chapter 3 does: no space after colons,
    /// `+MQTTPINGRESP:OK`, unquoted `+MQTTPUBLISH` topics.
    #[arg(long)]
    pub chapter3: bool,

    /// Pace the line at this baud rate (10 bits per byte), both ways: the module
    /// writes no faster and reads the host's bytes no faster.
    #[arg(long, value_name = "BAUD", value_parser = clap::value_parser!(u32).range(1..))]
    pub pace: Option<u32>,

    /// Broker round trip in milliseconds: how long each ACK from the broker
    /// (CONNACK, SUBACK, UNSUBACK, PUBACK, PUBREC, PUBCOMP) is held before the
    /// module acts on it. A QoS 1 publish waits one, QoS 2 two.
    #[arg(long, value_name = "MS", default_value_t = ml302_sim::LTE_ROUND_TRIP_MS)]
    pub round_trip: u64,

    /// Echo commands at power-up (ATE1), as a real module does; off by default so
    /// that `ml302 at` stays readable. The driver switches echo off anyway.
    #[arg(long)]
    pub echo: bool,

    /// The SIM card: `ready`, `absent`, or `pin:PIN` (locked until
    /// `AT+CPIN="PIN"`).
    #[arg(long, value_name = "STATE", value_parser = parse_sim, default_value = "ready")]
    pub sim: SimCard,

    /// What the network answers after the registration delay: `home`, `roaming`,
    /// `denied` or `searching` (forever).
    #[arg(long, value_name = "ANSWER", value_parser = parse_registration, default_value = "home")]
    pub registration: Registration,

    /// Seconds the module searches before the network answers (after power-up,
    /// `AT+CFUN=1` or a reboot), for example `2` or `0.5`.
    #[arg(long, value_name = "SECS", value_parser = parse_secs, default_value = "0")]
    pub registration_delay: Duration,

    /// Manual PDP mode (`AT+VERCTRL` 0,0): the host must define, attach and
    /// activate the context before `AT+MQTTOPEN`.
    #[arg(long)]
    pub manual_pdp: bool,

    /// APN of the context automatic mode defines.
    #[arg(long, value_name = "APN", default_value = "CMIOT")]
    pub apn: String,

    /// CA certificates (PEM) the module trusts for TLS (`<encrypt>`=1), standing
    /// for the certificates built into a real module; without it every TLS
    /// handshake fails (`+CME ERROR: 603`).
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,

    /// Give the in-process broker a TLS listener too, with this certificate
    /// chain (PEM); needs `--broker-key`. A connection with `<encrypt>`=1 goes
    /// there (its chain must lead to a `--ca` certificate).
    #[arg(long, value_name = "FILE", requires = "broker_key",
          conflicts_with_all = ["broker", "honour_host"])]
    pub broker_cert: Option<PathBuf>,

    /// The private key (PEM) of `--broker-cert`.
    #[arg(long, value_name = "FILE", requires = "broker_cert")]
    pub broker_key: Option<PathBuf>,

    /// The MQTT AT command set the module speaks: `ml302` (this one), or
    /// another firmware's, `mmqtt` (`AT+MMQTTCON`…) or `unisoc`
    /// (`AT+MQTTCONN`, `AT+MQTTSUBUNSUB`…), which refuses this one's commands.
    #[arg(long, value_name = "NAME", value_parser = parse_dialect, default_value = "ml302")]
    pub dialect: Dialect,

    /// `AT+CSQ` while registered: rssi (0-31 or 99) and ber (0-7 or 99).
    #[arg(long, value_name = "RSSI,BER", value_parser = parse_signal, default_value = "31,99")]
    pub signal: (u8, u8),

    /// Seconds a reboot (`AT+CFUN=1,1` or the `reboot` fault) keeps the module
    /// silent before its boot lines.
    #[arg(long, value_name = "SECS", value_parser = parse_secs, default_value = "0.5")]
    pub boot_time: Duration,

    /// Inject FAULT SECS seconds after the start (repeatable). FAULT is one of
    /// `reboot`, `pdp-deactivated` (the network drops the PDP context and the
    /// MQTT link with it), `registration-lost[:SECS]` (the network is gone for
    /// SECS, default 10), `registration-stuck`, `sim-removed`, `cut-link`,
    /// `restart-broker`.
    #[arg(long = "fault-at", value_name = "SECS:FAULT", value_parser = parse_fault_at)]
    pub fault_at: Vec<(Duration, Fault)>,

    /// Read faults from standard input, one FAULT (as for --fault-at) a line,
    /// and inject each at once; `fault: FAULT` is printed when it is.
    #[arg(long)]
    pub faults_from_stdin: bool,
}

/// Resolves `HOST:PORT` (the first address).
fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    s.to_socket_addrs()
        .map_err(|e| format!("{s}: {e}"))?
        .next()
        .ok_or_else(|| format!("{s}: no address"))
}

/// Splits `USER:PASS`.
fn parse_user(s: &str) -> Result<(String, String), String> {
    s.split_once(':')
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
        .filter(|(u, _)| !u.is_empty())
        .ok_or_else(|| "expected USER:PASS".to_owned())
}

/// Reads `ready`, `absent` or `pin:PIN`.
fn parse_sim(s: &str) -> Result<SimCard, String> {
    match s {
        "ready" => Ok(SimCard::Ready),
        "absent" => Ok(SimCard::Absent),
        _ => match s.strip_prefix("pin:") {
            Some(pin)
                if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Ok(SimCard::Pin(pin.to_owned()))
            }
            _ => Err("expected ready, absent or pin:PIN (4 to 8 digits)".to_owned()),
        },
    }
}

/// Reads `home`, `roaming`, `denied` or `searching`.
fn parse_registration(s: &str) -> Result<Registration, String> {
    match s {
        "home" => Ok(Registration::Home),
        "roaming" => Ok(Registration::Roaming),
        "denied" => Ok(Registration::Denied),
        "searching" => Ok(Registration::Searching),
        _ => Err("expected home, roaming, denied or searching".to_owned()),
    }
}

/// Reads a number of seconds (fractions allowed, at most a day).
fn parse_dialect(s: &str) -> Result<Dialect, String> {
    match s {
        "ml302" => Ok(Dialect::Ml302),
        "mmqtt" => Ok(Dialect::Mmqtt),
        "unisoc" => Ok(Dialect::Unisoc),
        _ => Err("one of ml302, mmqtt, unisoc".to_owned()),
    }
}

fn parse_secs(s: &str) -> Result<Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| (0.0..=86_400.0).contains(v))
        .map(Duration::from_secs_f64)
        .ok_or_else(|| "expected seconds between 0 and 86400".to_owned())
}

/// Reads `RSSI,BER` as `AT+CSQ` prints them.
fn parse_signal(s: &str) -> Result<(u8, u8), String> {
    let (r, b) = s.split_once(',').ok_or("expected RSSI,BER")?;
    let rssi = r.trim().parse::<u8>().ok().filter(|v| *v <= 31 || *v == 99);
    let ber = b.trim().parse::<u8>().ok().filter(|v| *v <= 7 || *v == 99);
    match (rssi, ber) {
        (Some(rssi), Some(ber)) => Ok((rssi, ber)),
        _ => Err("expected RSSI 0-31 or 99, BER 0-7 or 99".to_owned()),
    }
}

/// How long `registration-lost` keeps the network away when no time is given.
pub const DEFAULT_LOST_FOR: Duration = Duration::from_secs(10);

/// Reads a fault: `reboot`, `pdp-deactivated`, `registration-lost[:SECS]`,
/// `registration-stuck`, `sim-removed`, `cut-link` or `restart-broker`.
pub fn parse_fault(s: &str) -> Result<Fault, String> {
    let (name, arg) = match s.split_once(':') {
        Some((n, a)) => (n, Some(a)),
        None => (s, None),
    };
    let fault = match (name, arg) {
        ("reboot", None) => Fault::Reboot,
        ("pdp-deactivated", None) => Fault::PdpDeactivated,
        ("sim-removed", None) => Fault::SimRemoved,
        ("registration-stuck", None) => Fault::RegistrationStuck,
        ("cut-link", None) => Fault::CutLink,
        ("restart-broker", None) => Fault::RestartBroker,
        ("registration-lost", None) => Fault::RegistrationLost(DEFAULT_LOST_FOR),
        ("registration-lost", Some(secs)) => Fault::RegistrationLost(parse_secs(secs)?),
        _ => {
            return Err(format!(
                "{s}: expected reboot, pdp-deactivated, registration-lost[:SECS], \
                 registration-stuck, sim-removed, cut-link or restart-broker"
            ))
        }
    };
    Ok(fault)
}

/// The words [`parse_fault`] reads for `fault`.
pub fn fault_name(fault: &Fault) -> String {
    match fault {
        Fault::Reboot => "reboot".to_owned(),
        Fault::PdpDeactivated => "pdp-deactivated".to_owned(),
        Fault::SimRemoved => "sim-removed".to_owned(),
        Fault::RegistrationStuck => "registration-stuck".to_owned(),
        Fault::CutLink => "cut-link".to_owned(),
        Fault::RestartBroker => "restart-broker".to_owned(),
        Fault::RegistrationLost(d) => format!("registration-lost:{}", d.as_secs_f64()),
        other => format!("{other:?}"),
    }
}

/// Reads `SECS:FAULT`.
fn parse_fault_at(s: &str) -> Result<(Duration, Fault), String> {
    let (secs, fault) = s
        .split_once(':')
        .ok_or_else(|| "expected SECS:FAULT, for example 5:reboot".to_owned())?;
    Ok((parse_secs(secs)?, parse_fault(fault)?))
}

/// What the serving loop acts on.
enum Control {
    /// Ctrl-C, SIGTERM or SIGHUP.
    Stop,
    /// A fault to inject now.
    Inject(Fault),
    /// A line of standard input that names no fault.
    Bad(String),
}

/// The simulator settings the arguments ask for.
pub fn sim_config(args: &SimArgs) -> SimConfig {
    let broker = match (args.broker, args.honour_host) {
        (Some(addr), _) => BrokerMode::Fixed(addr),
        (None, true) => BrokerMode::Honour,
        (None, false) => BrokerMode::InProcess,
    };
    let users: Vec<(&str, &str)> = args
        .users
        .iter()
        .map(|(u, p)| (u.as_str(), p.as_str()))
        .collect();
    let cfg = SimConfig::default()
        .echo(args.echo)
        .spelling(if args.chapter3 {
            Spelling::Chapter3
        } else {
            Spelling::Manual
        })
        .pacing_baud(args.pace)
        .broker_round_trip(std::time::Duration::from_millis(args.round_trip))
        .broker(broker)
        .users(&users)
        .sim(args.sim.clone())
        .registration(args.registration)
        .registration_delay(args.registration_delay)
        .auto_pdp(!args.manual_pdp)
        .apn(&args.apn)
        .signal(args.signal.0, args.signal.1)
        .boot_time(args.boot_time)
        .ca_file(args.ca.as_deref())
        .dialect(args.dialect);
    match (&args.broker_cert, &args.broker_key) {
        (Some(cert), Some(key)) => cfg.broker_tls(cert, key),
        _ => cfg,
    }
}

/// Runs `ml302 sim`: prints `device: PATH` (or `serial: ADDR`) and `broker: ADDR`
/// on standard output, then serves until Ctrl-C, SIGTERM or SIGHUP.
pub fn run(args: &SimArgs) -> CliResult {
    let transport = if let Some(p) = &args.device {
        Transport::Device(p.clone())
    } else if let Some(a) = args.tcp_listen {
        Transport::TcpListen(a)
    } else if let Some(a) = args.tcp_connect {
        Transport::TcpConnect(a)
    } else {
        Transport::Pty
    };
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Control::Stop);
    })
    .map_err(|e| CliError::failed(format!("cannot catch Ctrl-C: {e}")))?;

    let sim = Simulator::start(sim_config(args), transport.clone()).map_err(|e| {
        let what = match &transport {
            Transport::Device(p) => format!("{}", p.display()),
            Transport::TcpListen(a) | Transport::TcpConnect(a) => a.to_string(),
            Transport::Pty => "cannot create a PTY".to_owned(),
        };
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such device".to_owned(),
            _ => crate::decode::io_reason(&e),
        };
        match transport {
            Transport::Device(_) => CliError::device(format!("{what}: {reason}")),
            _ => CliError::failed(format!("{what}: {reason}")),
        }
    })?;

    if let Some(p) = sim.device_path() {
        say!("device: {}", p.display());
    }
    if let Some(a) = sim.serial_addr() {
        say!("serial: {a}");
    }
    match (sim.broker_addr(), &args.broker) {
        (Some(a), _) => say!("broker: {a}"),
        (None, Some(a)) => say!("broker: {a} (external)"),
        (None, None) => say!("broker: the host and port AT+MQTTCFG names"),
    }
    if let Some(a) = sim.broker().and_then(|b| b.tls_addr()) {
        say!("broker-tls: {a}");
    }
    let _ = std::io::stdout().flush();
    if let Some(p) = sim.device_path() {
        eprintln!(
            "ml302 sim: serving until Ctrl-C; try `ml302 status --device {}`",
            p.display()
        );
    }
    // Scheduled faults, then faults typed on standard input: both threads
    // only send to the loop below and end with the process.
    let mut schedule = args.fault_at.clone();
    schedule.sort_by_key(|(at, _)| *at);
    if !schedule.is_empty() {
        let tx = tx.clone();
        let started = Instant::now();
        std::thread::spawn(move || {
            for (at, fault) in schedule {
                std::thread::sleep(at.saturating_sub(started.elapsed()));
                if tx.send(Control::Inject(fault)).is_err() {
                    return;
                }
            }
        });
    }
    if args.faults_from_stdin {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { return };
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let msg = match parse_fault(line) {
                    Ok(f) => Control::Inject(f),
                    Err(e) => Control::Bad(e),
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
    }
    drop(tx);
    while let Ok(control) = rx.recv() {
        match control {
            Control::Stop => break,
            Control::Inject(fault) => {
                let name = fault_name(&fault);
                sim.inject(fault);
                say!("fault: {name}");
                let _ = std::io::stdout().flush();
            }
            Control::Bad(e) => eprintln!("ml302 sim: {e}"),
        }
    }
    sim.shutdown();
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cmd {
        #[command(flatten)]
        sim: SimArgs,
    }

    /// The answers of a simulator started with `flags` to `lines`.
    fn answers(flags: &[&str], lines: &[&str]) -> Vec<String> {
        let args = Cmd::try_parse_from(std::iter::once("sim").chain(flags.iter().copied()))
            .expect("flags parse")
            .sim;
        let (sim, mut port) = Simulator::in_memory(sim_config(&args)).expect("simulator");
        let t = Duration::from_secs(5);
        let out = lines
            .iter()
            .map(|l| {
                port.write_all(format!("{l}\r\n").as_bytes())
                    .expect("write");
                let got = port.read_until(b"OK\r\n", t).expect("answer");
                String::from_utf8_lossy(&got).into_owned()
            })
            .collect();
        sim.shutdown();
        out
    }

    #[test]
    fn defaults_are_a_ready_registered_module() {
        let got = answers(&[], &["AT+CPIN?", "AT+CEREG?", "AT+CSQ", "AT+VERCTRL?"]);
        assert_eq!(
            got,
            [
                "\r\n+CPIN: READY\r\n\r\nOK\r\n",
                "\r\n+CEREG: 0,1\r\n\r\nOK\r\n",
                "\r\n+CSQ: 31,99\r\n\r\nOK\r\n",
                "\r\n+VERCTRL: 0,1\r\n\r\nOK\r\n",
            ]
        );
    }

    #[test]
    fn network_flags_reach_the_simulator() {
        let got = answers(
            &[
                "--sim",
                "pin:1234",
                "--registration",
                "roaming",
                "--manual-pdp",
                "--signal",
                "20,3",
            ],
            &[
                "AT+CPIN?",
                "AT+CPIN=\"1234\"",
                "AT+CEREG?",
                "AT+CSQ",
                "AT+CGATT?",
            ],
        );
        assert_eq!(
            got,
            [
                "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n",
                "\r\n+CPIN: READY\r\n\r\nOK\r\n",
                "\r\n+CEREG: 0,5\r\n\r\nOK\r\n",
                "\r\n+CSQ: 20,3\r\n\r\nOK\r\n",
                "\r\n+CGATT: 0\r\n\r\nOK\r\n",
            ]
        );
        let got = answers(&["--registration-delay", "30"], &["AT+CEREG?"]);
        assert_eq!(got, ["\r\n+CEREG: 0,2\r\n\r\nOK\r\n"]);
        let got = answers(&["--apn", "CMNET"], &["AT+CGDCONT?"]);
        assert_eq!(got, ["\r\n+CGDCONT: 1,\"IP\",\"CMNET\"\r\n\r\nOK\r\n"]);
    }

    #[test]
    fn bad_network_flags_are_refused() {
        for flags in [
            ["--sim", "pin:12"],
            ["--sim", "gone"],
            ["--registration", "away"],
            ["--registration-delay", "-1"],
            ["--signal", "32,0"],
            ["--signal", "31"],
        ] {
            assert!(
                Cmd::try_parse_from(std::iter::once("sim").chain(flags)).is_err(),
                "{flags:?}"
            );
        }
    }

    #[test]
    fn faults_parse_and_print_the_same_words() {
        for words in [
            "reboot",
            "pdp-deactivated",
            "sim-removed",
            "registration-stuck",
            "cut-link",
            "restart-broker",
            "registration-lost:2.5",
        ] {
            let fault = parse_fault(words).expect(words);
            assert_eq!(fault_name(&fault), words);
        }
        assert_eq!(
            parse_fault("registration-lost"),
            Ok(Fault::RegistrationLost(DEFAULT_LOST_FOR))
        );
        assert_eq!(
            parse_fault_at("1.5:sim-removed"),
            Ok((Duration::from_millis(1500), Fault::SimRemoved))
        );
        for bad in [
            "",
            "reboot:3",
            "unplug",
            "registration-lost:-1",
            "sim-removed ",
        ] {
            assert!(parse_fault(bad).is_err(), "{bad:?}");
        }
        for bad in ["reboot", "x:reboot", "5:", "-1:reboot"] {
            assert!(parse_fault_at(bad).is_err(), "{bad:?}");
        }
        let args = Cmd::try_parse_from([
            "sim",
            "--fault-at",
            "3:reboot",
            "--fault-at",
            "1:registration-lost:4",
            "--boot-time",
            "2",
        ])
        .expect("flags parse")
        .sim;
        assert_eq!(
            args.fault_at,
            [
                (Duration::from_secs(3), Fault::Reboot),
                (
                    Duration::from_secs(1),
                    Fault::RegistrationLost(Duration::from_secs(4))
                )
            ]
        );
        assert_eq!(args.boot_time, Duration::from_secs(2));
    }
}
