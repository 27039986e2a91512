//! Reading the parameters of a command: numbers, flags, QoS, bounded strings.

use rumqttc::mqttbytes::QoS;

use crate::at::Param;

/// The only parameter, as a number.
pub(super) fn one_number(p: &[Param]) -> Option<u32> {
    match p {
        [x] => x.number(),
        _ => None,
    }
}

/// `0` or `1`.
pub(super) fn flag(p: &Param) -> Option<bool> {
    match p.number()? {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// A QoS, 0 to 2.
pub(super) fn qos(p: &Param) -> Option<u8> {
    p.number().filter(|q| *q <= 2).map(|q| q as u8)
}

/// A QoS number (0–2) as rumqttc's value.
pub(super) fn to_qos(q: u8) -> QoS {
    match q {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

/// A quoted string of at most `max` bytes as written.
pub(super) fn string_max(p: &Param, max: usize) -> Option<String> {
    if p.raw_len > max {
        return None;
    }
    p.string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(s: &str) -> Param {
        let p = crate::at::split_params(s.as_bytes()).unwrap_or_default();
        p.into_iter().next().unwrap_or(Param {
            quoted: false,
            value: Vec::new(),
            raw_len: 0,
        })
    }

    #[test]
    fn readings() {
        assert_eq!(flag(&param("1")), Some(true));
        assert_eq!(flag(&param("2")), None);
        assert_eq!(qos(&param("2")), Some(2));
        assert_eq!(qos(&param("3")), None);
        assert_eq!(string_max(&param("\"abc\""), 3).as_deref(), Some("abc"));
        assert_eq!(
            string_max(&param("\"a\\\"c\""), 3),
            None,
            "raw length counts the escape"
        );
        assert_eq!(one_number(&[param("7")]), Some(7));
        assert_eq!(one_number(&[param("7"), param("8")]), None);
    }
}
