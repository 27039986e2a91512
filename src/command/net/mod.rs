//! Typed commands of the network bring-up (NETWORK.md §2): SIM, radio, signal,
//! registration, attach, PDP context, and the module's identity.
//!
//! Built like the MQTT verbs: one struct per command form, deriving
//! [`atat::AtatCmd`], implementing [`super::Command`] (every parameter checked
//! before a byte is written), with a typed answer parsed from the response body.
//!
//! | command | struct | answer |
//! | --- | --- | --- |
//! | `AT+CPIN?` | [`QuerySim`] | [`SimState`] |
//! | `AT+CFUN?` / `AT+CFUN=<fun>` / `AT+CFUN=1,1` | [`QueryFunctionality`], [`SetFunctionality`], [`Reboot`] | [`Functionality`] |
//! | `AT+CSQ` | [`QuerySignal`] | [`SignalQuality`] (with [`SignalQuality::dbm`]) |
//! | `AT+CEREG?` / `=<n>`, `AT+CGREG?` / `=<n>` | [`QueryEpsRegistration`], [`SetEpsRegistrationReports`], [`QueryGprsRegistration`], [`SetGprsRegistrationReports`] | [`RegistrationResponse`] |
//! | `AT+CGATT?` / `=<0\|1>` | [`QueryAttach`], [`SetAttach`] | [`AttachResponse`] |
//! | `AT+CGDCONT=<cid>,"<type>","<apn>"` | [`DefinePdpContext`] (with an [`Apn`]) | — |
//! | `AT+CGACT?` / `=<state>,<cid>` | [`QueryPdpActivation`], [`SetPdpActivation`] | [`PdpActivationList`] |
//! | `AT+CGPADDR=<cid>` | [`QueryPdpAddress`] | [`PdpAddress`] |
//! | `AT+VERCTRL?` / `=<a>,<b>` | [`QueryPdpMode`], [`SetPdpMode`] | [`PdpModeResponse`] |
//! | `AT+CGSN=1`, `AT+ICCID`, `AT+CIMI` | [`QueryImei`], [`QueryIccid`], [`QueryImsi`] | [`Imei`], [`Iccid`], [`Imsi`] |
//!
//! The lines `+CEREG:`, `+CGREG:` and `+CPIN:` are also unsolicited: their one
//! decoder lives here and [`crate::urc::Urc`] uses it too.
//!
//! ```
//! use ml302::command::net::{QuerySignal, SignalQuality};
//! use ml302::command::{Command, MAX_LINE};
//!
//! let mut buf = [0u8; MAX_LINE];
//! let n = QuerySignal.encode(&mut buf)?;
//! assert_eq!(&buf[..n], b"AT+CSQ\r\n");
//! let q = SignalQuality::parse(b"\r\n+CSQ: 20,99\r\n")?;
//! assert_eq!(q.dbm(), Some(-73));
//! # Ok::<(), ml302::Error>(())
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::body_lines;
use crate::line::{Field as Arg, Fields};

pub mod cfun;
pub mod cgact;
pub mod cgatt;
pub mod cgdcont;
pub mod cgpaddr;
pub mod cpin;
pub mod csq;
pub mod ident;
pub mod reg;
pub mod verctrl;

pub use cfun::{Functionality, QueryFunctionality, Reboot, SetFunctionality};
pub use cgact::{
    PdpActivation, PdpActivationList, QueryPdpActivation, SetPdpActivation, MAX_CONTEXTS,
};
pub use cgatt::{AttachResponse, QueryAttach, SetAttach};
pub use cgdcont::{Apn, DefinePdpContext, PdpType, MAX_APN};
pub use cgpaddr::{PdpAddress, QueryPdpAddress, MAX_ADDRESS};
pub use cpin::{QuerySim, SimState};
pub use csq::{QuerySignal, SignalQuality};
pub use ident::{Iccid, Imei, Imsi, QueryIccid, QueryImei, QueryImsi};
pub use reg::{
    Domain, Location, QueryEpsRegistration, QueryGprsRegistration, RegStatus, Registration,
    RegistrationResponse, SetEpsRegistrationReports, SetGprsRegistrationReports,
};
pub use verctrl::{PdpMode, PdpModeResponse, QueryPdpMode, SetPdpMode};

/// Host-side time-out of `AT+CGATT=` and `AT+CGACT=`: attach and activation can
/// take tens of seconds (\[D\]: NETWORK.md §2 gives no figure; OneOS waits 20×
/// its default).
pub const NETWORK_TIMEOUT_MS: u32 = 60_000;

/// Host-side time-out of `AT+CFUN=` (\[D\]: switching the radio takes seconds).
pub const RADIO_TIMEOUT_MS: u32 = 15_000;

/// Largest PDP context identifier accepted (\[D\]: TS 27.007 leaves the range to
/// the module; the ML302 uses 1).
pub const MAX_CID: u8 = 15;

/// What follows `prefix` (for example `b"+CSQ:"`) in `line`, spaces around it
/// trimmed; `None` when the line does not start with it.
pub(crate) fn after<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    line.strip_prefix(prefix).map(<[u8]>::trim_ascii)
}

/// What follows `prefix` on the first line of `body` that starts with it.
pub(crate) fn find<'a>(body: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    body_lines(body).find_map(|l| after(l, prefix))
}

/// The comma-separated fields of `rest`, at most `N`; `None` when a field is
/// malformed or there are more than `N`. Missing fields are empty bare ones.
pub(crate) fn split<const N: usize>(rest: &[u8]) -> Option<([Arg<'_>; N], usize)> {
    let mut out = [Arg::Bare(&[]); N];
    let n = split_into(rest, &mut out)?;
    Some((out, n))
}

/// [`split`] into `out`: the number of fields, `None` when a field is
/// malformed or there are more than `out` holds.
pub(crate) fn split_into<'a>(rest: &'a [u8], out: &mut [Arg<'a>]) -> Option<usize> {
    let mut n = 0usize;
    for f in Fields::new(rest) {
        *out.get_mut(n)? = f?;
        n = n.saturating_add(1);
    }
    Some(n)
}

/// A string of ASCII digits, quoted or bare, of `min..=max` digits.
pub(crate) fn digits(f: Arg<'_>, min: usize, max: usize) -> Option<&str> {
    let b = f.bytes();
    if b.len() < min || b.len() > max || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    crate::text::utf8(b)
}
