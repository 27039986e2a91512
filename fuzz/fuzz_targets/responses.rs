//! Every response parser of `ml302::command` on an arbitrary response body:
//! `AtatCmd::parse` of each command (with `Ok(body)` and with an error), the
//! `…Response::parse` functions, the subscription-list and entry parsers, the
//! body splitters and the log redaction of command lines; the same for the
//! network commands of `ml302::command::net`.
#![no_main]

use atat::{AtatCmd, InternalError};
use libfuzzer_sys::fuzz_target;
use ml302::command::{
    body_lines, decode_lines, parse_no_response, redact, AckTimeoutResponse, At, ConfigResponse,
    Configure, Configure7, Delete, Disconnect, DisconnectResponse, EchoOff, NumericErrors, Open,
    OpenResponse, PingEchoResponse, PublishInline, PublishLength, PublishResponse, QueryAckTimeout,
    QueryConfig, QueryPingEcho, QueryReconnect, QueryState, QuerySubscriptions, ReconnectResponse,
    SetAckTimeout, SetPingEcho, SetReconnect, StateResponse, SubAckResponse, Subscribe,
    SubscriptionEntry, SubscriptionList, UnsubAckResponse, Unsubscribe,
};
use ml302::command::net::{
    Apn, AttachResponse, DefinePdpContext, Functionality, Iccid, Imei, Imsi, PdpActivationList,
    PdpAddress, PdpModeResponse, PdpType, QueryAttach, QueryEpsRegistration, QueryFunctionality,
    QueryGprsRegistration, QueryIccid, QueryImei, QueryImsi, QueryPdpActivation, QueryPdpAddress,
    QueryPdpMode, QuerySignal, QuerySim, Reboot, RegistrationResponse, SetAttach,
    SetEpsRegistrationReports, SetFunctionality, SetGprsRegistrationReports, SetPdpActivation,
    SetPdpMode, SignalQuality, SimState, MAX_APN,
};
use ml302::text::{ClientId, Host, TopicFilter, TopicName};
use ml302::QoS;

/// `AtatCmd::parse` with the body and with an error, which must stay an error.
fn both<C: AtatCmd>(cmd: &C, body: &[u8], err: u8) {
    let _ = cmd.parse(Ok(body));
    let e = match err % 8 {
        0 => InternalError::Read,
        1 => InternalError::Write,
        2 => InternalError::Timeout,
        3 => InternalError::InvalidResponse,
        4 => InternalError::Aborted,
        5 => InternalError::Parse,
        6 => InternalError::Capacity,
        _ => InternalError::Custom(body),
    };
    assert!(
        cmd.parse(Err(e)).is_err(),
        "an error response parsed as success"
    );
}

fn list<const N: usize>(body: &[u8]) {
    if let Ok(l) = SubscriptionList::<N>::parse(body) {
        assert!(l.entries.len() <= N);
        for e in &l.entries {
            assert!(!e.topic.is_empty(), "empty subscription entry");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let (err, body) = match data.split_first() {
        Some((&e, rest)) => (e, rest),
        None => (0, data),
    };

    let (Ok(topic), Ok(filter), Ok(host), Ok(id)) = (
        TopicName::new("t"),
        TopicFilter::new("t/#"),
        Host::new("h"),
        ClientId::new("i"),
    ) else {
        panic!("valid constants refused");
    };
    both(&At, body, err);
    both(&EchoOff, body, err);
    both(&NumericErrors, body, err);
    both(&Configure::new(host, 1883, id), body, err);
    both(&Configure7::new(host, 1883, id), body, err);
    both(&QueryConfig, body, err);
    both(&Delete, body, err);
    both(&Disconnect, body, err);
    if let Ok(open) = Open::new(true, false, None) {
        both(&open, body, err);
    }
    both(&SetPingEcho::new(true), body, err);
    both(&QueryPingEcho, body, err);
    if let Ok(p) = PublishInline::new(topic, QoS::AtLeastOnce, false, "m") {
        both(&p, body, err);
    }
    if let Ok(p) = PublishLength::new(topic, QoS::ExactlyOnce, false, 3) {
        both(&p, body, err);
    }
    both(&SetReconnect::new(true), body, err);
    both(&QueryReconnect, body, err);
    both(&QueryState, body, err);
    both(&Subscribe::new(filter, QoS::AtMostOnce), body, err);
    both(&QuerySubscriptions, body, err);
    both(&SetAckTimeout::new(10), body, err);
    both(&QueryAckTimeout, body, err);
    both(&Unsubscribe::new(filter), body, err);

    // Network commands (NETWORK.md §2).
    let Ok(apn) = Apn::new("CMIOT") else {
        panic!("valid APN refused");
    };
    both(&QuerySim, body, err);
    both(&QueryFunctionality, body, err);
    both(&SetFunctionality::new(Functionality::Full), body, err);
    both(&Reboot::new(), body, err);
    both(&QuerySignal, body, err);
    both(&QueryEpsRegistration, body, err);
    both(&QueryGprsRegistration, body, err);
    both(&SetEpsRegistrationReports::new(1), body, err);
    both(&SetGprsRegistrationReports::new(2), body, err);
    both(&QueryAttach, body, err);
    both(&SetAttach::new(true), body, err);
    both(&DefinePdpContext::new(1, PdpType::Ip, apn), body, err);
    both(&QueryPdpActivation, body, err);
    both(&SetPdpActivation::new(true, 1), body, err);
    both(&QueryPdpAddress::new(1), body, err);
    both(&QueryPdpMode, body, err);
    both(&SetPdpMode::raw(0, 1), body, err);
    both(&QueryImei::new(), body, err);
    both(&QueryIccid, body, err);
    both(&QueryImsi, body, err);
    let _ = SimState::parse(body);
    let _ = Functionality::parse(body);
    if let Ok(q) = SignalQuality::parse(body) {
        if let Some(dbm) = q.dbm() {
            assert!((-113..=-51).contains(&dbm), "dBm out of the table: {dbm}");
        }
    }
    let _ = RegistrationResponse::parse(body);
    let _ = AttachResponse::parse(body);
    if let Ok(l) = PdpActivationList::parse(body) {
        assert!(l.contexts.len() <= ml302::command::net::MAX_CONTEXTS);
    }
    let _ = PdpAddress::parse(body);
    let _ = PdpModeResponse::parse(body);
    if let Ok(i) = Imei::parse(body) {
        assert!(i.0.len() == 15 && i.0.bytes().all(|b| b.is_ascii_digit()));
    }
    if let Ok(i) = Iccid::parse(body) {
        assert!(i.0.starts_with("89") && i.0.len() >= 19);
    }
    if let Ok(i) = Imsi::parse(body) {
        assert!(!i.0.is_empty() && i.0.bytes().all(|b| b.is_ascii_digit()));
    }
    if let Ok(s) = std::str::from_utf8(body) {
        if let Ok(apn) = Apn::new(s) {
            assert!(s.len() <= MAX_APN && !s.contains('"'));
            let mut buf = [0u8; 256];
            if let Ok(n) = ml302::command::Command::encode(
                &DefinePdpContext::new(1, PdpType::Ipv4v6, apn),
                &mut buf,
            ) {
                assert_eq!(buf[..n].iter().filter(|&&b| b == b'\n').count(), 1);
            }
        }
    }

    let _ = parse_no_response(body);
    let _ = ConfigResponse::parse(body);
    let _ = DisconnectResponse::parse(body);
    let _ = OpenResponse::parse(body);
    let _ = PingEchoResponse::parse(body);
    assert!(
        PublishResponse::parse(body).is_ok(),
        "PublishResponse::parse failed"
    );
    let _ = ReconnectResponse::parse(body);
    let _ = StateResponse::parse(body);
    let _ = SubAckResponse::parse(body);
    let _ = AckTimeoutResponse::parse(body);
    let _ = UnsubAckResponse::parse(body);
    list::<0>(body);
    list::<1>(body);
    list::<8>(body);

    for l in body_lines(body) {
        assert!(!l.is_empty() && !l.iter().any(|&b| b == b'\r' || b == b'\n'));
        if let Some(e) = SubscriptionEntry::parse(l) {
            assert!(!e.topic.is_empty() && !e.topic.contains(['\r', '\n']));
        }
    }
    let _ = decode_lines(body).count();

    let shown = format!("{}", redact(data));
    let debug = format!("{:?}", redact(data));
    assert_eq!(shown, debug, "redact: Display and Debug differ");
    assert!(
        !shown.contains(['\r', '\n', '\0']),
        "redacted text holds a raw control byte: {shown:?}"
    );
});
