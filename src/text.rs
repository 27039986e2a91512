//! What a quoted AT string may hold (spec §1.3), as validated newtypes.
//!
//! Every string the driver places between `"` quotes in a command line goes through
//! one of these types, and each type checks its value once, at construction:
//!
//! * **Allowed bytes** — printable ASCII, `0x20..=0x7E`, except `"` and `\`. That
//!   rules out CR, LF, NUL, every other control character (Ctrl-Z, ESC, TAB, DEL)
//!   and every non-ASCII byte, so no value can close its quotes, end the command
//!   line or start a second command. (The modem documents no escape except `\"`
//!   inside a publish message, so the driver does not try to escape anything else.)
//! * **Topics** additionally may not contain `,` (the modem echoes topics unquoted
//!   in `+MQTTSUBACK`, `+MQTTPUBLISH` and the `AT+MQTTSUB?` list, where a comma
//!   would be ambiguous), must be 1–512 bytes, and must not read as a final result
//!   code when printed alone on a line — see [`TopicName`] and [`TopicFilter`].
//! * **Lengths** — 128 bytes for host, client id, user, password and version; 512
//!   for topics and the will topic; 256 for the will message unless a larger limit
//!   (at most 512) is asked for ([`WillMessage::with_limit`]).
//!
//! The payload of `AT+MQTTPUB` is not a text type: it is checked by
//! [`crate::command::Publish`], which sends anything that is not plain printable ASCII
//! in length mode.
//!
//! Nothing here panics, whatever the input.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use crate::digest::{trim_end_spaces, trim_start_spaces};
use crate::error::{Field, ValidationError};
use atat::serde_at::serde::{Serialize, Serializer};

/// Limit of `<host>`, `<id>`, `<user>`, `<passwd>` and `<version>` in bytes (spec §1.3).
pub const MAX_SHORT: usize = 128;
/// Limit of a topic and of the will topic in bytes (spec §1.3).
pub const MAX_TOPIC: usize = 512;
/// The driver's default limit of the will message in bytes (\[D\], spec §1.3).
pub const DEFAULT_MAX_WILL_MESSAGE: usize = 256;
/// The modem's documented limit of the will message in bytes (spec §2.2).
pub const MAX_WILL_MESSAGE: usize = 512;

/// Whether `b` may appear between the quotes of an AT string parameter:
/// printable ASCII (`0x20..=0x7E`) except `"` and `\`.
pub const fn is_quotable(b: u8) -> bool {
    matches!(b, 0x20..=0x7E) && b != b'"' && b != b'\\'
}

/// Checks the common rules: non-empty if required, at most `max` bytes, only
/// [`is_quotable`] bytes (the first offending byte is reported).
fn check(bytes: &[u8], field: Field, max: usize, allow_empty: bool) -> Result<(), ValidationError> {
    if bytes.is_empty() && !allow_empty {
        return Err(ValidationError::Empty { field });
    }
    if bytes.len() > max {
        return Err(ValidationError::TooLong { field, max });
    }
    match bytes.iter().find(|&&b| !is_quotable(b)) {
        Some(&byte) => Err(ValidationError::ForbiddenByte { field, byte }),
        None => Ok(()),
    }
}

/// `b` as `&str` when it is UTF-8. Out of line, so that the crate carries one
/// copy of the check.
#[inline(never)]
pub(crate) fn utf8(b: &[u8]) -> Option<&str> {
    // The first chunk holds everything when nothing is invalid.
    match b.utf8_chunks().next() {
        None => Some(""),
        Some(chunk) if chunk.invalid().is_empty() => Some(chunk.valid()),
        Some(_) => None,
    }
}

/// Turns checked bytes (printable ASCII only) back into `&str` without panicking.
/// (The error, for bytes that are not UTF-8, cannot happen after a check: it names
/// the first byte that is not ASCII.)
fn as_str(bytes: &[u8], field: Field) -> Result<&str, ValidationError> {
    utf8(bytes).ok_or_else(|| {
        let byte = bytes.iter().copied().find(|b| !b.is_ascii()).unwrap_or(0);
        ValidationError::ForbiddenByte { field, byte }
    })
}

/// The topic rules, for names and filters alike: the text rules; then no `,`;
/// then not a result-code look-alike, and the wildcards `+` and `#` only in a
/// filter (`wildcards`), each alone in its level and `#` in the last level only
/// (MQTT 3.1.1 §4.7.1).
fn check_topic(bytes: &[u8], field: Field, wildcards: bool) -> Result<(), ValidationError> {
    check(bytes, field, MAX_TOPIC, false)?;
    let mut misplaced = false;
    // The start of the topic begins a level, as a `/` does.
    let mut prev = b'/';
    for &c in bytes {
        if c == b',' {
            return Err(ValidationError::ForbiddenByte { field, byte: b',' });
        }
        // A wildcard must begin its level (and be allowed at all)...
        let bad_start = (c == b'+' || c == b'#') && !(wildcards && prev == b'/');
        // ... `+` must also end it, and `#` end the topic.
        let bad_end = (prev == b'+' && c != b'/') || prev == b'#';
        if bad_start || bad_end {
            misplaced = true;
        }
        prev = c;
    }
    if misplaced || reads_as_result_code(bytes) {
        return Err(ValidationError::BadTopic { field });
    }
    Ok(())
}

/// Whether a line holding only `topic` could be taken for a final result code:
/// `OK`, `ERROR`, or anything starting with `+CME ERROR`. Compared after trimming
/// spaces and ignoring ASCII case, so that a lenient line parser cannot be fooled
/// either.
fn reads_as_result_code(topic: &[u8]) -> bool {
    let t = trim_end_spaces(trim_start_spaces(topic));
    t.eq_ignore_ascii_case(b"OK")
        || t.eq_ignore_ascii_case(b"ERROR")
        || t.get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"+CME ERROR"))
}

macro_rules! quoted_text {
    (
        $(#[$meta:meta])*
        $name:ident, $field:expr, $max:expr, allow_empty = $empty:expr
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a>(&'a str);

        impl<'a> $name<'a> {
            /// Checks `s` and wraps it.
            pub fn new(s: &'a str) -> Result<Self, ValidationError> {
                check(s.as_bytes(), $field, $max, $empty)?;
                Ok(Self(s))
            }

            /// Checks raw bytes (which must be printable ASCII anyway) and wraps them.
            pub fn from_bytes(b: &'a [u8]) -> Result<Self, ValidationError> {
                check(b, $field, $max, $empty)?;
                Ok(Self(as_str(b, $field)?))
            }

            /// The checked value.
            pub const fn as_str(&self) -> &'a str {
                self.0
            }

            /// Its length in bytes.
            pub const fn len(&self) -> usize {
                self.0.len()
            }

            /// Whether it is the empty string.
            pub const fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = ValidationError;
            fn try_from(s: &'a str) -> Result<Self, ValidationError> {
                Self::new(s)
            }
        }

        impl Serialize for $name<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                // Validated: `serde_at`'s quoting has nothing to escape.
                s.serialize_str(self.0)
            }
        }
    };
}

macro_rules! plain_debug {
    ($($name:ident),*) => {$(
        impl core::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl core::fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.0)
            }
        }

        #[cfg(feature = "defmt")]
        impl defmt::Format for $name<'_> {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "{}", self.0)
            }
        }
    )*};
}

quoted_text! {
    /// Broker host name or IP address: 1–128 quotable bytes.
    Host, Field::Host, MAX_SHORT, allow_empty = false
}
quoted_text! {
    /// MQTT client identifier: 1–128 quotable bytes (the driver requires it
    /// non-empty, spec §2.1).
    ClientId, Field::ClientId, MAX_SHORT, allow_empty = false
}
quoted_text! {
    /// User name: 0–128 quotable bytes (empty when unused).
    User, Field::User, MAX_SHORT, allow_empty = true
}
quoted_text! {
    /// Password: 0–128 quotable bytes (empty when unused).
    ///
    /// Its `Debug` and `Display` print `***`: a password never reaches a log.
    /// [`Password::expose`] is the only way to read it back.
    Password, Field::Password, MAX_SHORT, allow_empty = true
}
quoted_text! {
    /// Platform/authentication version string of `AT+MQTTCFG` (not the MQTT
    /// protocol version): 0–128 quotable bytes.
    Version, Field::Version, MAX_SHORT, allow_empty = true
}

plain_debug!(Host, ClientId, User, Version);

macro_rules! empty_const {
    ($($name:ident),*) => {$(
        impl $name<'_> {
            /// The empty value (a parameter that is not used).
            pub const EMPTY: Self = Self("");
        }
    )*};
}

empty_const!(User, Password, Version, WillMessage);

impl<'a> Password<'a> {
    /// The secret itself, for the command line only. Never log it.
    pub const fn expose(&self) -> &'a str {
        self.0
    }
}

impl core::fmt::Debug for Password<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("***")
    }
}

impl core::fmt::Display for Password<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("***")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Password<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "***")
    }
}

/// Will message of `AT+MQTTOPEN`: quotable bytes, at most 256 by default
/// ([`WillMessage::with_limit`] allows up to the modem's 512). May be empty.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct WillMessage<'a>(&'a str);

impl<'a> WillMessage<'a> {
    /// Checks `s` against the default 256-byte limit.
    pub fn new(s: &'a str) -> Result<Self, ValidationError> {
        Self::with_limit(s, DEFAULT_MAX_WILL_MESSAGE)
    }

    /// Checks `s` against `max` bytes; `max` itself must not exceed
    /// [`MAX_WILL_MESSAGE`] (512).
    pub fn with_limit(s: &'a str, max: usize) -> Result<Self, ValidationError> {
        if max > MAX_WILL_MESSAGE {
            return Err(ValidationError::OutOfRange {
                field: Field::WillMessage,
                min: 0,
                max: MAX_WILL_MESSAGE as u32,
            });
        }
        check(s.as_bytes(), Field::WillMessage, max, true)?;
        Ok(Self(s))
    }

    /// Checks raw bytes against the default limit.
    pub fn from_bytes(b: &'a [u8]) -> Result<Self, ValidationError> {
        check(b, Field::WillMessage, DEFAULT_MAX_WILL_MESSAGE, true)?;
        Ok(Self(as_str(b, Field::WillMessage)?))
    }

    /// The checked value.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    /// Its length in bytes.
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether it is empty.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for WillMessage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// A topic name to publish to (or the will topic): 1–512 quotable bytes, no `,`,
/// no wildcard `+` or `#`, and not a result-code look-alike (`OK`, `ERROR`,
/// `+CME ERROR…`, compared ignoring case and surrounding spaces).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TopicName<'a>(&'a str);

impl<'a> TopicName<'a> {
    /// Checks `s` as a topic name.
    pub fn new(s: &'a str) -> Result<Self, ValidationError> {
        Self::for_field(s, Field::Topic)
    }

    /// Checks raw bytes as a topic name.
    pub fn from_bytes(b: &'a [u8]) -> Result<Self, ValidationError> {
        check_topic(b, Field::Topic, false)?;
        Self::new(as_str(b, Field::Topic)?)
    }

    /// Checks `s` as a topic name, reporting errors against `field`
    /// ([`Field::Topic`] or [`Field::WillTopic`]).
    pub fn for_field(s: &'a str, field: Field) -> Result<Self, ValidationError> {
        check_topic(s.as_bytes(), field, false)?;
        Ok(Self(s))
    }

    /// The checked value.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    /// Its length in bytes (1–512).
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a topic is never empty.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for TopicName<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// A topic filter to subscribe to or unsubscribe from: the rules of
/// [`TopicName`], except that the MQTT 3.1.1 wildcards are allowed where §4.7.1 of
/// that standard puts them — `+` alone in a level, `#` alone in the last level.
///
/// Because `+` must fill a whole level, a filter can never start like a modem
/// line prefix (`+MQTT…:`, `+CME ERROR`), so the `AT+MQTTSUB?` list stays
/// unambiguous.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TopicFilter<'a>(&'a str);

impl<'a> TopicFilter<'a> {
    /// Checks `s` as a topic filter.
    pub fn new(s: &'a str) -> Result<Self, ValidationError> {
        check_topic(s.as_bytes(), Field::Topic, true)?;
        Ok(Self(s))
    }

    /// Checks raw bytes as a topic filter.
    pub fn from_bytes(b: &'a [u8]) -> Result<Self, ValidationError> {
        check_topic(b, Field::Topic, true)?;
        Self::new(as_str(b, Field::Topic)?)
    }

    /// The checked value.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }

    /// Its length in bytes (1–512).
    pub const fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a filter is never empty.
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the filter holds a wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.0.bytes().any(|c| c == b'+' || c == b'#')
    }
}

impl Serialize for TopicFilter<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'a> From<TopicName<'a>> for TopicFilter<'a> {
    /// Every topic name is also a valid filter (one without wildcards).
    fn from(t: TopicName<'a>) -> Self {
        Self(t.0)
    }
}

plain_debug!(WillMessage, TopicName, TopicFilter);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `utf8` (one pass of `utf8_chunks`, smaller on a Cortex-M) accepts
        /// exactly what `from_utf8` accepts.
        #[test]
        fn utf8_agrees_with_from_utf8(b in proptest::collection::vec(
            proptest::prop_oneof![proptest::num::u8::ANY, 0x80u8..0xc0, 0xe0u8..0xf5],
            0..12,
        )) {
            proptest::prop_assert_eq!(utf8(&b), core::str::from_utf8(&b).ok());
        }
    }

    #[test]
    fn utf8_on_edge_sequences() {
        for (b, ok) in [
            (&b""[..], true),
            (b"a/b", true),
            ("é€😀".as_bytes(), true),
            (b"\xc3", false),
            (b"\xed\xa0\x80", false),
            (b"\xf4\x90\x80\x80", false),
            (b"\xc0\xaf", false),
            (b"ok\xff", false),
        ] {
            assert_eq!(utf8(b).is_some(), ok, "{b:?}");
            assert_eq!(utf8(b), core::str::from_utf8(b).ok());
        }
    }

    #[test]
    fn quotable_set_is_printable_ascii_minus_quote_and_backslash() {
        let allowed: usize = (0u8..=255).filter(|&b| is_quotable(b)).count();
        assert_eq!(allowed, 95 - 2);
        for b in [
            b'"', b'\\', b'\r', b'\n', 0, 0x1a, 0x1b, 0x7f, 0x80, 0xff, b'\t',
        ] {
            assert!(!is_quotable(b), "{b:#x}");
        }
    }

    #[test]
    fn host_limits() {
        assert!(Host::new(&"h".repeat(128)).is_ok());
        assert_eq!(
            Host::new(&"h".repeat(129)),
            Err(ValidationError::TooLong {
                field: Field::Host,
                max: 128
            })
        );
        assert_eq!(
            Host::new(""),
            Err(ValidationError::Empty { field: Field::Host })
        );
        assert_eq!(
            Host::new("a\"b"),
            Err(ValidationError::ForbiddenByte {
                field: Field::Host,
                byte: b'"'
            })
        );
    }

    #[test]
    fn empty_allowed_where_unused() {
        assert!(User::new("").is_ok());
        assert!(Password::new("").is_ok());
        assert!(Version::new("").is_ok());
        assert!(WillMessage::new("").is_ok());
        assert_eq!(
            ClientId::new(""),
            Err(ValidationError::Empty {
                field: Field::ClientId
            })
        );
        assert_eq!(
            TopicName::new(""),
            Err(ValidationError::Empty {
                field: Field::Topic
            })
        );
    }

    #[test]
    fn non_ascii_and_non_utf8_rejected() {
        assert_eq!(
            User::new("é"),
            Err(ValidationError::ForbiddenByte {
                field: Field::User,
                byte: 0xc3
            })
        );
        assert_eq!(
            User::from_bytes(b"a\xffb"),
            Err(ValidationError::ForbiddenByte {
                field: Field::User,
                byte: 0xff
            })
        );
        assert_eq!(User::from_bytes(b"ab").unwrap().as_str(), "ab");
    }

    #[test]
    fn password_is_masked() {
        let p = Password::new("s3cret").unwrap();
        assert_eq!(format!("{p:?}"), "***");
        assert_eq!(format!("{p}"), "***");
        assert_eq!(p.expose(), "s3cret");
    }

    #[test]
    fn will_message_limits() {
        assert!(WillMessage::new(&"m".repeat(256)).is_ok());
        assert_eq!(
            WillMessage::new(&"m".repeat(257)),
            Err(ValidationError::TooLong {
                field: Field::WillMessage,
                max: 256
            })
        );
        assert!(WillMessage::with_limit(&"m".repeat(512), 512).is_ok());
        assert!(WillMessage::with_limit("m", 513).is_err());
    }

    #[test]
    fn topic_name_rules() {
        assert!(TopicName::new("dev/gsm/u").is_ok());
        assert!(TopicName::new(&"t".repeat(512)).is_ok());
        assert_eq!(
            TopicName::new(&"t".repeat(513)),
            Err(ValidationError::TooLong {
                field: Field::Topic,
                max: 512
            })
        );
        assert_eq!(
            TopicName::new("a,b"),
            Err(ValidationError::ForbiddenByte {
                field: Field::Topic,
                byte: b','
            })
        );
        for bad in ["a/+", "a/#", "+", "#", "a+b"] {
            assert_eq!(
                TopicName::new(bad),
                Err(ValidationError::BadTopic {
                    field: Field::Topic
                }),
                "{bad}"
            );
        }
        for bad in ["OK", "ERROR", "ok", " OK ", "Error"] {
            assert_eq!(
                TopicName::new(bad),
                Err(ValidationError::BadTopic {
                    field: Field::Topic
                }),
                "{bad}"
            );
        }
        assert!(TopicName::new("OKAY").is_ok());
        assert!(TopicName::new("OK/x").is_ok());
        assert_eq!(
            TopicName::for_field("a\"", Field::WillTopic),
            Err(ValidationError::ForbiddenByte {
                field: Field::WillTopic,
                byte: b'"'
            })
        );
    }

    #[test]
    fn topic_filter_wildcard_placement() {
        for good in [
            "#",
            "+",
            "a/#",
            "a/+/b",
            "+/+",
            "/#",
            "a//b",
            "+/x",
            "sport/tennis/+",
        ] {
            assert!(TopicFilter::new(good).is_ok(), "{good}");
        }
        for bad in [
            "a#",
            "a/#/b",
            "a+",
            "+a",
            "a/b+",
            "##",
            "#/",
            "+CME ERROR: 1",
            "+MQTTDISC: OK",
        ] {
            assert_eq!(
                TopicFilter::new(bad),
                Err(ValidationError::BadTopic {
                    field: Field::Topic
                }),
                "{bad}"
            );
        }
        assert!(TopicFilter::new("a/+").unwrap().has_wildcards());
        assert!(!TopicFilter::new("a/b").unwrap().has_wildcards());
    }

    #[test]
    fn result_code_lookalikes() {
        assert!(reads_as_result_code(b"OK"));
        assert!(reads_as_result_code(b"+CME ERROR: 600"));
        assert!(reads_as_result_code(b"+cme error"));
        assert!(!reads_as_result_code(b"OK1"));
        assert!(!reads_as_result_code(b""));
    }
}
