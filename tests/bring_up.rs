//! Network bring-up (issue 13, item 4; NETWORK.md §1) through both client
//! faces against a scripted modem: every branch (automatic and manual PDP, busy
//! SIM, radio off, searching then registered, roaming, context already active)
//! and every typed failure with its step and whether retrying helps; then
//! `network_status`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use ml302::command::net::{Domain, RegStatus, SimState};
use ml302::{
    BringUpCause, BringUpError, BringUpStep, CmeError, Error, Event, NetworkConfig, NetworkInfo,
    NetworkStatus,
};
use support::{
    answer, automatic_up, lines, link_and_identity, ok, quick_network as quick, sim_and_radio,
    synced, Modem, SimTime,
};

type Blocking = ml302::blocking::Client<Modem, SimTime, 64, 64, 2, 4>;
type Async = ml302::asynch::Client<Modem, SimTime, SimTime, 64, 64, 2, 4>;

/// The operations these scenarios need, on both faces.
trait Face {
    fn bring_up(&mut self, cfg: &NetworkConfig<'_>) -> Result<NetworkInfo, BringUpError>;
    fn status(&mut self) -> Result<NetworkStatus, Error>;
    fn next_event(&mut self) -> Option<Event>;
}

macro_rules! run {
    ($e:expr) => {
        $e
    };
    ($e:expr, async) => {
        futures_executor::block_on($e)
    };
}

macro_rules! face {
    ($ty:ty, $($aw:tt)*) => {
        impl Face for $ty {
            fn bring_up(&mut self, cfg: &NetworkConfig<'_>) -> Result<NetworkInfo, BringUpError> { run!(self.bring_up(cfg) $($aw)*) }
            fn status(&mut self) -> Result<NetworkStatus, Error> { run!(self.network_status() $($aw)*) }
            fn next_event(&mut self) -> Option<Event> { self.next_event() }
        }
    };
}

face!(Blocking,);
face!(Async, , async);

/// Runs `scenario` with each face, whole and one-byte reads; returns the
/// simulated time each run took.
fn both(script: impl Fn(Modem) -> Modem, scenario: impl Fn(&mut dyn Face, &Modem)) -> Vec<u64> {
    let mut took = Vec::new();
    for (blocking, one_byte) in [(true, false), (false, false), (true, true), (false, true)] {
        let time = SimTime::default();
        let mut modem = script(Modem::new(time.clone()));
        if one_byte {
            modem = modem.one_byte_reads();
        }
        if blocking {
            let mut c: Blocking = Blocking::new(modem.clone(), time.clone());
            scenario(&mut c, &modem);
        } else {
            let mut c: Async = Async::new(modem.clone(), time.clone(), time.clone());
            scenario(&mut c, &modem);
        }
        modem.assert_done();
        took.push(time.now());
    }
    took
}

fn failure(step: BringUpStep, cause: BringUpCause) -> BringUpError {
    BringUpError { step, cause }
}

fn expect_failure(
    script: impl Fn(Modem) -> Modem,
    cfg: NetworkConfig<'_>,
    expected: BringUpError,
    retry: bool,
) -> Vec<u64> {
    both(script, |c, _| {
        let e = c.bring_up(&cfg).unwrap_err();
        assert_eq!(e, expected);
        assert_eq!(e.can_retry(), retry, "{e}");
    })
}

#[test]
fn automatic_pdp_happy_path_returns_identity_registration_signal_and_address() {
    both(automatic_up, |c, m| {
        let info = c.bring_up(&NetworkConfig::automatic()).unwrap();
        assert_eq!(info.imei.0.as_str(), "869597030000009");
        assert_eq!(info.iccid.0.as_str(), "89860012345678901234");
        assert_eq!(info.imsi.0.as_str(), "460041234567890");
        assert_eq!(info.registration.status, RegStatus::Home);
        assert_eq!(info.signal.dbm(), Some(-73));
        assert_eq!(info.address.address.as_str(), "10.64.0.2");
        assert_eq!(m.log().len(), 13);
    });
}

#[test]
fn busy_sim_radio_off_and_searching_are_waited_for() {
    both(
        |m| {
            link_and_identity(
                synced(m)
                    .on("AT+CPIN?", &lines(&["+CME ERROR: 14"]))
                    .on("AT+CPIN?", &answer("+CPIN: NOT READY"))
                    .on("AT+CPIN?", &answer("+CPIN: READY"))
                    .on("AT+CFUN?", &answer("+CFUN: 0"))
                    .on("AT+CFUN=1", &ok())
                    .on("AT+VERCTRL?", &answer("+VERCTRL: 0, 1"))
                    .on("AT+CEREG?", &answer("+CEREG: 0,2"))
                    .on("AT+CEREG?", &answer("+CEREG: 0,4"))
                    .on("AT+CEREG?", &answer("+CEREG: 2,5,\"1A2B\",\"0C3D4E5F\",7")),
            )
        },
        |c, _| {
            let info = c.bring_up(&quick(None)).unwrap();
            assert_eq!(info.registration.status, RegStatus::Roaming);
        },
    );
}

#[test]
fn context_and_address_that_come_late_are_polled() {
    both(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &answer("+CEREG: 0,1"))
                .on("AT+CGACT?", &answer("+CGACT: 1,0"))
                .on("AT+CGACT?", &answer("+CGACT: 1,1"))
                .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,0.0.0.0"))
                .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,10.64.0.9"))
                .on("AT+CGSN=1", &answer("869597030000009"))
                .on("AT+ICCID", &answer("+ICCID: 8986001234567890123"))
                .on("AT+CIMI", &answer("460041234567890"))
                .on("AT+CSQ", &answer("+CSQ: 99,99"))
        },
        |c, _| {
            let info = c.bring_up(&quick(None)).unwrap();
            assert_eq!(info.address.address.as_str(), "10.64.0.9");
            assert_eq!(info.signal.dbm(), None);
        },
    );
}

#[test]
fn firmware_without_cereg_registers_through_cgreg() {
    both(
        |m| {
            link_and_identity(
                sim_and_radio(m)
                    .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                    .on("AT+CEREG?", &lines(&["ERROR"]))
                    .on("AT+CGREG?", &answer("+CGREG: 0,2"))
                    .on("AT+CGREG?", &answer("+CGREG: 0,1")),
            )
        },
        |c, _| {
            let info = c.bring_up(&quick(None)).unwrap();
            assert_eq!(info.registration.domain, Domain::Gprs);
            assert_eq!(info.registration.status, RegStatus::Home);
        },
    );
}

#[test]
fn manual_pdp_defines_attaches_and_activates_with_the_apn() {
    both(
        |m| {
            link_and_identity(
                sim_and_radio(m)
                    .on("AT+VERCTRL=0,0", &ok())
                    .on("AT+CEREG?", &answer("+CEREG: 0,1"))
                    .on("AT+CGACT?", &answer("+CGACT: 1,0"))
                    .on("AT+CGDCONT=1,\"IP\",\"CMIOT\"", &ok())
                    .on("AT+CGATT=1", &ok())
                    .on("AT+CGACT=1,1", &ok()),
            )
        },
        |c, _| {
            c.bring_up(&NetworkConfig::manual("CMIOT")).unwrap();
        },
    );
}

#[test]
fn manual_pdp_keeps_a_context_already_active() {
    both(
        |m| {
            link_and_identity(
                sim_and_radio(m)
                    .on("AT+VERCTRL=0,0", &ok())
                    .on("AT+CEREG?", &answer("+CEREG: 0,1"))
                    .on("AT+CGACT?", &answer("+CGACT: 1,1")),
            )
        },
        |c, _| {
            c.bring_up(&NetworkConfig::manual("CMNET")).unwrap();
        },
    );
}

#[test]
fn urcs_during_the_bring_up_are_events_not_answers() {
    both(
        |m| {
            link_and_identity(
                synced(m)
                    .on(
                        "AT+CPIN?",
                        &lines(&["+CPIN: READY", "+CGEV: ME PDN ACT 1", "OK"]),
                    )
                    .on("AT+CFUN?", &lines(&["+CPIN: READY", "+CFUN: 1", "OK"]))
                    .on("AT+VERCTRL?", &lines(&["+CEREG: 1", "+VERCTRL: 0,1", "OK"]))
                    .on("AT+CEREG?", &answer("+CEREG: 0,1")),
            )
        },
        |c, _| {
            c.bring_up(&quick(None)).unwrap();
            let ev: Vec<Event> = std::iter::from_fn(|| c.next_event()).collect();
            assert_eq!(ev.len(), 3, "{ev:?}");
            assert!(matches!(ev[0], Event::Pdp(_)));
            assert_eq!(ev[1], Event::Sim(SimState::Ready));
            assert!(matches!(ev[2], Event::Registration(_)));
        },
    );
}

#[test]
fn a_module_that_answers_late_is_synced_then_resynchronised() {
    both(
        |m| {
            let m = m
                .on("AT", b"")
                .on("AT", &ok())
                // The first `AT` timed out: its late answer could complete the
                // next command, so the session resynchronises first.
                .on(
                    "AT+MQTTCFG?",
                    &lines(&["OK", "+MQTTCFG: \"(null)\",0", "OK"]),
                )
                .on("ATE0", &ok())
                .on("AT+CMEE=1", &ok())
                .on("AT+CPIN?", &answer("+CPIN: READY"))
                .on("AT+CFUN?", &answer("+CFUN: 1"));
            link_and_identity(
                m.on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                    .on("AT+CEREG?", &answer("+CEREG: 0,1")),
            )
        },
        |c, _| {
            c.bring_up(&quick(None)).unwrap();
        },
    );
}

#[test]
fn a_silent_modem_times_out_at_sync() {
    let took = expect_failure(
        |m| m.on("AT", b"").on("AT", b"").on("AT", b""),
        quick(None),
        failure(BringUpStep::Sync, BringUpCause::Timeout),
        true,
    );
    assert!(
        took.iter().all(|&t| (2_500..3_000).contains(&t)),
        "{took:?}"
    );
}

#[test]
fn no_sim_fails_at_once_and_is_not_retryable() {
    let took = expect_failure(
        |m| synced(m).on("AT+CPIN?", &lines(&["+CME ERROR: 10"])),
        NetworkConfig::automatic(),
        failure(BringUpStep::Sim, BringUpCause::NoSim),
        false,
    );
    assert!(took.iter().all(|&t| t < 100), "{took:?}");
}

#[test]
fn sim_not_inserted_line_is_no_sim() {
    expect_failure(
        |m| synced(m).on("AT+CPIN?", &answer("+CPIN: NOT INSERTED")),
        quick(None),
        failure(BringUpStep::Sim, BringUpCause::NoSim),
        false,
    );
}

#[test]
fn pin_and_puk_required_are_typed() {
    expect_failure(
        |m| synced(m).on("AT+CPIN?", &answer("+CPIN: SIM PIN")),
        quick(None),
        failure(
            BringUpStep::Sim,
            BringUpCause::PinRequired(SimState::PinRequired),
        ),
        false,
    );
    expect_failure(
        |m| synced(m).on("AT+CPIN?", &lines(&["+CME ERROR: 12"])),
        quick(None),
        failure(
            BringUpStep::Sim,
            BringUpCause::PinRequired(SimState::PukRequired),
        ),
        false,
    );
}

#[test]
fn a_sim_that_stays_busy_times_out_and_is_retryable() {
    expect_failure(
        |m| {
            synced(m)
                .on("AT+CPIN?", &lines(&["+CME ERROR: 14"]))
                .on("AT+CPIN?", &lines(&["+CME ERROR: 14"]))
                .on("AT+CPIN?", &lines(&["+CME ERROR: 14"]))
        },
        quick(None),
        failure(BringUpStep::Sim, BringUpCause::Timeout),
        true,
    );
}

#[test]
fn a_radio_that_refuses_to_switch_on_fails_at_radio() {
    expect_failure(
        |m| {
            synced(m)
                .on("AT+CPIN?", &answer("+CPIN: READY"))
                .on("AT+CFUN?", &answer("+CFUN: 4"))
                .on("AT+CFUN=1", &lines(&["+CME ERROR: 3"]))
        },
        quick(None),
        failure(
            BringUpStep::Radio,
            BringUpCause::Command(Error::Cme(CmeError::OperationNotAllowed)),
        ),
        false,
    );
}

#[test]
fn pdp_mode_other_than_0_and_1_is_unsupported() {
    expect_failure(
        |m| sim_and_radio(m).on("AT+VERCTRL?", &answer("+VERCTRL: 0,2")),
        quick(None),
        failure(BringUpStep::PdpMode, BringUpCause::UnsupportedPdpMode(2)),
        false,
    );
}

#[test]
fn manual_pdp_mode_without_an_apn_asks_for_one() {
    expect_failure(
        |m| sim_and_radio(m).on("AT+VERCTRL?", &answer("+VERCTRL: 0,0")),
        quick(None),
        failure(BringUpStep::PdpMode, BringUpCause::ApnRequired),
        false,
    );
}

#[test]
fn an_apn_the_modem_cannot_carry_is_refused_before_any_byte() {
    both(
        |m| m,
        |c, m| {
            let e = c.bring_up(&quick(Some("CM\"IOT"))).unwrap_err();
            assert_eq!(e.step, BringUpStep::PdpActivation);
            assert!(matches!(e.cause, BringUpCause::Command(Error::Invalid(_))));
            assert!(!e.can_retry());
            assert!(m.log().is_empty());
        },
    );
}

#[test]
fn registration_denied_stops_polling_and_is_not_retryable() {
    expect_failure(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &answer("+CEREG: 0,2"))
                .on("AT+CEREG?", &answer("+CEREG: 0,3"))
        },
        quick(None),
        failure(BringUpStep::Registration, BringUpCause::RegistrationDenied),
        false,
    );
}

#[test]
fn a_module_that_stopped_searching_has_no_service() {
    expect_failure(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &answer("+CEREG: 0,2"))
                .on("AT+CEREG?", &answer("+CEREG: 0,0"))
                .on("AT+CEREG?", &answer("+CEREG: 0,0"))
        },
        quick(None),
        failure(BringUpStep::Registration, BringUpCause::NoService),
        true,
    );
}

#[test]
fn no_network_service_error_is_no_service() {
    expect_failure(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &lines(&["+CME ERROR: 30"]))
                .on("AT+CEREG?", &lines(&["+CME ERROR: 30"]))
                .on("AT+CEREG?", &lines(&["+CME ERROR: 30"]))
        },
        quick(None),
        failure(BringUpStep::Registration, BringUpCause::NoService),
        true,
    );
}

#[test]
fn searching_until_the_step_runs_out_is_a_time_out() {
    expect_failure(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &answer("+CEREG: 0,2"))
                .on("AT+CEREG?", &answer("+CEREG: 0,2"))
                .on("AT+CEREG?", &answer("+CEREG: 0,2"))
        },
        quick(None),
        failure(BringUpStep::Registration, BringUpCause::Timeout),
        true,
    );
}

fn manual_until_activation(m: Modem) -> Modem {
    sim_and_radio(m)
        .on("AT+VERCTRL=0,0", &ok())
        .on("AT+CEREG?", &answer("+CEREG: 0,1"))
        .on("AT+CGACT?", &answer("+CGACT: 1,0"))
        .on("AT+CGDCONT=1,\"IP\",\"CMIOT\"", &ok())
        .on("AT+CGATT=1", &ok())
}

#[test]
fn pdp_activation_failure_says_whether_retrying_helps() {
    expect_failure(
        |m| manual_until_activation(m).on("AT+CGACT=1,1", &lines(&["+CME ERROR: 149"])),
        quick(Some("CMIOT")),
        failure(
            BringUpStep::PdpActivation,
            BringUpCause::PdpActivationFailed(CmeError::PdpAuthenticationFailed),
        ),
        false,
    );
    expect_failure(
        |m| manual_until_activation(m).on("AT+CGACT=1,1", &lines(&["+CME ERROR: 148"])),
        quick(Some("CMIOT")),
        failure(
            BringUpStep::PdpActivation,
            BringUpCause::PdpActivationFailed(CmeError::UnspecifiedGprsError),
        ),
        true,
    );
}

#[test]
fn an_activation_that_does_not_answer_in_the_step_time_is_a_time_out() {
    expect_failure(
        |m| manual_until_activation(m).on("AT+CGACT=1,1", b""),
        quick(Some("CMIOT")),
        failure(BringUpStep::PdpActivation, BringUpCause::Timeout),
        true,
    );
}

#[test]
fn a_context_that_never_comes_up_times_out_at_pdp_active() {
    expect_failure(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &answer("+CEREG: 0,1"))
                .on("AT+CGACT?", &answer("+CGACT: 1,0"))
                .on("AT+CGACT?", &answer("+CGACT: 1,0"))
                .on("AT+CGACT?", &answer("+CGACT: 1,0"))
        },
        quick(None),
        failure(BringUpStep::PdpActive, BringUpCause::Timeout),
        true,
    );
}

#[test]
fn an_address_that_never_comes_times_out_at_address() {
    expect_failure(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &answer("+CEREG: 0,1"))
                .on("AT+CGACT?", &answer("+CGACT: 1,1"))
                .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,\"0.0.0.0\""))
                .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,\"0.0.0.0\""))
                .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,\"0.0.0.0\""))
        },
        quick(None),
        failure(BringUpStep::Address, BringUpCause::Timeout),
        true,
    );
}

#[test]
fn a_bad_identity_answer_fails_at_identity() {
    expect_failure(
        |m| {
            sim_and_radio(m)
                .on("AT+VERCTRL?", &answer("+VERCTRL: 0,1"))
                .on("AT+CEREG?", &answer("+CEREG: 0,1"))
                .on("AT+CGACT?", &answer("+CGACT: 1,1"))
                .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,\"10.0.0.1\""))
                // Wrong check digit.
                .on("AT+CGSN=1", &answer("+CGSN: 869597030000006"))
        },
        quick(None),
        failure(
            BringUpStep::Identity,
            BringUpCause::Command(Error::UnexpectedResponse),
        ),
        true,
    );
}

#[test]
fn network_status_reads_registration_signal_context_and_address() {
    both(
        |m| {
            m.on(
                "AT+CEREG?",
                &lines(&["+CGEV: NW PDN DEACT 1", "+CEREG: 0,5", "OK"]),
            )
            .on("AT+CSQ", &answer("+CSQ: 31,0"))
            .on("AT+CGACT?", &answer("+CGACT: 1,0"))
            .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,\"0.0.0.0\""))
            .on("AT+CEREG?", &answer("+CEREG: 0,1"))
            .on("AT+CSQ", &answer("+CSQ: 10,0"))
            .on("AT+CGACT?", &answer("+CGACT: 1,1"))
            .on("AT+CGPADDR=1", &answer("+CGPADDR: 1,\"10.1.2.3\""))
        },
        |c, _| {
            let s = c.status().unwrap();
            assert_eq!(s.registration.status, RegStatus::Roaming);
            assert_eq!(s.signal.dbm(), Some(-51));
            assert!(!s.pdp_active);
            assert!(!s.is_up());
            assert!(matches!(c.next_event(), Some(Event::Pdp(_))));
            let s = c.status().unwrap();
            assert!(s.is_up());
            assert_eq!(s.address.address.as_str(), "10.1.2.3");
        },
    );
}
