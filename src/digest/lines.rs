//! What a complete line is: a final result (`OK`, `ERROR`, `+CME ERROR`) or
//! any other line.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::{Frame, Ready};

/// Removes leading spaces.
pub(crate) fn trim_start_spaces(mut s: &[u8]) -> &[u8] {
    while let [b' ', rest @ ..] = s {
        s = rest;
    }
    s
}

/// Removes trailing spaces.
pub(crate) fn trim_end_spaces(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' '] = s {
        s = rest;
    }
    s
}

/// Decodes what follows `+CME ERROR`; `None` if the line is not a `+CME ERROR`
/// result at all (e.g. `+CME ERRORS`).
fn cme_tail(rest: &[u8]) -> Option<Ready> {
    let code = match rest {
        [] => return Some(Ready::Error),
        [b':' | b' ', code @ ..] => trim_start_spaces(code),
        _ => return None,
    };
    // A verbose (`+CMEE=2`) or out-of-range code is still a final error result.
    if code.is_empty() || code.len() > 5 {
        return Some(Ready::Error);
    }
    let mut v: u32 = 0;
    for &b in code {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return Some(Ready::Error);
        }
        // At most five digits: no overflow.
        v = v.wrapping_mul(10).wrapping_add(u32::from(d));
    }
    Some(u16::try_from(v).map_or(Ready::Error, Ready::Cme))
}

/// Classifies a complete line (without its terminator): a final result, or
/// [`Ready::Line`].
#[inline]
pub(super) fn classify(line: &[u8]) -> Ready {
    match line {
        // `+MQTT…` lines, the usual ones, are never final results: told apart
        // where the line ends, without a call.
        [b'+', b'M', ..] => Ready::Line,
        _ => classify_result(line),
    }
}

/// [`classify`] for a line that may be a final result.
fn classify_result(line: &[u8]) -> Ready {
    // `==` and `strip_prefix` rather than slice patterns: compared a word at a
    // time, not byte by byte (smaller code).
    let line = trim_end_spaces(line);
    if line == b"OK" {
        Ready::Ok
    } else if line == b"ERROR" {
        Ready::Error
    } else if let Some(rest) = line.strip_prefix(b"+CME ERROR") {
        cme_tail(rest).unwrap_or(Ready::Line)
    } else {
        Ready::Line
    }
}

/// Classifies a complete line (not `+MQTTPUBLISH`) into the frame the digester
/// would produce for it. For [`crate::urc::Urc::parse`].
pub(crate) fn classify_line(line: &[u8]) -> Frame<'_> {
    match classify(line) {
        Ready::Ok => Frame::Ok,
        Ready::Error => Frame::Error,
        Ready::Cme(n) => Frame::Cme(n),
        _ => Frame::Line(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_results_and_other_lines() {
        assert!(matches!(classify(b"OK"), Ready::Ok));
        assert!(matches!(classify(b"OK  "), Ready::Ok));
        assert!(matches!(classify(b"ERROR"), Ready::Error));
        assert!(matches!(classify(b"+CME ERROR"), Ready::Error));
        assert!(matches!(classify(b"+CME ERROR:"), Ready::Error));
        assert!(matches!(classify(b"+CME ERROR: 603"), Ready::Cme(603)));
        assert!(matches!(classify(b"+CME ERROR:603"), Ready::Cme(603)));
        assert!(matches!(classify(b"+CME ERROR: 603  "), Ready::Cme(603)));
        assert!(matches!(classify(b"+CME ERROR: unknown"), Ready::Error));
        assert!(matches!(classify(b"+CME ERROR: 99999"), Ready::Error));
        assert!(matches!(classify(b"+CME ERRORS"), Ready::Line));
        assert!(matches!(classify(b"OKAY"), Ready::Line));
        assert!(matches!(classify(b"+MQTTPUBACK: 0,1"), Ready::Line));
    }
}
