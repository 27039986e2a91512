//! Writes a benchmark stream of modem output to a file and prints its counts.
//!
//! ```text
//! usage: make-stream MIX MIB OUT
//!   MIX  a  responses and URCs whose payloads hold no CR/LF
//!        b  as a, plus +MQTTPUBLISH payloads that only length framing survives
//!   MIB  approximate size in MiB (a decimal number)
//!   OUT  output file
//! ```
//!
//! Prints the counts as one JSON line: `urc_publish`, `urc_other`, `response_ok`,
//! `response_error`, `bytes` (see `ml302_testkit::Counts`).

use std::process::ExitCode;

use ml302_testkit::{make_stream, Mix};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mix, mib, out] = args.as_slice() else {
        eprintln!("usage: make-stream MIX MIB OUT   (MIX a or b, MIB size in MiB)");
        return ExitCode::from(2);
    };
    let mix: Mix = match mix.parse() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("make-stream: {e}");
            return ExitCode::from(2);
        }
    };
    let size = match mib.parse::<f64>() {
        Ok(m) if m.is_finite() && m >= 0.0 => (m * f64::from(1u32 << 20)) as usize,
        _ => {
            eprintln!("make-stream: MIB must be a non-negative number, not {mib:?}");
            return ExitCode::from(2);
        }
    };
    let (data, counts) = make_stream(mix, size);
    if let Err(e) = std::fs::write(out, &data) {
        eprintln!("make-stream: cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    println!("{}", counts.to_json());
    ExitCode::SUCCESS
}
