//! Serial transports: a pseudo-terminal, an existing device, TCP, and the in-memory
//! [`MemoryPort`].

use std::collections::VecDeque;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};

use crate::event::CoreEvent;
use crate::output::{OutMsg, Sink};

/// The body of a serial reader thread.
pub(crate) type ReaderFn = Box<dyn FnOnce(Sender<CoreEvent>, Arc<AtomicBool>) + Send>;

/// An opened serial side.
pub(crate) struct Serial {
    pub sink: Box<dyn Sink>,
    pub reader: Option<ReaderFn>,
    /// File descriptors to keep open while the simulator runs (the PTY slave).
    pub keep: Vec<OwnedFd>,
    pub path: Option<PathBuf>,
    pub addr: Option<SocketAddr>,
}

const POLL_MS: u16 = 50;

fn set_raw(fd: impl AsFd) -> io::Result<()> {
    let mut t = tcgetattr(&fd)?;
    cfmakeraw(&mut t);
    tcsetattr(&fd, SetArg::TCSANOW, &t)?;
    Ok(())
}

fn set_nonblocking(fd: impl AsFd) -> io::Result<()> {
    let flags = OFlag::from_bits_truncate(fcntl(&fd, FcntlArg::F_GETFL)?);
    fcntl(&fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK))?;
    Ok(())
}

/// Creates a pseudo-terminal in raw mode. The slave stays open in the simulator, so
/// clients may open and close `/dev/pts/N` at will.
pub(crate) fn open_pty() -> io::Result<Serial> {
    let master = nix::pty::posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY)?;
    nix::pty::grantpt(&master)?;
    nix::pty::unlockpt(&master)?;
    let name = nix::pty::ptsname_r(&master)?;
    let slave = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(OFlag::O_NOCTTY.bits())
        .open(&name)?;
    set_raw(&slave)?;
    let master: OwnedFd = master.into();
    set_nonblocking(&master)?;
    let fd = Arc::new(master);
    Ok(Serial {
        sink: Box::new(FdSink(fd.clone())),
        reader: Some(fd_reader(fd)),
        keep: vec![OwnedFd::from(slave)],
        path: Some(PathBuf::from(name)),
        addr: None,
    })
}

/// Opens an existing device (a serial port, the other end of a PTY, …) in raw mode.
pub(crate) fn open_device(path: &Path) -> io::Result<Serial> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags((OFlag::O_NOCTTY | OFlag::O_NONBLOCK).bits())
        .open(path)?;
    match set_raw(&file) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(Errno::ENOTTY as i32) => {}
        Err(e) => return Err(e),
    }
    let fd = Arc::new(OwnedFd::from(file));
    Ok(Serial {
        sink: Box::new(FdSink(fd.clone())),
        reader: Some(fd_reader(fd)),
        keep: Vec::new(),
        path: Some(path.to_path_buf()),
        addr: None,
    })
}

fn fd_reader(fd: Arc<OwnedFd>) -> ReaderFn {
    Box::new(move |tx, stop| {
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::Relaxed) {
            let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, PollTimeout::from(POLL_MS)) {
                Ok(0) => continue,
                Ok(_) => {}
                Err(Errno::EINTR) => continue,
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(u64::from(POLL_MS)));
                    continue;
                }
            }
            match nix::unistd::read(fd.as_fd(), &mut buf) {
                Ok(0) => std::thread::sleep(Duration::from_millis(u64::from(POLL_MS))),
                Ok(n) => {
                    let data = buf.get(..n).unwrap_or(&[]).to_vec();
                    if tx.send(CoreEvent::Input(data)).is_err() {
                        return;
                    }
                }
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                // EIO: no process has the other end open (a PTY) — wait for one.
                Err(_) => std::thread::sleep(Duration::from_millis(u64::from(POLL_MS))),
            }
        }
    })
}

struct FdSink(Arc<OwnedFd>);

impl Sink for FdSink {
    fn write_all(&mut self, mut data: &[u8], stop: &AtomicBool) -> io::Result<()> {
        while !data.is_empty() {
            if stop.load(Ordering::Relaxed) {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "stopped"));
            }
            let mut fds = [PollFd::new(self.0.as_fd(), PollFlags::POLLOUT)];
            match poll(&mut fds, PollTimeout::from(POLL_MS)) {
                Ok(0) | Err(Errno::EINTR) => continue,
                Ok(_) => {}
                Err(e) => return Err(e.into()),
            }
            match nix::unistd::write(self.0.as_fd(), data) {
                Ok(n) => data = data.get(n..).unwrap_or(&[]),
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

type Current = Arc<Mutex<Option<TcpStream>>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Serves on a TCP connection to `addr`, reconnecting when it closes.
pub(crate) fn tcp_connect(addr: SocketAddr) -> io::Result<Serial> {
    let first = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    let current: Current = Arc::new(Mutex::new(Some(first)));
    let reader = tcp_reader(current.clone(), move || {
        std::thread::sleep(Duration::from_millis(200));
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()
    });
    Ok(Serial {
        sink: Box::new(TcpSink(current)),
        reader: Some(reader),
        keep: Vec::new(),
        path: None,
        addr: Some(addr),
    })
}

/// Listens on `addr` and serves one client at a time.
pub(crate) fn tcp_listen(addr: SocketAddr) -> io::Result<Serial> {
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let current: Current = Arc::new(Mutex::new(None));
    let reader = tcp_reader(current.clone(), move || match listener.accept() {
        Ok((s, _)) => {
            let _ = s.set_nonblocking(false);
            Some(s)
        }
        Err(_) => {
            std::thread::sleep(Duration::from_millis(u64::from(POLL_MS)));
            None
        }
    });
    Ok(Serial {
        sink: Box::new(TcpSink(current)),
        reader: Some(reader),
        keep: Vec::new(),
        path: None,
        addr: Some(local),
    })
}

fn tcp_reader(
    current: Current,
    mut next: impl FnMut() -> Option<TcpStream> + Send + 'static,
) -> ReaderFn {
    Box::new(move |tx, stop| {
        let mut buf = [0u8; 4096];
        let mut reading: Option<TcpStream> =
            lock(&current).as_ref().and_then(|s| s.try_clone().ok());
        while !stop.load(Ordering::Relaxed) {
            let Some(stream) = reading.as_mut() else {
                if let Some(s) = next() {
                    let _ = s.set_nodelay(true);
                    reading = s.try_clone().ok();
                    *lock(&current) = Some(s);
                }
                continue;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_millis(u64::from(POLL_MS))));
            match stream.read(&mut buf) {
                Ok(0) => {
                    reading = None;
                    *lock(&current) = None;
                }
                Ok(n) => {
                    let data = buf.get(..n).unwrap_or(&[]).to_vec();
                    if tx.send(CoreEvent::Input(data)).is_err() {
                        return;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(_) => {
                    reading = None;
                    *lock(&current) = None;
                }
            }
        }
        if let Some(s) = lock(&current).take() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    })
}

struct TcpSink(Current);

impl Sink for TcpSink {
    fn write_all(&mut self, mut data: &[u8], stop: &AtomicBool) -> io::Result<()> {
        let guard = lock(&self.0);
        let Some(mut stream) = guard.as_ref() else {
            return Ok(()); // nobody connected: the bytes are lost, as on a real line
        };
        let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
        while !data.is_empty() {
            if stop.load(Ordering::Relaxed) {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "stopped"));
            }
            match stream.write(data) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => data = data.get(n..).unwrap_or(&[]),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------- memory

#[derive(Default)]
pub(crate) struct MemState {
    data: VecDeque<u8>,
    closed: bool,
    waker: Option<Waker>,
    deadline: Option<Instant>,
}

#[derive(Default)]
pub(crate) struct MemShared {
    state: Mutex<MemState>,
    cv: Condvar,
}

impl MemShared {
    pub fn close(&self) {
        let mut st = lock(&self.state);
        st.closed = true;
        if let Some(w) = st.waker.take() {
            w.wake();
        }
        self.cv.notify_all();
    }
}

/// The output side of a [`MemoryPort`], used by the output thread.
pub(crate) struct MemSink(pub Arc<MemShared>);

impl Sink for MemSink {
    fn write_all(&mut self, data: &[u8], _stop: &AtomicBool) -> io::Result<()> {
        let mut st = lock(&self.0.state);
        st.data.extend(data);
        if let Some(w) = st.waker.take() {
            w.wake();
        }
        self.0.cv.notify_all();
        Ok(())
    }

    fn tick(&mut self) {
        let mut st = lock(&self.0.state);
        if st.deadline.is_some_and(|d| Instant::now() >= d) {
            st.deadline = None;
            if let Some(w) = st.waker.take() {
                w.wake();
            }
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        lock(&self.0.state).deadline
    }

    fn close(&mut self) {
        self.0.close();
    }
}

/// Error of a [`MemoryPort`] operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryPortError {
    /// Nothing arrived within the port's time-out.
    TimedOut,
    /// The simulator is gone.
    Closed,
}

impl std::fmt::Display for MemoryPortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MemoryPortError::TimedOut => f.write_str("no data from the simulated module in time"),
            MemoryPortError::Closed => f.write_str("the simulated module is gone"),
        }
    }
}

impl std::error::Error for MemoryPortError {}

impl embedded_io::Error for MemoryPortError {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            MemoryPortError::TimedOut => embedded_io::ErrorKind::TimedOut,
            MemoryPortError::Closed => embedded_io::ErrorKind::BrokenPipe,
        }
    }
}

impl From<MemoryPortError> for io::Error {
    fn from(e: MemoryPortError) -> io::Error {
        let kind = match e {
            MemoryPortError::TimedOut => io::ErrorKind::TimedOut,
            MemoryPortError::Closed => io::ErrorKind::BrokenPipe,
        };
        io::Error::new(kind, e)
    }
}

/// The host end of an in-memory serial line to a simulated module.
///
/// Implements [`std::io::Read`]/[`Write`](std::io::Write), `embedded_io`'s
/// `Read`/`Write`/`ReadReady`/`WriteReady` and `embedded_io_async`'s
/// `Read`/`Write`. A read waits at most [`MemoryPort::timeout`] (default 5 s) for the
/// first byte, then fails with a time-out, so a client never hangs forever. Once
/// the simulator is shut down, reads return end-of-file (`Ok(0)`) and writes fail.
///
/// ```
/// use std::io::Write;
/// use std::time::Duration;
/// let (sim, mut port) = ml302_sim::Simulator::in_memory(ml302_sim::SimConfig::default())?;
/// port.write_all(b"AT\r\n")?;
/// let answer = port.read_until(b"\r\nOK\r\n", Duration::from_secs(5))?;
/// assert_eq!(answer, b"AT\r\r\nOK\r\n");
/// sim.shutdown();
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct MemoryPort {
    pub(crate) input: Sender<CoreEvent>,
    pub(crate) shared: Arc<MemShared>,
    pub(crate) poke: Sender<OutMsg>,
    pub(crate) timeout: Duration,
}

impl std::fmt::Debug for MemoryPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryPort")
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl MemoryPort {
    /// The read time-out.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets the read time-out.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sends bytes to the module.
    pub fn send(&self, bytes: &[u8]) -> Result<(), MemoryPortError> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.input
            .send(CoreEvent::Input(bytes.to_vec()))
            .map_err(|_| MemoryPortError::Closed)
    }

    /// Everything the module has sent so far that was not read yet (never waits).
    pub fn read_available(&mut self) -> Vec<u8> {
        lock(&self.shared.state).data.drain(..).collect()
    }

    /// Waits `duration`, then returns everything the module sent meanwhile (and
    /// before) that was not read yet.
    pub fn read_for(&mut self, duration: Duration) -> Vec<u8> {
        std::thread::sleep(duration);
        self.read_available()
    }

    /// Reads up to and including the first occurrence of `needle`, waiting at most
    /// `timeout`. On a time-out nothing is consumed and the error carries
    /// [`MemoryPortError::TimedOut`] (or `Closed` if the simulator is gone).
    pub fn read_until(&mut self, needle: &[u8], timeout: Duration) -> io::Result<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.shared.state);
        loop {
            let data = st.data.make_contiguous();
            if let Some(pos) = find(data, needle) {
                let end = pos + needle.len();
                return Ok(st.data.drain(..end).collect());
            }
            if st.closed {
                return Err(MemoryPortError::Closed.into());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(MemoryPortError::TimedOut.into());
            }
            st = self
                .shared
                .cv
                .wait_timeout(st, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn read_blocking(&mut self, buf: &mut [u8]) -> Result<usize, MemoryPortError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = Instant::now() + self.timeout;
        let mut st = lock(&self.shared.state);
        loop {
            if !st.data.is_empty() {
                return Ok(take_into(&mut st.data, buf));
            }
            if st.closed {
                return Ok(0);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(MemoryPortError::TimedOut);
            }
            st = self
                .shared
                .cv
                .wait_timeout(st, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn take_into(data: &mut VecDeque<u8>, buf: &mut [u8]) -> usize {
    let n = buf.len().min(data.len());
    for (dst, src) in buf.iter_mut().zip(data.drain(..n)) {
        *dst = src;
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Read for MemoryPort {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_blocking(buf).map_err(Into::into)
    }
}

impl Write for MemoryPort {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl embedded_io::ErrorType for MemoryPort {
    type Error = MemoryPortError;
}

impl embedded_io::Read for MemoryPort {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryPortError> {
        self.read_blocking(buf)
    }
}

impl embedded_io::ReadReady for MemoryPort {
    fn read_ready(&mut self) -> Result<bool, MemoryPortError> {
        let st = lock(&self.shared.state);
        Ok(!st.data.is_empty() || st.closed)
    }
}

impl embedded_io::Write for MemoryPort {
    fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryPortError> {
        self.send(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), MemoryPortError> {
        Ok(())
    }
}

impl embedded_io::WriteReady for MemoryPort {
    fn write_ready(&mut self) -> Result<bool, MemoryPortError> {
        Ok(true)
    }
}

impl embedded_io_async::Read for MemoryPort {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, MemoryPortError> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = Instant::now() + self.timeout;
        let shared = self.shared.clone();
        let poke = self.poke.clone();
        std::future::poll_fn(move |cx| {
            let mut st = lock(&shared.state);
            if !st.data.is_empty() {
                return Poll::Ready(Ok(take_into(&mut st.data, buf)));
            }
            if st.closed {
                return Poll::Ready(Ok(0));
            }
            if Instant::now() >= deadline {
                return Poll::Ready(Err(MemoryPortError::TimedOut));
            }
            st.waker = Some(cx.waker().clone());
            // The output thread wakes us at the deadline.
            st.deadline = Some(st.deadline.map_or(deadline, |d| d.min(deadline)));
            drop(st);
            let _ = poke.send(OutMsg::Poke);
            Poll::Pending
        })
        .await
    }
}

impl embedded_io_async::Write for MemoryPort {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, MemoryPortError> {
        self.send(buf)?;
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), MemoryPortError> {
        Ok(())
    }
}
