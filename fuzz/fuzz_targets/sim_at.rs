//! The simulator's AT command-line parser (`ml302_sim::at`) on arbitrary bytes.
//!
//! Checked: no panic; a quoted parameter's `raw_len` counts the bytes written
//! between its quotes (one more per `\"`); writing the parameters back in the
//! driver's syntax and parsing again gives the same command; the topic checks
//! never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fn check(data: &[u8]) {
    use ml302_fuzz::quote_escaped;
    use ml302_sim::at::{parse_line, split_params, valid_filter, valid_topic_name, Form, Parsed};

    let parsed = parse_line(data);
    let _ = split_params(data);
    let s = String::from_utf8_lossy(data);
    let _ = (valid_filter(&s), valid_topic_name(&s));

    let Parsed::Extended { name, form } = &parsed else {
        return;
    };
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() && !b.is_ascii_lowercase()),
        "command name {name:?}"
    );
    let mut again = format!("AT+{name}").into_bytes();
    match form {
        Form::Exec => {}
        Form::Query => again.push(b'?'),
        Form::Test => again.extend_from_slice(b"=?"),
        Form::Set(params) => {
            assert!(!params.is_empty(), "a set command without parameters");
            again.push(b'=');
            for (i, p) in params.iter().enumerate() {
                if i > 0 {
                    again.push(b',');
                }
                if p.quoted {
                    let escapes = p.value.iter().filter(|&&b| b == b'"').count();
                    assert_eq!(p.raw_len, p.value.len() + escapes, "raw_len of {p:?}");
                    assert_eq!(p.number(), None, "a quoted parameter read as a number");
                    quote_escaped(&mut again, &p.value);
                } else {
                    assert_eq!(p.raw_len, p.value.len(), "raw_len of {p:?}");
                    assert!(p.string().is_none(), "a bare parameter read as a string");
                    again.extend_from_slice(&p.value);
                }
            }
        }
    }
    let reparsed = parse_line(&again);
    assert_eq!(
        reparsed,
        parsed,
        "{:?} written back as {:?} parses differently",
        String::from_utf8_lossy(data),
        String::from_utf8_lossy(&again)
    );
}

fuzz_target!(|data: &[u8]| check(data));
