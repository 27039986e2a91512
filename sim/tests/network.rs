//! The simulator's network layer (NETWORK.md §1–§4), driven by raw AT lines over
//! the in-memory port: SIM states, radio function, registration after a delay,
//! PDP modes, identity, URCs, and the network faults.

mod common;

use std::time::Duration;

use common::{Host, T};
use ml302_sim::{Fault, Registration, SimCard, SimConfig};

const OK: &[u8] = b"\r\nOK\r\n";

fn fast() -> SimConfig {
    SimConfig::default()
        .module_second(Duration::from_millis(100))
        .reconnect_interval(Duration::from_millis(100))
}

/// The one information line of an answer `\r\n<line>\r\n\r\nOK\r\n`.
fn info(answer: &str) -> &str {
    answer
        .strip_prefix("\r\n")
        .and_then(|a| a.strip_suffix("\r\n\r\nOK\r\n"))
        .unwrap_or_else(|| panic!("not one line and OK: {answer:?}"))
}

fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

#[test]
fn default_is_ready_registered_and_pdp_up_at_once() {
    let mut h = Host::quiet(fast());
    h.exchange("AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.exchange("AT+CFUN?", b"\r\n+CFUN: 1\r\n\r\nOK\r\n");
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
    h.exchange("AT+CGREG?", b"\r\n+CGREG: 0,1\r\n\r\nOK\r\n");
    h.exchange("AT+CSQ", b"\r\n+CSQ: 31,99\r\n\r\nOK\r\n");
    h.exchange("AT+CGATT?", b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.exchange("AT+VERCTRL?", b"\r\n+VERCTRL: 0,1\r\n\r\nOK\r\n");
    h.exchange(
        "AT+CGDCONT?",
        b"\r\n+CGDCONT: 1,\"IP\",\"CMIOT\"\r\n\r\nOK\r\n",
    );
    h.exchange("AT+CGACT?", b"\r\n+CGACT: 1,1\r\n\r\nOK\r\n");
    let addr = h.cmd("AT+CGPADDR=1");
    let addr = info(&addr);
    assert!(
        addr.starts_with("+CGPADDR: 1,\"") && !addr.contains("0.0.0.0"),
        "{addr}"
    );
    h.configure_and_open("net-default");
}

#[test]
fn identity_is_valid() {
    let mut h = Host::quiet(fast());
    let imei = h.cmd("AT+CGSN=1");
    let imei = info(&imei).strip_prefix("+CGSN: ").expect("+CGSN: prefix");
    assert_eq!(imei.len(), 15, "{imei}");
    assert!(
        imei.bytes().all(|b| b.is_ascii_digit()) && luhn_ok(imei),
        "{imei}"
    );
    let bare = h.cmd("AT+CGSN");
    assert_eq!(info(&bare), imei);

    let iccid = h.cmd("AT+ICCID");
    let iccid = info(&iccid)
        .strip_prefix("+ICCID: ")
        .expect("+ICCID: prefix");
    assert!((19..=20).contains(&iccid.len()), "{iccid}");
    assert!(iccid.starts_with("8986") && luhn_ok(iccid), "{iccid}");

    let imsi = h.cmd("AT+CIMI");
    let imsi = info(&imsi);
    assert_eq!(imsi.len(), 15, "{imsi}");
    assert!(
        ["46000", "46002", "46004", "46007", "46008"]
            .iter()
            .any(|p| imsi.starts_with(p)),
        "{imsi}"
    );
}

#[test]
fn registration_after_a_delay_with_urcs() {
    let mut h = Host::quiet(fast().registration_delay(Duration::from_millis(1000)));
    h.exchange("AT+CEREG=1", OK);
    h.exchange("AT+CGEREP=1", OK);
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 1,2\r\n\r\nOK\r\n");
    h.exchange("AT+CSQ", b"\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
    // no data link yet
    h.exchange(r#"AT+MQTTCFG="x",1883,"net-delay",60,"","",1"#, OK);
    h.exchange(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#, b"\r\n+CME ERROR: 600\r\n");
    let out = h.wait_for("PDN ACT 1\r\n", T);
    assert_eq!(out, "\r\n+CEREG: 1\r\n\r\n+CGEV: ME PDN ACT 1\r\n");
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
}

#[test]
fn roaming_denied_and_searching() {
    let mut h = Host::quiet(fast().registration(Registration::Roaming));
    h.exchange("AT+CEREG=2", OK);
    h.exchange(
        "AT+CEREG?",
        b"\r\n+CEREG: 2,5,\"1A2B\",\"0C3D4E5F\",7\r\n\r\nOK\r\n",
    );
    h.exchange("AT+CGACT?", b"\r\n+CGACT: 1,1\r\n\r\nOK\r\n");

    let mut h = Host::quiet(fast().registration(Registration::Denied));
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,3\r\n\r\nOK\r\n");
    h.exchange("AT+CGATT=1", b"\r\n+CME ERROR: 30\r\n");
    h.exchange("AT+CGACT?", OK);

    let mut h = Host::quiet(fast().registration(Registration::Searching));
    h.quiet_for(Duration::from_millis(200));
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,2\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTCFG="x",1883,"net-search",60,"","",1"#, OK);
    h.exchange(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#, b"\r\n+CME ERROR: 600\r\n");
}

#[test]
fn manual_pdp_mode_needs_define_attach_activate() {
    let mut h = Host::quiet(fast().auto_pdp(false));
    h.exchange("AT+VERCTRL?", b"\r\n+VERCTRL: 0,0\r\n\r\nOK\r\n");
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
    h.exchange("AT+CGATT?", b"\r\n+CGATT: 0\r\n\r\nOK\r\n");
    h.exchange("AT+CGPADDR=1", b"\r\n+CGPADDR: 1,\"0.0.0.0\"\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTCFG="x",1883,"net-manual",60,"","",1"#, OK);
    h.exchange(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#, b"\r\n+CME ERROR: 600\r\n");
    h.exchange("AT+CGACT=1,1", b"\r\n+CME ERROR: 3\r\n");
    h.exchange(r#"AT+CGDCONT=1,"IP","CMNET""#, OK);
    h.exchange(r#"AT+CGDCONT=1,"PPP","CMNET""#, b"\r\nERROR\r\n");
    h.exchange("AT+CGATT=1", OK);
    h.exchange("AT+CGACT=1,1", OK);
    h.exchange("AT+CGACT?", b"\r\n+CGACT: 1,1\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
    // deactivation by the host drops the MQTT link; reconnects fail without it
    h.exchange("AT+MQTTREC=0", OK);
    h.exchange("AT+CGACT=0,1", b"\r\n+MQTTDISC: OK\r\n\r\nOK\r\n");
    h.exchange("AT+MQTTSTAT?", b"\r\n+MQTTSTAT: 0\r\n\r\nOK\r\n");
}

#[test]
fn sim_absent_and_pin() {
    let mut h = Host::quiet(fast().sim(SimCard::Absent));
    h.exchange("AT+CPIN?", b"\r\n+CME ERROR: 10\r\n");
    h.exchange("AT+CIMI", b"\r\n+CME ERROR: 10\r\n");
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,0\r\n\r\nOK\r\n");

    let mut h = Host::quiet(fast().sim(SimCard::Pin("1234".into())));
    h.exchange("AT+CPIN?", b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
    h.exchange("AT+CIMI", b"\r\n+CME ERROR: 11\r\n");
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,0\r\n\r\nOK\r\n");
    h.exchange(r#"AT+CPIN="0000""#, b"\r\n+CME ERROR: 16\r\n");
    h.exchange(r#"AT+CPIN="1234""#, b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.exchange("AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
    h.exchange("AT+CGACT?", b"\r\n+CGACT: 1,1\r\n\r\nOK\r\n");
}

#[test]
fn radio_off_and_on() {
    let mut h = Host::quiet(fast());
    h.exchange("AT+CEREG=1", OK);
    h.exchange("AT+CGEREP=1", OK);
    h.exchange(
        "AT+CFUN=0",
        b"\r\n+CGEV: ME PDN DEACT 1\r\n\r\n+CEREG: 0\r\n\r\nOK\r\n",
    );
    h.exchange("AT+CFUN?", b"\r\n+CFUN: 0\r\n\r\nOK\r\n");
    h.exchange("AT+CGATT?", b"\r\n+CGATT: 0\r\n\r\nOK\r\n");
    h.send_line("AT+CFUN=1");
    let out = h.wait_for("PDN ACT 1\r\n", T);
    assert_eq!(
        out,
        "\r\n+CEREG: 2\r\n\r\nOK\r\n\r\n+CEREG: 1\r\n\r\n+CGEV: ME PDN ACT 1\r\n"
    );
}

#[test]
fn registration_lost_drops_mqtt_and_comes_back() {
    let mut h = Host::quiet(fast());
    h.exchange("AT+CEREG=1", OK);
    h.exchange("AT+CGEREP=1", OK);
    h.configure_and_open("net-lost");
    h.sim
        .inject(Fault::RegistrationLost(Duration::from_millis(1500)));
    // the link drops with the context; the reconnect attempts (every 100 ms) fail
    // while there is no data link
    let out = h.wait_for("+MQTTDISC: OK\r\n", T);
    assert_eq!(
        out,
        "\r\n+CGEV: NW PDN DEACT 1\r\n\r\n+CEREG: 2\r\n\r\n+MQTTREC:0\r\n\r\n+MQTTREC:1\r\n\
         \r\n+MQTTREC:2\r\n\r\n+MQTTDISC: OK\r\n"
    );
    h.exchange("AT+CGACT?", b"\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
    h.exchange("AT+CSQ", b"\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
    // back after the outage, the context up again (automatic mode)
    let out = h.wait_for("PDN ACT 1\r\n", T);
    assert_eq!(out, "\r\n+CEREG: 1\r\n\r\n+CGEV: ME PDN ACT 1\r\n");
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
}

#[test]
fn network_pdp_deactivation_drops_mqtt_until_reactivated() {
    let mut h = Host::quiet(fast());
    h.exchange("AT+CGEREP=1", OK);
    h.configure_and_open("net-deact");
    h.exchange("AT+MQTTREC=0", OK);
    h.sim.inject(Fault::PdpDeactivated);
    let out = h.wait_for("+MQTTDISC: OK\r\n", T);
    assert_eq!(out, "\r\n+CGEV: NW PDN DEACT 1\r\n\r\n+MQTTDISC: OK\r\n");
    h.exchange("AT+CGACT?", b"\r\n+CGACT: 1,0\r\n\r\nOK\r\n");
    h.exchange(r#"AT+MQTTOPEN=0,0,0,0,0,"","""#, b"\r\n+CME ERROR: 600\r\n");
    h.exchange("AT+CGACT=1,1", b"\r\n+CGEV: ME PDN ACT 1\r\n\r\nOK\r\n");
    h.exchange(
        r#"AT+MQTTOPEN=0,0,0,0,0,"","""#,
        b"\r\n+MQTTOPEN:OK\r\n\r\nOK\r\n",
    );
}

#[test]
fn sim_removed_loses_everything() {
    let mut h = Host::quiet(fast());
    h.configure_and_open("net-sim");
    h.exchange("AT+MQTTREC=0", OK);
    h.sim.inject(Fault::SimRemoved);
    let out = h.wait_for("+MQTTDISC: OK\r\n", T);
    assert_eq!(out, "\r\n+CPIN: NOT READY\r\n\r\n+MQTTDISC: OK\r\n");
    h.exchange("AT+CPIN?", b"\r\n+CME ERROR: 10\r\n");
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,0\r\n\r\nOK\r\n");
    h.exchange("AT+CGACT=1,1", b"\r\n+CME ERROR: 10\r\n");
}

#[test]
fn cfun_1_1_reboots_with_boot_lines_and_loses_settings() {
    let mut h = Host::quiet(fast().boot_time(Duration::from_millis(300)).auto_pdp(true));
    h.exchange("AT+VERCTRL=0,0", OK);
    h.exchange("AT+CEREG=1", OK);
    h.configure_and_open("net-reboot");
    h.exchange("AT+CFUN=1,1", OK);
    h.send_line("AT");
    // silent while booting (the AT is lost), then RDY and the SIM state
    let out = h.wait_for("+CPIN: READY\r\n", T);
    assert_eq!(out, "\r\nRDY\r\n\r\n+CPIN: READY\r\n");
    h.quiet_for(Duration::from_millis(100));
    // echo back on, CMEE 0, PDP mode and URC settings back to the defaults
    h.exchange("AT", b"AT\r\r\nOK\r\n");
    h.exchange("ATE0", b"ATE0\r\r\nOK\r\n");
    h.exchange("AT+CMEE?", b"\r\n+CMEE: 0\r\n\r\nOK\r\n");
    h.exchange("AT+VERCTRL?", b"\r\n+VERCTRL: 0,1\r\n\r\nOK\r\n");
    h.exchange("AT+CEREG?", b"\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
    h.exchange(
        "AT+MQTTCFG?",
        b"\r\n+MQTTCFG:\"(null)\",0,\"(null)\",0,\"(null)\",\"***\",0,\"(null)\",0\r\n\r\nOK\r\n",
    );
    h.exchange("AT+CGACT?", b"\r\n+CGACT: 1,1\r\n\r\nOK\r\n");
}

#[test]
fn reboot_fault_prints_the_sim_state_it_finds() {
    let mut h = Host::quiet(
        fast()
            .boot_time(Duration::from_millis(200))
            .sim(SimCard::Pin("1234".into())),
    );
    h.sim.inject(Fault::Reboot);
    let out = h.wait_for("+CPIN: SIM PIN\r\n", T);
    assert_eq!(out, "\r\nRDY\r\n\r\n+CPIN: SIM PIN\r\n");
}

#[test]
fn bad_network_syntax_is_plain_error() {
    let mut h = Host::quiet(fast());
    for line in [
        "AT+CFUN=2",
        "AT+CFUN=1,2",
        "AT+CEREG=3",
        "AT+CGATT=2",
        "AT+CGACT=1,2",
        "AT+VERCTRL=0,2",
        "AT+CGPADDR=2",
        r#"AT+CGDCONT=1,"IP","a b""#,
        "AT+CPIN=1234",
    ] {
        h.exchange(line, b"\r\nERROR\r\n");
    }
}
