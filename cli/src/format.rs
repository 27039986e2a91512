//! `ml302 sub -F FORMAT`: mosquitto_sub's output format.
//!
//! `%` tokens: `%%` a percent sign, `%t` topic, `%p` payload (raw bytes), `%q`
//! QoS, `%r` retained flag (0 or 1), `%l` payload length, `%m` packet id (0 at
//! QoS 0), `%x` / `%X` payload in lower / upper case hex, `%I` ISO 8601 time
//! (`2026-12-02T18:51:58+0000`), `%U` Unix time with nanoseconds
//! (`1796237518.163710544`). `@` time fields (`@@`, `@Y`, `@m`, `@d`, `@H`,
//! `@M`, `@S`, `@s`, `@z`) and the escapes `\\`, `\0`, `\a`, `\e`, `\n`, `\r`,
//! `\t`, `\v` as in mosquitto. Times are UTC. Any other `%`, `@` or `\`
//! sequence is written as it stands.

use std::time::{SystemTime, UNIX_EPOCH};

/// What a format can show of one message.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    /// Topic.
    pub topic: &'a str,
    /// Payload.
    pub payload: &'a [u8],
    /// QoS as delivered.
    pub qos: u8,
    /// Retained flag.
    pub retained: bool,
    /// Packet id (0 at QoS 0).
    pub packet_id: u16,
}

/// A broken-down UTC time.
struct Utc {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

/// Days since 1970-01-01 to a proleptic Gregorian date (year, month, day).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

fn utc(secs: i64) -> Utc {
    let (year, month, day) = civil(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    Utc {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: (rem % 3600 / 60) as u32,
        second: (rem % 60) as u32,
    }
}

fn hex(out: &mut Vec<u8>, bytes: &[u8], upper: bool) {
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    for &b in bytes {
        out.push(digits[usize::from(b >> 4)]);
        out.push(digits[usize::from(b & 15)]);
    }
}

/// Writes `m` as `format` says into `out`, at time `now`.
pub fn render(format: &str, m: &Fields<'_>, now: SystemTime, out: &mut Vec<u8>) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    let t = utc(secs);
    let bytes = format.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        match (c, next) {
            (b'%', Some(n)) => match n {
                b'%' => out.push(b'%'),
                b't' => out.extend_from_slice(m.topic.as_bytes()),
                b'p' => out.extend_from_slice(m.payload),
                b'q' => out.extend_from_slice(m.qos.to_string().as_bytes()),
                b'r' => out.push(if m.retained { b'1' } else { b'0' }),
                b'l' => out.extend_from_slice(m.payload.len().to_string().as_bytes()),
                b'm' => out.extend_from_slice(m.packet_id.to_string().as_bytes()),
                b'x' => hex(out, m.payload, false),
                b'X' => hex(out, m.payload, true),
                b'I' => out.extend_from_slice(
                    format!(
                        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+0000",
                        t.year, t.month, t.day, t.hour, t.minute, t.second
                    )
                    .as_bytes(),
                ),
                b'U' => out.extend_from_slice(
                    format!("{}.{:09}", since.as_secs(), since.subsec_nanos()).as_bytes(),
                ),
                _ => out.extend_from_slice(&[c, n]),
            },
            (b'@', Some(n)) => match n {
                b'@' => out.push(b'@'),
                b'Y' => out.extend_from_slice(format!("{:04}", t.year).as_bytes()),
                b'm' => out.extend_from_slice(format!("{:02}", t.month).as_bytes()),
                b'd' => out.extend_from_slice(format!("{:02}", t.day).as_bytes()),
                b'H' => out.extend_from_slice(format!("{:02}", t.hour).as_bytes()),
                b'M' => out.extend_from_slice(format!("{:02}", t.minute).as_bytes()),
                b'S' => out.extend_from_slice(format!("{:02}", t.second).as_bytes()),
                b's' => out.extend_from_slice(since.as_secs().to_string().as_bytes()),
                b'z' => out.extend_from_slice(b"+0000"),
                _ => out.extend_from_slice(&[c, n]),
            },
            (b'\\', Some(n)) => match n {
                b'\\' => out.push(b'\\'),
                b'0' => out.push(0),
                b'a' => out.push(7),
                b'e' => out.push(0x1b),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'v' => out.push(0x0b),
                _ => out.extend_from_slice(&[c, n]),
            },
            _ => {
                out.push(c);
                i += 1;
                continue;
            }
        }
        i += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn show(format: &str, m: &Fields<'_>, secs: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let now = UNIX_EPOCH + Duration::new(secs, 5);
        render(format, m, now, &mut out);
        out
    }

    const M: Fields<'static> = Fields {
        topic: "a/b",
        payload: b"h\x00\xff",
        qos: 1,
        retained: true,
        packet_id: 7,
    };

    #[test]
    fn tokens_give_the_message_fields() {
        assert_eq!(
            show("%t|%p|%q|%r|%l|%m|%x|%X|%%|%z", &M, 0),
            b"a/b|h\x00\xff|1|1|3|7|6800ff|6800FF|%|%z"
        );
    }

    #[test]
    fn escapes_and_times() {
        // 2026-12-02T18:51:58Z is 1796237518 s after the epoch.
        assert_eq!(
            show("%I %U\\t@Y-@m-@d @H:@M:@S @s @z @@\\n\\q", &M, 1_796_237_518),
            b"2026-12-02T18:51:58+0000 1796237518.000000005\t2026-12-02 18:51:58 1796237518 +0000 @\n\\q"
        );
        assert_eq!(
            show("%I", &M, 951_782_400),
            b"2000-02-29T00:00:00+0000",
            "a leap day"
        );
    }
}
