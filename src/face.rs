//! The operations of the client, written once for both faces.
//!
//! [`crate::blocking::Client`] and [`crate::asynch::Client`] differ only in how
//! they move bytes and wait (`run`, `drive`, `read_some`); every operation on top
//! is generated from this one template, with or without `async`/`.await`.

/// Generates the operations of a client face. `$kw` is `async` or nothing, `$aw`
/// is `.await` or nothing.
macro_rules! client_operations {
    ([$($kw:tt)*] [$($aw:tt)*]) => {
    $($kw)* fn run_steps(&mut self, steps: &[Step<'_>]) -> Result<(), Error> {
        for step in steps {
            match self.run(&step.op, &[])$($aw)* {
                Ok(_) => {}
                Err(_) if step.ignore_error => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Re-issues the subscription table after a reconnection, if one is due.
    $($kw)* fn resubscribe(&mut self) -> Result<(), Error> {
        while let Some(index) = self.session.next_resubscription() {
            let now = self.clock.now_ms();
            self.session.begin_resubscribe(index, now)?;
            self.drive(&[])$($aw)*?;
        }
        Ok(())
    }

    /// Start-up: waits for the modem to answer `AT`, switches echo off and
    /// numeric errors on, and clears a stale MQTT client (spec §5.8).
    pub $($kw)* fn start(&mut self) -> Result<(), Error> {
        let mut last = Error::Timeout;
        let mut answered = false;
        for _ in 0..plan::AT_ATTEMPTS {
            match self.run(&Op::At, &[])$($aw)* {
                Ok(_) => {
                    answered = true;
                    break;
                }
                Err(e) => last = e,
            }
        }
        if !answered {
            return Err(last);
        }
        self.run_steps(&plan::STARTUP)$($aw)*
    }

    /// Configures the broker connection (`AT+MQTTCFG`, `AT+MQTTTO`, `AT+MQTTREC`).
    pub $($kw)* fn configure(&mut self, cfg: &MqttConfig<'_>) -> Result<(), Error> {
        self.run_steps(&plan::configure(cfg))$($aw)*
    }

    /// Connects to the broker, with an optional will, then re-issues known
    /// subscriptions.
    pub $($kw)* fn connect(&mut self, will: Option<&Will<'_>>) -> Result<(), Error> {
        let echo = self.session.ping_echo_wanted();
        self.run_steps(&plan::connect(will, echo))$($aw)*?;
        self.resubscribe()$($aw)*
    }

    /// Subscribes to a topic filter; it is re-subscribed after reconnections.
    pub $($kw)* fn subscribe(&mut self, topic: &str, qos: QoS) -> Result<Subscribed, Error> {
        self.resubscribe()$($aw)*?;
        match self.run(&Op::Subscribe(topic, qos), &[])$($aw)*? {
            Outcome::Subscribed(s) => Ok(s),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Unsubscribes a topic filter; returns the packet id.
    pub $($kw)* fn unsubscribe(&mut self, topic: &str) -> Result<u16, Error> {
        self.resubscribe()$($aw)*?;
        match self.run(&Op::Unsubscribe(topic), &[])$($aw)*? {
            Outcome::Unsubscribed(id) => Ok(id),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Publishes a message. Returns once the acknowledgements its QoS needs have
    /// arrived (`+MQTTPUBACK` for 1, `+MQTTPUBREC` and `+MQTTPUBCOMP` for 2);
    /// any failure is returned, never swallowed. Payloads that are not plain
    /// printable ASCII go in length mode, up to `PAYLOAD` bytes and never more
    /// than the module takes for the topic (`2048 − 7 − topic_len`, spec §1.3);
    /// a longer one is [`Error::Invalid`] naming the limit.
    pub $($kw)* fn publish(
        &mut self,
        topic: &str,
        payload: &[u8],
        qos: QoS,
        retain: bool,
    ) -> Result<Published, Error> {
        self.resubscribe()$($aw)*?;
        let op = Op::Publish {
            topic,
            payload,
            qos,
            retain,
        };
        match self.run(&op, payload)$($aw)*? {
            Outcome::Published(p) => Ok(p),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Disconnects from the broker (`AT+MQTTDISC`); already disconnected is fine.
    pub $($kw)* fn disconnect(&mut self) -> Result<(), Error> {
        self.run(&Op::Disconnect, &[])$($aw)*.map(|_| ())
    }

    /// Deletes the module's MQTT client (`AT+MQTTDEL`).
    pub $($kw)* fn delete(&mut self) -> Result<(), Error> {
        self.run(&Op::Delete, &[])$($aw)*.map(|_| ())
    }

    /// Shows or hides keep-alive answers as [`Event::PingResp`].
    pub $($kw)* fn set_ping_echo(&mut self, on: bool) -> Result<(), Error> {
        self.run(&Op::SetPingEcho(on), &[])$($aw)*.map(|_| ())
    }

    /// Whether keep-alive answers are shown (`AT+MQTTPING?`).
    pub $($kw)* fn ping_echo(&mut self) -> Result<bool, Error> {
        match self.run(&Op::QueryPingEcho, &[])$($aw)*? {
            Outcome::PingEcho(on) => Ok(on),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Switches the module's automatic reconnection on or off.
    pub $($kw)* fn set_auto_reconnect(&mut self, on: bool) -> Result<(), Error> {
        self.run(&Op::SetReconnect(on), &[])$($aw)*.map(|_| ())
    }

    /// Automatic reconnection: enabled, and attempts made (`AT+MQTTREC?`).
    pub $($kw)* fn auto_reconnect(&mut self) -> Result<(bool, u16), Error> {
        match self.run(&Op::QueryReconnect, &[])$($aw)*? {
            Outcome::Reconnect { enabled, attempts } => Ok((enabled, attempts)),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Sets the module's ACK time-out in seconds (1–3600).
    pub $($kw)* fn set_ack_timeout(&mut self, seconds: u16) -> Result<(), Error> {
        self.run(&Op::SetAckTimeout(seconds), &[])$($aw)*.map(|_| ())
    }

    /// The module's ACK time-out in seconds (`AT+MQTTTO?`).
    pub $($kw)* fn ack_timeout(&mut self) -> Result<u16, Error> {
        match self.run(&Op::QueryAckTimeout, &[])$($aw)*? {
            Outcome::AckTimeout(s) => Ok(s),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// The module's own view of the connection (`AT+MQTTSTAT?`, manual table).
    /// Prefer [`Client::link_state`], which the client tracks from events.
    pub $($kw)* fn modem_state(&mut self) -> Result<ModemState, Error> {
        match self.run(&Op::QueryState, &[])$($aw)*? {
            Outcome::State(v) => Ok(ModemState::from_manual(v)),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// The module's configuration (`AT+MQTTCFG?`, password masked by the module);
    /// `None` when no client is configured. It borrows the client's command
    /// buffer: copy what you need to keep before the next command.
    pub $($kw)* fn reported_config(&mut self) -> Result<Option<ReportedConfig<'_>>, Error> {
        self.run(&Op::QueryConfig, &[])$($aw)*?;
        Ok(self.session.reported_config())
    }

    /// The module's subscription list (`AT+MQTTSUB?`), borrowed from the
    /// client's command buffer; [`Error::Overflow`] if the listing is longer
    /// than that buffer.
    pub $($kw)* fn list_subscriptions(
        &mut self,
    ) -> Result<impl Iterator<Item = SubscriptionEntry<'_>> + '_, Error> {
        self.run(&Op::QuerySubscriptions, &[])$($aw)*?;
        self.session.listed_subscriptions()
    }

    /// Reads the port for up to `wait_ms`, processing URCs and messages, and
    /// re-subscribes if the module reconnected.
    pub $($kw)* fn poll(&mut self, wait_ms: u32) -> Result<(), Error> {
        let until = self.clock.now_ms().saturating_add(u64::from(wait_ms));
        loop {
            self.read_some(until)$($aw)*?;
            self.resubscribe()$($aw)*?;
            if self.clock.now_ms() >= until {
                return Ok(());
            }
        }
    }

    /// Waits up to `wait_ms` for an incoming message (or oversize report).
    pub $($kw)* fn receive(&mut self, wait_ms: u32) -> Result<Option<Incoming<TOPIC, PAYLOAD>>, Error> {
        let until = self.clock.now_ms().saturating_add(u64::from(wait_ms));
        loop {
            if let Some(m) = self.session.next_incoming() {
                return Ok(Some(m));
            }
            if self.clock.now_ms() >= until {
                return Ok(None);
            }
            self.read_some(until)$($aw)*?;
            self.resubscribe()$($aw)*?;
        }
    }

    /// Takes the oldest queued message without reading the port.
    pub fn next_incoming(&mut self) -> Option<Incoming<TOPIC, PAYLOAD>> {
        self.session.next_incoming()
    }

    /// Takes the oldest event without reading the port.
    pub fn next_event(&mut self) -> Option<Event> {
        self.session.next_event()
    }
    };
}
