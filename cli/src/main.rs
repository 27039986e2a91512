//! `ml302`: the command-line tool of the ml302 driver.
//!
//! * `ml302 demo` — the whole life of an MQTT session against a simulated modem
//!   (or a real one), with a timed transcript of the AT exchange;
//! * `ml302 pub` / `ml302 sub` — publish and subscribe, shaped like
//!   `mosquitto_pub` / `mosquitto_sub`;
//! * `ml302 net` — bring the module onto the network and show what it found;
//! * `ml302 status` — what the modem says about its MQTT client and its network;
//! * `ml302 at` — a raw AT console with decoded frames;
//! * `ml302 sim` — serve a simulated modem on a PTY or socket;
//! * `ml302 decode` — cut a capture of modem output into frames.
//!
//! Failures print one line, `error: <cause>`, on standard error; exit codes are
//! listed in [`error`] and in `docs/cli.md`.

/// `println!` that ignores a closed standard output (`ml302 demo | head`) instead
/// of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod console;
mod decode;
mod demo;
mod error;
mod format;
mod json;
mod modem;
mod net;
mod opts;
mod publish;
mod simcmd;
mod status;
mod subscribe;
mod tap;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliResult;

/// Drive an ML302 LTE modem's MQTT AT commands, or a simulated one.
#[derive(Debug, Parser)]
#[command(name = "ml302", version)]
#[command(
    after_help = "Exit codes: 0 ok, 1 operation failed (modem or broker error), \
    2 usage error, 3 device missing or busy, 4 time-out, 5 network bring-up failed (retrying \
    will not help), 6 network not up yet (retrying later may help), 27 `sub -W` ran out \
    (mosquitto's code).\n\
    Environment: ML302_DEVICE and ML302_BAUD are the defaults of --device and --baud \
    (not read by `demo` and `sim`); ML302_PASSWORD of -P."
)]
struct Cli {
    /// Log the AT traffic on standard error (the password is masked).
    #[arg(short = 'd', long, global = true)]
    debug: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a whole MQTT session against the simulator (or --device), with a
    /// timed AT transcript and a summary.
    Demo(demo::DemoArgs),
    /// Publish a message, with mosquitto_pub's options (`-h` is the host).
    Pub(publish::PubArgs),
    /// Subscribe and print messages until Ctrl-C or -C COUNT, with mosquitto_sub's
    /// options (`-h` is the host).
    Sub(subscribe::SubArgs),
    /// Bring the module onto the network (SIM, registration, PDP context) and
    /// print its IMEI, ICCID, IMSI, registration, signal and address.
    Net(net::NetArgs),
    /// Show the modem's MQTT and network state without changing it.
    Status(status::StatusArgs),
    /// Raw AT console: send lines from standard input, show decoded answers.
    At(console::AtArgs),
    /// Serve a simulated ML302 on a new PTY (or a device or socket) until Ctrl-C.
    Sim(simcmd::SimArgs),
    /// Decode a capture of modem output into frames, one JSON object per line.
    Decode(decode::DecodeArgs),
}

fn run(cli: &Cli) -> CliResult {
    match &cli.command {
        Command::Demo(a) => demo::run(a),
        Command::Pub(a) => publish::run(a, cli.debug),
        Command::Sub(a) => subscribe::run(a, cli.debug),
        Command::Net(a) => net::run(a, cli.debug),
        Command::Status(a) => status::run(a, cli.debug),
        Command::At(a) => console::run(a),
        Command::Sim(a) => simcmd::run(a),
        Command::Decode(a) => decode::run(a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            e.code.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
