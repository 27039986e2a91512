//! Restarts and recovery (issue 13, item 5; NETWORK.md §4) through both client
//! faces against a scripted modem: a restart detected by a boot line, by
//! `AT+MQTTCFG?` reporting no client and by `AT+MQTTSTAT?` refused, reported
//! once, keeping the subscription table; the command in flight ended with
//! `Error::Restarted`; then every rung of `recover` succeeding and failing, the
//! ladder stopping where no higher rung helps or where the caller said, the
//! settings made after the configuration re-applied, and the reboot rung by
//! `AT+CFUN=1,1` and by a reset pin.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use std::cell::RefCell;
use std::convert::Infallible;
use std::rc::Rc;

use ml302::command::net::SimState;
use ml302::recover::{RecoverCause, RecoverError, Recovery, ResetPulse, Rung};
use ml302::{
    BringUpCause, BringUpError, BringUpStep, CmeError, Error, Event, LinkState, MqttConfig, QoS,
};
use support::{answer, automatic_up, lines, ok, quick_network, synced, Modem, SimTime};

type Blocking = ml302::blocking::Client<Modem, SimTime, 64, 64, 2, 4>;
type Async = ml302::asynch::Client<Modem, SimTime, SimTime, 64, 64, 2, 4>;

/// A reset line that records its levels with the time, and makes the
/// scripted module print its boot line when it is released.
#[derive(Clone)]
struct Pin {
    modem: Modem,
    levels: Rc<RefCell<Vec<(u64, bool)>>>,
}

impl embedded_hal::digital::ErrorType for Pin {
    type Error = Infallible;
}

impl embedded_hal::digital::OutputPin for Pin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.levels
            .borrow_mut()
            .push((self.modem.time.now(), false));
        self.modem.push(&lines(&["RDY"]));
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.levels.borrow_mut().push((self.modem.time.now(), true));
        Ok(())
    }
}

/// The operations these scenarios need, on both faces.
trait Face {
    fn start(&mut self) -> Result<(), Error>;
    fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error>;
    fn connect(&mut self) -> Result<(), Error>;
    fn subscribe(&mut self, topic: &str) -> Result<(), Error>;
    fn publish(&mut self, topic: &str) -> Result<(), Error>;
    fn poll(&mut self, ms: u32) -> Result<(), Error>;
    fn modem_state(&mut self) -> Result<(), Error>;
    fn has_config(&mut self) -> Result<bool, Error>;
    fn set_ack_timeout(&mut self, s: u16) -> Result<(), Error>;
    fn set_auto_reconnect(&mut self, on: bool) -> Result<(), Error>;
    fn set_ping_echo(&mut self, on: bool) -> Result<(), Error>;
    fn recover(&mut self, r: &Recovery<'_>) -> Result<Rung, RecoverError>;
    fn recover_with_reset(&mut self, r: &Recovery<'_>, pin: &mut Pin)
        -> Result<Rung, RecoverError>;
    fn next_event(&mut self) -> Option<Event>;
    fn link_state(&self) -> LinkState;
    fn subscriptions(&self) -> Vec<String>;
    fn settings_lost(&self) -> bool;
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
            fn start(&mut self) -> Result<(), Error> { run!(self.start() $($aw)*) }
            fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error> { run!(self.configure(cfg) $($aw)*) }
            fn connect(&mut self) -> Result<(), Error> { run!(self.connect(None) $($aw)*) }
            fn subscribe(&mut self, topic: &str) -> Result<(), Error> {
                run!(self.subscribe(topic, QoS::AtLeastOnce) $($aw)*).map(|_| ())
            }
            fn publish(&mut self, topic: &str) -> Result<(), Error> {
                run!(self.publish(topic, b"hi", QoS::AtLeastOnce, false) $($aw)*).map(|_| ())
            }
            fn poll(&mut self, ms: u32) -> Result<(), Error> { run!(self.poll(ms) $($aw)*) }
            fn modem_state(&mut self) -> Result<(), Error> { run!(self.modem_state() $($aw)*).map(|_| ()) }
            fn has_config(&mut self) -> Result<bool, Error> {
                run!(self.reported_config() $($aw)*).map(|c| c.is_some())
            }
            fn set_ack_timeout(&mut self, s: u16) -> Result<(), Error> { run!(self.set_ack_timeout(s) $($aw)*) }
            fn set_auto_reconnect(&mut self, on: bool) -> Result<(), Error> { run!(self.set_auto_reconnect(on) $($aw)*) }
            fn set_ping_echo(&mut self, on: bool) -> Result<(), Error> { run!(self.set_ping_echo(on) $($aw)*) }
            fn recover(&mut self, r: &Recovery<'_>) -> Result<Rung, RecoverError> { run!(self.recover(r) $($aw)*) }
            fn recover_with_reset(&mut self, r: &Recovery<'_>, pin: &mut Pin) -> Result<Rung, RecoverError> {
                let pulse = ResetPulse { active_high: true, pulse_ms: 300 };
                run!(self.recover_with_reset(r, pin, pulse) $($aw)*)
            }
            fn next_event(&mut self) -> Option<Event> { self.next_event() }
            fn link_state(&self) -> LinkState { self.link_state() }
            fn subscriptions(&self) -> Vec<String> {
                self.session().subscriptions().map(|(t, _)| t.to_owned()).collect()
            }
            fn settings_lost(&self) -> bool { self.session().settings_lost() }
        }
    };
}

face!(Blocking,);
face!(Async, , async);

/// Runs `scenario` with each face, whole and one-byte reads.
fn both(script: impl Fn(Modem) -> Modem, scenario: impl Fn(&mut dyn Face, &Modem)) {
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
    }
}

fn events(c: &mut dyn Face) -> Vec<Event> {
    std::iter::from_fn(|| c.next_event()).collect()
}

const CFG_LINE: &str = "AT+MQTTCFG=\"183.230.40.39\",6002,\"532337966\",60,\"246883\",\"VACC79esEWuVK5j73b3cqWzrD7U=\",0,\"\",0";
const OPEN_LINE: &str = "AT+MQTTOPEN=1,1,0,0,0,\"\",\"\"";

fn cfg() -> MqttConfig<'static> {
    MqttConfig::new("183.230.40.39", 6002, "532337966")
        .with_credentials("246883", "VACC79esEWuVK5j73b3cqWzrD7U=")
        .with_clean_session(false)
}

/// The MQTT client made and opened (the configuration's settings).
fn mqtt_up(m: Modem) -> Modem {
    m.on("AT+MQTTDISC", &lines(&["ERROR"]))
        .on("AT+MQTTDEL", &ok())
        .on(CFG_LINE, &ok())
        .on("AT+MQTTTO=10", &ok())
        .on("AT+MQTTREC=1", &ok())
        .on(OPEN_LINE, &lines(&["+MQTTOPEN:OK", "OK"]))
        .on("AT+MQTTPING=0", &ok())
}

fn resubscribed(m: Modem) -> Modem {
    m.on(
        "AT+MQTTSUB=\"pyr\",1",
        &lines(&["+MQTTSUBACK:1,1,pyr", "OK"]),
    )
}

/// Start-up, configuration, connection, one subscription.
fn session_up(m: Modem) -> Modem {
    resubscribed(mqtt_up(
        m.on("AT", &ok()).on("ATE0", &ok()).on("AT+CMEE=1", &ok()),
    ))
}

fn connect_and_subscribe(c: &mut dyn Face) {
    c.start().unwrap();
    c.configure(&cfg()).unwrap();
    c.connect().unwrap();
    c.subscribe("pyr").unwrap();
    assert_eq!(c.link_state(), LinkState::Connected);
    assert!(events(c).is_empty());
}

/// A bring-up that ends at the SIM: no SIM (a radio or module restart may
/// find it again, so the ladder goes on).
fn bring_up_no_sim(m: Modem) -> Modem {
    synced(m).on("AT+CPIN?", &lines(&["+CME ERROR: 10"]))
}

/// Rung 1 on a module that kept its settings: the context is down.
fn rung1_link_down(m: Modem) -> Modem {
    m.on("AT", &ok()).on("AT+CGACT?", &answer("+CGACT: 1,0"))
}

/// Rung 2 failing: the activation refused, then no SIM.
fn rung2_fails(m: Modem) -> Modem {
    bring_up_no_sim(m.on("AT+CGACT=1,1", &lines(&["+CME ERROR: 148"])))
}

/// Rung 3 failing: the radio cycled, then no SIM.
fn rung3_fails(m: Modem) -> Modem {
    bring_up_no_sim(m.on("AT+CFUN=0", &ok()).on("AT+CFUN=1", &ok()))
}

fn no_sim_at(rung: Rung) -> RecoverError {
    RecoverError {
        rung,
        cause: RecoverCause::BringUp(BringUpError {
            step: BringUpStep::Sim,
            cause: BringUpCause::NoSim,
        }),
    }
}

// ------------------------------------------------------------ restart detection

#[test]
fn a_boot_line_is_one_restart_event_and_the_subscriptions_stay() {
    both(session_up, |c, m| {
        connect_and_subscribe(c);
        assert!(!c.settings_lost());
        // `RDY`, the SIM, and a sibling's boot line: one restart.
        m.push(&lines(&["RDY", "+CPIN: READY", "+SIM READY"]));
        c.poll(10).unwrap();
        assert_eq!(
            events(c),
            vec![Event::Restarted, Event::Sim(SimState::Ready)]
        );
        assert_eq!(c.link_state(), LinkState::NoClient);
        assert_eq!(c.subscriptions(), vec!["pyr".to_owned()]);
        assert!(c.settings_lost());
        // Nothing is sent to a module without a client.
        assert_eq!(c.publish("pyr"), Err(Error::InvalidState));
    });
}

#[test]
fn a_boot_line_during_a_command_ends_it_with_restarted() {
    both(
        |m| session_up(m).on("AT+MQTTSTAT?", &lines(&["RDY"])),
        |c, _| {
            connect_and_subscribe(c);
            assert_eq!(c.modem_state(), Err(Error::Restarted));
            assert_eq!(events(c), vec![Event::Restarted]);
            assert_eq!(c.link_state(), LinkState::NoClient);
            assert_eq!(c.subscriptions(), vec!["pyr".to_owned()]);
        },
    );
}

#[test]
fn no_client_in_the_configuration_query_while_connected_is_a_restart() {
    both(
        |m| {
            session_up(m).on(
                "AT+MQTTCFG?",
                &answer("+MQTTCFG: \"(null)\",0,\"\",0,\"\",\"\",0,\"\",0"),
            )
        },
        |c, _| {
            connect_and_subscribe(c);
            assert_eq!(c.has_config(), Ok(false));
            assert_eq!(events(c), vec![Event::Restarted]);
            assert_eq!(c.link_state(), LinkState::NoClient);
            assert_eq!(c.subscriptions(), vec!["pyr".to_owned()]);
            assert!(c.settings_lost());
        },
    );
}

#[test]
fn the_state_query_refused_while_connected_is_a_restart() {
    both(
        |m| {
            session_up(m)
                .on("AT+MQTTSTAT?", &lines(&["+CME ERROR: 3"]))
                // Known to have no client now: no second restart.
                .on("AT+MQTTSTAT?", &lines(&["ERROR"]))
        },
        |c, _| {
            connect_and_subscribe(c);
            assert_eq!(
                c.modem_state(),
                Err(Error::Cme(CmeError::OperationNotAllowed))
            );
            assert_eq!(events(c), vec![Event::Restarted]);
            assert_eq!(c.link_state(), LinkState::NoClient);
            assert_eq!(c.modem_state(), Err(Error::Modem));
            assert!(events(c).is_empty());
        },
    );
}

#[test]
fn no_client_where_none_was_known_is_not_a_restart() {
    both(
        |m| m.on("AT+MQTTCFG?", &answer("+MQTTCFG: \"(null)\",0")),
        |c, _| {
            assert_eq!(c.has_config(), Ok(false));
            assert!(events(c).is_empty());
            assert!(!c.settings_lost());
        },
    );
}

#[test]
fn a_second_restart_after_the_module_answered_again_is_reported_again() {
    both(
        |m| session_up(m).on("AT+MQTTSTAT?", &answer("+MQTTSTAT: 0")),
        |c, m| {
            connect_and_subscribe(c);
            m.push(&lines(&["RDY"]));
            c.poll(10).unwrap();
            m.push(&lines(&["RDY"]));
            c.poll(10).unwrap();
            assert_eq!(events(c), vec![Event::Restarted]);
            // The module completes a command: the next boot line is a new restart.
            c.modem_state().unwrap();
            m.push(&lines(&["RDY"]));
            c.poll(10).unwrap();
            assert_eq!(events(c), vec![Event::Restarted]);
        },
    );
}

// ------------------------------------------------------------ the ladder

#[test]
fn rung_mqtt_reopen_brings_the_link_back_with_its_subscriptions() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| resubscribed(mqtt_up(rung1_link_up(session_up(m)))),
        |c, m| {
            connect_and_subscribe(c);
            // The module gave the connection up.
            m.push(&lines(&["+MQTTDISC: OK"]));
            c.poll(10).unwrap();
            assert_eq!(events(c), vec![Event::Disconnected]);
            assert_eq!(c.recover(&Recovery::new(&net, &mqtt)), Ok(Rung::MqttReopen));
            assert_eq!(c.link_state(), LinkState::Connected);
            assert_eq!(events(c), vec![Event::Resubscribed(1)]);
        },
    );
}

fn rung1_link_up(m: Modem) -> Modem {
    m.on("AT", &ok()).on("AT+CGACT?", &answer("+CGACT: 1,1"))
}

#[test]
fn after_a_restart_the_first_rung_brings_the_module_up_again() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| resubscribed(mqtt_up(automatic_up(session_up(m)))),
        |c, m| {
            connect_and_subscribe(c);
            m.push(&lines(&["RDY"]));
            c.poll(10).unwrap();
            assert!(c.settings_lost());
            assert_eq!(c.recover(&Recovery::new(&net, &mqtt)), Ok(Rung::MqttReopen));
            assert!(!c.settings_lost());
            assert_eq!(c.link_state(), LinkState::Connected);
            assert_eq!(events(c), vec![Event::Restarted, Event::Resubscribed(1)]);
        },
    );
}

#[test]
fn rung_pdp_reactivation_when_the_context_is_down() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            resubscribed(mqtt_up(automatic_up(
                rung1_link_down(session_up(m)).on("AT+CGACT=1,1", &ok()),
            )))
        },
        |c, _| {
            connect_and_subscribe(c);
            let r = Recovery::new(&net, &mqtt);
            assert_eq!(c.recover(&r), Ok(Rung::PdpReactivation));
            assert_eq!(c.link_state(), LinkState::Connected);
        },
    );
}

#[test]
fn rung_radio_cycle_when_reactivation_does_not_help() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            let m = rung2_fails(rung1_link_down(session_up(m)));
            resubscribed(mqtt_up(automatic_up(
                m.on("AT+CFUN=0", &ok()).on("AT+CFUN=1", &ok()),
            )))
        },
        |c, m| {
            connect_and_subscribe(c);
            let r = Recovery::new(&net, &mqtt);
            let t = m.time.now();
            assert_eq!(c.recover(&r), Ok(Rung::RadioCycle));
            // The radio stayed off for `radio_off_ms`.
            assert!(m.time.now() - t >= u64::from(r.radio_off_ms));
            assert_eq!(c.link_state(), LinkState::Connected);
        },
    );
}

#[test]
fn rung_reboot_by_command_when_nothing_else_helps() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            let m = rung3_fails(rung2_fails(rung1_link_down(session_up(m))));
            resubscribed(mqtt_up(automatic_up(
                m.on("AT+CFUN=1,1", &lines(&["OK", "RDY", "+CPIN: READY"])),
            )))
        },
        |c, _| {
            connect_and_subscribe(c);
            assert_eq!(c.recover(&Recovery::new(&net, &mqtt)), Ok(Rung::Reboot));
            assert_eq!(c.link_state(), LinkState::Connected);
            assert_eq!(
                events(c),
                vec![
                    Event::Restarted,
                    Event::Sim(SimState::Ready),
                    Event::Resubscribed(1)
                ]
            );
            assert!(!c.settings_lost());
        },
    );
}

#[test]
fn rung_reboot_by_reset_pin_pulses_it_and_sends_no_reboot_command() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            let m = rung3_fails(rung2_fails(rung1_link_down(session_up(m))));
            resubscribed(mqtt_up(automatic_up(m)))
        },
        |c, m| {
            connect_and_subscribe(c);
            let mut pin = Pin {
                modem: m.clone(),
                levels: Rc::default(),
            };
            let r = Recovery::new(&net, &mqtt);
            assert_eq!(c.recover_with_reset(&r, &mut pin), Ok(Rung::Reboot));
            let levels = pin.levels.borrow().clone();
            assert_eq!(levels.len(), 2, "{levels:?}");
            assert!(levels[0].1 && !levels[1].1, "{levels:?}");
            assert!(levels[1].0 - levels[0].0 >= 300, "{levels:?}");
            assert_eq!(events(c), vec![Event::Restarted, Event::Resubscribed(1)]);
            assert!(m.log().iter().all(|l| l != b"AT+CFUN=1,1\r\n"));
        },
    );
}

/// Three unanswered `AT`: a bring-up whose sync runs out (2.5 s).
fn silent_sync(m: Modem) -> Modem {
    m.on("AT", b"").on("AT", b"").on("AT", b"")
}

#[test]
fn a_module_that_stopped_answering_still_gets_the_radio_and_reboot_commands() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            // Rung 1: `AT` unanswered (a resynchronisation is due from now on).
            let m = session_up(m).on("AT", b"");
            // Rung 2: the activation and the sync unanswered.
            let m = silent_sync(m.on("AT+CGACT=1,1", b""));
            // Rung 3: sent although no resynchronisation succeeded.
            let m = silent_sync(m.on("AT+CFUN=0", b"").on("AT+CFUN=1", b""));
            // Rung 4: the reboot brings the module back.
            let m = m.on("AT+CFUN=1,1", &lines(&["OK", "RDY"]));
            resubscribed(mqtt_up(automatic_up(m)))
        },
        |c, _| {
            connect_and_subscribe(c);
            assert_eq!(c.recover(&Recovery::new(&net, &mqtt)), Ok(Rung::Reboot));
            assert_eq!(c.link_state(), LinkState::Connected);
        },
    );
}

#[test]
fn every_rung_failing_reports_the_last_one() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            let m = rung3_fails(rung2_fails(rung1_link_down(session_up(m))));
            bring_up_no_sim(m.on("AT+CFUN=1,1", &lines(&["OK", "RDY"])))
        },
        |c, _| {
            connect_and_subscribe(c);
            let e = c.recover(&Recovery::new(&net, &mqtt)).unwrap_err();
            assert_eq!(e, no_sim_at(Rung::Reboot));
            assert!(e.can_retry(), "{e}");
            assert_eq!(c.subscriptions(), vec!["pyr".to_owned()]);
        },
    );
}

#[test]
fn a_failure_no_restart_repairs_ends_the_ladder() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            rung1_link_down(session_up(m))
                .on("AT+CGACT=1,1", &ok())
                .on("AT", &ok())
                .on("ATE0", &ok())
                .on("AT+CMEE=1", &ok())
                .on("AT+CPIN?", &answer("+CPIN: SIM PIN"))
        },
        |c, _| {
            connect_and_subscribe(c);
            let e = c.recover(&Recovery::new(&net, &mqtt)).unwrap_err();
            assert_eq!(e.rung, Rung::PdpReactivation);
            assert_eq!(
                e.cause,
                RecoverCause::BringUp(BringUpError {
                    step: BringUpStep::Sim,
                    cause: BringUpCause::PinRequired(SimState::PinRequired),
                })
            );
            assert!(e.cause.ends_ladder());
            assert!(!e.can_retry());
        },
    );
}

#[test]
fn the_ladder_stops_at_the_highest_rung_allowed() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| rung2_fails(rung1_link_down(session_up(m))),
        |c, _| {
            connect_and_subscribe(c);
            let r = Recovery::new(&net, &mqtt).up_to(Rung::PdpReactivation);
            assert_eq!(c.recover(&r), Err(no_sim_at(Rung::PdpReactivation)));
        },
    );
}

#[test]
fn the_first_rung_alone_reports_a_context_that_is_down() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| rung1_link_down(session_up(m)),
        |c, _| {
            connect_and_subscribe(c);
            let r = Recovery::new(&net, &mqtt).up_to(Rung::MqttReopen);
            let e = c.recover(&r).unwrap_err();
            assert_eq!(
                e,
                RecoverError {
                    rung: Rung::MqttReopen,
                    cause: RecoverCause::LinkDown
                }
            );
            assert!(e.can_retry());
        },
    );
}

#[test]
fn settings_made_after_the_configuration_are_re_applied() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            let m = session_up(m)
                .on("AT+MQTTTO=30", &ok())
                .on("AT+MQTTREC=0", &ok())
                .on("AT+MQTTPING=1", &ok());
            rung1_link_up(m)
                .on("AT+MQTTDISC", &answer("+MQTTDISC: OK"))
                .on("AT+MQTTDEL", &ok())
                .on(CFG_LINE, &ok())
                .on("AT+MQTTTO=30", &ok())
                .on("AT+MQTTREC=0", &ok())
                .on(OPEN_LINE, &lines(&["+MQTTOPEN:OK", "OK"]))
                .on("AT+MQTTPING=1", &ok())
                .on(
                    "AT+MQTTSUB=\"pyr\",1",
                    &lines(&["+MQTTSUBACK:2,1,pyr", "OK"]),
                )
        },
        |c, _| {
            connect_and_subscribe(c);
            c.set_ack_timeout(30).unwrap();
            c.set_auto_reconnect(false).unwrap();
            c.set_ping_echo(true).unwrap();
            assert_eq!(c.recover(&Recovery::new(&net, &mqtt)), Ok(Rung::MqttReopen));
            assert_eq!(c.link_state(), LinkState::Connected);
        },
    );
}

#[test]
fn a_new_configuration_drops_the_settings_made_for_the_old_one() {
    let net = quick_network(None);
    let mqtt = cfg();
    both(
        |m| {
            let m = session_up(m)
                .on("AT+MQTTTO=30", &ok())
                .on(CFG_LINE, &ok())
                .on("AT+MQTTTO=10", &ok())
                .on("AT+MQTTREC=1", &ok());
            resubscribed(mqtt_up(rung1_link_up(m)))
        },
        |c, _| {
            connect_and_subscribe(c);
            c.set_ack_timeout(30).unwrap();
            c.configure(&cfg()).unwrap();
            assert_eq!(c.recover(&Recovery::new(&net, &mqtt)), Ok(Rung::MqttReopen));
        },
    );
}
