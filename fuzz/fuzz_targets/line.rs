//! Line and URC decoding on arbitrary bytes.
//!
//! `Line::parse`, `parse_sub_entry`, `Urc::from_line`, `Urc::from_frame` and
//! `Urc::parse` must never panic, and keep what they promise:
//!
//! * a line that does not start with `+MQTT` is `Line::Text` of the whole input;
//! * a `+CEREG:`, `+CGREG:`, `+CGEV:` or `+CPIN:` line is always an event (typed,
//!   or `Urc::Unknown` of the whole line); the registration and SIM decoders
//!   agree with `Urc`'s reading;
//! * a subscription entry is non-empty and holds no CR/LF;
//! * `Urc::parse` (one URC decoded from a slice) agrees with the streaming path:
//!   when it decodes `data`, the digester fed `data` and a CR LF yields exactly
//!   one event, the same one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ml302::command::net::{Registration, SimState};
use ml302::digest::{Digester, Frame};
use ml302::line::{parse_sub_entry, Line};
use ml302::urc::{is_boot_line, PdpEvent};
use ml302::Urc;

/// Large enough that no input of the fuzzer's size overflows it.
const BIG_LINE: usize = 8192;
const BIG_PAYLOAD: usize = 65536;

fuzz_target!(|data: &[u8]| {
    let line = Line::parse(data);
    if !data.starts_with(b"+MQTT") {
        assert_eq!(line, Line::Text(data), "non-+MQTT line");
    }
    let _ = Urc::from_line(&line);
    let from_frame = Urc::from_frame(&Frame::Line(data));

    // Network and boot lines (NETWORK.md §2).
    let reg = Registration::from_line(data);
    let sim = SimState::from_line(data);
    let pdp = PdpEvent::from_line(data);
    if is_boot_line(data) {
        assert_eq!(from_frame, Some(Urc::Restarted));
    } else if data.starts_with(b"+CEREG:") || data.starts_with(b"+CGREG:") {
        let want = reg.map_or(Urc::Unknown(data), |(_, r)| Urc::Registration(r));
        assert_eq!(from_frame, Some(want), "registration line {data:?}");
    } else if data.starts_with(b"+CPIN:") {
        assert_eq!(from_frame, Some(sim.map_or(Urc::Unknown(data), Urc::Sim)));
    } else if data.starts_with(b"+CGEV:") {
        assert_eq!(from_frame, Some(pdp.map_or(Urc::Unknown(data), Urc::Pdp)));
    } else {
        assert!(reg.is_none() && sim.is_none() && pdp.is_none());
    }

    if let Some((topic, _qos)) = parse_sub_entry(data) {
        assert!(!topic.is_empty(), "empty subscription entry from {data:?}");
        assert!(!topic.contains(['\r', '\n']), "entry holds CR/LF");
    }

    let Some(urc) = Urc::parse(data) else {
        return;
    };
    if data.len() > BIG_LINE - 16 {
        return;
    }
    let mut d: Box<Digester<BIG_LINE, BIG_PAYLOAD>> = Box::new(Digester::new());
    let mut wire = data.to_vec();
    wire.extend_from_slice(b"\r\n");
    let mut rest = &wire[..];
    let mut events = 0usize;
    while !rest.is_empty() {
        let (used, frame) = d.feed(rest);
        rest = &rest[used..];
        if let Some(f) = frame {
            if let Some(u) = Urc::from_frame(&f) {
                assert_eq!(u, urc, "Urc::parse and the digester disagree on {data:?}");
                events += 1;
            }
        }
    }
    assert_eq!(
        events, 1,
        "Urc::parse decoded {urc:?}, the digester {events} events"
    );
});
