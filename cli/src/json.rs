//! How payloads and frames are written as JSON.
//!
//! A payload is carried losslessly in three keys:
//!
//! * `payload`: the payload as a string when it is valid UTF-8, otherwise its
//!   standard base64 (RFC 4648, padded);
//! * `payload_encoding`: `"utf-8"` or `"base64"`, saying which;
//! * `payload_hex`: always, the payload in lower-case hex.

use serde::Serialize;

/// The three payload keys (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload {
    /// UTF-8 text, or base64 when the bytes are not UTF-8.
    pub payload: String,
    /// `"utf-8"` or `"base64"`.
    pub payload_encoding: &'static str,
    /// Lower-case hex of the bytes.
    pub payload_hex: String,
}

impl Payload {
    /// Encodes `bytes`.
    pub fn new(bytes: &[u8]) -> Self {
        let (payload, payload_encoding) = match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_owned(), "utf-8"),
            Err(_) => (base64(bytes), "base64"),
        };
        Self {
            payload,
            payload_encoding,
            payload_hex: hex(bytes),
        }
    }
}

/// One received message, as `ml302 sub --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct MessageJson<'a> {
    /// Topic name.
    pub topic: &'a str,
    /// The payload keys.
    #[serde(flatten)]
    pub payload: Payload,
    /// Payload length in bytes.
    pub len: usize,
    /// QoS it was delivered with.
    pub qos: u8,
    /// Retained flag.
    pub retained: bool,
    /// DUP flag.
    pub dup: bool,
    /// Packet id (0 at QoS 0).
    pub packet_id: u16,
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (n >> (18 - 6 * i)) & 0x3f;
                s.push(char::from(ALPHABET[index as usize]));
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Serialises a value on one line (serialising these plain structs cannot fail).
pub fn line<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (input, want) in cases {
            assert_eq!(base64(input), want);
        }
    }

    #[test]
    fn payload_is_text_when_it_can_be() {
        let p = Payload::new(b"hi \"there\"");
        assert_eq!(
            (p.payload.as_str(), p.payload_encoding),
            ("hi \"there\"", "utf-8")
        );
        let p = Payload::new(b"\x00\xfe\xff");
        assert_eq!((p.payload.as_str(), p.payload_encoding), ("AP7/", "base64"));
        assert_eq!(p.payload_hex, "00feff");
    }
}
