//! `ml302 pub`: publish one message (or one per input line), like
//! `mosquitto_pub`.

use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{ArgGroup, Args};

use crate::error::{CliError, CliResult};
use crate::modem::{debug_sink, Modem, PAYLOAD};
use crate::net::BringUpOpts;
use crate::opts::{qos, qos_parser, BrokerOpts, DeviceOpts, Unsupported, WillOpts};
use ml302::command::publish::max_length_cap;

/// Arguments of `ml302 pub`.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
#[command(group(ArgGroup::new("source").required(true).multiple(false)))]
pub struct PubArgs {
    /// Print help (`-h` is the host, as in mosquitto_pub).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,

    /// Topic to publish to (or the topic of `-L`).
    #[arg(
        short = 't',
        long,
        value_name = "TOPIC",
        required_unless_present = "url",
        conflicts_with = "url"
    )]
    pub topic: Option<String>,

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

    /// Publish the message COUNT times (with -m, -f, -s or -n).
    #[arg(long, value_name = "COUNT", conflicts_with = "stdin_line",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,

    /// Seconds to wait between repeated publishes (fractions allowed).
    #[arg(long, value_name = "SECS", requires = "repeat", value_parser = secs_parser)]
    pub repeat_delay: Option<f64>,
    /// The serial device.
    #[command(flatten)]
    pub device: DeviceOpts,
    /// The broker and the credentials.
    #[command(flatten)]
    pub broker: BrokerOpts,
    /// The will.
    #[command(flatten)]
    pub will: WillOpts,
    /// The network bring-up before the MQTT session.
    #[command(flatten)]
    pub network: BringUpOpts,
    /// mosquitto options the modem cannot honour.
    #[command(flatten)]
    pub unsupported: Unsupported,
}

/// Parses a non-negative number of seconds.
fn secs_parser(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{s} is not a number of seconds")),
    }
}

/// The largest message the module takes on `topic` (length mode): refuses a
/// longer one before the modem is touched, naming the limit.
pub fn check_size(topic: &str, len: usize) -> CliResult {
    let max = max_length_cap(topic.len()).min(PAYLOAD);
    if len > max {
        return Err(CliError::usage(format!(
            "the message is {len} bytes; the module takes at most {max} on topic {topic} \
             (2048 - 7 - topic length, in length mode)"
        )));
    }
    Ok(())
}

/// Runs `ml302 pub`.
pub fn run(args: &PubArgs, debug: bool) -> CliResult {
    args.unsupported.check()?;
    let broker = args.broker.resolve("pub")?;
    let url_topic = args.broker.parsed_url()?.map(|u| u.topic);
    let topic = args
        .topic
        .clone()
        .or(url_topic)
        .ok_or_else(|| CliError::usage("no topic: give -t TOPIC or -L URL"))?;
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
    if let Some(payload) = &fixed {
        check_size(&topic, payload.len())?;
    }

    let mut modem = Modem::open(path, args.device.baud, debug_sink(debug), Instant::now())?;
    let will = args.will.will();
    args.network.run(&mut modem)?;
    modem.open_session(&broker, will.as_ref())?;

    let result = match fixed {
        Some(payload) => publish_repeated(&mut modem, args, &topic, &payload),
        None => publish_lines(&mut modem, args, &topic),
    };
    let closed = modem.disconnect();
    result.and(closed)
}

fn publish_repeated(modem: &mut Modem, args: &PubArgs, topic: &str, payload: &[u8]) -> CliResult {
    let times = args.repeat.unwrap_or(1);
    let delay = Duration::from_secs_f64(args.repeat_delay.unwrap_or(0.0));
    for i in 0..times {
        if i > 0 && !delay.is_zero() {
            std::thread::sleep(delay);
        }
        publish(modem, args, topic, payload)?;
    }
    Ok(())
}

fn publish(modem: &mut Modem, args: &PubArgs, topic: &str, payload: &[u8]) -> CliResult {
    modem
        .client
        .publish(topic, payload, qos(args.qos), args.retain)
        .map(|_| ())
        .map_err(|e| modem.err(e, "publish"))
}

fn publish_lines(modem: &mut Modem, args: &PubArgs, topic: &str) -> CliResult {
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
            check_size(topic, msg.len())?;
            publish(modem, args, topic, msg)?;
        }
    }
}
