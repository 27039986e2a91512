//! No line a caller passes to `send_raw` (through `Session::begin_raw`) and no
//! line a user command's own `write` produces (through `Session::begin_atat`)
//! can carry a second AT command: either it is refused with a typed
//! [`ValidationError`] and nothing is to be written, or exactly the line goes
//! out, with one CR LF, at its end. Hostile classes first, then arbitrary bytes.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use ml302::command::MAX_LINE;
use ml302::error::{Field, ValidationError};
use ml302::session::{Action, Session};
use ml302::Error;
use proptest::prelude::*;

/// An empty answer.
struct Nothing;

impl atat::AtatResp for Nothing {}

/// A user command whose `write` puts these bytes, as they are.
struct Written(Vec<u8>);

impl atat::AtatCmd for Written {
    type Response = Nothing;
    fn write(&self, buf: &mut [u8]) -> usize {
        let n = self.0.len().min(buf.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        n
    }
    fn parse(&self, _: Result<&[u8], atat::InternalError>) -> Result<Nothing, atat::Error> {
        Ok(Nothing)
    }
}

/// What the session writes after `begin`, or the error `begin` returned.
fn outcome(begin: impl FnOnce(&mut Session) -> Result<(), Error>) -> Result<Vec<u8>, Error> {
    let mut s: Session = Session::new();
    match begin(&mut s) {
        Ok(()) => match s.poll(0) {
            Action::Write(bytes) => Ok(bytes.to_vec()),
            other => panic!("expected a write, got {other:?}"),
        },
        Err(e) => {
            assert_eq!(s.poll(0), Action::Idle, "refused, yet something is pending");
            Err(e)
        }
    }
}

/// The line as it must go out, or why it must be refused.
fn expected(line: &[u8]) -> Result<Vec<u8>, ValidationError> {
    let field = Field::Command;
    if line.is_empty() {
        return Err(ValidationError::Empty { field });
    }
    if let Some(&byte) = line.iter().find(|&&b| b < 0x20 || b == 0x7f) {
        return Err(ValidationError::ForbiddenByte { field, byte });
    }
    if line.len() + 2 > MAX_LINE {
        return Err(ValidationError::TooLong {
            field,
            max: MAX_LINE - 2,
        });
    }
    Ok([line, b"\r\n"].concat())
}

fn check_raw(line: &[u8]) {
    let got = outcome(|s| s.begin_raw(line, 1000, 0));
    match expected(line) {
        Ok(out) => {
            let got = got.unwrap();
            assert_eq!(got, out);
            assert_eq!(got.iter().filter(|&&b| b == b'\r' || b == b'\n').count(), 2);
        }
        Err(e) => assert_eq!(got, Err(Error::Invalid(e))),
    }
}

/// A user command's `write`: one trailing CR LF, CR or LF is its terminator.
fn check_atat(written: &[u8]) {
    let got = outcome(|s| s.begin_atat(&Written(written.to_vec()), 0));
    let line = written.strip_suffix(b"\n").unwrap_or(written);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match expected(line) {
        Ok(out) => assert_eq!(got.unwrap(), out),
        Err(e) => assert_eq!(got, Err(Error::Invalid(e))),
    }
}

const HOSTILE: &[&[u8]] = &[
    b"AT+CSQ",
    b"AT+CSQ\r\nAT+MQTTDISC",
    b"AT+CSQ\rAT+MQTTDISC",
    b"AT+CSQ\nAT+MQTTDISC",
    b"AT+CSQ\0",
    b"AT+CMGS=1\x1a",
    b"AT+CSQ\x1b",
    b"AT+CSQ\x7f",
    b"AT+X=\"\xe4\xb8\xad\"",
    b"",
    b"\r\n",
    b"AT\r\n\r\n",
];

#[test]
fn hostile_lines_through_send_raw() {
    for line in HOSTILE {
        check_raw(line);
    }
    let longest = [b"AT+X=".as_slice(), &[b'1'; MAX_LINE - 7]].concat();
    check_raw(&longest);
    check_raw(&[longest.as_slice(), b"1"].concat());
}

#[test]
fn hostile_writes_of_a_user_command() {
    for line in HOSTILE {
        check_atat(line);
        check_atat(&[line, b"\r\n".as_slice()].concat());
        check_atat(&[line, b"\r".as_slice()].concat());
    }
    // Filling the whole buffer leaves no room for CR LF.
    check_atat(&[b'A'; MAX_LINE]);
}

proptest! {
    #[test]
    fn any_bytes_through_send_raw(line in proptest::collection::vec(any::<u8>(), 0..1100)) {
        check_raw(&line);
    }

    #[test]
    fn any_bytes_from_a_user_write(line in proptest::collection::vec(any::<u8>(), 0..1100)) {
        check_atat(&line);
    }

    #[test]
    fn printable_lines_with_an_injected_terminator(
        a in "[ -~]{1,40}",
        sep in prop::sample::select(vec!["\r", "\n", "\r\n", "\0"]),
        b in "[ -~]{0,40}",
    ) {
        check_raw(format!("{a}{sep}{b}").as_bytes());
    }
}
