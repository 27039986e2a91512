//! A write the port refuses ends its command with `Error::Io` and leaves the
//! client usable: the next operation resynchronises the module (part of the
//! failed command may be on the line) and runs, instead of `Error::Busy` for
//! ever. Both faces.

mod support;

use std::cell::Cell;
use std::rc::Rc;

use ml302::Error;
use support::{lines, Modem, SimTime};

/// The scripted modem behind a port whose next `write` fails when told to.
struct Flaky {
    modem: Modem,
    fail: Rc<Cell<bool>>,
}

#[derive(Debug)]
struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("broken pipe")
    }
}

impl std::error::Error for Broken {}

impl embedded_io::Error for Broken {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::BrokenPipe
    }
}

impl embedded_io::ErrorType for Flaky {
    type Error = Broken;
}

impl Flaky {
    fn write_bytes(&mut self, buf: &[u8]) -> Result<usize, Broken> {
        if self.fail.replace(false) {
            return Err(Broken);
        }
        Ok(embedded_io::Write::write(&mut self.modem, buf).unwrap_or_default())
    }
}

impl embedded_io::Read for Flaky {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Broken> {
        Ok(embedded_io::Read::read(&mut self.modem, buf).unwrap_or_default())
    }
}

impl embedded_io::ReadReady for Flaky {
    fn read_ready(&mut self) -> Result<bool, Broken> {
        Ok(self.modem.ready())
    }
}

impl embedded_io::Write for Flaky {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Broken> {
        self.write_bytes(buf)
    }
    fn flush(&mut self) -> Result<(), Broken> {
        Ok(())
    }
}

impl embedded_io_async::Read for Flaky {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Broken> {
        Ok(embedded_io_async::Read::read(&mut self.modem, buf)
            .await
            .unwrap_or_default())
    }
}

impl embedded_io_async::Write for Flaky {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Broken> {
        self.write_bytes(buf)
    }
    async fn flush(&mut self) -> Result<(), Broken> {
        Ok(())
    }
}

fn script() -> Modem {
    Modem::new(SimTime::default())
        .on(
            "AT+MQTTCFG?",
            &lines(&["+MQTTCFG: \"(null)\",0,\"\",0,\"\",\"\",0,\"\",0", "OK"]),
        )
        .on("AT+MQTTTO?", &lines(&["+MQTTTO: 25", "OK"]))
}

fn check(modem: &Modem) {
    // Nothing of the refused write reached the module; the resynchronisation
    // and the command did.
    let log: Vec<String> = modem
        .log()
        .iter()
        .map(|l| String::from_utf8_lossy(l).trim_end().to_owned())
        .collect();
    assert_eq!(log, ["AT+MQTTCFG?", "AT+MQTTTO?"]);
    modem.assert_done();
}

#[test]
fn blocking_a_refused_write_is_io_and_the_next_operation_runs() {
    let modem = script();
    let fail = Rc::new(Cell::new(true));
    let port = Flaky {
        modem: modem.clone(),
        fail: fail.clone(),
    };
    let mut c: ml302::blocking::Client<Flaky, SimTime> =
        ml302::blocking::Client::new(port, modem.time.clone());
    assert_eq!(
        c.ack_timeout(),
        Err(Error::Io(embedded_io::ErrorKind::BrokenPipe))
    );
    assert_eq!(c.ack_timeout(), Ok(25));
    check(&modem);
}

#[test]
fn async_a_refused_write_is_io_and_the_next_operation_runs() {
    let modem = script();
    let fail = Rc::new(Cell::new(true));
    let port = Flaky {
        modem: modem.clone(),
        fail: fail.clone(),
    };
    let mut c: ml302::asynch::Client<Flaky, SimTime, SimTime> =
        ml302::asynch::Client::new(port, modem.time.clone(), modem.time.clone());
    futures_executor::block_on(async {
        assert_eq!(
            c.ack_timeout().await,
            Err(Error::Io(embedded_io::ErrorKind::BrokenPipe))
        );
        assert_eq!(c.ack_timeout().await, Ok(25));
    });
    check(&modem);
}
