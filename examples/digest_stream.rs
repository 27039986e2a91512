//! Feeds a file of modem output through the digester and counts what it holds.
//!
//! ```text
//! cargo run --release -p ml302-testkit --bin make-stream -- a 1 target/a.bin
//! CHUNK=64 cargo run --release --example digest_stream -- target/a.bin
//! ```
//!
//! Prints one JSON line in the format of `make-stream` (`ml302_testkit::Counts`):
//! `{"urc_publish": N, "urc_other": N, "response_ok": N, "response_error": N, "bytes": N}`.
//! `CHUNK` (default 64) is how many bytes each `feed` call is offered at most;
//! `CHUNK=0` or `SKIP_DIGEST=1` only reads the file (a baseline for profiling).

use std::process::ExitCode;

use ml302::digest::Digester;
use ml302_testkit::Counts;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: digest_stream FILE   (env: CHUNK=64, SKIP_DIGEST=1, ROUTE=reference)");
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
    // `ROUTE=reference`: the digester's reference machine alone, without the
    // fast paths of the `fast-digest` feature.
    let reference = std::env::var_os("ROUTE").is_some_and(|v| v == "reference");
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
        // One loop per route, each with its `feed` inlined: no test of the
        // route on every call.
        if reference {
            feed_all(&data, chunk, |input| {
                let (used, frame) = d.feed_reference(input);
                if let Some(f) = &frame {
                    counts.add(f);
                }
                used
            });
        } else {
            feed_all(&data, chunk, |input| {
                let (used, frame) = d.feed(input);
                if let Some(f) = &frame {
                    counts.add(f);
                }
                used
            });
        }
    }
    counts.bytes = data.len() as u64;
    println!("{}", counts.to_json());
    ExitCode::SUCCESS
}

/// Offers `data` to `feed` in pieces of `chunk` bytes, each piece until it is
/// used up (`feed` returns the bytes it consumed).
#[inline(always)]
fn feed_all(data: &[u8], chunk: usize, mut feed: impl FnMut(&[u8]) -> usize) {
    if chunk == 1 {
        // One byte per call, without the slicing of the general loop (a call
        // on one byte always consumes it).
        for b in data {
            feed(core::slice::from_ref(b));
        }
        return;
    }
    for piece in data.chunks(chunk) {
        let mut rest = piece;
        while !rest.is_empty() {
            let used = feed(rest);
            rest = rest.get(used..).unwrap_or_default();
        }
    }
}
