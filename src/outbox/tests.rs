#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use super::*;
use crate::error::Field;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::format;
use std::vec::Vec as StdVec;

type Small = Outbox<3, 16, 8>;

fn sent(packet_id: Option<u16>) -> Result<Published, Error> {
    Ok(Published {
        packet_id,
        length_mode: false,
    })
}

#[test]
fn push_validates_like_the_module_and_queues_nothing_on_error() {
    let mut o = Small::new();
    // A wildcard in a publish topic, an empty topic, an empty payload.
    assert!(matches!(
        o.push("a/#", b"x", QoS::AtMostOnce, false, 0),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        o.push("", b"x", QoS::AtMostOnce, false, 0),
        Err(Error::Invalid(_))
    ));
    // Longer than this outbox holds.
    assert_eq!(
        o.push("t", b"123456789", QoS::AtLeastOnce, false, 0),
        Err(Error::Invalid(ValidationError::TooLong {
            field: Field::Payload,
            max: 8
        }))
    );
    assert!(o
        .push("a-topic-of-17-by", b"x", QoS::AtLeastOnce, false, 0)
        .is_ok());
    assert_eq!(
        o.push("a-topic-of-17-byt", b"x", QoS::AtLeastOnce, false, 0),
        Err(Error::Invalid(ValidationError::TooLong {
            field: Field::Topic,
            max: 16
        }))
    );
    assert_eq!(o.len(), 1);
    assert_eq!(o.reports_pending(), 0);
}

#[test]
fn a_full_outbox_refuses_until_its_reports_are_read() {
    let mut o = Small::new();
    let ids: StdVec<MessageId> = (0..3)
        .map(|i| {
            o.push("t", &[b'0' + i], QoS::AtLeastOnce, false, 0)
                .unwrap()
        })
        .collect();
    assert_eq!(ids, [MessageId(1), MessageId(2), MessageId(3)]);
    assert_eq!(
        o.push("t", b"x", QoS::AtLeastOnce, false, 0),
        Err(Error::QueueFull)
    );
    assert!(Error::QueueFull.is_retryable());
    // One delivered: its report takes the room the message left.
    assert_eq!(o.on_attempt(sent(Some(9))), Next::Continue);
    assert_eq!((o.len(), o.reports_pending(), o.free()), (2, 1, 0));
    assert_eq!(
        o.push("t", b"x", QoS::AtLeastOnce, false, 0),
        Err(Error::QueueFull)
    );
    assert_eq!(
        o.next_report(),
        Some(Report::Delivered {
            id: MessageId(1),
            packet_id: Some(9),
            attempts: 1
        })
    );
    assert_eq!(
        o.push("t", b"x", QoS::AtLeastOnce, false, 0),
        Ok(MessageId(4))
    );
}

#[test]
fn an_unknown_outcome_keeps_the_message_and_counts_the_attempt() {
    let mut o = Small::new();
    let id = o.push("t", b"m", QoS::AtLeastOnce, false, 0).unwrap();
    for e in [
        Error::Timeout,
        Error::ConnectionLost,
        Error::Cme(CmeError::AckTimeout),
        Error::Cme(CmeError::SendFailed),
        Error::Cme(CmeError::PubAckFailed),
        Error::Modem,
        Error::PortClosed,
    ] {
        assert_eq!(o.on_attempt(Err(e)), Next::Stop);
        assert_eq!(o.front_id(), Some(id));
    }
    assert_eq!(o.on_attempt(sent(Some(4))), Next::Continue);
    assert_eq!(
        o.next_report(),
        Some(Report::Delivered {
            id,
            packet_id: Some(4),
            attempts: 8
        })
    );
}

#[test]
fn refused_before_the_module_saw_it_is_no_attempt() {
    let mut o = Small::new();
    o.push("t", b"m", QoS::AtLeastOnce, false, 0).unwrap();
    assert_eq!(o.on_attempt(Err(Error::InvalidState)), Next::Stop);
    assert_eq!(o.on_attempt(Err(Error::Busy)), Next::Stop);
    assert_eq!(o.on_attempt(sent(None)), Next::Continue);
    assert!(matches!(
        o.next_report(),
        Some(Report::Delivered { attempts: 1, .. })
    ));
}

#[test]
fn a_parameter_error_fails_at_once_and_the_next_message_goes_on() {
    let mut o = Small::new();
    let a = o.push("t", b"a", QoS::AtLeastOnce, false, 0).unwrap();
    let b = o.push("t", b"b", QoS::AtLeastOnce, false, 0).unwrap();
    let bad = Error::Cme(CmeError::InvalidParameter);
    assert_eq!(o.on_attempt(Err(bad.clone())), Next::Continue);
    assert_eq!(
        o.next_report(),
        Some(Report::Failed {
            id: a,
            error: bad,
            attempts: 1
        })
    );
    // A longer payload than the client takes: refused before any byte.
    let invalid = Error::Invalid(ValidationError::Empty {
        field: Field::Payload,
    });
    assert_eq!(o.on_attempt(Err(invalid.clone())), Next::Continue);
    assert_eq!(
        o.next_report(),
        Some(Report::Failed {
            id: b,
            error: invalid,
            attempts: 0
        })
    );
    assert!(o.is_empty());
}

#[test]
fn pubcomp_failed_is_delivered_not_sent_again() {
    let mut o = Small::new();
    let id = o.push("t", b"m", QoS::ExactlyOnce, false, 0).unwrap();
    assert_eq!(
        o.on_attempt(Err(Error::Cme(CmeError::PubCompFailed))),
        Next::Continue
    );
    assert_eq!(
        o.next_report(),
        Some(Report::Delivered {
            id,
            packet_id: None,
            attempts: 1
        })
    );
}

#[test]
fn out_of_attempts_fails_with_the_last_error() {
    let mut o = Outbox::<2, 8, 8>::new().with_max_attempts(2);
    let id = o.push("t", b"m", QoS::AtLeastOnce, false, 0).unwrap();
    assert_eq!(o.on_attempt(Err(Error::Timeout)), Next::Stop);
    assert_eq!(o.on_attempt(Err(Error::ConnectionLost)), Next::Continue);
    assert_eq!(
        o.next_report(),
        Some(Report::Failed {
            id,
            error: Error::ConnectionLost,
            attempts: 2
        })
    );
}

#[test]
fn old_messages_expire_oldest_first_with_their_attempts() {
    let mut o = Outbox::<4, 8, 8>::new().with_max_age_ms(100);
    let a = o.push("t", b"a", QoS::AtLeastOnce, false, 0).unwrap();
    let b = o.push("t", b"b", QoS::AtLeastOnce, false, 50).unwrap();
    let c = o.push("t", b"c", QoS::AtLeastOnce, false, 90).unwrap();
    assert_eq!(o.on_attempt(Err(Error::Timeout)), Next::Stop);
    o.expire(100);
    assert_eq!(o.len(), 3, "exactly the maximum age is still young enough");
    o.expire(151);
    assert_eq!(
        o.next_report(),
        Some(Report::Expired { id: a, attempts: 1 })
    );
    assert_eq!(
        o.next_report(),
        Some(Report::Expired { id: b, attempts: 0 })
    );
    assert_eq!(o.next_report(), None);
    assert_eq!(o.front_id(), Some(c));
    // Without a maximum age nothing expires.
    let mut forever = Outbox::<1, 8, 8>::new();
    forever.push("t", b"a", QoS::AtMostOnce, false, 0).unwrap();
    forever.expire(u64::MAX);
    assert_eq!(forever.len(), 1);
}

#[test]
fn debug_shows_the_shape_not_the_payloads() {
    let mut o = Small::new();
    o.push("secret/topic", b"pass", QoS::AtMostOnce, false, 0)
        .unwrap();
    let d = format!("{o:?}");
    assert!(!d.contains("pass") && !d.contains("secret"), "{d}");
    assert!(d.contains("queued: 1"), "{d}");
}

/// What a test sequence does to the outbox.
#[derive(Debug, Clone)]
enum Act {
    Push(u8),
    Attempt(u8),
    Expire(u16),
    Read,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        any::<u8>().prop_map(Act::Push),
        any::<u8>().prop_map(Act::Attempt),
        any::<u16>().prop_map(Act::Expire),
        Just(Act::Read),
    ]
}

fn outcome(k: u8) -> Result<Published, Error> {
    match k % 8 {
        0 | 1 => sent(Some(u16::from(k))),
        2 => Err(Error::Timeout),
        3 => Err(Error::InvalidState),
        4 => Err(Error::Cme(CmeError::InvalidParameter)),
        5 => Err(Error::Cme(CmeError::ConnectionLost)),
        6 => Err(Error::Cme(CmeError::PubCompFailed)),
        _ => Err(Error::Busy),
    }
}

proptest! {
    /// Whatever happens, every accepted message ends in exactly one report,
    /// reports come in queue order, messages and reports never exceed the
    /// capacity, and a drained outbox has reported everything it accepted.
    #[test]
    fn every_accepted_message_gets_exactly_one_report(acts in proptest::collection::vec(act(), 0..200)) {
        let mut o = Outbox::<4, 8, 8>::new().with_max_age_ms(1_000).with_max_attempts(5);
        let mut now = 0u64;
        let mut accepted = StdVec::new();
        let mut reported = BTreeMap::new();
        let take = |o: &mut Outbox<4, 8, 8>, reported: &mut BTreeMap<MessageId, Report>| {
            while let Some(r) = o.next_report() {
                let last = reported.keys().next_back().copied();
                prop_assert!(last < Some(r.id()), "reports in queue order");
                prop_assert!(reported.insert(r.id(), r).is_none());
            }
            Ok(())
        };
        for a in acts {
            match a {
                Act::Push(b) => match o.push("t", &[b], QoS::AtLeastOnce, false, now) {
                    Ok(id) => accepted.push(id),
                    Err(e) => prop_assert_eq!(e, Error::QueueFull),
                },
                Act::Attempt(k) => { o.on_attempt(outcome(k)); }
                Act::Expire(dt) => { now += u64::from(dt); o.expire(now); }
                Act::Read => take(&mut o, &mut reported)?,
            }
            prop_assert!(o.len() + o.reports_pending() <= 4);
        }
        while !o.is_empty() {
            o.on_attempt(sent(Some(1)));
            take(&mut o, &mut reported)?;
        }
        take(&mut o, &mut reported)?;
        let ids: StdVec<MessageId> = reported.keys().copied().collect();
        prop_assert_eq!(ids, accepted);
    }
}
