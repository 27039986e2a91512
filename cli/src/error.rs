//! Failures of the tool: one line naming the cause, and a documented exit code.
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0 | success |
//! | 1 | an operation failed: the modem or the broker answered with an error |
//! | 2 | usage error: bad flags or a value the modem cannot carry (clap's own code) |
//! | 3 | the device is missing, busy, or went away |
//! | 4 | time-out: the modem or a message did not come in time |
//! | 5 | the module cannot get onto the network, and retrying will not help (no SIM, a PIN needed, registration denied, manual PDP mode without an APN) |
//! | 6 | the module is not on the network yet, and retrying later may help (no service, registration or PDP context still pending, a retryable PDP error) |
//! | 27 | `sub -W` ran out: mosquitto_sub's code for its `-W` (`MOSQ_ERR_TIMEOUT`) |
//!
//! 27 is mosquitto's; 1 is also what mosquitto_pub/sub return for a failed
//! connection; 2 to 6 are this tool's own (mosquitto has no device, and
//! returns 1 for bad flags where clap returns 2).

use std::fmt;
use std::process::ExitCode;

/// The exit code of a failure (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 1: the modem or the broker reported an error.
    Failed = 1,
    /// 2: bad flags or values.
    Usage = 2,
    /// 3: the device is missing, busy or went away.
    Device = 3,
    /// 4: something did not arrive in time.
    Timeout = 4,
    /// 5: the network bring-up failed, and retrying will not help.
    NetworkFatal = 5,
    /// 6: the network bring-up failed, and retrying later may help.
    NetworkRetry = 6,
    /// 27: `sub -W` ran out (mosquitto_sub's exit code for its `-W`).
    WaitOver = 27,
}

impl From<Code> for ExitCode {
    fn from(code: Code) -> Self {
        ExitCode::from(code as u8)
    }
}

/// A failure: what to print after `error: `, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    /// The exit code.
    pub code: Code,
    /// One line naming the cause.
    pub message: String,
}

impl CliError {
    /// A failure with this code and message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Exit code 1.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Code::Failed, message)
    }

    /// Exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Code::Usage, message)
    }

    /// Exit code 3.
    pub fn device(message: impl Into<String>) -> Self {
        Self::new(Code::Device, message)
    }

    /// Exit code 4.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(Code::Timeout, message)
    }

    /// Exit code 5 or 6: a failed network bring-up (see [`crate::net::bring_up_error`]).
    pub fn network(retry: bool, message: impl Into<String>) -> Self {
        let code = if retry {
            Code::NetworkRetry
        } else {
            Code::NetworkFatal
        };
        Self::new(code, message)
    }

    /// Exit code 27 (`sub -W`).
    pub fn wait_over(message: impl Into<String>) -> Self {
        Self::new(Code::WaitOver, message)
    }

    /// A driver error met while doing `what` on the modem at `path`.
    ///
    /// Modem and broker errors keep the driver's wording (for example `the broker
    /// rejected the user name or password (+CME ERROR: 614)`); time-outs and
    /// serial-port errors say what was being done and on which device.
    pub fn driver(err: ml302::Error, path: &str, what: &str) -> Self {
        use ml302::Error as E;
        match err {
            E::Timeout => {
                Self::timeout(format!("{path}: the modem did not answer in time ({what})"))
            }
            E::Io(kind) => Self::device(format!("{path}: {} ({what})", io_kind(kind))),
            E::PortClosed => Self::device(format!("{path}: the device went away ({what})")),
            E::Invalid(v) => Self::usage(v.to_string()),
            E::InvalidState => Self::failed(format!("{what}: {err}")),
            E::ConnectionLost => Self::failed(format!("{err} ({what})")),
            E::WrongDialect(_) => Self::failed(format!("{path}: {err}")),
            other => Self::failed(other.to_string()),
        }
    }
}

/// Words for an `embedded-io` error kind of the serial port.
fn io_kind(kind: embedded_io::ErrorKind) -> &'static str {
    use embedded_io::ErrorKind as K;
    match kind {
        K::NotFound => "the device disappeared",
        K::PermissionDenied => "permission denied",
        K::BrokenPipe | K::NotConnected | K::ConnectionReset | K::ConnectionAborted => {
            "the device went away"
        }
        K::TimedOut => "the device timed out",
        K::Interrupted => "interrupted",
        _ => "serial port error",
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

/// What the subcommands return.
pub type CliResult<T = ()> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_rejection_keeps_the_driver_wording() {
        let e = CliError::driver(
            ml302::Error::Cme(ml302::CmeError::AuthRejected),
            "/dev/x",
            "connect",
        );
        assert_eq!(e.code, Code::Failed);
        assert_eq!(
            e.message,
            "the broker rejected the user name or password (+CME ERROR: 614)"
        );
    }

    #[test]
    fn timeouts_and_port_errors_name_the_device() {
        let e = CliError::driver(ml302::Error::Timeout, "/dev/x", "start-up");
        assert_eq!(e.code, Code::Timeout);
        assert!(e.message.starts_with("/dev/x: "));
        let e = CliError::driver(
            ml302::Error::Io(embedded_io::ErrorKind::BrokenPipe),
            "/dev/x",
            "publish",
        );
        assert_eq!(e.code, Code::Device);
        assert!(e.message.contains("/dev/x"));
        let e = CliError::driver(ml302::Error::PortClosed, "/dev/x", "publish");
        assert_eq!(e.code, Code::Device);
        assert_eq!(e.message, "/dev/x: the device went away (publish)");
    }
}
