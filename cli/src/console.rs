//! `ml302 at`: a raw AT console. Lines read from standard input go to the modem
//! as they are (with CR LF); everything the modem prints is cut into frames by the
//! driver's digester and shown as it comes, unsolicited lines with their decoded
//! meaning. The client is bypassed: nothing is sent that you did not type.
//!
//! After a length-mode `AT+MQTTPUB=…,<len>` the next input line is the payload:
//! it is sent without a line end.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use embedded_io::{Error as _, ErrorKind, Read, Write as _};
use ml302::digest::Frame;
use ml302::line::Line;
use ml302::urc::Urc;

use crate::error::{CliError, CliResult};
use crate::modem::open_port;
use crate::opts::DeviceOpts;
use crate::tap::{length_mode_len, shown, Cutter};

/// Arguments of `ml302 at`.
#[derive(Debug, Args)]
pub struct AtArgs {
    /// How many seconds to wait for a command's final result before sending the
    /// next line anyway (and exiting with code 4 at the end).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub wait: u64,
    /// The serial device.
    #[command(flatten)]
    pub device: DeviceOpts,
}

/// What the input thread hands over.
enum Input {
    Line(Vec<u8>),
    End,
}

/// The decoded meaning of an unsolicited frame, for the console.
pub fn describe_urc(urc: &Urc<'_>) -> String {
    match urc {
        Urc::Publish(p) => format!(
            "message on \"{}\": {} bytes, QoS {}, packet {}{}{}",
            p.topic,
            p.payload.len(),
            p.qos.as_u8(),
            p.packet_id,
            if p.retained { ", retained" } else { "" },
            if p.dup { ", dup" } else { "" }
        ),
        Urc::MessageTooLarge { topic, len } => {
            format!("message on \"{topic}\": {len} bytes, too large to keep")
        }
        Urc::PubRel { packet_id, .. } => format!("broker released QoS 2 message {packet_id}"),
        Urc::PingResp => "keep-alive answered".to_owned(),
        Urc::AckTimeout(kind) => format!("acknowledgement time-out: {kind:?}"),
        Urc::ReconnectAttempt(n) => format!("automatic reconnect attempt {n}"),
        Urc::Disconnected => "the module gave the connection up".to_owned(),
        Urc::Reopened(true) => "automatic reconnect succeeded".to_owned(),
        Urc::Reopened(false) => "automatic reconnect refused".to_owned(),
        Urc::BadIncomingPublish => "the module could not decode an incoming PUBLISH".to_owned(),
        Urc::BadIncomingPubRel => "the module could not decode an incoming PUBREL".to_owned(),
        Urc::Unknown(_) => "unknown +MQTT line".to_owned(),
        #[allow(unreachable_patterns)]
        _ => "unsolicited".to_owned(),
    }
}

/// Whether `line` is part of the answer to the pending command `cmd` rather than
/// unsolicited (spec §3.10).
fn claimed(cmd: &[u8], line: &Line<'_>) -> bool {
    let cmd = cmd.to_ascii_uppercase();
    match line {
        Line::Open(_) => cmd.starts_with(b"AT+MQTTOPEN="),
        Line::Disc => cmd == b"AT+MQTTDISC",
        Line::To(_) => cmd == b"AT+MQTTTO?",
        _ => false,
    }
}

/// The console's state between input lines and modem output.
struct Console {
    /// The command line whose final result is awaited, and when it was sent.
    pending: Option<(Vec<u8>, Instant)>,
    /// After a length-mode publish line: the announced length, and whether the
    /// prompt has arrived.
    payload: Option<(usize, bool)>,
    /// Commands answered with an error.
    failures: usize,
    /// Commands that got no final result in time.
    unanswered: usize,
}

impl Console {
    /// Whether the next input line may be sent now.
    fn ready(&self) -> bool {
        match (&self.pending, self.payload) {
            (None, _) => true,
            (Some(_), Some((_, prompted))) => prompted,
            (Some(_), None) => false,
        }
    }

    /// Looks at one frame from the modem; returns the note to print after it.
    fn frame(&mut self, frame: &Frame<'_>) -> String {
        let cmd = self.pending.as_ref().map(|(c, _)| c.as_slice());
        let urc = match frame {
            Frame::Line(bytes) => {
                let line = Line::parse(bytes);
                match cmd {
                    Some(c) if claimed(c, &line) => None,
                    _ => Urc::from_line(&line),
                }
            }
            _ => Urc::from_frame(frame),
        };
        match (frame, &urc) {
            (Frame::Ok, _) => {
                self.pending = None;
                self.payload = None;
            }
            (Frame::Error, _) | (Frame::Cme(_), None) => {
                self.pending = None;
                self.payload = None;
                self.failures += 1;
            }
            (Frame::Prompt, _) => {
                if let Some((_, prompted)) = &mut self.payload {
                    *prompted = true;
                }
            }
            _ => {}
        }
        match (frame, &urc) {
            (_, Some(u)) => format!("    # {}", describe_urc(u)),
            (Frame::Cme(code), None) => {
                format!("    # {}", ml302::CmeError::from_code(*code).describe())
            }
            _ => String::new(),
        }
    }
}

/// Runs `ml302 at`.
pub fn run(args: &AtArgs) -> CliResult {
    let path = args.device.require()?;
    let mut port = open_port(path, args.device.baud)?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .map_err(|e| CliError::failed(format!("cannot catch Ctrl-C: {e}")))?;
    }
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("{path}: type AT commands, Ctrl-D or Ctrl-C to leave");
    }
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        loop {
            let mut line = Vec::new();
            match input.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Input::End);
                    return;
                }
                Ok(_) => {
                    while let Some(b'\n' | b'\r') = line.last() {
                        line.pop();
                    }
                    if tx.send(Input::Line(line)).is_err() {
                        return;
                    }
                }
            }
        }
    });

    let wait = Duration::from_secs(args.wait);
    let mut cutter = Cutter::new();
    let mut console = Console {
        pending: None,
        payload: None,
        failures: 0,
        unanswered: 0,
    };
    let mut buf = [0u8; 256];
    let mut ended_at: Option<Instant> = None;
    let io_err = |e: ml302::serial::PortError| {
        CliError::device(format!("{path}: the device went away ({e})"))
    };

    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // A command without a final result within --wait: stop waiting for it.
        if let Some((cmd, at)) = &console.pending {
            if at.elapsed() > wait {
                eprintln!(
                    "note: no final result for {} within {} s",
                    shown(cmd),
                    args.wait
                );
                console.pending = None;
                console.payload = None;
                console.unanswered += 1;
            }
        }
        // Send the next input line once the previous command is answered (or,
        // for a length-mode payload, prompted for).
        if ended_at.is_none() && console.ready() {
            match rx.try_recv() {
                Ok(Input::Line(line)) => {
                    if let Some((expected, _)) = console.payload.take() {
                        if line.len() != expected {
                            eprintln!(
                                "note: {expected} payload bytes announced, {} given",
                                line.len()
                            );
                        }
                        port.write_all(&line).map_err(io_err)?;
                        if !interactive {
                            say!("> [{} payload bytes] {}", line.len(), shown(&line));
                        }
                    } else if !line.is_empty() {
                        let mut bytes = line.clone();
                        bytes.extend_from_slice(b"\r\n");
                        port.write_all(&bytes).map_err(io_err)?;
                        if !interactive {
                            say!("> {}", shown(&line));
                        }
                        if let Some(n) = length_mode_len(&line) {
                            console.payload = Some((n, false));
                            cutter.expect_prompt();
                        }
                        console.pending = Some((line, Instant::now()));
                    }
                    port.flush().map_err(io_err)?;
                }
                Ok(Input::End) | Err(TryRecvError::Disconnected) => {
                    ended_at = Some(Instant::now());
                }
                Err(TryRecvError::Empty) => {}
            }
        }
        if let Some(t) = ended_at {
            // Give late URCs a moment once everything is answered, then leave.
            if console.pending.is_none() && t.elapsed() > Duration::from_millis(200) {
                break;
            }
        }
        // Then whatever the modem printed.
        let n = match port.read(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::Interrupted) => 0,
            Err(e) => return Err(io_err(e)),
        };
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        cutter.feed(buf.get(..n).unwrap_or_default(), |frame, text| {
            let note = console.frame(frame);
            let _ = writeln!(out, "{text}{note}");
        });
        let _ = out.flush();
    }
    if console.unanswered > 0 {
        return Err(CliError::timeout(format!(
            "{path}: {} command(s) got no final result within {} s",
            console.unanswered, args.wait
        )));
    }
    if console.failures > 0 {
        return Err(CliError::failed(format!(
            "{} command(s) answered with an error",
            console.failures
        )));
    }
    Ok(())
}
