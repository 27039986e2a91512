//! `ml302 sim`: serve a simulated ML302 until Ctrl-C.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::mpsc;

use clap::Args;
use ml302_sim::{BrokerMode, SimConfig, Simulator, Spelling, Transport};

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

    /// Pace the module's output at this baud rate (10 bits per byte).
    #[arg(long, value_name = "BAUD", value_parser = clap::value_parser!(u32).range(1..))]
    pub pace: Option<u32>,

    /// Echo commands at power-up (ATE1), as a real module does; off by default so
    /// that `ml302 at` stays readable. The driver switches echo off anyway.
    #[arg(long)]
    pub echo: bool,
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
    SimConfig::default()
        .echo(args.echo)
        .spelling(if args.chapter3 {
            Spelling::Chapter3
        } else {
            Spelling::Manual
        })
        .pacing_baud(args.pace)
        .broker(broker)
        .users(&users)
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
    ctrlc::set_handler(move || {
        let _ = tx.send(());
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
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    if let Some(p) = sim.device_path() {
        eprintln!(
            "ml302 sim: serving until Ctrl-C; try `ml302 status --device {}`",
            p.display()
        );
    }
    let _ = rx.recv();
    sim.shutdown();
    Ok(())
}
