//! The least any streaming framer must do, as a yardstick for `digest_stream`.
//!
//! ```text
//! cargo run --release -p ml302-testkit --bin make-stream -- a 1 target/a.bin
//! CHUNK=1 cargo run --release --example line_floor -- target/a.bin
//! ```
//!
//! It feeds the file in chunks of `CHUNK` bytes (default 64; `0` only reads the
//! file) through the same loop as `examples/digest_stream.rs`, to a "framer" that
//! does nothing but copy every byte into a line buffer and test it for a line end
//! (no `+MQTTPUBLISH` length framing, no classification, no prompt, no errors
//! beyond a full buffer). `scripts/bench-callgrind.sh` measures it beside the
//! digester: its instructions per byte are a floor no digester that keeps its
//! state between calls can go below at the same chunk size.
//!
//! Prints `{"lines":N,"bytes":N}`.

use std::process::ExitCode;

/// Line buffer and its fill, the state a byte-at-a-time framer must keep.
struct Floor {
    line: [u8; 1024],
    len: usize,
}

impl Floor {
    /// Takes one byte; returns the length of the line it ends, if any.
    ///
    /// The leanest byte-at-a-time step: a byte above CR is stored (or, when the
    /// buffer is full, the line is dropped), all else goes out of line. Compiled
    /// into the feeding loop it takes about a dozen x86-64 instructions per
    /// stored byte, loop included (see `objdump -d` of the release build).
    #[inline(always)]
    fn push(&mut self, b: u8) -> Option<usize> {
        if b > b'\r' {
            self.store(b);
            return None;
        }
        self.low(b)
    }

    /// A byte at or below CR: CR or LF ends a non-empty line, others are stored.
    #[inline(never)]
    fn low(&mut self, b: u8) -> Option<usize> {
        if b == b'\r' || b == b'\n' {
            return Some(core::mem::take(&mut self.len)).filter(|&n| n > 0);
        }
        self.store(b);
        None
    }

    /// Appends `b` to the line; a line that outgrows the buffer is dropped.
    #[inline(always)]
    fn store(&mut self, b: u8) {
        match self.line.get_mut(self.len) {
            Some(slot) => {
                *slot = b;
                self.len += 1;
            }
            None => self.len = 0,
        }
    }

    /// Takes bytes until a line ends (returning how many bytes it took and the
    /// line's length) or `input` is used up.
    #[inline(never)]
    fn feed_run(&mut self, input: &[u8]) -> (usize, Option<usize>) {
        for (i, &b) in input.iter().enumerate() {
            if b == b'\r' || b == b'\n' {
                let n = core::mem::take(&mut self.len);
                if n > 0 {
                    return (i + 1, Some(n));
                }
            } else {
                self.store(b);
            }
        }
        (input.len(), None)
    }
}

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: line_floor FILE   (env: CHUNK=64)");
        return ExitCode::from(2);
    };
    let chunk: usize = match std::env::var("CHUNK").map(|s| s.parse()) {
        Ok(Ok(n)) => n,
        Ok(Err(_)) => {
            eprintln!("CHUNK must be a number");
            return ExitCode::from(2);
        }
        Err(_) => 64,
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.to_string_lossy());
            return ExitCode::FAILURE;
        }
    };
    let mut lines = 0u64;
    if chunk > 0 {
        let mut f = Floor {
            line: [0; 1024],
            len: 0,
        };
        if chunk == 1 {
            // One byte per call, without the slicing of the general loop.
            for &b in &data {
                if f.push(b).is_some() {
                    lines += 1;
                }
            }
        } else {
            for piece in data.chunks(chunk) {
                let mut rest = piece;
                while !rest.is_empty() {
                    let (used, line) = f.feed_run(rest);
                    rest = rest.get(used..).unwrap_or_default();
                    if line.is_some() {
                        lines += 1;
                    }
                }
            }
        }
    }
    println!("{{\"lines\":{lines},\"bytes\":{}}}", data.len());
    ExitCode::SUCCESS
}
