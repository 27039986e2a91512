//! The operations of the client, written once for both faces.
//!
//! [`crate::blocking::Client`] and [`crate::asynch::Client`] differ only in how
//! they move bytes and wait (`run`, `read_some`, `write_to`); every operation on top
//! is generated from this one template, with or without `async`/`.await`.

/// Generates the operations of a client face. `$kw` is `async` or nothing, `$aw`
/// is `.await` or nothing.
macro_rules! client_operations {
    ([$($kw:tt)*] [$($aw:tt)*]) => {
    $($kw)* fn run_steps(&mut self, steps: &[Step<'_>]) -> Result<(), Error> {
        for step in steps {
            match self.run_plain(step.op)$($aw)* {
                Ok(_) => {}
                Err(_) if step.ignore_error => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Resynchronises with the module when a command timed out (its answer
    /// may still arrive).
    $($kw)* fn resync(&mut self) -> Result<(), Error> {
        if self.session.needs_resync() {
            let now = self.clock.now_ms();
            self.session.begin_resync(now)?;
            self.drive(&[])$($aw)*?;
        }
        Ok(())
    }

    /// Drives the pending command to its end: writes what the session asks
    /// for (the command line, or a length-mode publish's `payload` after the
    /// prompt) and reads while it waits.
    $($kw)* fn drive(&mut self, payload: &[u8]) -> Result<Outcome, Error> {
        loop {
            let now = self.clock.now_ms();
            let (session, port) = self.parts();
            // Which bytes to write, and whether they are the payload.
            let (bytes, is_payload) = match session.poll(now) {
                Action::Write(bytes) => (bytes, false),
                Action::WritePayload => (payload, true),
                Action::Wait { deadline_ms } => {
                    self.read_some(deadline_ms)$($aw)*?;
                    continue;
                }
                Action::Done(result) => return result,
                Action::Idle => return Err(Error::InvalidState),
            };
            match Self::write_to(port, bytes)$($aw)* {
                Ok(()) if is_payload => session.payload_written(),
                Ok(()) => session.written(),
                Err(e) => {
                    session.write_failed();
                    return Err(e);
                }
            }
        }
    }

    /// Runs a command that needs the broker link (subscribe, unsubscribe,
    /// publish), after re-subscribing when a reconnection made it due.
    $($kw)* fn run_linked(&mut self, op: Op<'_>) -> Result<Outcome, Error> {
        self.resubscribe()$($aw)*?;
        self.run(&op)$($aw)*
    }

    /// Runs a command whose outcome carries nothing.
    $($kw)* fn run_plain(&mut self, op: Op<'_>) -> Result<(), Error> {
        self.run(&op)$($aw)*.map(|_| ())
    }

    /// Runs a query and returns the number its answer carries (for
    /// `AT+MQTTREC?`, the attempts shifted left by one over the enabled
    /// flag). The session answers each query with its own outcome; one that
    /// carries no number is [`Error::UnexpectedResponse`].
    $($kw)* fn run_query(&mut self, op: Op<'_>) -> Result<u32, Error> {
        match self.run(&op)$($aw)*? {
            Outcome::PingEcho(on) => Ok(u32::from(on)),
            Outcome::AckTimeout(s) => Ok(u32::from(s)),
            Outcome::State(v) => Ok(u32::from(v)),
            Outcome::Reconnect { enabled, attempts } => {
                Ok(u32::from(attempts) << 1 | u32::from(enabled))
            }
            _ => Err(Error::UnexpectedResponse),
        }
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
    /// numeric errors on, and clears a stale MQTT client (spec §5.8). A module
    /// that speaks another MQTT AT dialect is [`Error::WrongDialect`]; the probe
    /// costs no command on a module of this one (see [`crate::dialect`]).
    pub $($kw)* fn start(&mut self) -> Result<(), Error> {
        let mut answer = Err(Error::Timeout);
        for _ in 0..plan::AT_ATTEMPTS {
            answer = self.run(&Op::At)$($aw)*;
            if answer.is_ok() {
                break;
            }
        }
        answer?;
        self.run_steps(&plan::STARTUP)$($aw)*?;
        // The clean-up's errors are ignored, but `AT+MQTTDEL`'s answer (the
        // last step) tells whether the module knows these commands at all.
        for step in &plan::CLEAN_UP {
            let result = self.run(&step.op)$($aw)*;
            if let (Op::Delete, Err(e)) = (step.op, result) {
                if crate::dialect::refused(&e) {
                    self.check_dialect()$($aw)*?;
                }
            }
        }
        self.session.settings_applied();
        Ok(())
    }

    /// The module refused `AT+MQTTDEL` as an unknown command: `AT+MQTTCFG?`
    /// decides, and if it too is refused, the probes of
    /// [`crate::dialect::PROBES`] name what the module speaks.
    $($kw)* fn check_dialect(&mut self) -> Result<(), Error> {
        match self.run(&Op::QueryConfig)$($aw)* {
            Ok(_) => return Ok(()),
            Err(e) if !crate::dialect::refused(&e) => return Err(e),
            Err(_) => {}
        }
        for (line, dialect) in crate::dialect::PROBES {
            // As `send_raw`, whose answer is not needed here (an answer
            // longer than the buffer already fails the exchange).
            let known = self
                .exchange(true, |s, now| {
                    s.begin_raw(line.as_bytes(), crate::dialect::PROBE_TIMEOUT_MS, now)
                })$($aw)*
                .is_ok();
            if known {
                return Err(Error::WrongDialect(dialect));
            }
        }
        Err(Error::WrongDialect(crate::dialect::Dialect::Unknown))
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
        match self.run_linked(Op::Subscribe(topic, qos))$($aw)*? {
            Outcome::Subscribed(s) => Ok(s),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Unsubscribes a topic filter; returns the packet id.
    pub $($kw)* fn unsubscribe(&mut self, topic: &str) -> Result<u16, Error> {
        match self.run_linked(Op::Unsubscribe(topic))$($aw)*? {
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
        let op = Op::Publish {
            topic,
            payload,
            qos,
            retain,
        };
        match self.run_linked(op)$($aw)*? {
            Outcome::Published(p) => Ok(p),
            _ => Err(Error::UnexpectedResponse),
        }
    }

    /// Disconnects from the broker (`AT+MQTTDISC`); already disconnected is fine.
    pub $($kw)* fn disconnect(&mut self) -> Result<(), Error> {
        self.run_plain(Op::Disconnect)$($aw)*
    }

    /// Deletes the module's MQTT client (`AT+MQTTDEL`).
    pub $($kw)* fn delete(&mut self) -> Result<(), Error> {
        self.run_plain(Op::Delete)$($aw)*
    }

    /// Shows or hides keep-alive answers as [`Event::PingResp`].
    pub $($kw)* fn set_ping_echo(&mut self, on: bool) -> Result<(), Error> {
        self.run_plain(Op::SetPingEcho(on))$($aw)*
    }

    /// Whether keep-alive answers are shown (`AT+MQTTPING?`).
    pub $($kw)* fn ping_echo(&mut self) -> Result<bool, Error> {
        Ok(self.run_query(Op::QueryPingEcho)$($aw)*? != 0)
    }

    /// Switches the module's automatic reconnection on or off.
    pub $($kw)* fn set_auto_reconnect(&mut self, on: bool) -> Result<(), Error> {
        self.run_plain(Op::SetReconnect(on))$($aw)*
    }

    /// Automatic reconnection: enabled, and attempts made (`AT+MQTTREC?`).
    pub $($kw)* fn auto_reconnect(&mut self) -> Result<(bool, u16), Error> {
        let n = self.run_query(Op::QueryReconnect)$($aw)*?;
        Ok((n & 1 != 0, (n >> 1) as u16))
    }

    /// Sets the module's ACK time-out in seconds (1–3600).
    pub $($kw)* fn set_ack_timeout(&mut self, seconds: u16) -> Result<(), Error> {
        self.run_plain(Op::SetAckTimeout(seconds))$($aw)*
    }

    /// The module's ACK time-out in seconds (`AT+MQTTTO?`).
    pub $($kw)* fn ack_timeout(&mut self) -> Result<u16, Error> {
        Ok(self.run_query(Op::QueryAckTimeout)$($aw)*? as u16)
    }

    /// The module's own view of the connection (`AT+MQTTSTAT?`, manual table).
    /// Prefer [`Client::link_state`], which the client tracks from events.
    pub $($kw)* fn modem_state(&mut self) -> Result<ModemState, Error> {
        Ok(ModemState::from_manual(self.run_query(Op::QueryState)$($aw)*? as u8))
    }

    /// The module's configuration (`AT+MQTTCFG?`, password masked by the module);
    /// `None` when no client is configured. It borrows the client's command
    /// buffer: copy what you need to keep before the next command.
    pub $($kw)* fn reported_config(&mut self) -> Result<Option<ReportedConfig<'_>>, Error> {
        self.run_plain(Op::QueryConfig)$($aw)*?;
        Ok(self.session.reported_config())
    }

    /// The module's subscription list (`AT+MQTTSUB?`), borrowed from the
    /// client's command buffer; [`Error::Overflow`] if the listing is longer
    /// than that buffer.
    pub $($kw)* fn list_subscriptions(
        &mut self,
    ) -> Result<impl Iterator<Item = SubscriptionEntry<'_>> + '_, Error> {
        self.run_plain(Op::QuerySubscriptions)$($aw)*?;
        self.session.listed_subscriptions()
    }

    /// Reads what arrives before `until` (see `read_some`), then re-issues
    /// the subscription table if the module reconnected meanwhile.
    $($kw)* fn read_and_resubscribe(&mut self, until: u64) -> Result<(), Error> {
        self.read_some(until)$($aw)*?;
        self.resubscribe()$($aw)*
    }

    /// Reads the port for up to `wait_ms`, processing URCs and messages, and
    /// re-subscribes if the module reconnected.
    pub $($kw)* fn poll(&mut self, wait_ms: u32) -> Result<(), Error> {
        let until = self.clock.now_ms().saturating_add(u64::from(wait_ms));
        loop {
            self.read_and_resubscribe(until)$($aw)*?;
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
            self.read_and_resubscribe(until)$($aw)*?;
        }
    }

    /// Runs one command begun by `begin` (after a resynchronisation when one
    /// is due and `resync` allows it) and keeps its answer in the session.
    $($kw)* fn exchange(
        &mut self,
        resync: bool,
        begin: impl FnOnce(&mut Session<TOPIC, PAYLOAD, QUEUE, SUBS>, u64) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if resync {
            self.resync()$($aw)*?;
        }
        let now = self.clock.now_ms();
        begin(&mut self.session, now)?;
        self.drive(&[])$($aw)*.map(|_| ())
    }

    /// Sends any command, for example one defined outside this crate with
    /// `#[derive(AtatCmd)]`, in the same session as the MQTT operations: URCs
    /// and messages arriving meanwhile are handled as usual and never end up
    /// in its answer. The line is the one `cmd.write` produces (checked: a
    /// control byte inside it refuses it before any byte is written); the
    /// answer's information lines, joined by CR LF without the final `OK`, go
    /// to `cmd.parse`; the time-out is `C::MAX_TIMEOUT_MS`. `+CME ERROR: <n>`
    /// is [`Error::Cme`], an answer longer than the command buffer
    /// [`Error::Overflow`], one `parse` refuses [`Error::UnexpectedResponse`].
    /// `cmd.write` is the command's own code: atat's derived one panics when
    /// the line does not fit the 1024-byte command buffer. MQTT commands sent
    /// this way bypass the client's state tracking: use the typed operations
    /// for them.
    pub $($kw)* fn send<A: atat::AtatCmd>(&mut self, cmd: &A) -> Result<A::Response, Error> {
        self.exchange(true, |s, now| s.begin_atat(cmd, now))$($aw)*?;
        let body = self.session.raw_answer()?;
        cmd.parse(Ok(body)).map_err(|_| Error::UnexpectedResponse)
    }

    /// Sends one command line (without CR LF) and returns its information
    /// lines, borrowed from the command buffer until the next command (copy
    /// what you keep). A line that is empty, holds a control byte (CR, LF,
    /// NUL, …) or does not fit the command buffer is refused before any byte
    /// is written; URCs and messages arriving meanwhile are handled as usual;
    /// [`Error::Overflow`] if the answer is longer than the command buffer.
    pub $($kw)* fn send_raw(
        &mut self,
        line: &str,
        timeout_ms: u32,
    ) -> Result<impl Iterator<Item = &[u8]> + '_, Error> {
        self.exchange(true, |s, now| s.begin_raw(line.as_bytes(), timeout_ms, now))$($aw)*?;
        self.session.raw_lines()
    }

    /// Runs a typed network command within `limit_ms` and parses its answer.
    $($kw)* fn net_query<K: Command, T>(
        &mut self,
        cmd: &K,
        limit_ms: u32,
        parse: fn(&[u8]) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.exchange(true, |s, now| s.begin_command(cmd, limit_ms, now))$($aw)*?;
        parse(self.session.raw_answer()?)
    }

    /// Runs a typed network command that answers only `OK`.
    $($kw)* fn net_set<K: Command>(&mut self, cmd: &K, limit_ms: u32) -> Result<(), Error> {
        self.exchange(true, |s, now| s.begin_command(cmd, limit_ms, now))$($aw)*
    }

    /// Milliseconds left until `until`, `None` once it passed.
    fn left(&mut self, until: u64) -> Option<u32> {
        let now = self.clock.now_ms();
        (now < until).then(|| u32::try_from(until.saturating_sub(now)).unwrap_or(u32::MAX))
    }

    /// Polls `query` (parsed by `parse`, judged by `judge`) until it is done,
    /// fails, or `step_ms` has passed (cause [`BringUpCause::Timeout`]);
    /// reads the port between two polls.
    $($kw)* fn poll_step<K: Command, R, T>(
        &mut self,
        step: BringUpStep,
        step_ms: u32,
        interval_ms: u32,
        query: &K,
        parse: fn(&[u8]) -> Result<R, Error>,
        judge: &mut dyn FnMut(Result<R, Error>) -> network::Next<T>,
    ) -> Result<T, BringUpError> {
        let until = self.clock.now_ms().saturating_add(u64::from(step_ms));
        let fail = |cause| BringUpError { step, cause };
        loop {
            let Some(left) = self.left(until) else {
                return Err(fail(BringUpCause::Timeout));
            };
            let r = self.net_query(query, left, parse)$($aw)*;
            if let Err(Error::Io(k)) = r {
                return Err(fail(BringUpCause::Command(Error::Io(k))));
            }
            match judge(r) {
                network::Next::Done(t) => return Ok(t),
                network::Next::Fail(cause) => return Err(fail(cause)),
                network::Next::Again => {}
            }
            let Some(left) = self.left(until) else {
                return Err(fail(BringUpCause::Timeout));
            };
            self.poll(interval_ms.min(left))$($aw)*
                .map_err(|e| fail(BringUpCause::Command(e)))?;
        }
    }

    /// Brings the module onto the network in the order of NETWORK.md §1: sync
    /// (`AT` until `OK`), `ATE0`, `AT+CMEE=1`, SIM (`AT+CPIN?` until `READY`),
    /// radio (`AT+CFUN?`, `AT+CFUN=1`), PDP mode (`AT+VERCTRL`), registration
    /// (`AT+CEREG?` until home or roaming; `AT+CGREG?` where the firmware
    /// refuses `AT+CEREG?`), in manual mode the context
    /// (`AT+CGDCONT`, `AT+CGATT=1`, `AT+CGACT=1,1`, skipped when context 1 is
    /// already active), the context active (`AT+CGACT?`), its address
    /// (`AT+CGPADDR=1`), then the identity and the signal. Each step is bounded
    /// by its time in `cfg`; a failure names the step and a typed cause, and
    /// [`BringUpError::can_retry`] says whether running it again can help.
    pub $($kw)* fn bring_up(&mut self, cfg: &NetworkConfig<'_>) -> Result<NetworkInfo, BringUpError> {
        use BringUpStep as S;
        let fail = |step, e: Error| BringUpError { step, cause: network::cause_of(e) };
        // The APN is checked before a byte is written.
        let apn = match cfg.apn {
            Some(a) => Some(net::Apn::new(a).map_err(|e| BringUpError {
                step: S::PdpActivation,
                cause: BringUpCause::Command(e.into()),
            })?),
            None => None,
        };
        let cmd_ms = cfg.command_ms;
        // 1. Sync: `AT` until `OK`, one second per attempt; a late `OK` of an
        // earlier attempt can only complete another `AT`.
        let until = self.clock.now_ms().saturating_add(u64::from(cfg.sync_ms));
        loop {
            let Some(left) = self.left(until) else {
                return Err(BringUpError { step: S::Sync, cause: BringUpCause::Timeout });
            };
            let r = self
                .exchange(false, |s, now| s.begin_command(&command::At, left.min(1_000), now))$($aw)*;
            match r {
                Ok(()) => break,
                Err(Error::Io(k)) => return Err(fail(S::Sync, Error::Io(k))),
                Err(Error::Timeout) => {}
                // An answer, but not `OK`: wait a little before the next try.
                Err(_) => {
                    let wait = cfg.poll_interval_ms.min(self.left(until).unwrap_or(0));
                    self.poll(wait)$($aw)*.map_err(|e| fail(S::Sync, e))?;
                }
            }
        }
        self.net_set(&command::EchoOff, cmd_ms)$($aw)*.map_err(|e| fail(S::EchoOff, e))?;
        self.net_set(&command::NumericErrors, cmd_ms)$($aw)*
            .map_err(|e| fail(S::NumericErrors, e))?;
        // 2. SIM.
        self.poll_step(
            S::Sim,
            cfg.sim_ms,
            cfg.poll_interval_ms,
            &net::QuerySim,
            net::SimState::parse,
            &mut network::sim_step,
        )$($aw)*?;
        // 3. Radio.
        let fun = self
            .net_query(&net::QueryFunctionality, cmd_ms, net::Functionality::parse)$($aw)*
            .map_err(|e| fail(S::Radio, e))?;
        if fun != net::Functionality::Full {
            self.net_set(&net::SetFunctionality::new(net::Functionality::Full), cfg.radio_ms)$($aw)*
                .map_err(|e| fail(S::Radio, e))?;
        }
        // 4. PDP mode.
        match apn {
            None => {
                let r = self
                    .net_query(&net::QueryPdpMode, cmd_ms, net::PdpModeResponse::parse)$($aw)*;
                if let network::Next::Fail(cause) = network::pdp_mode_step(r) {
                    return Err(BringUpError { step: S::PdpMode, cause });
                }
            }
            Some(_) => self
                .net_set(&net::SetPdpMode::new(net::PdpMode::Manual), cmd_ms)$($aw)*
                .map_err(|e| fail(S::PdpMode, e))?,
        }
        // 5. Registration: `AT+CEREG?`, or `AT+CGREG?` on firmware that does
        // not know it (`ERROR`, `+CME ERROR: 4`).
        let last = core::cell::Cell::new(None);
        let mut judge = |r: Result<net::Registration, Error>| {
            match &r {
                Ok(reg) => last.set(Some(reg.status)),
                Err(Error::Cme(CmeError::NoNetworkService)) => {
                    last.set(Some(net::RegStatus::NotSearching))
                }
                _ => {}
            }
            network::registration_step(r)
        };
        let reg = |b: &[u8]| net::RegistrationResponse::parse(b).map(|r| r.registration);
        let mut registration = self
            .poll_step(
                S::Registration,
                cfg.registration_ms,
                cfg.poll_interval_ms,
                &net::QueryEpsRegistration,
                reg,
                &mut judge,
            )$($aw)*;
        if let Err(BringUpError {
            cause: BringUpCause::Command(
                Error::Modem | Error::Cme(CmeError::OperationNotSupported),
            ),
            ..
        }) = registration
        {
            registration = self
                .poll_step(
                    S::Registration,
                    cfg.registration_ms,
                    cfg.poll_interval_ms,
                    &net::QueryGprsRegistration,
                    reg,
                    &mut judge,
                )$($aw)*;
        }
        let registration = registration.map_err(|e| match e.cause {
            BringUpCause::Timeout => BringUpError {
                step: S::Registration,
                cause: network::registration_timeout(last.get()),
            },
            _ => e,
        })?;
        // 4 (manual), after registration: the module attaches and activates
        // only while registered.
        if let Some(apn) = apn {
            let fail = |e| BringUpError {
                step: S::PdpActivation,
                cause: network::activation_cause(e),
            };
            let until = self.clock.now_ms().saturating_add(u64::from(cfg.pdp_ms));
            let active = self
                .net_query(&net::QueryPdpActivation, cmd_ms, net::PdpActivationList::parse)$($aw)*
                .map_err(fail)?
                .is_active(1);
            if !active {
                let define = net::DefinePdpContext::new(1, net::PdpType::Ip, apn);
                let left = self.left(until).unwrap_or(0);
                self.net_set(&define, left)$($aw)*.map_err(fail)?;
                let left = self.left(until).unwrap_or(0);
                self.net_set(&net::SetAttach::new(true), left)$($aw)*.map_err(fail)?;
                let left = self.left(until).unwrap_or(0);
                self.net_set(&net::SetPdpActivation::new(true, 1), left)$($aw)*.map_err(fail)?;
            }
        }
        // 6. Data link: context active, then an address.
        self.poll_step(
            S::PdpActive,
            cfg.pdp_ms,
            cfg.poll_interval_ms,
            &net::QueryPdpActivation,
            net::PdpActivationList::parse,
            &mut network::active_step,
        )$($aw)*?;
        let address = self.poll_step(
            S::Address,
            cfg.address_ms,
            cfg.poll_interval_ms,
            &net::QueryPdpAddress::new(1),
            net::PdpAddress::parse,
            &mut network::address_step,
        )$($aw)*?;
        // Identity and signal, for logs and status screens.
        let id = |e| fail(S::Identity, e);
        let imei = self.net_query(&net::QueryImei::new(), cmd_ms, net::Imei::parse)$($aw)*.map_err(id)?;
        let iccid = self.net_query(&net::QueryIccid, cmd_ms, net::Iccid::parse)$($aw)*.map_err(id)?;
        let imsi = self.net_query(&net::QueryImsi, cmd_ms, net::Imsi::parse)$($aw)*.map_err(id)?;
        let signal = self
            .net_query(&net::QuerySignal, cmd_ms, net::SignalQuality::parse)$($aw)*
            .map_err(id)?;
        self.session.settings_applied();
        Ok(NetworkInfo { imei, iccid, imsi, registration, signal, address })
    }

    /// Reads registration (`AT+CEREG?`), signal (`AT+CSQ`), the state of
    /// context 1 (`AT+CGACT?`) and its address (`AT+CGPADDR=1`), for a
    /// supervisor (NETWORK.md §4).
    pub $($kw)* fn network_status(&mut self) -> Result<NetworkStatus, Error> {
        let limit = u32::MAX;
        let registration = self
            .net_query(&net::QueryEpsRegistration, limit, net::RegistrationResponse::parse)$($aw)*?
            .registration;
        let signal = self.net_query(&net::QuerySignal, limit, net::SignalQuality::parse)$($aw)*?;
        let pdp_active = self
            .net_query(&net::QueryPdpActivation, limit, net::PdpActivationList::parse)$($aw)*?
            .is_active(1);
        let address = self
            .net_query(&net::QueryPdpAddress::new(1), limit, net::PdpAddress::parse)$($aw)*?;
        Ok(NetworkStatus { registration, signal, pdp_active, address })
    }

    /// Takes the oldest queued message without reading the port.
    pub fn next_incoming(&mut self) -> Option<Incoming<TOPIC, PAYLOAD>> {
        self.session.next_incoming()
    }

    /// Takes the oldest event without reading the port.
    pub fn next_event(&mut self) -> Option<Event> {
        self.session.next_event()
    }

    recover_operations!([$($kw)*] [$($aw)*]);
    };
}
