//! Feeds a file of modem output through the digester and counts what it holds.
//!
//! ```text
//! python3 make-stream.py a 1 /tmp/a.bin
//! CHUNK=64 cargo run --release --example digest_stream -- /tmp/a.bin
//! ```
//!
//! Prints one JSON line with the same keys as `make-stream.py`:
//! `{"urc_publish":N,"urc_other":N,"response_ok":N,"response_error":N,"bytes":N}`.
//! `CHUNK` (default 64) is how many bytes each `feed` call is offered at most;
//! `CHUNK=0` or `SKIP_DIGEST=1` only reads the file (a baseline for profiling).

use std::process::ExitCode;

use ml302::digest::{Digester, Frame};
use ml302::urc::Urc;

#[derive(Default)]
struct Counts {
    urc_publish: u64,
    urc_other: u64,
    response_ok: u64,
    response_error: u64,
}

impl Counts {
    fn add(&mut self, frame: &Frame<'_>) {
        match frame {
            Frame::Ok => self.response_ok += 1,
            Frame::Error => self.response_error += 1,
            Frame::Publish(_) | Frame::MessageTooLarge { .. } => self.urc_publish += 1,
            // 609 / 619 are always unsolicited (spec §3.9); lines count when they
            // are events (ACK lines and other answers are in no key).
            Frame::Cme(_) | Frame::Line(_) => match Urc::from_frame(frame) {
                Some(_) => self.urc_other += 1,
                None if matches!(frame, Frame::Cme(_)) => self.response_error += 1,
                None => {}
            },
            Frame::Prompt | Frame::Malformed(_) => {}
        }
    }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: digest_stream FILE   (env: CHUNK=64, SKIP_DIGEST=1)");
        return ExitCode::from(2);
    };
    let chunk: usize = match std::env::var("CHUNK") {
        Ok(s) => match s.parse() {
            Ok(n) => n,
            Err(_) => {
                eprintln!("CHUNK must be a number");
                return ExitCode::from(2);
            }
        },
        Err(_) => 64,
    };
    let skip = chunk == 0 || std::env::var_os("SKIP_DIGEST").is_some_and(|v| v != "0");
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.to_string_lossy());
            return ExitCode::FAILURE;
        }
    };

    let mut counts = Counts::default();
    if !skip {
        let mut d: Digester = Digester::new();
        if chunk == 1 {
            // One byte per call, without the slicing of the general loop (a call
            // on one byte always consumes it).
            for b in &data {
                if let (_, Some(f)) = d.feed(core::slice::from_ref(b)) {
                    counts.add(&f);
                }
            }
        } else {
            for piece in data.chunks(chunk) {
                let mut rest = piece;
                while !rest.is_empty() {
                    let (used, frame) = d.feed(rest);
                    rest = rest.get(used..).unwrap_or_default();
                    if let Some(f) = &frame {
                        counts.add(f);
                    }
                }
            }
        }
    }
    println!(
        "{{\"urc_publish\":{},\"urc_other\":{},\"response_ok\":{},\"response_error\":{},\"bytes\":{}}}",
        counts.urc_publish,
        counts.urc_other,
        counts.response_ok,
        counts.response_error,
        data.len()
    );
    ExitCode::SUCCESS
}
