//! The inbox: received messages (and reports of messages too large to keep)
//! waiting for the caller, oldest first, in a ring of `QUEUE` slots.
//!
//! A slot's payload does not live here but in the session's payload buffers,
//! one per slot: the framer writes an incoming payload straight into the
//! buffer of the slot the next entry will take ([`Inbox::next_slot`]), so a
//! payload is written once and copied out only when the caller takes it. That
//! slot cannot change while a payload is being written: only a push moves it,
//! and no entry is pushed before the message is complete.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use heapless::String;

use crate::types::QoS;

/// One queued entry; its payload is in the payload buffer of its slot.
#[derive(Debug, Clone)]
pub(super) struct Entry<const TOPIC: usize> {
    /// Topic name (truncated to `TOPIC` only for a too-large report).
    pub(super) topic: String<TOPIC>,
    /// Payload length (announced length for a too-large report).
    pub(super) len: usize,
    /// The payload was not kept: too large for the buffer.
    pub(super) too_large: bool,
    pub(super) qos: QoS,
    pub(super) retained: bool,
    pub(super) dup: bool,
    pub(super) packet_id: u16,
}

impl<const TOPIC: usize> Entry<TOPIC> {
    const EMPTY: Self = Self {
        topic: String::new(),
        len: 0,
        too_large: false,
        qos: QoS::AtMostOnce,
        retained: false,
        dup: false,
        packet_id: 0,
    };
}

/// The ring of entries (see the module docs).
#[derive(Debug)]
pub(super) struct Inbox<const TOPIC: usize, const QUEUE: usize> {
    slots: [Entry<TOPIC>; QUEUE],
    /// Slot of the oldest entry.
    head: usize,
    /// Entries queued.
    len: usize,
}

impl<const TOPIC: usize, const QUEUE: usize> Inbox<TOPIC, QUEUE> {
    /// An empty inbox.
    pub(super) const fn new() -> Self {
        Self {
            slots: [const { Entry::EMPTY }; QUEUE],
            head: 0,
            len: 0,
        }
    }

    /// The slot the next entry will take, if there is room.
    pub(super) fn next_slot(&self) -> Option<usize> {
        if self.len >= QUEUE {
            return None;
        }
        self.head.checked_add(self.len)?.checked_rem(QUEUE)
    }

    /// Queues `entry` in [`Self::next_slot`] and lends it back there (to be
    /// completed in place); gives it back when full.
    pub(super) fn push(&mut self, entry: Entry<TOPIC>) -> Result<&mut Entry<TOPIC>, Entry<TOPIC>> {
        let Some(slot) = self.next_slot().and_then(|i| self.slots.get_mut(i)) else {
            return Err(entry);
        };
        *slot = entry;
        self.len = self.len.saturating_add(1);
        Ok(slot)
    }

    /// Takes the oldest entry, with the slot its payload lies in.
    pub(super) fn pop(&mut self) -> Option<(usize, Entry<TOPIC>)> {
        if self.len == 0 {
            return None;
        }
        let at = self.head;
        let entry = core::mem::replace(self.slots.get_mut(at)?, Entry::EMPTY);
        self.head = at.saturating_add(1).checked_rem(QUEUE).unwrap_or(0);
        self.len = self.len.saturating_sub(1);
        Some((at, entry))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn entry(len: usize) -> Entry<8> {
        Entry {
            len,
            ..Entry::EMPTY
        }
    }

    #[test]
    fn a_ring_in_order_whose_next_slot_moves_only_on_push() {
        let mut q: Inbox<8, 2> = Inbox::new();
        assert_eq!(q.next_slot(), Some(0));
        q.push(entry(1)).unwrap();
        assert_eq!(q.next_slot(), Some(1));
        q.push(entry(2)).unwrap();
        assert_eq!(q.next_slot(), None);
        assert_eq!(q.push(entry(3)).unwrap_err().len, 3);
        assert_eq!(q.pop().map(|(s, e)| (s, e.len)), Some((0, 1)));
        assert_eq!(q.next_slot(), Some(0));
        q.push(entry(4)).unwrap();
        assert_eq!(q.pop().map(|(s, e)| (s, e.len)), Some((1, 2)));
        // A pop leaves the next slot where it was.
        assert_eq!(q.next_slot(), Some(1));
        assert_eq!(q.pop().map(|(s, e)| (s, e.len)), Some((0, 4)));
        assert_eq!(q.next_slot(), Some(1));
        assert!(q.pop().is_none());
    }

    #[test]
    fn no_slots_no_room() {
        let mut q: Inbox<8, 0> = Inbox::new();
        assert_eq!(q.next_slot(), None);
        assert!(q.push(entry(1)).is_err());
        assert!(q.pop().is_none());
    }
}
