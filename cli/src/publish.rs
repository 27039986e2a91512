//! `ml302 pub`: publish one message (or one per input line), like
//! `mosquitto_pub`.

use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::time::Instant;

use clap::{ArgGroup, Args};

use crate::error::{CliError, CliResult};
use crate::modem::{debug_sink, Modem};
use crate::opts::{qos, qos_parser, BrokerOpts, DeviceOpts, WillOpts};

/// Arguments of `ml302 pub`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).multiple(false)))]
pub struct PubArgs {
    /// Topic to publish to.
    #[arg(short = 't', long, value_name = "TOPIC")]
    pub topic: String,

    /// The message.
    #[arg(short = 'm', long = "message", value_name = "MSG", group = "source")]
    pub message: Option<String>,

    /// Send the whole file as one message.
    #[arg(short = 'f', long = "file", value_name = "FILE", group = "source")]
    pub file: Option<PathBuf>,

    /// Send all of standard input as one message.
    #[arg(short = 's', long = "stdin-file", group = "source")]
    pub stdin_file: bool,

    /// Send one message per line of standard input (line end removed; empty
    /// lines are skipped).
    #[arg(short = 'l', long = "stdin-line", group = "source")]
    pub stdin_line: bool,

    /// Send an empty message.
    #[arg(short = 'n', long = "null-message", group = "source")]
    pub null_message: bool,

    /// QoS of the message (0, 1 or 2).
    #[arg(short = 'q', long, value_name = "QOS", default_value_t = 0, value_parser = qos_parser())]
    pub qos: u8,

    /// Ask the broker to retain the message.
    #[arg(short = 'r', long)]
    pub retain: bool,
    /// The serial device.
    #[command(flatten)]
    pub device: DeviceOpts,
    /// The broker and the credentials.
    #[command(flatten)]
    pub broker: BrokerOpts,
    /// The will.
    #[command(flatten)]
    pub will: WillOpts,
}

/// Runs `ml302 pub`.
pub fn run(args: &PubArgs, debug: bool) -> CliResult {
    let path = args.device.require()?;
    // Read a file before touching the modem, so a bad path costs nothing.
    let fixed: Option<Vec<u8>> = if let Some(m) = &args.message {
        Some(m.clone().into_bytes())
    } else if let Some(f) = &args.file {
        Some(std::fs::read(f).map_err(|e| {
            CliError::usage(format!("{}: {}", f.display(), crate::decode::io_reason(&e)))
        })?)
    } else if args.stdin_file {
        let mut all = Vec::new();
        std::io::stdin()
            .read_to_end(&mut all)
            .map_err(|e| CliError::failed(format!("standard input: {e}")))?;
        Some(all)
    } else if args.null_message {
        Some(Vec::new())
    } else {
        None
    };

    let mut modem = Modem::open(path, args.device.baud, debug_sink(debug), Instant::now())?;
    let id = args.broker.client_id("pub");
    let will = args.will.will();
    modem.bring_up(&args.broker, &id, will.as_ref())?;

    let result = match fixed {
        Some(payload) => publish(&mut modem, args, &payload),
        None => publish_lines(&mut modem, args),
    };
    let closed = modem.disconnect();
    result.and(closed)
}

fn publish(modem: &mut Modem, args: &PubArgs, payload: &[u8]) -> CliResult {
    modem
        .client
        .publish(&args.topic, payload, qos(args.qos), args.retain)
        .map(|_| ())
        .map_err(|e| modem.err(e, "publish"))
}

fn publish_lines(modem: &mut Modem, args: &PubArgs) -> CliResult {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .map_err(|e| CliError::failed(format!("standard input: {e}")))?;
        if n == 0 {
            return Ok(());
        }
        let mut msg = line.as_slice();
        if let Some(m) = msg.strip_suffix(b"\n") {
            msg = m;
        }
        if let Some(m) = msg.strip_suffix(b"\r") {
            msg = m;
        }
        if !msg.is_empty() {
            publish(modem, args, msg)?;
        }
    }
}
