//! Every network command of NETWORK.md §2: the bytes it puts on the wire (through
//! `Command::encode` and `atat`'s derived `write`, which must agree), its
//! validation, and its typed answer, spelling variants included.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atat::AtatCmd;
use ml302::command::net::{
    Apn, AttachResponse, DefinePdpContext, Domain, Functionality, Iccid, Imei, Imsi, Location,
    PdpActivation, PdpActivationList, PdpAddress, PdpMode, PdpModeResponse, PdpType, QueryAttach,
    QueryEpsRegistration, QueryFunctionality, QueryGprsRegistration, QueryIccid, QueryImei,
    QueryImsi, QueryPdpActivation, QueryPdpAddress, QueryPdpMode, QuerySignal, QuerySim, Reboot,
    RegStatus, Registration, RegistrationResponse, SetAttach, SetEpsRegistrationReports,
    SetFunctionality, SetGprsRegistrationReports, SetPdpActivation, SetPdpMode, SignalQuality,
    SimState, MAX_APN,
};
use ml302::command::{Command, MAX_LINE};
use ml302::error::{Field, ValidationError};
use ml302::{CmeError, Error, Retry};

/// Encodes with `Command::encode`, checks `AtatCmd::write` agrees, returns the line.
fn enc<C: Command + AtatCmd>(c: &C) -> String {
    let mut buf = [0u8; MAX_LINE];
    let n = c.encode(&mut buf).unwrap();
    let mut atat_buf = [0u8; 2 * MAX_LINE];
    let m = AtatCmd::write(c, &mut atat_buf);
    let line = String::from_utf8(buf[..n].to_vec()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&atat_buf[..m]),
        line,
        "atat's derived write disagrees with encode"
    );
    line
}

/// The refusal of `c`, with nothing written.
fn refused<C: Command>(c: &C) -> ValidationError {
    let mut buf = [0xAAu8; MAX_LINE];
    match c.encode(&mut buf) {
        Err(Error::Invalid(e)) => {
            assert!(buf.iter().all(|&b| b == 0xAA), "refused after writing");
            e
        }
        other => panic!("not refused: {other:?}"),
    }
}

/// A response body as the module prints it before `OK`.
fn body(lines: &[&str]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| format!("\r\n{l}\r\n").into_bytes())
        .collect()
}

#[test]
fn cpin_query_and_states() {
    assert_eq!(enc(&QuerySim), "AT+CPIN?\r\n");
    for (l, want) in [
        ("+CPIN: READY", SimState::Ready),
        ("+CPIN:READY", SimState::Ready),
        ("+CPIN: SIM PIN", SimState::PinRequired),
        ("+CPIN: SIM PUK", SimState::PukRequired),
        ("+CPIN: SIM PIN2", SimState::OtherCodeRequired),
        ("+CPIN: NOT READY", SimState::NotReady),
    ] {
        assert_eq!(SimState::parse(&body(&[l])).unwrap(), want, "{l}");
        assert_eq!(QuerySim.parse(Ok(&body(&[l]))).unwrap(), want);
    }
    assert!(SimState::parse(&body(&["+CPIN: READY"]))
        .unwrap()
        .is_ready());
    assert_eq!(
        SimState::parse(&body(&["+CPIN: MAYBE"])),
        Err(Error::UnexpectedResponse)
    );
    assert_eq!(SimState::parse(b""), Err(Error::UnexpectedResponse));
}

#[test]
fn cfun_forms() {
    assert_eq!(enc(&QueryFunctionality), "AT+CFUN?\r\n");
    assert_eq!(
        enc(&SetFunctionality::new(Functionality::Full)),
        "AT+CFUN=1\r\n"
    );
    assert_eq!(
        enc(&SetFunctionality::new(Functionality::Minimum)),
        "AT+CFUN=0\r\n"
    );
    assert_eq!(
        enc(&SetFunctionality::new(Functionality::Airplane)),
        "AT+CFUN=4\r\n"
    );
    assert_eq!(enc(&Reboot::new()), "AT+CFUN=1,1\r\n");
    assert!(matches!(
        refused(&SetFunctionality::new(Functionality::Other(7))),
        ValidationError::Inconsistent { .. }
    ));
    for (l, want) in [
        ("+CFUN: 1", Functionality::Full),
        ("+CFUN:0", Functionality::Minimum),
        ("+CFUN: 4", Functionality::Airplane),
        ("+CFUN: 5", Functionality::Other(5)),
    ] {
        assert_eq!(Functionality::parse(&body(&[l])).unwrap(), want, "{l}");
    }
    assert_eq!(
        QueryFunctionality.parse(Ok(&body(&["+CFUN: 1"]))).unwrap(),
        Functionality::Full
    );
    for bad in ["+CFUN: x", "+CFUN: 1,0", "+CFUN:", "+CFUN: 256"] {
        assert_eq!(
            Functionality::parse(&body(&[bad])),
            Err(Error::UnexpectedResponse),
            "{bad}"
        );
    }
}

#[test]
fn csq_and_the_dbm_table() {
    assert_eq!(enc(&QuerySignal), "AT+CSQ\r\n");
    let q = SignalQuality::parse(&body(&["+CSQ: 20,99"])).unwrap();
    assert_eq!(q, SignalQuality { rssi: 20, ber: 99 });
    assert_eq!(q.ber_class(), None);
    assert_eq!(
        SignalQuality::parse(&body(&["+CSQ:31,0"]))
            .unwrap()
            .ber_class(),
        Some(0)
    );
    assert_eq!(
        QuerySignal.parse(Ok(&body(&["+CSQ: 5, 3"]))).unwrap().rssi,
        5
    );
    // The whole table of NETWORK.md §2.
    let dbm = |rssi| SignalQuality { rssi, ber: 99 }.dbm();
    assert_eq!(dbm(0), Some(-113));
    assert_eq!(dbm(1), Some(-111));
    assert_eq!(dbm(2), Some(-109));
    assert_eq!(dbm(30), Some(-53));
    assert_eq!(dbm(31), Some(-51));
    assert_eq!(dbm(99), None);
    assert_eq!(dbm(32), None);
    for rssi in 2..=30u8 {
        assert_eq!(dbm(rssi), Some(-109 + 2 * (i16::from(rssi) - 2)), "{rssi}");
    }
    for bad in ["+CSQ: 20", "+CSQ: a,99", "+CSQ: 20,99,1", "+CSQ: 300,99"] {
        assert_eq!(
            SignalQuality::parse(&body(&[bad])),
            Err(Error::UnexpectedResponse),
            "{bad}"
        );
    }
}

#[test]
fn cereg_and_cgreg() {
    assert_eq!(enc(&QueryEpsRegistration), "AT+CEREG?\r\n");
    assert_eq!(enc(&QueryGprsRegistration), "AT+CGREG?\r\n");
    assert_eq!(enc(&SetEpsRegistrationReports::new(2)), "AT+CEREG=2\r\n");
    assert_eq!(enc(&SetGprsRegistrationReports::new(0)), "AT+CGREG=0\r\n");
    assert_eq!(
        refused(&SetEpsRegistrationReports::new(6)),
        ValidationError::OutOfRange {
            field: Field::ReportMode,
            min: 0,
            max: 5
        }
    );
    let r = RegistrationResponse::parse(&body(&["+CEREG: 0,1"])).unwrap();
    assert_eq!(
        r,
        RegistrationResponse {
            mode: 0,
            registration: Registration {
                domain: Domain::Eps,
                status: RegStatus::Home,
                location: None
            }
        }
    );
    assert!(r.registration.status.is_registered());
    let r = QueryEpsRegistration
        .parse(Ok(&body(&["+CEREG: 2,5,\"1A2B\",\"0C3D4E5F\",7"])))
        .unwrap();
    assert_eq!(r.mode, 2);
    assert_eq!(r.registration.status, RegStatus::Roaming);
    assert_eq!(
        r.registration.location,
        Some(Location {
            area: 0x1a2b,
            cell: 0x0c3d_4e5f,
            act: Some(7)
        })
    );
    // n = 4: reject cause and PSM timers after the location.
    let r = RegistrationResponse::parse(&body(&[
        "+CEREG: 4,1,\"1A2B\",\"0C3D4E5F\",7,,,\"00100100\",\"01000111\"",
    ]))
    .unwrap();
    assert_eq!((r.mode, r.registration.status), (4, RegStatus::Home));
    assert_eq!(r.registration.location.unwrap().act, Some(7));
    let r = QueryGprsRegistration
        .parse(Ok(&body(&["+CGREG: 1,3"])))
        .unwrap();
    assert_eq!(
        (r.registration.domain, r.registration.status),
        (Domain::Gprs, RegStatus::Denied)
    );
    assert!(!RegStatus::Denied.is_registered());
    for code in 0..=255u8 {
        assert_eq!(RegStatus::from_code(code).code(), code);
    }
    // An unsolicited one-field report in the body is not the answer.
    assert_eq!(
        RegistrationResponse::parse(&body(&["+CEREG: 1"])),
        Err(Error::UnexpectedResponse)
    );
    assert_eq!(
        RegistrationResponse::parse(&body(&["+CEREG: 1", "+CEREG: 1,2"]))
            .unwrap()
            .registration
            .status,
        RegStatus::Searching
    );
}

#[test]
fn cgatt_forms() {
    assert_eq!(enc(&QueryAttach), "AT+CGATT?\r\n");
    assert_eq!(enc(&SetAttach::new(true)), "AT+CGATT=1\r\n");
    assert_eq!(enc(&SetAttach::new(false)), "AT+CGATT=0\r\n");
    assert_eq!(SetAttach::new(true).timeout_ms(10), 60_000);
    assert_eq!(
        AttachResponse::parse(&body(&["+CGATT: 1"])).unwrap(),
        AttachResponse(true)
    );
    assert_eq!(
        QueryAttach.parse(Ok(&body(&["+CGATT:0"]))).unwrap(),
        AttachResponse(false)
    );
    assert_eq!(
        AttachResponse::parse(&body(&["+CGATT: 2"])),
        Err(Error::UnexpectedResponse)
    );
}

#[test]
fn cgdcont_and_apn_validation() {
    let apn = Apn::new("CMIOT").unwrap();
    assert_eq!(
        enc(&DefinePdpContext::new(1, PdpType::Ip, apn)),
        "AT+CGDCONT=1,\"IP\",\"CMIOT\"\r\n"
    );
    assert_eq!(
        enc(&DefinePdpContext::new(
            2,
            PdpType::Ipv4v6,
            Apn::new("CMNET").unwrap()
        )),
        "AT+CGDCONT=2,\"IPV4V6\",\"CMNET\"\r\n"
    );
    assert_eq!(
        enc(&DefinePdpContext::new(
            1,
            PdpType::Ipv6,
            Apn::new("").unwrap()
        )),
        "AT+CGDCONT=1,\"IPV6\",\"\"\r\n"
    );
    let longest = "a".repeat(MAX_APN);
    assert!(Apn::new(&longest).is_ok());
    assert_eq!(
        Apn::new(&"a".repeat(MAX_APN + 1)),
        Err(ValidationError::TooLong {
            field: Field::Apn,
            max: MAX_APN
        })
    );
    for (bad, byte) in [
        ("cm\"iot", b'"'),
        ("cm\r\nAT+CFUN=0", b'\r'),
        ("cm\niot", b'\n'),
        ("cm\u{0}", 0),
        ("cmé", 0xc3),
        ("\u{1b}", 0x1b),
    ] {
        assert_eq!(
            Apn::new(bad),
            Err(ValidationError::ForbiddenByte {
                field: Field::Apn,
                byte
            }),
            "{bad:?}"
        );
    }
    assert_eq!(
        refused(&DefinePdpContext::new(0, PdpType::Ip, apn)),
        ValidationError::OutOfRange {
            field: Field::Cid,
            min: 1,
            max: 15
        }
    );
    assert!(matches!(
        refused(&DefinePdpContext::new(16, PdpType::Ip, apn)),
        ValidationError::OutOfRange { .. }
    ));
}

#[test]
fn cgact_forms() {
    assert_eq!(enc(&QueryPdpActivation), "AT+CGACT?\r\n");
    assert_eq!(enc(&SetPdpActivation::new(true, 1)), "AT+CGACT=1,1\r\n");
    assert_eq!(enc(&SetPdpActivation::new(false, 3)), "AT+CGACT=0,3\r\n");
    assert!(matches!(
        refused(&SetPdpActivation::new(true, 0)),
        ValidationError::OutOfRange { .. }
    ));
    let l = PdpActivationList::parse(&body(&["+CGACT: 1,1", "+CGACT: 2,0"])).unwrap();
    assert_eq!(
        l.contexts.as_slice(),
        [
            PdpActivation {
                cid: 1,
                active: true
            },
            PdpActivation {
                cid: 2,
                active: false
            }
        ]
    );
    assert!(l.is_active(1) && !l.is_active(2) && !l.is_active(3));
    assert_eq!(QueryPdpActivation.parse(Ok(b"")).unwrap().contexts.len(), 0);
    assert_eq!(
        PdpActivationList::parse(&body(&["+CGACT: 1,2"])),
        Err(Error::UnexpectedResponse)
    );
}

#[test]
fn cgpaddr_quoted_and_bare() {
    assert_eq!(enc(&QueryPdpAddress::new(1)), "AT+CGPADDR=1\r\n");
    assert!(matches!(
        refused(&QueryPdpAddress::new(0)),
        ValidationError::OutOfRange { .. }
    ));
    for l in [
        "+CGPADDR: 1,\"10.23.4.5\"",
        "+CGPADDR: 1,10.23.4.5",
        "+CGPADDR:1, \"10.23.4.5\"",
    ] {
        let a = PdpAddress::parse(&body(&[l])).unwrap();
        assert_eq!((a.cid, a.address.as_str()), (1, "10.23.4.5"), "{l}");
        assert!(a.is_assigned());
    }
    let none = QueryPdpAddress::new(1)
        .parse(Ok(&body(&["+CGPADDR: 1,\"0.0.0.0\""])))
        .unwrap();
    assert!(!none.is_assigned());
    let empty = PdpAddress::parse(&body(&["+CGPADDR: 1"])).unwrap();
    assert!(!empty.is_assigned());
    for bad in [
        "+CGPADDR: x,\"1.2.3.4\"",
        "+CGPADDR: 1,\"1.2.3.4",
        "+CGPADDR: 1,a b",
    ] {
        assert_eq!(
            PdpAddress::parse(&body(&[bad])),
            Err(Error::UnexpectedResponse),
            "{bad}"
        );
    }
}

#[test]
fn verctrl_with_and_without_space() {
    assert_eq!(enc(&QueryPdpMode), "AT+VERCTRL?\r\n");
    assert_eq!(
        enc(&SetPdpMode::new(PdpMode::Automatic)),
        "AT+VERCTRL=0,1\r\n"
    );
    assert_eq!(enc(&SetPdpMode::new(PdpMode::Manual)), "AT+VERCTRL=0,0\r\n");
    assert!(matches!(
        refused(&SetPdpMode::raw(0, 2)),
        ValidationError::OutOfRange { .. }
    ));
    for (l, b) in [
        ("+VERCTRL: 0,1", 1),
        ("+VERCTRL: 0, 1", 1),
        ("+VERCTRL:0,0", 0),
    ] {
        let r = PdpModeResponse::parse(&body(&[l])).unwrap();
        assert_eq!(r, PdpModeResponse { a: 0, b }, "{l}");
    }
    assert_eq!(
        QueryPdpMode
            .parse(Ok(&body(&["+VERCTRL: 0, 1"])))
            .unwrap()
            .mode(),
        Ok(PdpMode::Automatic)
    );
    assert_eq!(PdpModeResponse { a: 0, b: 0 }.mode(), Ok(PdpMode::Manual));
    assert_eq!(
        PdpModeResponse { a: 0, b: 2 }.mode(),
        Err(Error::UnexpectedResponse)
    );
    assert_eq!(
        PdpModeResponse::parse(&body(&["+VERCTRL: 0"])),
        Err(Error::UnexpectedResponse)
    );
}

#[test]
fn identity_queries() {
    assert_eq!(enc(&QueryImei::new()), "AT+CGSN=1\r\n");
    assert_eq!(enc(&QueryIccid), "AT+ICCID\r\n");
    assert_eq!(enc(&QueryImsi), "AT+CIMI\r\n");
    // 49015420323751 + Luhn digit 8.
    for l in [
        "+CGSN: 490154203237518",
        "+CGSN: \"490154203237518\"",
        "490154203237518",
    ] {
        assert_eq!(
            Imei::parse(&body(&[l])).unwrap().0.as_str(),
            "490154203237518",
            "{l}"
        );
    }
    assert_eq!(
        QueryImei::new()
            .parse(Ok(&body(&["+CGSN:\"490154203237518\""])))
            .unwrap()
            .0
            .as_str(),
        "490154203237518"
    );
    for bad in [
        "+CGSN: 490154203237519",
        "+CGSN: 49015420323751",
        "+CGSN: 4901542032375180",
    ] {
        assert_eq!(
            Imei::parse(&body(&[bad])),
            Err(Error::UnexpectedResponse),
            "{bad}"
        );
    }
    for l in [
        "+ICCID: 89860012345678901234",
        "+ICCID: \"8986001234567890123\"",
    ] {
        assert!(
            Iccid::parse(&body(&[l])).unwrap().0.starts_with("8986"),
            "{l}"
        );
    }
    for bad in [
        "+ICCID: 12860012345678901234",
        "+ICCID: 898600123456789",
        "+ICCID: 8986001234567890123x",
    ] {
        assert_eq!(
            Iccid::parse(&body(&[bad])),
            Err(Error::UnexpectedResponse),
            "{bad}"
        );
    }
    let imsi = QueryImsi.parse(Ok(&body(&["460041234567890"]))).unwrap();
    assert_eq!(imsi.0.as_str(), "460041234567890");
    assert!(imsi.is_china_mobile());
    assert!(!Imsi::parse(&body(&["310150123456789"]))
        .unwrap()
        .is_china_mobile());
    assert_eq!(
        Imsi::parse(&body(&["+CIMI: 460001234567890"]))
            .unwrap()
            .0
            .as_str(),
        "460001234567890"
    );
    assert_eq!(
        Imsi::parse(&body(&["4600012345678901"])),
        Err(Error::UnexpectedResponse)
    );
}

#[test]
fn activation_failures_decode_with_retry_advice() {
    // `AT+CGACT=1,1` failing the two ways NETWORK.md §2 names.
    let e = SetPdpActivation::new(true, 1).parse(Err(atat::InternalError::Error));
    assert!(e.is_err());
    assert_eq!(CmeError::from_code(148), CmeError::UnspecifiedGprsError);
    assert_eq!(CmeError::from_code(149).retry(), Retry::No);
    assert!(Error::Cme(CmeError::from_code(148)).is_retryable());
    assert!(!Error::Cme(CmeError::from_code(10)).is_retryable());
    assert_eq!(CmeError::from_code(14).retry(), Retry::AfterASecond);
    assert_eq!(CmeError::from_code(577), CmeError::Other(577));
}

/// Pieces the network answers are made of, for the property below.
const PIECES: &[&str] = &[
    "+CPIN: ",
    "+CFUN: ",
    "+CSQ: ",
    "+CEREG: ",
    "+CGREG: ",
    "+CGATT: ",
    "+CGACT: ",
    "+CGPADDR: ",
    "+VERCTRL: ",
    "+CGSN: ",
    "+ICCID: ",
    "+CIMI: ",
    "READY",
    "SIM PIN",
    "0",
    "1",
    "5",
    "99",
    "255",
    "256",
    "65536",
    ",",
    ", ",
    "\"",
    "\"00C3\"",
    "\"0A1B2C3D\"",
    "10.0.0.1",
    "490154203237518",
    "89860012345678901234",
    "460041234567890",
    "\r\n",
    " ",
    "x",
    "\u{e9}",
];

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(2048))]
    /// Every answer parser on any body: no panic, and what it accepts keeps its
    /// promises.
    #[test]
    fn network_answers_never_panic(
        parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..16),
    ) {
        let body = parts.concat().into_bytes();
        let _ = SimState::parse(&body);
        let _ = Functionality::parse(&body);
        if let Ok(q) = SignalQuality::parse(&body) {
            if let Some(d) = q.dbm() {
                proptest::prop_assert!((-113..=-51).contains(&d));
            }
        }
        let _ = RegistrationResponse::parse(&body);
        let _ = AttachResponse::parse(&body);
        let _ = PdpActivationList::parse(&body);
        if let Ok(a) = PdpAddress::parse(&body) {
            proptest::prop_assert!(!a.address.contains(['"', ' ', '\r', '\n']));
        }
        let _ = PdpModeResponse::parse(&body);
        if let Ok(i) = Imei::parse(&body) {
            proptest::prop_assert_eq!(i.0.len(), 15);
        }
        if let Ok(i) = Iccid::parse(&body) {
            proptest::prop_assert!(i.0.starts_with("89"));
        }
        if let Ok(i) = Imsi::parse(&body) {
            proptest::prop_assert!(i.0.bytes().all(|b| b.is_ascii_digit()));
        }
        for l in body.split(|&b| b == b'\r' || b == b'\n') {
            let _ = Registration::from_line(l);
            let _ = SimState::from_line(l);
            let _ = ml302::urc::PdpEvent::from_line(l);
        }
    }
}
