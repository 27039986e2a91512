//! `ml302::nb::NbSerial`: a UART of `embedded-hal-nb` as the blocking client's
//! port, against an nb mock that answers `WouldBlock` between bytes (reads,
//! writes and flushes alike), on the scripted modem's simulated clock.

mod support;

use std::cell::Cell;
use std::rc::Rc;

use embedded_hal_nb::nb;
use embedded_hal_nb::serial::{self, ErrorKind};
use embedded_io::{Read as _, ReadReady as _, Write as _};
use ml302::nb::NbSerial;
use ml302::{Error, Incoming, LinkState, MqttConfig, QoS};
use support::{lines, Modem, SimTime};

/// An nb UART over the scripted modem: every other call of `read`, `write`
/// and `flush` answers `WouldBlock`, and `read` answers it too while no byte
/// is due (unless `steady`). A receive error set in `fail` comes after the
/// given number of further bytes.
#[derive(Clone)]
struct NbMock {
    modem: Modem,
    busy: Rc<Cell<bool>>,
    steady: Rc<Cell<bool>>,
    would_block: Rc<Cell<u64>>,
    fail: Rc<Cell<Option<(u32, ErrorKind)>>>,
}

impl NbMock {
    fn new(modem: Modem) -> Self {
        Self {
            modem,
            busy: Rc::default(),
            steady: Rc::default(),
            would_block: Rc::default(),
            fail: Rc::default(),
        }
    }

    /// Alternates between busy and free; `true` when this call is refused.
    fn refuse(&self) -> bool {
        if self.steady.get() {
            return false;
        }
        let busy = !self.busy.get();
        self.busy.set(busy);
        if busy {
            self.would_block.set(self.would_block.get() + 1);
        }
        busy
    }
}

impl serial::ErrorType for NbMock {
    type Error = ErrorKind;
}

impl serial::Read<u8> for NbMock {
    fn read(&mut self) -> nb::Result<u8, ErrorKind> {
        match self.fail.get() {
            Some((0, e)) => {
                self.fail.set(None);
                return Err(nb::Error::Other(e));
            }
            Some((k, e)) => self.fail.set(Some((k - 1, e))),
            None => {}
        }
        if self.refuse() {
            return Err(nb::Error::WouldBlock);
        }
        let mut b = [0u8; 1];
        match self.modem.take_due(&mut b) {
            1 => Ok(b[0]),
            _ => Err(nb::Error::WouldBlock),
        }
    }
}

impl serial::Write<u8> for NbMock {
    fn write(&mut self, word: u8) -> nb::Result<(), ErrorKind> {
        if self.refuse() {
            return Err(nb::Error::WouldBlock);
        }
        match embedded_io::Write::write(&mut self.modem, &[word]) {
            Ok(_) => Ok(()),
            Err(never) => match never {},
        }
    }

    fn flush(&mut self) -> nb::Result<(), ErrorKind> {
        if self.refuse() {
            return Err(nb::Error::WouldBlock);
        }
        Ok(())
    }
}

const CFG_LINE: &str = "AT+MQTTCFG=\"broker.example\",1883,\"dev-nb\",60,\"\",\"\",1,\"\",0";

fn script(m: Modem) -> Modem {
    m.on("AT", &lines(&["OK"]))
        .on("ATE0", b"ATE0\r\r\nOK\r\n")
        .on("AT+CMEE=1", &lines(&["OK"]))
        .on("AT+MQTTDISC", &lines(&["ERROR"]))
        .on("AT+MQTTDEL", &lines(&["OK"]))
        .on(CFG_LINE, &lines(&["OK"]))
        .on("AT+MQTTTO=10", &lines(&["OK"]))
        .on("AT+MQTTREC=1", &lines(&["OK"]))
        .on(
            "AT+MQTTOPEN=0,0,0,0,0,\"\",\"\"",
            &lines(&["+MQTTOPEN:OK", "OK"]),
        )
        .on("AT+MQTTPING=0", &lines(&["OK"]))
        .on_delayed(
            "AT+MQTTSUB=\"cmd/#\",2",
            &lines(&["+MQTTSUBACK:1,2,cmd/#", "OK"]),
            30,
        )
        // A length-mode publish: header, `>` prompt, then exactly the payload.
        .on("AT+MQTTPUB=\"dev/nb\",1,0,0,4", b"\r\n>")
        .on_bytes(b"a,\r\n", &lines(&["+MQTTPUBACK:0,2", "OK"]), 20)
        .on("AT+MQTTDISC", &lines(&["+MQTTDISC: OK", "OK"]))
}

type Client = ml302::blocking::Client<NbSerial<NbMock>, SimTime, 512, 64, 2, 4>;

#[test]
fn a_session_over_an_nb_uart_that_blocks_between_bytes() {
    for one_byte in [false, true] {
        let time = SimTime::default();
        let mut modem = script(Modem::new(time.clone()));
        if one_byte {
            modem = modem.one_byte_reads();
        }
        let uart = NbMock::new(modem.clone());
        let mut c = Client::new(NbSerial::new(uart.clone()), time.clone());
        c.start().unwrap();
        c.configure(&MqttConfig::new("broker.example", 1883, "dev-nb"))
            .unwrap();
        c.connect(None).unwrap();
        assert_eq!(c.link_state(), LinkState::Connected);
        assert_eq!(
            c.subscribe("cmd/#", QoS::ExactlyOnce).unwrap().granted,
            QoS::ExactlyOnce
        );
        let p = c
            .publish("dev/nb", b"a,\r\n", QoS::AtLeastOnce, false)
            .unwrap();
        assert!(p.length_mode);
        modem.push(&lines(&["+MQTTPUBLISH:0,0,0,0,cmd/x,3,abc"]));
        match c.receive(100).unwrap() {
            Some(Incoming::Message(m)) => assert_eq!(&m.payload[..], b"abc"),
            other => panic!("expected the message, got {other:?}"),
        }
        // Nothing more: the wait ends on time.
        let t0 = time.now();
        assert!(c.receive(50).unwrap().is_none());
        assert_eq!(time.now() - t0, 50);
        c.disconnect().unwrap();
        modem.assert_done();
        assert!(uart.would_block.get() > 100, "the mock did interleave");
    }
}

#[test]
fn a_silent_uart_times_out() {
    let time = SimTime::default();
    let modem = Modem::new(time.clone());
    let mut c = Client::new(NbSerial::new(NbMock::new(modem)), time.clone());
    assert_eq!(c.start(), Err(Error::Timeout));
    assert!(time.now() > 0);
}

#[test]
fn read_ready_reads_one_byte_ahead_and_read_takes_what_is_there() {
    let time = SimTime::default();
    let modem = Modem::new(time.clone());
    let mut port = NbSerial::new(NbMock::new(modem.clone()));
    assert!(!port.read_ready().unwrap());
    modem.push(b"OK\r\n");
    // The mock refuses every other call: read_ready may need two looks.
    let ready = port.read_ready().unwrap() || port.read_ready().unwrap();
    assert!(ready);
    let mut buf = [0u8; 16];
    let mut got = Vec::new();
    while got.len() < 4 {
        let n = port.read(&mut buf).unwrap();
        assert!(n > 0, "read returns at least one byte");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"OK\r\n");
    assert_eq!(port.read(&mut []).unwrap(), 0);
}

#[test]
fn a_receive_error_comes_after_the_bytes_before_it() {
    let time = SimTime::default();
    let modem = Modem::new(time.clone());
    let uart = NbMock::new(modem.clone());
    uart.steady.set(true);
    let mut port = NbSerial::new(uart.clone());
    modem.push(b"ABC");
    // An error on the first byte is returned at once.
    uart.fail.set(Some((0, ErrorKind::Parity)));
    let mut buf = [0u8; 8];
    let e = port.read(&mut buf).unwrap_err();
    assert_eq!(
        embedded_io::Error::kind(&e),
        embedded_io::ErrorKind::InvalidData
    );
    assert_eq!(e.0, ErrorKind::Parity);
    // An error after a byte: the byte first, the error at the next call.
    uart.fail.set(Some((1, ErrorKind::Overrun)));
    let n = port.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"A");
    assert!(port.read_ready().unwrap(), "the error is ready to be read");
    let e = port.read(&mut buf).unwrap_err();
    assert_eq!(embedded_io::Error::kind(&e), embedded_io::ErrorKind::Other);
    // Nothing lost after it.
    let n = port.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"BC");
    // An error while looking ahead is the look's.
    uart.fail.set(Some((0, ErrorKind::Noise)));
    assert_eq!(port.read_ready().unwrap_err().0, ErrorKind::Noise);
    assert!(!port.read_ready().unwrap());
    port.write_all(b"AT\r\n").unwrap();
    port.flush().unwrap();
    assert_eq!(modem.unconsumed(), b"AT\r\n");
}
