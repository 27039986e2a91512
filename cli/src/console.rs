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
use ml302::digest::{Digester, Frame};
use ml302::urc::Urc;

use crate::error::{CliError, CliResult};
use crate::modem::open_port;
use crate::opts::DeviceOpts;
use crate::tap::{length_mode_len, render, shown};

/// Arguments of `ml302 at`.
#[derive(Debug, Args)]
pub struct AtArgs {
    #[command(flatten)]
    pub device: DeviceOpts,

    /// After the end of input, wait at most this many seconds for the final
    /// results of the commands sent.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub wait: u64,
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

    let mut digester: Box<Digester<1024, 65535>> = Box::new(Digester::new());
    let mut raw = Vec::new();
    let mut buf = [0u8; 256];
    let mut payload_next: Option<usize> = None;
    let mut outstanding = 0usize;
    let mut failures = 0usize;
    let mut input_done = false;
    let mut ended_at: Option<Instant> = None;
    let io_err = |e: ml302::serial::PortError| {
        CliError::device(format!("{path}: the device went away ({e})"))
    };

    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Input first: send what was typed.
        if !input_done {
            match rx.try_recv() {
                Ok(Input::Line(line)) => {
                    if let Some(expected) = payload_next.take() {
                        if line.len() != expected {
                            eprintln!(
                                "note: {expected} payload bytes announced, {} given",
                                line.len()
                            );
                        }
                        port.write_all(&line).map_err(io_err)?;
                    } else if !line.is_empty() {
                        if line.len() >= 2 && line[..2].eq_ignore_ascii_case(b"AT") {
                            outstanding += 1;
                        }
                        if let Some(n) = length_mode_len(&line) {
                            payload_next = Some(n);
                            digester.expect_prompt(true);
                        }
                        let mut bytes = line.clone();
                        bytes.extend_from_slice(b"\r\n");
                        port.write_all(&bytes).map_err(io_err)?;
                        if !interactive {
                            println!("> {}", shown(&line));
                        }
                    }
                    port.flush().map_err(io_err)?;
                }
                Ok(Input::End) | Err(TryRecvError::Disconnected) => {
                    input_done = true;
                    ended_at = Some(Instant::now());
                }
                Err(TryRecvError::Empty) => {}
            }
        }
        if let Some(t) = ended_at {
            if outstanding == 0 {
                // Give late URCs a moment, then leave.
                if t.elapsed() > Duration::from_millis(200) {
                    break;
                }
            } else if t.elapsed() > Duration::from_secs(args.wait) {
                return Err(CliError::timeout(format!(
                    "{path}: {outstanding} command(s) still unanswered after {} s",
                    args.wait
                )));
            }
        }
        // Then whatever the modem printed.
        let n = match port.read(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::Interrupted) => 0,
            Err(e) => return Err(io_err(e)),
        };
        let mut rest = buf.get(..n).unwrap_or_default();
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        while !rest.is_empty() {
            let (used, frame) = digester.feed(rest);
            let (taken, tail) = rest.split_at(used.min(rest.len()));
            raw.extend_from_slice(taken);
            rest = tail;
            let Some(frame) = frame else { continue };
            let text = render(&frame, &raw);
            raw.clear();
            let urc = Urc::from_frame(&frame);
            match (&frame, &urc) {
                (Frame::Ok, _) => outstanding = outstanding.saturating_sub(1),
                (Frame::Error, _) | (Frame::Cme(_), None) => {
                    outstanding = outstanding.saturating_sub(1);
                    failures += 1;
                }
                _ => {}
            }
            let note = match (&frame, &urc) {
                (_, Some(u)) => format!("    # {}", describe_urc(u)),
                (Frame::Cme(code), None) => {
                    format!("    # {}", ml302::CmeError::from_code(*code).describe())
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "{text}{note}");
        }
        let _ = out.flush();
    }
    if failures > 0 {
        return Err(CliError::failed(format!(
            "{failures} command(s) answered with an error"
        )));
    }
    Ok(())
}
