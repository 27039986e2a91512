//! `flush_outbox`, written once for every client face (like `face.rs`).

/// Generates `flush_outbox` for a client face. `$kw` is `async` or nothing,
/// `$aw` is `.await` or nothing; the face provides `publish`, `session` and
/// `clock`.
macro_rules! outbox_operations {
    ([$($kw:tt)*] [$($aw:tt)*]) => {
    /// Sends what `outbox` holds, oldest first, while the broker link is up
    /// (see [`crate::outbox`]). Expired messages are reported first.
    ///
    /// Returns how many messages left the outbox (each with its
    /// [`crate::outbox::Report`]): `Ok` when the outbox is empty or the link
    /// is not up (nothing more can be sent now); `Err` with the error of an
    /// attempt whose outcome is unknown or that the link refused, the message
    /// kept at the head of the outbox for the next flush, once the link is
    /// back (reconnect, `recover`). Messages the module refuses for a reason a
    /// retry cannot fix are reported failed and the flush goes on.
    pub $($kw)* fn flush_outbox<const N: usize, const OT: usize, const OP: usize>(
        &mut self,
        outbox: &mut $crate::outbox::Outbox<N, OT, OP>,
    ) -> Result<usize, $crate::Error> {
        let mut settled = 0usize;
        loop {
            let now = self.clock.now_ms();
            outbox.expire(now);
            if self.session.link_state() != $crate::LinkState::Connected {
                return Ok(settled);
            }
            let result = match outbox.head() {
                None => return Ok(settled),
                Some(h) => self.publish(h.topic, h.payload, h.qos, h.retain)$($aw)*,
            };
            let error = result.as_ref().err().cloned();
            match (outbox.on_attempt(result), error) {
                ($crate::outbox::Next::Continue, _) => settled = settled.saturating_add(1),
                ($crate::outbox::Next::Stop, Some(e)) => return Err(e),
                ($crate::outbox::Next::Stop, None) => return Ok(settled),
            }
        }
    }
    };
}
