//! Faults that change what the module does rather than what it prints: a forced
//! `+CME ERROR` for the next command, and ACKs from the broker withheld or delayed.
//! (Byte faults on the output live in `serial.rs`.)

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rumqttc::mqttbytes::v4::Packet;

/// Armed command and ACK faults.
#[derive(Default)]
pub(super) struct Faults {
    /// Answer the next command line with `+CME ERROR: <n>`.
    pub next_cme: Option<u16>,
    /// What happens to the next ACKs from the broker, in order: `None` = withhold,
    /// `Some(d)` = delay by `d`.
    acks: VecDeque<Option<Duration>>,
    /// Delayed ACKs: when, the link they came on, the packet.
    delayed: Vec<(Instant, u64, Packet)>,
}

/// Whether a packet is one of the ACKs the ACK faults apply to.
fn is_ack(p: &Packet) -> bool {
    matches!(
        p,
        Packet::ConnAck(_)
            | Packet::SubAck(_)
            | Packet::UnsubAck(_)
            | Packet::PubAck(_)
            | Packet::PubRec(_)
            | Packet::PubComp(_)
    )
}

impl Faults {
    /// After a reboot: nothing armed, nothing delayed.
    pub fn reset(&mut self) {
        *self = Faults::default();
    }

    /// Withhold the next ACK not yet affected.
    pub fn withhold_ack(&mut self) {
        self.acks.push_back(None);
    }

    /// Delay the next ACK not yet affected by `d`.
    pub fn delay_ack(&mut self, d: Duration) {
        self.acks.push_back(Some(d));
    }

    /// Applies the next ACK fault to a packet that arrived on link `gen`: gives it
    /// back if it is to be handled now. An ACK no fault touches is held for the
    /// broker `round_trip` (none when zero).
    pub fn intercept(&mut self, p: Packet, gen: u64, round_trip: Duration) -> Option<Packet> {
        if !is_ack(&p) {
            return Some(p);
        }
        match self.acks.pop_front() {
            None if round_trip.is_zero() => Some(p),
            None => {
                self.delayed.push((Instant::now() + round_trip, gen, p));
                None
            }
            Some(None) => None,
            Some(Some(d)) => {
                self.delayed.push((Instant::now() + d, gen, p));
                None
            }
        }
    }

    /// Takes every ACK still held for link `gen`, due or not: the broker sent
    /// them before it closed that link, so they are read before the close.
    pub fn take_held(&mut self, gen: u64) -> Vec<Packet> {
        let (mine, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.delayed)
            .into_iter()
            .partition(|(_, g, _)| *g == gen);
        self.delayed = keep;
        mine.into_iter().map(|(_, _, p)| p).collect()
    }

    /// The delayed ACKs due at `now`, with their link numbers.
    pub fn due(&mut self, now: Instant) -> Vec<(u64, Packet)> {
        let (due, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.delayed)
            .into_iter()
            .partition(|(d, _, _)| *d <= now);
        self.delayed = keep;
        due.into_iter().map(|(_, g, p)| (g, p)).collect()
    }

    /// When the next delayed ACK is due.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.delayed.iter().map(|(d, _, _)| *d).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rumqttc::mqttbytes::v4::PubAck;

    #[test]
    fn ack_faults_apply_in_order_to_acks_only() {
        let mut f = Faults::default();
        f.withhold_ack();
        f.delay_ack(Duration::ZERO);
        assert!(
            f.intercept(Packet::PingResp, 1, Duration::ZERO).is_some(),
            "not an ACK"
        );
        assert!(
            f.intercept(Packet::PubAck(PubAck::new(1)), 1, Duration::ZERO)
                .is_none(),
            "withheld"
        );
        assert!(
            f.intercept(Packet::PubAck(PubAck::new(2)), 1, Duration::ZERO)
                .is_none(),
            "delayed"
        );
        assert!(
            f.intercept(Packet::PubAck(PubAck::new(3)), 1, Duration::ZERO)
                .is_some(),
            "no fault left"
        );
        assert!(f.next_deadline().is_some());
        let due = f.due(Instant::now());
        assert!(matches!(
            due.as_slice(),
            [(1, Packet::PubAck(PubAck { pkid: 2 }))]
        ));
        assert!(f.next_deadline().is_none());
    }

    #[test]
    fn a_round_trip_holds_every_untouched_ack_and_nothing_else() {
        let mut f = Faults::default();
        let rtt = Duration::from_secs(60);
        assert!(
            f.intercept(Packet::PingResp, 1, rtt).is_some(),
            "not an ACK"
        );
        assert!(f
            .intercept(Packet::PubAck(PubAck::new(4)), 1, rtt)
            .is_none());
        let due = f.next_deadline().expect("held");
        assert!(due > Instant::now() + Duration::from_secs(59));
        assert!(f.due(Instant::now()).is_empty(), "not due yet");
        assert_eq!(f.due(due).len(), 1);
    }

    #[test]
    fn a_closing_link_gives_up_its_held_acks_and_only_its_own() {
        let mut f = Faults::default();
        let rtt = Duration::from_secs(60);
        assert!(f
            .intercept(Packet::PubAck(PubAck::new(1)), 1, rtt)
            .is_none());
        assert!(f
            .intercept(Packet::PubAck(PubAck::new(2)), 2, rtt)
            .is_none());
        let held = f.take_held(1);
        assert!(matches!(held.as_slice(), [Packet::PubAck(a)] if a.pkid == 1));
        assert!(f.take_held(1).is_empty());
        assert_eq!(f.take_held(2).len(), 1);
    }
}
