//! Helpers shared by the fuzz targets of the `ml302` driver.
//!
//! * [`Reader`] turns the fuzzer's bytes into numbers, flags and strings. Its
//!   format is simple enough that `scripts/fuzz-seeds.py` writes seeds in it from
//!   the spec's transcripts (the `encode` and `session` targets).
//! * [`OwnedFrame`] (from `ml302-testkit`, the one the driver's own tests use) is
//!   a digester frame copied out of the digester, for comparing frame sequences.
//! * [`check_command_line`] asserts what every command line the driver sends
//!   must look like.
//!
//! The simulator's AT-line parser is reached as `ml302_sim::at` (a normal path
//! dependency on `ml302-sim` without its `modem` feature).

/// Reads values from fuzzer input; past the end every read yields zero / empty.
///
/// Format: `u8` one byte; `u16` two bytes little-endian; `bool` the low bit of a
/// byte; `bytes` a length (one byte, or `0xFF` then a `u16`) followed by that many
/// bytes (fewer if the input ends); `text` a flag byte (bit 0: map every byte into a
/// harmless alphabet, see [`sanitize`]) followed by `bytes`.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// Reads from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// Two bytes, little-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    /// Four bytes, little-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from(self.u16()) | (u32::from(self.u16()) << 16)
    }

    /// The low bit of one byte.
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> &'a [u8] {
        let len = match self.u8() {
            0xFF => usize::from(self.u16()),
            n => usize::from(n),
        };
        let (head, rest) = self.data.split_at(len.min(self.data.len()));
        self.data = rest;
        head
    }

    /// A flag byte and a length-prefixed byte string, sanitised if the flag says so.
    pub fn text(&mut self) -> Vec<u8> {
        let flag = self.u8();
        let raw = self.bytes();
        if flag & 1 == 1 {
            sanitize(raw)
        } else {
            raw.to_vec()
        }
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.data)
    }
}

/// The alphabet of [`sanitize`]: quotable bytes that cannot spell `OK`, `ERROR` or
/// `+CME ERROR`, nor a wildcard or a comma. Every string made of these is a valid
/// value of every text field (within the length limits).
pub const SAFE: &[u8] = b"abdfghijlnpqstuvwxyz0123456789/_-.";

/// Maps every byte into [`SAFE`].
pub fn sanitize(raw: &[u8]) -> Vec<u8> {
    raw.iter()
        .map(|&b| SAFE[usize::from(b) % SAFE.len()])
        .collect()
}

/// Whether `bytes` was made by [`sanitize`] (or could have been).
pub fn is_safe(bytes: &[u8]) -> bool {
    bytes.iter().all(|b| SAFE.contains(b))
}

pub use ml302_testkit::OwnedFrame;

/// Asserts the shape of a command line the driver sends: at most
/// `ml302::command::MAX_LINE` bytes, starts with `AT`, ends with the one CR LF,
/// and holds no other CR, LF or NUL.
pub fn check_command_line(line: &[u8]) {
    assert!(
        line.len() <= ml302::command::MAX_LINE,
        "command line of {} bytes",
        line.len()
    );
    assert!(
        line.starts_with(b"AT"),
        "command line {line:?} does not start with AT"
    );
    let Some(body) = line.strip_suffix(b"\r\n") else {
        panic!("command line {line:?} does not end with CR LF");
    };
    assert!(
        !body.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0),
        "command line {line:?} holds CR, LF or NUL before its terminator"
    );
}

/// Writes `s` between quotes with each `"` as `\"` (the only escape the modem
/// documents).
pub fn quote_escaped(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &b in s {
        if b == b'"' {
            out.extend_from_slice(b"\\\"");
        } else {
            out.push(b);
        }
    }
    out.push(b'"');
}
