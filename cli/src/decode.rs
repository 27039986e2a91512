//! `ml302 decode`: a raw capture of modem output, cut into frames by the driver's
//! digester, one JSON object per frame; or, with `--count`, only the counts.

use std::io::{BufWriter, Read, Write};

use clap::Args;
use ml302::digest::{Digester, Frame};
use ml302::line::Line;
use ml302::urc::Urc;
use ml302_testkit::Counts;
use serde::Serialize;

use crate::error::{CliError, CliResult};
use crate::json::{self, Payload};
use crate::tap::shown;

/// Arguments of `ml302 decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Capture of the modem's output (raw bytes), or `-` for standard input.
    #[arg(value_name = "FILE|-")]
    pub file: String,

    /// Print only the frame counts, as one JSON line in the format of the
    /// repository's `make-stream` generator: urc_publish, urc_other, response_ok,
    /// response_error, bytes.
    #[arg(long)]
    pub count: bool,
}

/// Largest payload shown whole; bigger `+MQTTPUBLISH` frames are reported as
/// `too_large` (topic and length only). 65535 is the most the length field can
/// announce, so nothing valid is ever too large here.
const PAYLOAD: usize = 65535;

/// One frame as a JSON object, `frame` naming its kind.
#[derive(Debug, Serialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum FrameJson<'a> {
    /// Final result `OK`.
    Ok,
    /// Final result `ERROR` (or `+CME ERROR` without a code).
    Error,
    /// `+CME ERROR: <n>`; `unsolicited` for 609 and 619 (spec §3.9).
    CmeError {
        /// The code.
        code: u16,
        /// What it means.
        meaning: String,
        /// Whether the code only ever arrives unsolicited.
        unsolicited: bool,
    },
    /// The `>` prompt of a length-mode publish (recognised after a length-mode
    /// `AT+MQTTPUB=` echo in the capture).
    Prompt,
    /// Any other line.
    Line {
        /// The text (escaped where it is not printable UTF-8; a password in an
        /// echoed `AT+MQTTCFG=` masked).
        text: String,
        /// The raw bytes in hex, when the line is not valid UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        text_hex: Option<String>,
        /// What the driver reads it as (`ping_resp`, `puback`, `suback`, `text`, …).
        kind: &'static str,
        /// Whether it is an unsolicited line when no command claims it.
        urc: bool,
    },
    /// A `+MQTTPUBLISH` with its length-framed payload.
    Publish {
        /// Topic name.
        topic: &'a str,
        /// Payload length.
        len: usize,
        /// QoS.
        qos: u8,
        /// DUP flag.
        dup: bool,
        /// Retained flag.
        retained: bool,
        /// Packet id.
        packet_id: u16,
        /// The payload keys.
        #[serde(flatten)]
        payload: Payload,
    },
    /// A `+MQTTPUBLISH` too large for the payload buffer.
    TooLarge {
        /// Topic name.
        topic: &'a str,
        /// Announced length.
        len: usize,
    },
    /// Bytes that could not be framed; the digester resynchronised.
    Malformed {
        /// Why.
        error: String,
    },
}

/// The driver's reading of a line, in snake case.
fn line_kind(line: &Line<'_>) -> &'static str {
    match line {
        Line::Cfg(_) => "cfg",
        Line::CfgNoClient => "cfg_no_client",
        Line::Stat(_) => "stat",
        Line::SubAck { .. } => "suback",
        Line::SubListHeader => "sub_list_header",
        Line::UnsubAck { .. } => "unsuback",
        Line::PubAck { .. } => "puback",
        Line::PubRec { .. } => "pubrec",
        Line::PubComp { .. } => "pubcomp",
        Line::PubRel { .. } => "pubrel",
        Line::PingEcho(_) => "ping_echo",
        Line::Reconnect { .. } => "reconnect",
        Line::ReconnectAttempt(_) => "reconnect_attempt",
        Line::To(_) => "ack_timeout",
        Line::Open(_) => "open",
        Line::Disc => "disc",
        Line::PingResp => "ping_resp",
        Line::UnknownMqtt(_) => "unknown_mqtt",
        Line::Text(_) => "text",
        #[allow(unreachable_patterns)]
        _ => "other",
    }
}

impl<'a> FrameJson<'a> {
    /// The JSON form of a frame.
    pub fn new(frame: &Frame<'a>) -> Self {
        match *frame {
            Frame::Ok => Self::Ok,
            Frame::Error => Self::Error,
            Frame::Cme(code) => Self::CmeError {
                code,
                meaning: ml302::CmeError::from_code(code).describe().to_owned(),
                unsolicited: Urc::from_frame(frame).is_some(),
            },
            Frame::Prompt => Self::Prompt,
            Frame::Line(bytes) => {
                let line = Line::parse(bytes);
                let utf8 = std::str::from_utf8(bytes).ok();
                let text = match utf8 {
                    Some(s) if !bytes.starts_with(b"AT+MQTTCFG=") => s.to_owned(),
                    _ => shown(bytes),
                };
                Self::Line {
                    text,
                    text_hex: utf8.is_none().then(|| json::hex(bytes)),
                    kind: line_kind(&line),
                    urc: Urc::from_line(&line).is_some(),
                }
            }
            Frame::Publish(p) => Self::Publish {
                topic: p.topic,
                len: p.payload.len(),
                qos: p.qos.as_u8(),
                dup: p.dup,
                retained: p.retained,
                packet_id: p.packet_id,
                payload: Payload::new(p.payload),
            },
            Frame::MessageTooLarge { topic, len } => Self::TooLarge { topic, len },
            Frame::Malformed(e) => Self::Malformed {
                error: e.to_string(),
            },
        }
    }
}

/// Runs `ml302 decode`.
pub fn run(args: &DecodeArgs) -> CliResult {
    let mut input: Box<dyn Read> = if args.file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .map_err(|e| CliError::usage(format!("{}: {}", args.file, io_reason(&e))))?,
        )
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut digester: Box<Digester<1024, PAYLOAD>> = Box::new(Digester::new());
    let mut counts = Counts::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(CliError::failed(format!(
                    "{}: {}",
                    args.file,
                    io_reason(&e)
                )))
            }
        };
        counts.bytes += n as u64;
        let mut rest = buf.get(..n).unwrap_or_default();
        while !rest.is_empty() {
            let (used, frame) = digester.feed(rest);
            rest = rest.get(used..).unwrap_or_default();
            let Some(frame) = frame else { continue };
            counts.add(&frame);
            // A length-mode publish echoed in the capture announces a prompt.
            let prompt_next =
                matches!(frame, Frame::Line(line) if crate::tap::length_mode_len(line).is_some());
            let text = (!args.count).then(|| json::line(&FrameJson::new(&frame)));
            if prompt_next {
                digester.expect_prompt(true);
            }
            if let Some(text) = text {
                if writeln!(out, "{text}").is_err() {
                    return Ok(()); // the reader went away (`| head`)
                }
            }
        }
    }
    if args.count {
        let _ = writeln!(out, "{}", counts.to_json());
    }
    let _ = out.flush();
    Ok(())
}

/// The system's reason without Rust's "(os error N)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s.get(..i).unwrap_or(&s).to_owned(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(bytes: &[u8]) -> (Vec<String>, Counts) {
        let mut d: Digester<1024, PAYLOAD> = Digester::new();
        let mut counts = Counts::default();
        let mut out = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let (used, frame) = d.feed(rest);
            rest = &rest[used..];
            if let Some(f) = frame {
                counts.add(&f);
                out.push(json::line(&FrameJson::new(&f)));
            }
        }
        (out, counts)
    }

    #[test]
    fn frames_become_json_objects() {
        let (out, counts) = frames(
            b"\r\n+MQTTPUBLISH: 0,1,0,7,\"t\",4,a\r\nb\r\n\r\n+MQTTPUBACK:0,3\r\n\r\nOK\r\n\r\n+CME ERROR: 609\r\n\r\n+MQTTPINGRSP: OK\r\n\r\n+CME ERROR: 614\r\n",
        );
        assert_eq!(
            out[0],
            r#"{"frame":"publish","topic":"t","len":4,"qos":1,"dup":false,"retained":false,"packet_id":7,"payload":"a\r\nb","payload_encoding":"utf-8","payload_hex":"610d0a62"}"#
        );
        assert_eq!(
            out[1],
            r#"{"frame":"line","text":"+MQTTPUBACK:0,3","kind":"puback","urc":false}"#
        );
        assert_eq!(out[2], r#"{"frame":"ok"}"#);
        assert!(out[3].contains(r#""code":609"#) && out[3].contains(r#""unsolicited":true"#));
        assert_eq!(
            counts,
            Counts {
                urc_publish: 1,
                urc_other: 2,
                response_ok: 1,
                response_error: 1,
                bytes: 0
            }
        );
    }
}
