//! `ml302 net`: bring the module onto the network (SIM, radio, PDP mode,
//! registration, context, address) and print what it found; and the pieces
//! the other subcommands share to do the same first (`--apn`,
//! `--no-bring-up`, the failure's exit code).

use std::time::Instant;

use clap::Args;
use ml302::command::net::{Apn, RegStatus, SignalQuality};
use ml302::{BringUpCause, BringUpError, BringUpStep, NetworkConfig, NetworkInfo};
use ml302_sim::{SimConfig, Simulator, Transport};
use serde::Serialize;

use crate::error::{CliError, CliResult};
use crate::modem::{debug_sink, Modem};
use crate::opts::DeviceOpts;

/// How long the bring-up waits for the module to answer `AT`: the tool talks
/// to a module that is already powered, so it gives up as soon as `status`
/// does (NETWORK.md's 30 s are for a module just switched on).
pub const SYNC_MS: u32 = 5_000;

/// Checks an APN as `--apn` takes it (printable ASCII without `"`, at most
/// the module's length), so that a bad one costs no byte on the line.
pub fn parse_apn(s: &str) -> Result<String, String> {
    Apn::new(s).map(|_| s.to_owned()).map_err(|e| e.to_string())
}

/// Reads `--timeout SECS` (fractions allowed, 0.1 s to a day) as milliseconds.
fn parse_timeout(s: &str) -> Result<u32, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| (0.1..=86_400.0).contains(v))
        .map(|v| (v * 1000.0).round() as u32)
        .ok_or_else(|| "expected seconds between 0.1 and 86400".to_owned())
}

/// `--apn` and `--no-bring-up` of `pub` and `sub`.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Network")]
pub struct BringUpOpts {
    /// Do not bring the module onto the network first (it already is): go
    /// straight to the MQTT start-up.
    #[arg(long, conflicts_with = "apn")]
    pub no_bring_up: bool,

    /// Bring the network up with a manual PDP context on this APN
    /// (`AT+VERCTRL=0,0`, `AT+CGDCONT`, `AT+CGATT=1`, `AT+CGACT=1,1`) instead of
    /// the module's automatic one.
    #[arg(long, value_name = "APN", value_parser = parse_apn)]
    pub apn: Option<String>,
}

impl BringUpOpts {
    /// Brings `modem` onto the network unless `--no-bring-up`.
    pub fn run(&self, modem: &mut Modem) -> CliResult {
        if self.no_bring_up {
            return Ok(());
        }
        modem
            .bring_up_network(&network_config(self.apn.as_deref(), None))
            .map(|_| ())
    }
}

/// The bring-up the tool runs: automatic PDP, or manual with `apn`; the
/// driver's step times, except [`SYNC_MS`] and, when given, `wait_ms` for
/// every step that waits for the network.
pub fn network_config(apn: Option<&str>, wait_ms: Option<u32>) -> NetworkConfig<'_> {
    let mut cfg = match apn {
        Some(a) => NetworkConfig::manual(a),
        None => NetworkConfig::automatic(),
    };
    cfg.sync_ms = SYNC_MS;
    if let Some(ms) = wait_ms {
        cfg.sim_ms = ms;
        cfg.radio_ms = ms;
        cfg.registration_ms = ms;
        cfg.pdp_ms = ms;
        cfg.address_ms = ms;
    }
    cfg
}

/// The name of a bring-up step, as `--json` prints it.
pub fn step_name(step: BringUpStep) -> &'static str {
    match step {
        BringUpStep::Sync => "sync",
        BringUpStep::EchoOff => "echo_off",
        BringUpStep::NumericErrors => "numeric_errors",
        BringUpStep::Sim => "sim",
        BringUpStep::Radio => "radio",
        BringUpStep::PdpMode => "pdp_mode",
        BringUpStep::Registration => "registration",
        BringUpStep::PdpActivation => "pdp_activation",
        BringUpStep::PdpActive => "pdp_active",
        BringUpStep::Address => "address",
        BringUpStep::Identity => "identity",
    }
}

/// The name of a bring-up failure's cause, as `--json` prints it.
pub fn cause_name(cause: &BringUpCause) -> &'static str {
    match cause {
        BringUpCause::NoSim => "no_sim",
        BringUpCause::PinRequired(_) => "pin_required",
        BringUpCause::RegistrationDenied => "registration_denied",
        BringUpCause::NoService => "no_service",
        BringUpCause::UnsupportedPdpMode(_) => "unsupported_pdp_mode",
        BringUpCause::ApnRequired => "apn_required",
        BringUpCause::PdpActivationFailed(_) => "pdp_activation_failed",
        BringUpCause::Timeout => "timeout",
        BringUpCause::Command(_) => "command",
    }
}

/// A failed bring-up on the modem at `path`, mapped to the tool's exit codes:
/// a module that never answers `AT` is a time-out (4), a serial port that
/// fails a device error (3), an APN the module cannot carry a usage error (2);
/// every other failure is 5 when retrying cannot help and 6 when it can.
pub fn bring_up_error(e: &BringUpError, path: &str) -> CliError {
    match (&e.step, &e.cause) {
        (BringUpStep::Sync, BringUpCause::Timeout) => CliError::timeout(format!(
            "{path}: the modem does not answer AT (is it powered, and at this baud rate?)"
        )),
        (_, BringUpCause::Command(c @ (ml302::Error::Io(_) | ml302::Error::PortClosed))) => {
            CliError::driver(c.clone(), path, "network bring-up")
        }
        (_, BringUpCause::Command(ml302::Error::Invalid(v))) => {
            CliError::usage(format!("--apn: {v}"))
        }
        (_, cause) => {
            let hint = match cause {
                BringUpCause::NoSim => "; insert a SIM card",
                BringUpCause::PinRequired(_) => {
                    "; enter the code first (`ml302 at`: AT+CPIN=\"PIN\")"
                }
                BringUpCause::ApnRequired => "; give the APN with --apn",
                _ if e.can_retry() => "; retrying later may help",
                _ => "; retrying will not help",
            };
            CliError::network(e.can_retry(), format!("{path}: {e}{hint}"))
        }
    }
}

/// A registration state in one word (`home`, `roaming`, `searching`,
/// `denied`, `not_searching`, `unknown`, or `stat_N`).
pub fn registration_name(status: RegStatus) -> String {
    match status {
        RegStatus::Home => "home".to_owned(),
        RegStatus::Roaming => "roaming".to_owned(),
        RegStatus::Searching => "searching".to_owned(),
        RegStatus::Denied => "denied".to_owned(),
        RegStatus::NotSearching => "not_searching".to_owned(),
        RegStatus::Unknown => "unknown".to_owned(),
        RegStatus::Other(n) => format!("stat_{n}"),
    }
}

/// The signal as people read it: `-51 dBm (rssi 31, ber 0)`, or `unknown
/// (rssi 99)`.
pub fn signal_text(s: SignalQuality) -> String {
    let ber = match s.ber_class() {
        Some(b) => format!("ber {b}"),
        None => "ber unknown".to_owned(),
    };
    match s.dbm() {
        Some(dbm) => format!("{dbm} dBm (rssi {}, {ber})", s.rssi),
        None => format!("unknown (rssi {}, {ber})", s.rssi),
    }
}

/// Arguments of `ml302 net`.
#[derive(Debug, Args)]
pub struct NetArgs {
    /// Use a manual PDP context on this APN (`AT+VERCTRL=0,0`, `AT+CGDCONT`,
    /// `AT+CGATT=1`, `AT+CGACT=1,1`) instead of the module's automatic one.
    #[arg(long, value_name = "APN", value_parser = parse_apn)]
    pub apn: Option<String>,

    /// Print one JSON object (or, on failure, one with an `error` key) instead
    /// of text.
    #[arg(long)]
    pub json: bool,

    /// Give up on a step that waits for the network (SIM, radio,
    /// registration, PDP context, address) after SECS; default 10, 15, 60, 60
    /// and 10 s.
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    pub timeout: Option<u32>,

    /// The serial device; without one (and without `ML302_DEVICE`), a
    /// simulated ML302 on a new PTY.
    #[command(flatten)]
    pub device: DeviceOpts,
}

/// What `ml302 net --json` prints when the module is up.
#[derive(Debug, Clone, Serialize)]
pub struct NetJson {
    /// Always `true`: the module is registered with its context up.
    pub up: bool,
    /// The serial device.
    pub device: String,
    /// Whether the device is the simulator `net` started itself.
    pub simulated: bool,
    /// IMEI (15 digits).
    pub imei: String,
    /// ICCID of the SIM.
    pub iccid: String,
    /// IMSI.
    pub imsi: String,
    /// `home` or `roaming`.
    pub registration: String,
    /// `AT+CSQ`'s raw `<rssi>`.
    pub rssi: u8,
    /// The signal in dBm; `null` when unknown.
    pub rssi_dbm: Option<i16>,
    /// Bit error rate class; `null` when unknown.
    pub ber: Option<u8>,
    /// `automatic` or `manual`.
    pub pdp: &'static str,
    /// The APN of a manual context; `null` in automatic mode.
    pub apn: Option<String>,
    /// The address of PDP context 1.
    pub ip: String,
}

impl NetJson {
    /// The report of a successful bring-up.
    pub fn new(info: &NetworkInfo, device: &str, simulated: bool, apn: Option<&str>) -> Self {
        Self {
            up: true,
            device: device.to_owned(),
            simulated,
            imei: info.imei.0.to_string(),
            iccid: info.iccid.0.to_string(),
            imsi: info.imsi.0.to_string(),
            registration: registration_name(info.registration.status),
            rssi: info.signal.rssi,
            rssi_dbm: info.signal.dbm(),
            ber: info.signal.ber_class(),
            pdp: if apn.is_some() { "manual" } else { "automatic" },
            apn: apn.map(str::to_owned),
            ip: info.address.address.to_string(),
        }
    }
}

/// What `ml302 net --json` prints when it fails.
#[derive(Debug, Clone, Serialize)]
pub struct NetErrorJson {
    /// Always `false`.
    pub up: bool,
    /// The message also printed after `error: ` on standard error.
    pub error: String,
    /// The exit code.
    pub exit_code: u8,
    /// The bring-up step that failed; `null` when the failure came before the
    /// bring-up (no device, a device error).
    pub step: Option<&'static str>,
    /// Why the step failed; `null` as for `step`.
    pub cause: Option<&'static str>,
    /// Whether running the bring-up again can help; `null` as for `step`.
    pub retry: Option<bool>,
}

/// Runs `ml302 net`.
pub fn run(args: &NetArgs, debug: bool) -> CliResult {
    let result = bring_up(args, debug);
    match (result, args.json) {
        (Ok(report), true) => {
            say!("{}", json_line(&report));
            Ok(())
        }
        (Ok(report), false) => {
            print_text(&report);
            Ok(())
        }
        (Err((e, failed)), json) => {
            if json {
                let out = NetErrorJson {
                    up: false,
                    error: e.message.clone(),
                    exit_code: e.code as u8,
                    step: failed.as_ref().map(|f| step_name(f.step)),
                    cause: failed.as_ref().map(|f| cause_name(&f.cause)),
                    retry: failed.as_ref().map(BringUpError::can_retry),
                };
                say!("{}", json_line(&out));
            }
            Err(e)
        }
    }
}

/// One object on one line.
fn json_line(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"json: {e}\"}}"))
}

/// The bring-up, on the device or on a simulator started for it.
fn bring_up(args: &NetArgs, debug: bool) -> Result<NetJson, (CliError, Option<BringUpError>)> {
    let plain = |e: CliError| (e, None);
    let device = args.device.device.as_deref().filter(|d| !d.is_empty());
    // The simulator lives until the end of the bring-up.
    let mut sim: Option<Simulator> = None;
    let path = match device {
        Some(p) => p.to_owned(),
        None => {
            let s = Simulator::start(SimConfig::default(), Transport::Pty)
                .map_err(|e| CliError::failed(format!("cannot start the simulator: {e}")))
                .map_err(plain)?;
            let dev = s
                .device_path()
                .map(|p| p.display().to_string())
                .ok_or_else(|| CliError::failed("the simulator has no device path"))
                .map_err(plain)?;
            eprintln!("ml302 net: no --device: a simulated ML302 on {dev}");
            sim = Some(s);
            dev
        }
    };
    let mut modem =
        Modem::open(&path, args.device.baud, debug_sink(debug), Instant::now()).map_err(plain)?;
    let apn = args.apn.as_deref();
    let info = modem
        .client
        .bring_up(&network_config(apn, args.timeout))
        .map_err(|e| (bring_up_error(&e, &path), Some(e)))?;
    drop(modem);
    drop(sim);
    Ok(NetJson::new(&info, &path, device.is_none(), apn))
}

/// The human report of `ml302 net`.
fn print_text(r: &NetJson) {
    let line = |label: &str, value: &str| say!("{:<15} {value}", format!("{label}:"));
    let device = if r.simulated {
        format!("{} (simulated)", r.device)
    } else {
        r.device.clone()
    };
    line("device", &device);
    line("network", "up");
    line("IMEI", &r.imei);
    line("ICCID", &r.iccid);
    line("IMSI", &r.imsi);
    line("registration", &r.registration);
    let signal = signal_text(SignalQuality {
        rssi: r.rssi,
        ber: r.ber.unwrap_or(99),
    });
    line("signal", &signal);
    let pdp = match &r.apn {
        Some(apn) => format!("manual, APN {apn}"),
        None => "automatic (AT+VERCTRL)".to_owned(),
    };
    line("PDP context", &pdp);
    line("IP address", &r.ip);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Code;

    fn code_of(e: &BringUpError) -> Code {
        bring_up_error(e, "/dev/x").code
    }

    fn err(step: BringUpStep, cause: BringUpCause) -> BringUpError {
        BringUpError { step, cause }
    }

    #[test]
    fn failures_map_to_documented_codes() {
        use BringUpCause as C;
        use BringUpStep as S;
        assert_eq!(code_of(&err(S::Sync, C::Timeout)), Code::Timeout);
        assert_eq!(code_of(&err(S::Sim, C::NoSim)), Code::NetworkFatal);
        assert_eq!(
            code_of(&err(S::Registration, C::RegistrationDenied)),
            Code::NetworkFatal
        );
        assert_eq!(
            code_of(&err(S::PdpMode, C::ApnRequired)),
            Code::NetworkFatal
        );
        assert_eq!(
            code_of(&err(S::Registration, C::Timeout)),
            Code::NetworkRetry
        );
        assert_eq!(
            code_of(&err(S::Registration, C::NoService)),
            Code::NetworkRetry
        );
        assert_eq!(
            code_of(&err(S::Sim, C::Command(ml302::Error::PortClosed))),
            Code::Device
        );
        let e = bring_up_error(&err(S::Sim, C::NoSim), "/dev/x");
        assert!(e.message.starts_with("/dev/x: "), "{}", e.message);
        assert!(e.message.contains("no SIM"), "{}", e.message);
    }

    #[test]
    fn apns_the_module_cannot_carry_are_refused() {
        assert_eq!(parse_apn("CMIOT").as_deref(), Ok("CMIOT"));
        assert!(parse_apn("a\"b").is_err());
        assert!(parse_apn("a\r\nAT+CFUN=0").is_err());
        assert!(parse_apn(&"x".repeat(200)).is_err());
    }

    #[test]
    fn signal_and_registration_read_as_words() {
        let s = SignalQuality { rssi: 31, ber: 99 };
        assert_eq!(signal_text(s), "-51 dBm (rssi 31, ber unknown)");
        let s = SignalQuality { rssi: 99, ber: 2 };
        assert_eq!(signal_text(s), "unknown (rssi 99, ber 2)");
        assert_eq!(registration_name(RegStatus::Roaming), "roaming");
        assert_eq!(registration_name(RegStatus::Other(9)), "stat_9");
    }
}
