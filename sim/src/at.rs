//! The simulated module's AT command-line parser: how the module reads a line the
//! host sent (without its CR LF terminator), and the MQTT topic checks its commands
//! apply.
//!
//! Promise: every function here is total on *any* input bytes — no panics, no
//! indexing, no unwraps (enforced by the lints below). A line that does not parse
//! is reported as a value ([`Parsed::Invalid`]), never as a crash. It is public so
//! that the fuzz crate can hold it to that, and it needs no feature.
//!
//! ```
//! use ml302_sim::at::{parse_line, Basic, Form, Parsed};
//!
//! let Parsed::Extended { name, form: Form::Set(p) } = parse_line(br#"at+mqttsub="a/\"b",1"#)
//! else {
//!     panic!("a set command");
//! };
//! assert_eq!(name, "MQTTSUB");
//! assert_eq!(p[0].string().as_deref(), Some("a/\"b"));
//! assert_eq!(p[1].number(), Some(1));
//! let basic = parse_line(b"ATE0&W");
//! assert_eq!(basic, Parsed::Basic(vec![Basic::Echo(false), Basic::Store]));
//! ```

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// One parameter of an extended command, as written by the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// `true` when the parameter was a quoted string.
    pub quoted: bool,
    /// The value: for a quoted string its content with every `\"` replaced by `"`,
    /// otherwise the text with surrounding spaces removed.
    pub value: Vec<u8>,
    /// For a quoted string, the number of bytes written between the quotes
    /// (escapes included); for an unquoted value, its length.
    pub raw_len: usize,
}

impl Param {
    /// The value as an unsigned decimal number, if it is one (unquoted, digits only).
    pub fn number(&self) -> Option<u32> {
        if self.quoted || self.value.is_empty() || self.value.len() > 9 {
            return None;
        }
        let mut n: u32 = 0;
        for &b in &self.value {
            if !b.is_ascii_digit() {
                return None;
            }
            n = n.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
        }
        Some(n)
    }

    /// The value as a string, if it was quoted and is valid UTF-8.
    pub fn string(&self) -> Option<String> {
        if !self.quoted {
            return None;
        }
        String::from_utf8(self.value.clone()).ok()
    }
}

/// The form of an extended (`AT+NAME…`) command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `AT+NAME`
    Exec,
    /// `AT+NAME?`
    Query,
    /// `AT+NAME=?`
    Test,
    /// `AT+NAME=<params>`
    Set(Vec<Param>),
}

/// One basic (V.25ter) command of a command line such as `ATE0&W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basic {
    /// `E0` / `E1` (`E` alone means `E0`).
    Echo(bool),
    /// `&W`: store the profile (accepted, nothing stored).
    Store,
    /// `Z` or `&F`: back to the default settings.
    Reset,
}

/// What a command line means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// `AT` alone.
    At,
    /// A sequence of basic commands (`ATE0`, `ATE1&W`, `ATZ`).
    Basic(Vec<Basic>),
    /// An extended command; the name is upper-cased, without `AT+`.
    Extended {
        /// Command name, e.g. `MQTTCFG`.
        name: String,
        /// Exec, query, test or set with parameters.
        form: Form,
    },
    /// Not an AT command line, or one whose syntax is broken.
    Invalid,
}

/// Parses one command line (without its terminator).
pub fn parse_line(line: &[u8]) -> Parsed {
    let line = trim(line);
    let Some(rest) = strip_at(line) else {
        return Parsed::Invalid;
    };
    match rest.split_first() {
        None => Parsed::At,
        Some((b'+', tail)) => parse_extended(tail),
        Some(_) => parse_basic(rest),
    }
}

fn strip_at(line: &[u8]) -> Option<&[u8]> {
    match line {
        [a, t, rest @ ..] if a.eq_ignore_ascii_case(&b'A') && t.eq_ignore_ascii_case(&b'T') => {
            Some(rest)
        }
        _ => None,
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

fn parse_basic(mut s: &[u8]) -> Parsed {
    let mut out = Vec::new();
    loop {
        match s {
            [] => break,
            [e, rest @ ..] if e.eq_ignore_ascii_case(&b'E') => {
                let (on, rest) = match rest {
                    [b'0', r @ ..] => (false, r),
                    [b'1', r @ ..] => (true, r),
                    [d, ..] if d.is_ascii_digit() => return Parsed::Invalid,
                    r => (false, r),
                };
                out.push(Basic::Echo(on));
                s = rest;
            }
            [z, rest @ ..] if z.eq_ignore_ascii_case(&b'Z') => {
                let rest = match rest {
                    [b'0', r @ ..] => r,
                    r => r,
                };
                out.push(Basic::Reset);
                s = rest;
            }
            [b'&', w, rest @ ..] if w.eq_ignore_ascii_case(&b'W') => {
                let rest = match rest {
                    [b'0', r @ ..] => r,
                    r => r,
                };
                out.push(Basic::Store);
                s = rest;
            }
            [b'&', f, rest @ ..] if f.eq_ignore_ascii_case(&b'F') => {
                let rest = match rest {
                    [b'0', r @ ..] => r,
                    r => r,
                };
                out.push(Basic::Reset);
                s = rest;
            }
            [b' ', rest @ ..] => s = rest,
            _ => return Parsed::Invalid,
        }
    }
    Parsed::Basic(out)
}

fn parse_extended(s: &[u8]) -> Parsed {
    let name_len = s
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(s.len());
    let (name, rest) = s.split_at_checked(name_len).unwrap_or((s, &[]));
    if name.is_empty() {
        return Parsed::Invalid;
    }
    let name = String::from_utf8_lossy(name).to_ascii_uppercase();
    let form = match trim(rest) {
        [] => Form::Exec,
        [b'?'] => Form::Query,
        [b'=', tail @ ..] => match trim(tail) {
            [b'?'] => Form::Test,
            params => match split_params(params) {
                Some(p) => Form::Set(p),
                None => return Parsed::Invalid,
            },
        },
        _ => return Parsed::Invalid,
    };
    Parsed::Extended { name, form }
}

/// Splits `a,"b",c` into parameters. Inside quotes, `\"` stands for `"` and does
/// not end the string; any other backslash is literal. Returns `None` for an
/// unterminated string or text after a closing quote.
pub fn split_params(s: &[u8]) -> Option<Vec<Param>> {
    let mut params = Vec::new();
    let mut i = 0usize;
    loop {
        // skip spaces before a parameter
        while s.get(i).is_some_and(|b| *b == b' ') {
            i += 1;
        }
        if s.get(i) == Some(&b'"') {
            i += 1;
            let start = i;
            let mut value = Vec::new();
            loop {
                match s.get(i) {
                    None => return None,
                    Some(b'\\') if s.get(i + 1) == Some(&b'"') => {
                        value.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => break,
                    Some(b) => {
                        value.push(*b);
                        i += 1;
                    }
                }
            }
            let raw_len = i - start;
            i += 1; // closing quote
            while s.get(i).is_some_and(|b| *b == b' ') {
                i += 1;
            }
            params.push(Param {
                quoted: true,
                value,
                raw_len,
            });
            match s.get(i) {
                None => return Some(params),
                Some(b',') => i += 1,
                Some(_) => return None,
            }
        } else {
            let start = i;
            while s.get(i).is_some_and(|b| *b != b',') {
                i += 1;
            }
            let raw = s.get(start..i).unwrap_or(&[]);
            let value = trim(raw).to_vec();
            if value.contains(&b'"') {
                return None;
            }
            let raw_len = value.len();
            params.push(Param {
                quoted: false,
                value,
                raw_len,
            });
            match s.get(i) {
                None => return Some(params),
                _ => i += 1,
            }
        }
    }
}

/// Checks an MQTT topic filter (`+` and `#` only as whole levels, `#` last).
pub fn valid_filter(topic: &str) -> bool {
    if topic.is_empty() {
        return false;
    }
    let levels: Vec<&str> = topic.split('/').collect();
    let last = levels.len().saturating_sub(1);
    for (n, level) in levels.iter().enumerate() {
        if level.contains('#') && (*level != "#" || n != last) {
            return false;
        }
        if level.contains('+') && *level != "+" {
            return false;
        }
    }
    true
}

/// Checks an MQTT topic name for publishing (no wildcards, not empty).
pub fn valid_topic_name(topic: &str) -> bool {
    !topic.is_empty() && !topic.contains(['+', '#', '\0'])
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::panic, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn set(line: &str) -> Vec<Param> {
        match parse_line(line.as_bytes()) {
            Parsed::Extended {
                form: Form::Set(p), ..
            } => p,
            other => panic!("not a set command: {other:?}"),
        }
    }

    #[test]
    fn forms() {
        assert_eq!(parse_line(b"AT"), Parsed::At);
        assert_eq!(parse_line(b"at"), Parsed::At);
        assert_eq!(
            parse_line(b"AT+MQTTSTAT?"),
            Parsed::Extended {
                name: "MQTTSTAT".into(),
                form: Form::Query
            }
        );
        assert_eq!(
            parse_line(b"at+mqttdisc"),
            Parsed::Extended {
                name: "MQTTDISC".into(),
                form: Form::Exec
            }
        );
        assert_eq!(
            parse_line(b"AT+MQTTPUB=?"),
            Parsed::Extended {
                name: "MQTTPUB".into(),
                form: Form::Test
            }
        );
        assert_eq!(parse_line(b"XT"), Parsed::Invalid);
        assert_eq!(parse_line(b"AT+"), Parsed::Invalid);
        assert_eq!(parse_line(b"AT+X!"), Parsed::Invalid);
    }

    #[test]
    fn basic_commands() {
        assert_eq!(
            parse_line(b"ATE0&W"),
            Parsed::Basic(vec![Basic::Echo(false), Basic::Store])
        );
        assert_eq!(parse_line(b"ATE1"), Parsed::Basic(vec![Basic::Echo(true)]));
        assert_eq!(parse_line(b"ATE2"), Parsed::Invalid);
        assert_eq!(parse_line(b"ATQ0"), Parsed::Invalid);
    }

    #[test]
    fn params_quoted_and_numbers() {
        let p = set(r#"AT+MQTTCFG="183.230.40.39",6002,"id",60,"u","p",0,"",0"#);
        assert_eq!(p.len(), 9);
        assert_eq!(p[0].string().as_deref(), Some("183.230.40.39"));
        assert_eq!(p[1].number(), Some(6002));
        assert_eq!(p[7].string().as_deref(), Some(""));
        assert_eq!(p[2].number(), None, "a quoted value is never a number");
    }

    #[test]
    fn escaped_quotes_t09() {
        let line = r#"AT+MQTTPUB="godda",0,0,0,"\"{\"datastreams\":[{\"id\":\"4G\",\"datapoints\":[{\"value\":\" 1\"}]}]}\"""#;
        let p = set(line);
        assert_eq!(p.len(), 5);
        let expected = br#""{"datastreams":[{"id":"4G","datapoints":[{"value":" 1"}]}]}""#;
        assert_eq!(p[4].value, expected.to_vec());
        assert_eq!(p[4].value.len(), 61);
    }

    #[test]
    fn digits_quoted_are_text_t08() {
        let p = set(r#"AT+MQTTPUB="dev/gsm/u",1,0,0,"1890""#);
        assert!(p[4].quoted);
        assert_eq!(p[4].number(), None);
        let p = set(r#"AT+MQTTPUB="dev/gsm/u",1,0,0,1890"#);
        assert_eq!(p[4].number(), Some(1890));
    }

    #[test]
    fn broken_strings() {
        assert_eq!(parse_line(br#"AT+MQTTSUB="abc,1"#), Parsed::Invalid);
        assert_eq!(parse_line(br#"AT+MQTTSUB="abc"x,1"#), Parsed::Invalid);
        assert_eq!(parse_line(br#"AT+MQTTSUB=ab"c",1"#), Parsed::Invalid);
    }

    #[test]
    fn filters() {
        assert!(valid_filter("a/+/c"));
        assert!(valid_filter("a/#"));
        assert!(valid_filter("#"));
        assert!(!valid_filter("a/#/c"));
        assert!(!valid_filter("a+/b"));
        assert!(!valid_filter(""));
        assert!(valid_topic_name("a/b"));
        assert!(!valid_topic_name("a/+"));
    }

    #[test]
    fn never_panics_on_any_short_input() {
        // Exhaustive over every 1- and 2-byte line, then a pseudo-random sweep.
        for a in 0..=255u8 {
            let _ = parse_line(&[a]);
            for b in 0..=255u8 {
                let _ = parse_line(&[a, b]);
                let _ = parse_line(&[b'A', b'T', b'+', b'X', b'=', a, b]);
            }
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let alphabet = b"AT+=?,\"\\ 0123456789MQTabc\r\n\x00\xff";
        for _ in 0..20_000 {
            let mut line = b"AT+MQTTPUB=".to_vec();
            let n = (x % 24) as usize;
            for _ in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                line.push(alphabet[(x % alphabet.len() as u64) as usize]);
            }
            let _ = parse_line(&line);
        }
    }
}
