//! Getting onto the network before MQTT (NETWORK.md §1): what
//! `bring_up` needs ([`NetworkConfig`]), what it gives back ([`NetworkInfo`]),
//! how it fails ([`BringUpError`]), and what `network_status` reads
//! ([`NetworkStatus`]). The steps themselves run in the client faces
//! ([`crate::blocking::Client::bring_up`], [`crate::asynch::Client::bring_up`]).
//!
//! ```no_run
//! # #[cfg(feature = "std")] {
//! use ml302::{blocking::Client, serial::SerialPort, MqttConfig, NetworkConfig, StdClock};
//! let port = SerialPort::open("/dev/ttyUSB0", 115_200).unwrap();
//! let mut client: Client<_, _> = Client::new(port, StdClock::new());
//! match client.bring_up(&NetworkConfig::manual("CMIOT")) {
//!     Ok(info) => println!("up as {} at {}", info.imei.0, info.address.address),
//!     Err(e) if e.can_retry() => println!("{e}; try again later"),
//!     Err(e) => panic!("{e}"),
//! }
//! client.start().unwrap(); // clears a stale MQTT client
//! client.configure(&MqttConfig::new("broker.example", 1883, "dev-1")).unwrap();
//! client.connect(None).unwrap();
//! # }
//! ```
//!
//! ```
//! use ml302::network::{BringUpCause, BringUpError, BringUpStep, NetworkConfig};
//!
//! let auto = NetworkConfig::automatic();
//! assert_eq!(auto.apn, None);
//! let manual = NetworkConfig::manual("CMIOT");
//! assert_eq!(manual.registration_ms, 60_000);
//! let e = BringUpError { step: BringUpStep::Sim, cause: BringUpCause::NoSim };
//! assert!(!e.can_retry());
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::command::net::{
    Iccid, Imei, Imsi, PdpActivationList, PdpAddress, PdpMode, PdpModeResponse, RegStatus,
    Registration, SignalQuality, SimState,
};
use crate::error::{CmeError, Error};

/// What [`crate::blocking::Client::bring_up`] does and how long each step may
/// take (ms). The defaults follow NETWORK.md §1 (30 s to sync) and, where it
/// gives no figure, are decisions \[D\]: 10 s for a busy SIM, 15 s for the
/// radio, 60 s for registration, 60 s for the PDP context (attach and
/// activation take tens of seconds), 10 s for an address, 5 s for a
/// one-command step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkConfig<'a> {
    /// `None`: keep the module's automatic PDP context (`AT+VERCTRL?` must
    /// report `<b>` = 1). `Some(apn)`: manual mode, `AT+VERCTRL=0,0`, then
    /// `AT+CGDCONT=1,"IP","<apn>"`, `AT+CGATT=1`, `AT+CGACT=1,1`.
    pub apn: Option<&'a str>,
    /// Until the module answers `AT`.
    pub sync_ms: u32,
    /// Until `AT+CPIN?` answers `READY` (polled while the SIM is busy).
    pub sim_ms: u32,
    /// Switching the radio on (`AT+CFUN=1`).
    pub radio_ms: u32,
    /// Until `AT+CEREG?` reports home (1) or roaming (5).
    pub registration_ms: u32,
    /// Defining, attaching and activating the context, then until
    /// `AT+CGACT?` shows it active.
    pub pdp_ms: u32,
    /// Until `AT+CGPADDR=1` gives an address that is not `0.0.0.0`.
    pub address_ms: u32,
    /// Each one-command step (echo, errors, PDP mode, identity, signal).
    pub command_ms: u32,
    /// Pause between two polls of the SIM, the registration, the context or
    /// the address (URCs and messages are processed meanwhile).
    pub poll_interval_ms: u32,
}

impl NetworkConfig<'static> {
    /// The module's automatic PDP context, default step times.
    pub const fn automatic() -> Self {
        Self {
            apn: None,
            sync_ms: 30_000,
            sim_ms: 10_000,
            radio_ms: 15_000,
            registration_ms: 60_000,
            pdp_ms: 60_000,
            address_ms: 10_000,
            command_ms: 5_000,
            poll_interval_ms: 1_000,
        }
    }
}

impl<'a> NetworkConfig<'a> {
    /// A manual PDP context with this APN (`CMIOT` for China Mobile IoT cards,
    /// `CMNET` for consumer cards), default step times.
    pub const fn manual(apn: &'a str) -> Self {
        let auto = NetworkConfig::automatic();
        Self {
            apn: Some(apn),
            sync_ms: auto.sync_ms,
            sim_ms: auto.sim_ms,
            radio_ms: auto.radio_ms,
            registration_ms: auto.registration_ms,
            pdp_ms: auto.pdp_ms,
            address_ms: auto.address_ms,
            command_ms: auto.command_ms,
            poll_interval_ms: auto.poll_interval_ms,
        }
    }
}

impl Default for NetworkConfig<'static> {
    fn default() -> Self {
        Self::automatic()
    }
}

/// The module and its link once the bring-up succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkInfo {
    /// IMEI (`AT+CGSN=1`).
    pub imei: Imei,
    /// ICCID of the SIM (`AT+ICCID`).
    pub iccid: Iccid,
    /// IMSI (`AT+CIMI`).
    pub imsi: Imsi,
    /// The registration that ended the registration step.
    pub registration: Registration,
    /// Signal quality (`AT+CSQ`).
    pub signal: SignalQuality,
    /// The address of context 1 (`AT+CGPADDR=1`).
    pub address: PdpAddress,
}

/// The link as `network_status` reads it, for a supervisor (NETWORK.md §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkStatus {
    /// `AT+CEREG?`.
    pub registration: Registration,
    /// `AT+CSQ`.
    pub signal: SignalQuality,
    /// Whether `AT+CGACT?` shows context 1 active.
    pub pdp_active: bool,
    /// `AT+CGPADDR=1`.
    pub address: PdpAddress,
}

impl NetworkStatus {
    /// Registered and the context up with an address: MQTT can reach the broker.
    pub fn is_up(&self) -> bool {
        self.registration.status.is_registered() && self.pdp_active && self.address.is_assigned()
    }
}

/// The step of NETWORK.md §1 a bring-up failed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BringUpStep {
    /// `AT` until `OK`.
    Sync,
    /// `ATE0`.
    EchoOff,
    /// `AT+CMEE=1`.
    NumericErrors,
    /// `AT+CPIN?` until `READY`.
    Sim,
    /// `AT+CFUN?`, `AT+CFUN=1`.
    Radio,
    /// `AT+VERCTRL?` / `AT+VERCTRL=0,0`.
    PdpMode,
    /// `AT+CEREG?` until home or roaming.
    Registration,
    /// `AT+CGDCONT`, `AT+CGATT=1`, `AT+CGACT=1,1` (manual mode).
    PdpActivation,
    /// `AT+CGACT?` until context 1 is active.
    PdpActive,
    /// `AT+CGPADDR=1` until an address.
    Address,
    /// `AT+CGSN=1`, `AT+ICCID`, `AT+CIMI`, `AT+CSQ`.
    Identity,
}

/// Why a bring-up step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BringUpCause {
    /// No SIM (`+CME ERROR: 10`, `+CPIN: NOT INSERTED`). Not retryable.
    NoSim,
    /// The SIM waits for a PIN, PUK or another code. Not retryable without it.
    PinRequired(SimState),
    /// The network denied the registration (`<stat>` 3). Not retryable.
    RegistrationDenied,
    /// No network service: `+CME ERROR: 30`, or the module stopped searching
    /// (`<stat>` 0) when the step's time ran out. Retryable later.
    NoService,
    /// The module reports a PDP mode `<b>` other than 0 and 1 (OneOS treats it
    /// as an error). Not retryable.
    UnsupportedPdpMode(u8),
    /// The module is in manual PDP mode (`<b>` = 0) and the configuration has
    /// no APN. Not retryable: configure one.
    ApnRequired,
    /// Defining, attaching or activating the context failed with this code
    /// (148 unspecified: retryable; 149 authentication, 133 not subscribed:
    /// not).
    PdpActivationFailed(CmeError),
    /// The step's time ran out (the module did not answer, the SIM stayed
    /// busy, the network kept searching, the context or address did not come).
    /// Retryable.
    Timeout,
    /// Any other failure of the step's command, as the command reported it.
    Command(Error),
}

/// A failed bring-up: at which step, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BringUpError {
    /// The step that failed.
    pub step: BringUpStep,
    /// Why.
    pub cause: BringUpCause,
}

impl BringUpError {
    /// Whether running the bring-up again (possibly later, or after a module
    /// reboot) can help; `false` when only hardware, a code, the subscription
    /// or the configuration can.
    pub const fn can_retry(&self) -> bool {
        match &self.cause {
            BringUpCause::NoSim
            | BringUpCause::PinRequired(_)
            | BringUpCause::RegistrationDenied
            | BringUpCause::UnsupportedPdpMode(_)
            | BringUpCause::ApnRequired => false,
            BringUpCause::NoService | BringUpCause::Timeout => true,
            BringUpCause::PdpActivationFailed(c) => c.is_retryable(),
            BringUpCause::Command(e) => e.is_retryable(),
        }
    }
}

impl core::fmt::Display for BringUpError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "network bring-up failed at {:?}: ", self.step)?;
        match &self.cause {
            BringUpCause::NoSim => f.write_str("no SIM"),
            BringUpCause::PinRequired(s) => write!(f, "the SIM needs a code ({s:?})"),
            BringUpCause::RegistrationDenied => f.write_str("registration denied"),
            BringUpCause::NoService => f.write_str("no network service"),
            BringUpCause::UnsupportedPdpMode(b) => write!(f, "unsupported PDP mode {b}"),
            BringUpCause::ApnRequired => f.write_str("manual PDP mode needs an APN"),
            BringUpCause::PdpActivationFailed(c) => write!(f, "PDP activation failed: {c}"),
            BringUpCause::Timeout => f.write_str("time-out"),
            BringUpCause::Command(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for BringUpError {}

/// What a bring-up step does after one answer: go on, poll again, or fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next<T> {
    Done(T),
    Again,
    Fail(BringUpCause),
}

/// The cause of a command's error within any step: the SIM and service codes
/// are typed wherever they appear.
pub(crate) fn cause_of(e: Error) -> BringUpCause {
    match e {
        Error::Cme(CmeError::SimNotInserted) => BringUpCause::NoSim,
        Error::Cme(CmeError::SimPinRequired) => BringUpCause::PinRequired(SimState::PinRequired),
        Error::Cme(CmeError::SimPukRequired) => BringUpCause::PinRequired(SimState::PukRequired),
        Error::Cme(CmeError::NoNetworkService) => BringUpCause::NoService,
        Error::Timeout => BringUpCause::Timeout,
        e => BringUpCause::Command(e),
    }
}

/// Step 2: one answer of `AT+CPIN?`.
pub(crate) fn sim_step(r: Result<SimState, Error>) -> Next<()> {
    match r {
        Ok(SimState::Ready) => Next::Done(()),
        Ok(SimState::NotReady) | Err(Error::Cme(CmeError::SimBusy)) => Next::Again,
        Ok(SimState::NotInserted) => Next::Fail(BringUpCause::NoSim),
        Ok(s) => Next::Fail(BringUpCause::PinRequired(s)),
        Err(e) => Next::Fail(cause_of(e)),
    }
}

/// Step 4: the PDP mode the module reports, against the configuration.
pub(crate) fn pdp_mode_step(r: Result<PdpModeResponse, Error>) -> Next<PdpMode> {
    match r {
        Ok(m) => match m.mode() {
            Ok(PdpMode::Automatic) => Next::Done(PdpMode::Automatic),
            Ok(PdpMode::Manual) => Next::Fail(BringUpCause::ApnRequired),
            Err(_) => Next::Fail(BringUpCause::UnsupportedPdpMode(m.b)),
        },
        Err(e) => Next::Fail(cause_of(e)),
    }
}

/// Step 5: one answer of `AT+CEREG?`.
pub(crate) fn registration_step(r: Result<Registration, Error>) -> Next<Registration> {
    match r {
        Ok(reg) if reg.status.is_registered() => Next::Done(reg),
        Ok(reg) if reg.status == RegStatus::Denied => Next::Fail(BringUpCause::RegistrationDenied),
        Ok(_) | Err(Error::Cme(CmeError::NoNetworkService)) => Next::Again,
        Err(e) => Next::Fail(cause_of(e)),
    }
}

/// Step 6: one answer of `AT+CGACT?`.
pub(crate) fn active_step(r: Result<PdpActivationList, Error>) -> Next<()> {
    match r {
        Ok(l) if l.is_active(1) => Next::Done(()),
        Ok(_) => Next::Again,
        Err(e) => Next::Fail(cause_of(e)),
    }
}

/// Step 6: one answer of `AT+CGPADDR=1`.
pub(crate) fn address_step(r: Result<PdpAddress, Error>) -> Next<PdpAddress> {
    match r {
        Ok(a) if a.is_assigned() => Next::Done(a),
        Ok(_) => Next::Again,
        Err(e) => Next::Fail(cause_of(e)),
    }
}

/// Step 4 in manual mode: a failed `AT+CGDCONT`, `AT+CGATT=1` or `AT+CGACT=1,1`.
pub(crate) fn activation_cause(e: Error) -> BringUpCause {
    match e {
        Error::Cme(
            CmeError::SimNotInserted | CmeError::SimPinRequired | CmeError::SimPukRequired,
        )
        | Error::Timeout => cause_of(e),
        Error::Cme(c) => BringUpCause::PdpActivationFailed(c),
        e => BringUpCause::Command(e),
    }
}

/// Why the registration step's time ran out: the module stopped searching
/// (`<stat>` 0, or `+CME ERROR: 30`), or it was still searching.
pub(crate) fn registration_timeout(last: Option<RegStatus>) -> BringUpCause {
    match last {
        Some(RegStatus::NotSearching) => BringUpCause::NoService,
        _ => BringUpCause::Timeout,
    }
}
