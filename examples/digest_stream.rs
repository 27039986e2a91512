//! Feeds a file of modem output through the digester and counts what it holds.
//!
//! ```text
//! cargo run --release -p ml302-testkit --bin make-stream -- a 1 /tmp/a.bin
//! CHUNK=64 cargo run --release --example digest_stream -- /tmp/a.bin
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
    let feed = |d: &mut Digester, input: &[u8], counts: &mut Counts| -> usize {
        let (used, frame) = if reference {
            d.feed_reference(input)
        } else {
            d.feed(input)
        };
        if let Some(f) = &frame {
            counts.add(f);
        }
        used
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
                feed(&mut d, core::slice::from_ref(b), &mut counts);
            }
        } else {
            for piece in data.chunks(chunk) {
                let mut rest = piece;
                while !rest.is_empty() {
                    let used = feed(&mut d, rest, &mut counts);
                    rest = rest.get(used..).unwrap_or_default();
                }
            }
        }
    }
    counts.bytes = data.len() as u64;
    println!("{}", counts.to_json());
    ExitCode::SUCCESS
}
