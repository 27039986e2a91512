//! `ml302 sub`: subscribe and print messages as they arrive, like
//! `mosquitto_sub`, until Ctrl-C, `-C COUNT` messages or `-W SECS`; then
//! unsubscribe and disconnect cleanly.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use clap::Args;
use ml302::{Event, Incoming};

use crate::error::{CliError, CliResult};
use crate::format::{render, Fields};
use crate::json::{self, MessageJson, Payload};
use crate::modem::{debug_sink, Modem, PAYLOAD};
use crate::net::BringUpOpts;
use crate::opts::{qos, qos_parser, BrokerOpts, DeviceOpts, Unsupported, WillOpts};

/// Arguments of `ml302 sub`.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct SubArgs {
    /// Print help (`-h` is the host, as in mosquitto_sub).
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,

    /// Topic filter to subscribe to (repeat for several; `+` and `#` wildcards).
    #[arg(
        short = 't',
        long = "topic",
        value_name = "TOPIC",
        required_unless_present = "url"
    )]
    pub topics: Vec<String>,

    /// QoS to subscribe with (0, 1 or 2).
    #[arg(short = 'q', long, value_name = "QOS", default_value_t = 0, value_parser = qos_parser())]
    pub qos: u8,

    /// Exit after this many messages.
    #[arg(short = 'C', long = "count", value_name = "COUNT",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// Print "topic payload" instead of the payload alone.
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Print each message as FORMAT says (mosquitto's `%` tokens; see docs/cli.md).
    #[arg(short = 'F', long = "format", value_name = "FORMAT",
          conflicts_with_all = ["verbose", "json"])]
    pub format: Option<String>,

    /// Print one JSON object per message: topic, payload, payload_encoding,
    /// payload_hex, len, qos, retained, dup, packet_id.
    #[arg(long, conflicts_with = "verbose")]
    pub json: bool,

    /// Do not end messages with a newline.
    #[arg(short = 'N', long = "no-eol")]
    pub no_eol: bool,

    /// Do not print messages with the retained flag set (stale ones).
    #[arg(short = 'R', long = "no-retained")]
    pub no_retained: bool,

    /// Do not print messages whose topic matches this filter (repeatable).
    #[arg(short = 'T', long = "filter-out", value_name = "FILTER")]
    pub filter_out: Vec<String>,

    /// Stop after this many seconds (exit code 27, as mosquitto_sub's -W).
    #[arg(short = 'W', long = "timeout", value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,

    /// Do not print progress notes ("subscribed to …") on standard error.
    #[arg(long)]
    pub quiet: bool,
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

/// Whether the topic name `topic` matches the filter `filter` (`+` one level,
/// `#` the rest, MQTT 3.1.1 §4.7; `$` topics match no leading wildcard).
pub fn matches(filter: &str, topic: &str) -> bool {
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Why the receive loop ended.
enum End {
    /// -C reached, or the reader of standard output went away.
    Done,
    /// Ctrl-C (or SIGTERM / SIGHUP).
    Interrupted,
    /// -W ran out.
    TimedOut,
}

/// Runs `ml302 sub`.
pub fn run(args: &SubArgs, debug: bool) -> CliResult {
    args.unsupported.check()?;
    let broker = args.broker.resolve("sub")?;
    let mut topics = args.topics.clone();
    if let Some(u) = args.broker.parsed_url()? {
        topics.insert(0, u.topic);
    }
    let path = args.device.require()?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // The first Ctrl-C asks for a clean shutdown; a second one ends at once.
        ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        })
        .map_err(|e| CliError::failed(format!("cannot catch Ctrl-C: {e}")))?;
    }
    let mut modem = Modem::open(path, args.device.baud, debug_sink(debug), Instant::now())?;
    let will = args.will.will();
    args.network.run(&mut modem)?;
    modem.open_session(&broker, will.as_ref())?;

    let mut subscribed = Vec::new();
    let mut result = Ok(());
    for topic in &topics {
        match modem.client.subscribe(topic, qos(args.qos)) {
            Ok(s) => {
                if !args.quiet {
                    eprintln!("subscribed to {topic} (QoS {} granted)", s.granted.as_u8());
                }
                subscribed.push(topic.as_str());
            }
            Err(e) => {
                result = Err(modem.err(e, "subscribe"));
                break;
            }
        }
    }
    if result.is_ok() {
        result = receive_loop(&mut modem, args, &stop, will.as_ref(), debug);
    }
    // Clean shutdown whatever happened, reporting the first failure. With -c
    // the broker keeps the session, subscriptions included, as mosquitto_sub
    // leaves them.
    if !broker.clean {
        subscribed.clear();
    }
    for topic in subscribed {
        let r = modem
            .client
            .unsubscribe(topic)
            .map(|_| ())
            .map_err(|e| modem.err(e, "unsubscribe"));
        result = result.and(r);
    }
    result.and(modem.disconnect())
}

fn receive_loop(
    modem: &mut Modem,
    args: &SubArgs,
    stop: &AtomicBool,
    will: Option<&ml302::Will<'_>>,
    debug: bool,
) -> CliResult {
    let deadline = args
        .timeout
        .map(|s| Instant::now() + Duration::from_secs(s));
    let mut received = 0u64;
    let stdout = std::io::stdout();
    let end = loop {
        if args.count.is_some_and(|c| received >= c) {
            break End::Done;
        }
        if stop.load(Ordering::SeqCst) {
            break End::Interrupted;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break End::TimedOut;
        }
        let incoming = modem
            .client
            .receive(100)
            .map_err(|e| modem.err(e, "receive"))?;
        let mut reconnect = false;
        while let Some(event) = modem.client.next_event() {
            if debug {
                eprintln!("event: {event:?}");
            }
            if event == Event::Disconnected {
                reconnect = true;
            }
        }
        if reconnect {
            if !args.quiet {
                eprintln!("the modem gave the connection up; reconnecting");
            }
            modem.connect(will)?;
        }
        let Some(incoming) = incoming else { continue };
        let mut out = stdout.lock();
        let written = match incoming {
            Incoming::Message(m) => {
                if (args.no_retained && m.retained)
                    || args.filter_out.iter().any(|f| matches(f, &m.topic))
                {
                    continue;
                }
                received += 1;
                print_message(&mut out, args, &m)
            }
            Incoming::TooLarge { topic, len } => {
                eprintln!(
                    "warning: a message on {topic} was dropped: {len} bytes, more than the {PAYLOAD}-byte buffer"
                );
                Ok(())
            }
        };
        if written.and_then(|()| out.flush()).is_err() {
            break End::Done; // nobody reads standard output any more
        }
    };
    match end {
        End::Done | End::Interrupted => Ok(()),
        End::TimedOut => Err(CliError::wait_over(format!(
            "timed out after {} s (-W): received {received} message{}",
            args.timeout.unwrap_or(0),
            if received == 1 { "" } else { "s" }
        ))),
    }
}

fn print_message<const T: usize, const P: usize>(
    out: &mut impl Write,
    args: &SubArgs,
    m: &ml302::Message<T, P>,
) -> std::io::Result<()> {
    if let Some(format) = &args.format {
        let mut line = Vec::new();
        let fields = Fields {
            topic: &m.topic,
            payload: &m.payload,
            qos: m.qos.as_u8(),
            retained: m.retained,
            packet_id: m.packet_id,
        };
        render(format, &fields, SystemTime::now(), &mut line);
        out.write_all(&line)?;
    } else if args.json {
        let j = MessageJson {
            topic: &m.topic,
            payload: Payload::new(&m.payload),
            len: m.payload.len(),
            qos: m.qos.as_u8(),
            retained: m.retained,
            dup: m.dup,
            packet_id: m.packet_id,
        };
        out.write_all(json::line(&j).as_bytes())?;
    } else {
        if args.verbose {
            out.write_all(m.topic.as_bytes())?;
            out.write_all(b" ")?;
        }
        out.write_all(&m.payload)?;
    }
    if !args.no_eol {
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn filters_match_as_mqtt_says() {
        assert!(matches("a/#", "a/b/c"));
        assert!(matches("a/#", "a"));
        assert!(matches("a/+/c", "a/b/c"));
        assert!(!matches("a/+/c", "a/b/d"));
        assert!(!matches("a/+", "a/b/c"));
        assert!(matches("a/b", "a/b"));
        assert!(!matches("a/b", "a/bc"));
        assert!(!matches("#", "$SYS/x"));
        assert!(matches("+/+", "/x"));
    }
}
