//! Start-up against modules of other MQTT AT dialects (scripted), through the
//! blocking and the async face: the client names what it found instead of
//! failing later with confusing errors, and costs nothing on a module of this
//! dialect.

mod support;

use ml302::{CmeError, Dialect, Error};
use support::{lines, Modem, SimTime};

type Blocking = ml302::blocking::Client<Modem, SimTime, 64, 16, 2, 2>;
type Async = ml302::asynch::Client<Modem, SimTime, SimTime, 64, 16, 2, 2>;

/// `start()` on each face (byte-at-a-time reads too) over a fresh `script`.
fn start_both(script: impl Fn(Modem) -> Modem) -> Vec<Result<(), Error>> {
    let mut results = Vec::new();
    for (blocking, one_byte) in [(true, false), (false, false), (true, true), (false, true)] {
        let time = SimTime::default();
        let mut modem = script(Modem::new(time.clone()));
        if one_byte {
            modem = modem.one_byte_reads();
        }
        let r = if blocking {
            Blocking::new(modem.clone(), time.clone()).start()
        } else {
            let mut c = Async::new(modem.clone(), time.clone(), time.clone());
            futures_executor::block_on(c.start())
        };
        modem.assert_done();
        results.push(r);
    }
    results
}

/// `AT`, `ATE0`, `AT+CMEE=1` answered as every module does.
fn basics(m: Modem) -> Modem {
    m.on("AT", &lines(&["OK"]))
        .on("ATE0", &lines(&["OK"]))
        .on("AT+CMEE=1", &lines(&["OK"]))
}

/// A module that knows none of this dialect's commands.
fn foreign(m: Modem, refusal: &str) -> Modem {
    basics(m)
        .on("AT+MQTTDISC", &lines(&[refusal]))
        .on("AT+MQTTDEL", &lines(&[refusal]))
        .on("AT+MQTTCFG?", &lines(&[refusal]))
}

#[test]
fn an_mmqtt_module_is_named() {
    for r in start_both(|m| foreign(m, "ERROR").on("AT+MMQTTCON=?", &lines(&["OK"]))) {
        assert_eq!(r, Err(Error::WrongDialect(Dialect::Mmqtt)));
    }
}

#[test]
fn a_unisoc_module_is_named() {
    for r in start_both(|m| {
        foreign(m, "+CME ERROR: 100")
            .on("AT+MMQTTCON=?", &lines(&["+CME ERROR: 100"]))
            .on(
                "AT+MQTTSUBUNSUB=?",
                &lines(&["+MQTTSUBUNSUB: <topic>,<sub_flag>,<qos>", "OK"]),
            )
    }) {
        let e = r.unwrap_err();
        assert_eq!(e, Error::WrongDialect(Dialect::Unisoc));
        assert!(!e.is_retryable());
    }
}

#[test]
fn a_module_that_knows_neither_is_unknown() {
    for r in start_both(|m| {
        foreign(m, "ERROR")
            .on("AT+MMQTTCON=?", &lines(&["ERROR"]))
            .on("AT+MQTTSUBUNSUB=?", &lines(&["ERROR"]))
    }) {
        assert_eq!(r, Err(Error::WrongDialect(Dialect::Unknown)));
    }
}

#[test]
fn an_mqttcfg_answer_of_another_shape_is_not_this_dialect() {
    // An ML307-style firmware answers the query, but not with a `+MQTTCFG:`
    // line of this dialect.
    for r in start_both(|m| {
        basics(m)
            .on("AT+MQTTDISC", &lines(&["ERROR"]))
            .on("AT+MQTTDEL", &lines(&["ERROR"]))
            .on("AT+MQTTCFG?", &lines(&["OK"]))
            .on("AT+MMQTTCON=?", &lines(&["ERROR"]))
            .on("AT+MQTTSUBUNSUB=?", &lines(&["ERROR"]))
    }) {
        assert_eq!(r, Err(Error::WrongDialect(Dialect::Unknown)));
    }
}

#[test]
fn this_dialect_costs_no_probe() {
    // `AT+MQTTDEL` answered OK: no `AT+MQTTCFG?`, no test command.
    for r in start_both(|m| {
        basics(m)
            .on("AT+MQTTDISC", &lines(&["+CME ERROR: 620"]))
            .on("AT+MQTTDEL", &lines(&["OK"]))
    }) {
        r.unwrap();
    }
    // An MQTT error code is this dialect's too.
    for r in start_both(|m| {
        basics(m)
            .on("AT+MQTTDISC", &lines(&["ERROR"]))
            .on("AT+MQTTDEL", &lines(&["+CME ERROR: 601"]))
    }) {
        r.unwrap();
    }
}

#[test]
fn this_dialect_refusing_its_clean_up_passes_with_one_query() {
    for r in start_both(|m| {
        basics(m)
            .on("AT+MQTTDISC", &lines(&["ERROR"]))
            .on("AT+MQTTDEL", &lines(&["ERROR"]))
            .on("AT+MQTTCFG?", &lines(&["+MQTTCFG:\"(null)\"", "OK"]))
    }) {
        r.unwrap();
    }
}

#[test]
fn a_sim_or_network_error_is_not_a_dialect() {
    for r in start_both(|m| {
        basics(m)
            .on("AT+MQTTDISC", &lines(&["ERROR"]))
            .on("AT+MQTTDEL", &lines(&["ERROR"]))
            .on("AT+MQTTCFG?", &lines(&["+CME ERROR: 10"]))
    }) {
        assert_eq!(r, Err(Error::Cme(CmeError::SimNotInserted)));
    }
}
