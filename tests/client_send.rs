//! Any command through the client (issue 13, item 1), on both faces against a
//! scripted modem: a command defined here, outside the crate, with atat's
//! derive, through `send`; plain lines through `send_raw`. URCs and messages
//! arriving in the middle of an answer are delivered as usual and never become
//! part of it; a line that could carry a second command is refused before any
//! byte is written; an answer longer than the command buffer is an overflow.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use atat::atat_derive::{AtatCmd, AtatResp};
use ml302::command::net::{Domain, RegStatus, Registration};
use ml302::error::Field;
use ml302::{CmeError, Error, Event, Incoming, ValidationError};
use support::{lines, Modem, SimTime};

/// The user's own `AT+CSQ`, declared here: the crate knows nothing of it.
#[derive(Clone, Debug, PartialEq, Eq, AtatResp)]
struct UserSignal {
    #[at_arg(position = 0)]
    rssi: u8,
    #[at_arg(position = 1)]
    ber: u8,
}

#[derive(Clone, AtatCmd)]
#[at_cmd("+CSQ", UserSignal, timeout_ms = 300)]
struct UserCsq;

/// A hand-written command whose `write` tries to smuggle a second command in.
struct Smuggler;

impl atat::AtatCmd for Smuggler {
    type Response = UserSignal;
    const MAX_TIMEOUT_MS: u32 = 1000;
    fn write(&self, buf: &mut [u8]) -> usize {
        let line = b"AT+CSQ\r\nAT+CFUN=0\r\n";
        buf[..line.len()].copy_from_slice(line);
        line.len()
    }
    fn parse(&self, _: Result<&[u8], atat::InternalError>) -> Result<UserSignal, atat::Error> {
        Err(atat::Error::Parse)
    }
}

type Blocking = ml302::blocking::Client<Modem, SimTime, 64, 64, 2, 4>;
type Async = ml302::asynch::Client<Modem, SimTime, SimTime, 64, 64, 2, 4>;

/// The operations these scenarios need, on both faces.
trait Face {
    fn csq(&mut self) -> Result<UserSignal, Error>;
    fn smuggle(&mut self) -> Result<UserSignal, Error>;
    fn raw(&mut self, line: &str, ms: u32) -> Result<Vec<Vec<u8>>, Error>;
    fn next_event(&mut self) -> Option<Event>;
    fn next_incoming(&mut self) -> Option<Incoming<64, 64>>;
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
            fn csq(&mut self) -> Result<UserSignal, Error> { run!(self.send(&UserCsq) $($aw)*) }
            fn smuggle(&mut self) -> Result<UserSignal, Error> { run!(self.send(&Smuggler) $($aw)*) }
            fn raw(&mut self, line: &str, ms: u32) -> Result<Vec<Vec<u8>>, Error> {
                run!(self.send_raw(line, ms) $($aw)*).map(|it| it.map(<[u8]>::to_vec).collect())
            }
            fn next_event(&mut self) -> Option<Event> { self.next_event() }
            fn next_incoming(&mut self) -> Option<Incoming<64, 64>> { self.next_incoming() }
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

fn eps(code: u8) -> Event {
    Event::Registration(Registration {
        domain: Domain::Eps,
        status: RegStatus::from_code(code),
        location: None,
    })
}

fn message(c: &mut dyn Face) -> (String, Vec<u8>) {
    match c.next_incoming() {
        Some(Incoming::Message(m)) => (m.topic.to_string(), m.payload.to_vec()),
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn user_csq_with_messages_and_registration_lines_inside_its_answer() {
    both(
        |m| {
            m.on(
                "AT+CSQ",
                &[
                    &lines(&["+CEREG: 2"])[..],
                    b"\r\n+MQTTPUBLISH: 0,0,0,0,\"t\",3,abc\r\n",
                    &lines(&["+CSQ: 20,99", "+CEREG: 5"])[..],
                    b"\r\n+MQTTPUBLISH: 0,0,0,0,\"u\",2,OK\r\n",
                    &lines(&["OK"])[..],
                ]
                .concat(),
            )
        },
        |c, _| {
            assert_eq!(c.csq().unwrap(), UserSignal { rssi: 20, ber: 99 });
            assert_eq!(events(c), vec![eps(2), eps(5)]);
            assert_eq!(message(c), ("t".to_owned(), b"abc".to_vec()));
            // A payload `OK` is a message, never the command's final result.
            assert_eq!(message(c), ("u".to_owned(), b"OK".to_vec()));
            assert!(c.next_incoming().is_none());
        },
    );
}

#[test]
fn a_registration_query_claims_its_own_line_and_leaves_other_urcs_as_events() {
    both(
        |m| {
            m.on(
                "AT+CEREG?",
                &lines(&["+CGEV: NW PDN DEACT 1", "+CEREG: 0,1", "+CPIN: READY", "OK"]),
            )
        },
        |c, _| {
            assert_eq!(
                c.raw("AT+CEREG?", 1000).unwrap(),
                vec![b"+CEREG: 0,1".to_vec()]
            );
            let ev = events(c);
            assert_eq!(ev.len(), 2, "{ev:?}");
            assert!(matches!(ev[0], Event::Pdp(_)));
            // (A boot line would end the command: see tests/recover.rs.)
            assert_eq!(ev[1], Event::Sim(ml302::command::net::SimState::Ready));
        },
    );
}

#[test]
fn send_raw_returns_every_information_line_in_order() {
    both(
        |m| {
            m.on("AT+CIMI", &lines(&["460041234567890", "OK"]))
                .on("AT+CGACT?", &lines(&["+CGACT: 1,1", "+CGACT: 2,0", "OK"]))
                .on("AT+CFUN=1", &lines(&["OK"]))
        },
        |c, _| {
            assert_eq!(
                c.raw("AT+CIMI", 1000).unwrap(),
                vec![b"460041234567890".to_vec()]
            );
            assert_eq!(
                c.raw("AT+CGACT?", 1000).unwrap(),
                vec![b"+CGACT: 1,1".to_vec(), b"+CGACT: 2,0".to_vec()]
            );
            assert!(c.raw("AT+CFUN=1", 1000).unwrap().is_empty());
        },
    );
}

#[test]
fn lines_that_could_carry_a_second_command_are_refused_before_any_byte() {
    both(
        |m| m,
        |c, m| {
            let forbidden = |byte| {
                Error::Invalid(ValidationError::ForbiddenByte {
                    field: Field::Command,
                    byte,
                })
            };
            assert_eq!(c.raw("AT+CSQ\r\nAT+CFUN=0", 1000), Err(forbidden(b'\r')));
            assert_eq!(c.raw("AT+CSQ\nAT+CFUN=0", 1000), Err(forbidden(b'\n')));
            assert_eq!(c.raw("AT+CSQ\0", 1000), Err(forbidden(0)));
            assert_eq!(c.raw("AT+CSQ\x1a", 1000), Err(forbidden(0x1a)));
            assert_eq!(
                c.raw("", 1000),
                Err(Error::Invalid(ValidationError::Empty {
                    field: Field::Command
                }))
            );
            // 1023 bytes: no room for CR LF in the 1024-byte command buffer.
            let long = format!("AT+X={}", "1".repeat(1018));
            assert!(matches!(
                c.raw(&long, 1000),
                Err(Error::Invalid(ValidationError::TooLong { .. }))
            ));
            assert_eq!(c.smuggle(), Err(forbidden(b'\r')));
            assert!(m.log().is_empty());
            assert!(m.unconsumed().is_empty());
        },
    );
}

#[test]
fn cme_error_of_any_command_is_typed() {
    both(
        |m| m.on("AT+CSQ", &lines(&["+CME ERROR: 10"])),
        |c, _| {
            assert_eq!(c.csq(), Err(Error::Cme(CmeError::SimNotInserted)));
        },
    );
}

#[test]
fn an_answer_the_command_cannot_parse_is_unexpected() {
    both(
        |m| m.on("AT+CSQ", &lines(&["+CSQ: twenty", "OK"])),
        |c, _| {
            assert_eq!(c.csq(), Err(Error::UnexpectedResponse));
        },
    );
}

#[test]
fn an_answer_longer_than_the_command_buffer_is_an_overflow_never_a_short_answer() {
    let many: Vec<String> = (0..40)
        .map(|i| format!("+LIST: {i},{}", "x".repeat(30)))
        .collect();
    both(
        |m| {
            let mut ls: Vec<&str> = many.iter().map(String::as_str).collect();
            ls.push("OK");
            m.on("AT+LIST?", &lines(&ls))
                .on("AT+CSQ", &lines(&["+CSQ: 31,0", "OK"]))
        },
        |c, _| {
            assert_eq!(c.raw("AT+LIST?", 1000), Err(Error::Overflow));
            // The session goes on.
            assert_eq!(c.csq().unwrap(), UserSignal { rssi: 31, ber: 0 });
        },
    );
}

#[test]
fn a_timed_out_command_is_followed_by_a_resynchronisation() {
    both(
        |m| {
            m.on("AT+CSQ", b"")
                .on(
                    "AT+MQTTCFG?",
                    &lines(&[
                        "+CSQ: 1,1",
                        "OK",
                        "+MQTTCFG: \"(null)\",0,\"\",0,\"\",\"\",0,\"\",0",
                        "OK",
                    ]),
                )
                .on("AT+CSQ", &lines(&["+CSQ: 9,9", "OK"]))
        },
        |c, _| {
            assert_eq!(c.csq(), Err(Error::Timeout));
            // The late answer of the first AT+CSQ cannot complete the second.
            assert_eq!(c.csq().unwrap(), UserSignal { rssi: 9, ber: 9 });
        },
    );
}

#[test]
fn the_longest_line_that_fits_is_sent_whole() {
    // 1022 bytes and CR LF: the whole command buffer.
    let longest = format!("AT+X={}", "1".repeat(1017));
    both(
        |m| m.on(&longest, &lines(&["OK"])),
        |c, m| {
            assert!(c.raw(&longest, 1000).unwrap().is_empty());
            assert_eq!(m.log()[0].len(), 1024);
        },
    );
}
