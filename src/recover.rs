//! Coming back after the link or the module failed (NETWORK.md §4).
//!
//! `recover` (on [`crate::blocking::Client::recover`] and
//! [`crate::asynch::Client::recover`]) climbs a ladder, cheapest first, and
//! stops at the first rung that brings the MQTT link back:
//!
//! 1. [`Rung::MqttReopen`]: the module answers `AT` and context 1 is active
//!    (`AT+CGACT?`, checked once, not waited for); after a restart the whole
//!    bring-up runs instead. Then the MQTT client is made again.
//! 2. [`Rung::PdpReactivation`]: `AT+CGACT=1,1`, the bring-up, the MQTT client.
//! 3. [`Rung::RadioCycle`]: `AT+CFUN=0`, a pause, `AT+CFUN=1`, the bring-up,
//!    the MQTT client.
//! 4. [`Rung::Reboot`]: `AT+CFUN=1,1`, or a pulse on a reset line or power key
//!    ([`ResetPulse`]); a wait for the boot line; the bring-up; the MQTT
//!    client.
//!
//! "The bring-up" is `bring_up` with [`Recovery::network`]: it re-applies echo
//! off, numeric errors, the PDP mode and APN, and waits for registration, the
//! context and its address. "The MQTT client" is `AT+MQTTDISC` and
//! `AT+MQTTDEL` (errors ignored), `AT+MQTTCFG` from [`Recovery::mqtt`],
//! `AT+MQTTTO` and `AT+MQTTREC` (the values last set with `set_ack_timeout` /
//! `set_auto_reconnect`, else the configuration's), `AT+MQTTOPEN` with
//! [`Recovery::will`], `AT+MQTTPING` (as last set) and the re-subscription of
//! the whole subscription table.
//!
//! The caller lends the configurations for the call: the client keeps no
//! copy of host, identifier, credentials or APN, so its RAM does not grow
//! with them. Each rung is bounded: by the step times of the
//! [`NetworkConfig`], the MQTT commands' own time-outs, and
//! [`Recovery::radio_off_ms`] / [`Recovery::boot_ms`] /
//! [`ResetPulse::pulse_ms`].
//!
//! ```
//! use ml302::recover::{RecoverCause, RecoverError, Recovery, Rung};
//! use ml302::{MqttConfig, NetworkConfig};
//!
//! let net = NetworkConfig::automatic();
//! let mqtt = MqttConfig::new("broker.example", 1883, "dev-1");
//! let r = Recovery::new(&net, &mqtt).up_to(Rung::RadioCycle);
//! assert_eq!(r.highest, Rung::RadioCycle);
//! assert!(Rung::MqttReopen < Rung::Reboot);
//! let e = RecoverError { rung: Rung::MqttReopen, cause: RecoverCause::LinkDown };
//! assert!(e.can_retry());
//! ```
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::config::{MqttConfig, Will};
use crate::error::{CmeError, Error};
use crate::network::{BringUpCause, BringUpError, NetworkConfig};

/// A rung of the recovery ladder, cheapest first (they compare in that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Rung {
    /// The MQTT client made again and opened, subscriptions restored.
    MqttReopen,
    /// `AT+CGACT=1,1`, the bring-up, then the MQTT client.
    PdpReactivation,
    /// `AT+CFUN=0`, `AT+CFUN=1`, the bring-up, then the MQTT client.
    RadioCycle,
    /// `AT+CFUN=1,1` or a reset pulse, the bring-up, then the MQTT client.
    Reboot,
}

impl Rung {
    /// The next rung up, `None` above [`Rung::Reboot`].
    pub const fn next(self) -> Option<Rung> {
        match self {
            Rung::MqttReopen => Some(Rung::PdpReactivation),
            Rung::PdpReactivation => Some(Rung::RadioCycle),
            Rung::RadioCycle => Some(Rung::Reboot),
            Rung::Reboot => None,
        }
    }
}

/// What `recover` needs: the configurations it re-applies (lent for the
/// call) and how far and how long it may go.
#[derive(Debug, Clone, Copy)]
pub struct Recovery<'a> {
    /// The bring-up (PDP mode, APN, step times).
    pub network: &'a NetworkConfig<'a>,
    /// The MQTT client (`AT+MQTTCFG`, ACK time-out, automatic reconnection
    /// and ping echo unless set otherwise since).
    pub mqtt: &'a MqttConfig<'a>,
    /// The will of `AT+MQTTOPEN`, if any.
    pub will: Option<&'a Will<'a>>,
    /// The highest rung tried (default [`Rung::Reboot`]).
    pub highest: Rung,
    /// Radio off before `AT+CFUN=1` on [`Rung::RadioCycle`] (default 2 s \[D\]).
    pub radio_off_ms: u32,
    /// After a reboot, how long to wait for the boot line before the bring-up
    /// begins (default 5 s, NETWORK.md §1: the module answers about 5 s after
    /// its power key); the bring-up's sync then waits for `AT` as usual.
    pub boot_ms: u32,
}

impl<'a> Recovery<'a> {
    /// All four rungs, no will, default pauses.
    pub const fn new(network: &'a NetworkConfig<'a>, mqtt: &'a MqttConfig<'a>) -> Self {
        Self {
            network,
            mqtt,
            will: None,
            highest: Rung::Reboot,
            radio_off_ms: 2_000,
            boot_ms: 5_000,
        }
    }

    /// The same with a will.
    pub const fn with_will(mut self, will: &'a Will<'a>) -> Self {
        self.will = Some(will);
        self
    }

    /// The same, climbing no higher than `rung`.
    pub const fn up_to(mut self, rung: Rung) -> Self {
        self.highest = rung;
        self
    }
}

/// How [`Rung::Reboot`] drives a reset line or power key through an
/// `embedded_hal::digital::OutputPin` (`recover_with_reset`).
///
/// NETWORK.md gives no pulse width \[D\]: the default holds the line active
/// for 1 s, long enough for the power key of the ML302 family and well above
/// any reset input's minimum; wire a power key so that one pulse restarts the
/// module (a key that only toggles power needs two calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ResetPulse {
    /// The level that asserts the line: high (default, a GPIO driving the
    /// transistor that pulls the key low) or low (a reset input wired
    /// directly).
    pub active_high: bool,
    /// How long the line stays asserted.
    pub pulse_ms: u32,
}

impl Default for ResetPulse {
    fn default() -> Self {
        Self {
            active_high: true,
            pulse_ms: 1_000,
        }
    }
}

/// The pin `recover` passes when the caller has none: it cannot exist.
#[derive(Debug)]
pub enum NoPin {}

impl embedded_hal::digital::ErrorType for NoPin {
    type Error = core::convert::Infallible;
}

impl embedded_hal::digital::OutputPin for NoPin {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        match *self {}
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        match *self {}
    }
}

/// Drives `pin` to the asserted (`on`) or released level of `pulse`.
pub(crate) fn drive_pin<R: embedded_hal::digital::OutputPin>(
    pin: &mut R,
    pulse: &ResetPulse,
    on: bool,
) -> Result<(), RecoverCause> {
    let r = if on == pulse.active_high {
        pin.set_high()
    } else {
        pin.set_low()
    };
    r.map_err(|_| RecoverCause::Pin)
}

/// Why a rung failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RecoverCause {
    /// [`Rung::MqttReopen`] found context 1 inactive (`AT+CGACT?`).
    LinkDown,
    /// The bring-up failed.
    BringUp(BringUpError),
    /// A command of the rung failed: `AT`, `AT+CGACT`, `AT+CFUN`, or one of
    /// the MQTT client's.
    Command(Error),
    /// The reset pin could not be driven.
    Pin,
}

/// A failed recovery: the last rung tried, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RecoverError {
    /// The rung that failed last.
    pub rung: Rung,
    /// Why.
    pub cause: RecoverCause,
}

impl RecoverError {
    /// Whether running `recover` again (later) can help; `false` when only
    /// hardware, a code, credentials or the configuration can.
    pub fn can_retry(&self) -> bool {
        !self.cause.ends_ladder()
            && match &self.cause {
                RecoverCause::LinkDown => true,
                RecoverCause::BringUp(e) => e.can_retry() || e.cause == BringUpCause::NoSim,
                RecoverCause::Command(e) => e.is_retryable(),
                RecoverCause::Pin => false,
            }
    }
}

impl RecoverCause {
    /// Whether no higher rung can help: the configuration, a code or the
    /// credentials are wrong, the network denies the registration, or the
    /// port is gone. (No SIM does not end the ladder: a radio or module
    /// restart reads the SIM again.)
    pub fn ends_ladder(&self) -> bool {
        match self {
            RecoverCause::LinkDown | RecoverCause::Pin => false,
            RecoverCause::BringUp(e) => match &e.cause {
                BringUpCause::PinRequired(_)
                | BringUpCause::RegistrationDenied
                | BringUpCause::UnsupportedPdpMode(_)
                | BringUpCause::ApnRequired => true,
                BringUpCause::PdpActivationFailed(c) => !c.is_retryable(),
                BringUpCause::Command(e) => command_ends_ladder(e),
                BringUpCause::NoSim | BringUpCause::NoService | BringUpCause::Timeout => false,
            },
            RecoverCause::Command(e) => command_ends_ladder(e),
        }
    }
}

/// A command failure no restart repairs.
fn command_ends_ladder(e: &Error) -> bool {
    matches!(
        e,
        Error::Invalid(_)
            | Error::PortClosed
            | Error::Io(_)
            | Error::Cme(CmeError::AuthRejected | CmeError::PdpAuthenticationFailed)
    )
}

impl core::fmt::Display for RecoverError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "recovery failed at {:?}: ", self.rung)?;
        match &self.cause {
            RecoverCause::LinkDown => f.write_str("the PDP context is down"),
            RecoverCause::BringUp(e) => write!(f, "{e}"),
            RecoverCause::Command(e) => write!(f, "{e}"),
            RecoverCause::Pin => f.write_str("the reset pin could not be driven"),
        }
    }
}

impl core::error::Error for RecoverError {}

/// Generates `recover` and `recover_with_reset` for a client face (called
/// from `client_operations!`). `$kw` is `async` or nothing, `$aw` is `.await`
/// or nothing.
macro_rules! recover_operations {
    ([$($kw:tt)*] [$($aw:tt)*]) => {
    /// Brings the MQTT link back by climbing the recovery ladder of
    /// NETWORK.md §4 (see [`crate::recover`]): MQTT re-open with
    /// re-subscription, PDP re-activation, radio off and on, reboot
    /// (`AT+CFUN=1,1`). Stops at the first rung that works and returns it;
    /// re-applies echo off, numeric errors, the PDP mode and APN, the MQTT
    /// configuration, ACK time-out, automatic reconnection and ping echo as
    /// needed. The subscription table is kept and re-issued. Fails with the
    /// last rung tried when none works, or at once when no higher rung can
    /// help ([`crate::recover::RecoverCause::ends_ladder`]).
    pub $($kw)* fn recover(
        &mut self,
        r: &crate::recover::Recovery<'_>,
    ) -> Result<crate::recover::Rung, crate::recover::RecoverError> {
        self.recover_ladder::<crate::recover::NoPin>(r, None)$($aw)*
    }

    /// As `recover`, with [`crate::recover::Rung::Reboot`] done by pulsing
    /// `pin` (a reset line or power key) as `pulse` says instead of
    /// `AT+CFUN=1,1`: it works even when the module no longer answers.
    pub $($kw)* fn recover_with_reset<R: embedded_hal::digital::OutputPin>(
        &mut self,
        r: &crate::recover::Recovery<'_>,
        pin: &mut R,
        pulse: crate::recover::ResetPulse,
    ) -> Result<crate::recover::Rung, crate::recover::RecoverError> {
        self.recover_ladder(r, Some((pin, pulse)))$($aw)*
    }

    /// The ladder: each rung up to `r.highest`, until one brings the link back.
    $($kw)* fn recover_ladder<R: embedded_hal::digital::OutputPin>(
        &mut self,
        r: &crate::recover::Recovery<'_>,
        mut reset: Option<(&mut R, crate::recover::ResetPulse)>,
    ) -> Result<crate::recover::Rung, crate::recover::RecoverError> {
        use crate::recover::{RecoverError, Rung};
        let mut rung = Rung::MqttReopen;
        loop {
            let pin = reset.as_mut().map(|(p, pulse)| (&mut **p, *pulse));
            match self.recover_rung(rung, r, pin)$($aw)* {
                Ok(()) => {
                    self.session.settings_applied();
                    return Ok(rung);
                }
                Err(cause) => {
                    warn!("recovery rung {:?} failed", rung);
                    let next = rung.next().filter(|n| *n <= r.highest);
                    match next {
                        Some(n) if !cause.ends_ladder() => rung = n,
                        _ => return Err(RecoverError { rung, cause }),
                    }
                }
            }
        }
    }

    /// One rung: its own action, the bring-up (or, on the first rung of a
    /// module that kept its settings, a check of the context), the MQTT client.
    $($kw)* fn recover_rung<R: embedded_hal::digital::OutputPin>(
        &mut self,
        rung: crate::recover::Rung,
        r: &crate::recover::Recovery<'_>,
        reset: Option<(&mut R, crate::recover::ResetPulse)>,
    ) -> Result<(), crate::recover::RecoverCause> {
        use crate::recover::{drive_pin, RecoverCause as C, Rung};
        let cmd_ms = r.network.command_ms;
        // A port error ends the rung (and the ladder); a refused command
        // does not: the bring-up that follows finds out what is wrong.
        let port_error = |e: Error| match e {
            Error::Io(_) | Error::PortClosed => Err(C::Command(e)),
            _ => Ok(()),
        };
        match rung {
            Rung::MqttReopen => {}
            Rung::PdpReactivation => {
                let on = net::SetPdpActivation::new(true, 1);
                if let Err(e) = self.rung_command(&on, r.network.pdp_ms)$($aw)* {
                    port_error(e)?;
                }
            }
            Rung::RadioCycle => {
                let off = net::SetFunctionality::new(net::Functionality::Minimum);
                if let Err(e) = self.rung_command(&off, r.network.radio_ms)$($aw)* {
                    port_error(e)?;
                }
                self.poll(r.radio_off_ms)$($aw)*.map_err(C::Command)?;
                let on = net::SetFunctionality::new(net::Functionality::Full);
                if let Err(e) = self.rung_command(&on, r.network.radio_ms)$($aw)* {
                    port_error(e)?;
                }
            }
            Rung::Reboot => {
                // Armed now: the boot line of this reboot sets it again.
                self.session.settings_applied();
                match reset {
                    Some((pin, pulse)) => {
                        drive_pin(pin, &pulse, true)?;
                        let held = self.poll(pulse.pulse_ms)$($aw)*;
                        drive_pin(pin, &pulse, false)?;
                        held.map_err(C::Command)?;
                    }
                    None => match self.rung_command(&net::Reboot::new(), cmd_ms)$($aw)* {
                        // `OK` then the reboot, the reboot at once, or no
                        // answer: the boot line tells.
                        Ok(()) | Err(Error::Restarted | Error::Timeout) => {}
                        Err(e) => return Err(C::Command(e)),
                    },
                }
                let until = self.clock.now_ms().saturating_add(u64::from(r.boot_ms));
                while !self.session.settings_lost() {
                    let Some(left) = self.left(until) else { break };
                    self.poll(left.min(100))$($aw)*.map_err(C::Command)?;
                }
            }
        }
        if rung == Rung::MqttReopen && !self.session.settings_lost() {
            // The module kept its settings: is it there, with a data link?
            self.net_set(&command::At, cmd_ms)$($aw)*.map_err(C::Command)?;
            let active = self
                .net_query(&net::QueryPdpActivation, cmd_ms, net::PdpActivationList::parse)$($aw)*
                .map_err(C::Command)?
                .is_active(1);
            if !active {
                return Err(C::LinkDown);
            }
        } else {
            self.bring_up(r.network)$($aw)*.map_err(C::BringUp)?;
        }
        self.reopen_mqtt(r)$($aw)*.map_err(C::Command)
    }

    /// The command of a rung: sent even when a resynchronisation is due (a
    /// module that does not answer it still gets its radio or reboot command;
    /// a late `OK` taken for this command's is harmless, the bring-up follows).
    $($kw)* fn rung_command<K: Command>(&mut self, cmd: &K, limit_ms: u32) -> Result<(), Error> {
        self.exchange(false, |s, now| s.begin_command(cmd, limit_ms, now))$($aw)*
    }

    /// Makes the module's MQTT client again as the client had it and opens
    /// it: clean-up, configuration, the settings made since, open, ping echo,
    /// re-subscription.
    $($kw)* fn reopen_mqtt(&mut self, r: &crate::recover::Recovery<'_>) -> Result<(), Error> {
        let kept = self.session.settings();
        self.run_steps(&plan::CLEAN_UP)$($aw)*?;
        let ack = kept.ack_timeout_s.unwrap_or(r.mqtt.ack_timeout_s);
        let rec = kept.auto_reconnect.unwrap_or(r.mqtt.auto_reconnect);
        self.run_steps(&plan::configure_with(r.mqtt, ack, rec))$($aw)*?;
        self.session.restore_settings(kept, r.mqtt);
        self.connect(r.will)$($aw)*
    }
    };
}
