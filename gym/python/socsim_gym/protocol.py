"""Client side of the ``socsim serve`` wire protocol (gym/PROTOCOL.md).

Only the standard library and numpy are used here, so this module can also
drive the server outside Gymnasium.  Three layers:

* :class:`Connection` -- one stream socket, the framing (``u32 L | u32 J |
  JSON | binary tail``), request/reply pairing and error replies.
* :class:`Server` -- a ``socsim serve`` child process started by the client;
  it prints its address on the first line of stdout.
* :class:`Session` -- a connection plus, optionally, the server it spawned;
  it can reconnect (respawning its own server) after the link broke.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import weakref
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

PROTOCOL_VERSION = 1
CLIENT_NAME = "socsim_gym"

_HEADER = struct.Struct(">II")
# Replies can be large (step_many of many envs); the cap guards against a
# corrupted length field making us allocate gigabytes.
_MAX_REPLY = 1 << 30


class SocSimError(RuntimeError):
    """Base class of every error raised by socsim_gym."""


class ServerError(SocSimError):
    """The server answered a request with ``{"ok": false, "error": ...}``.

    ``code`` is the symbolic ``soc_status_t`` name (``"SOC_EINVAL"`` ...),
    ``status`` its numeric value, ``msg`` the server's explanation.
    """

    def __init__(self, code: str, status: int, msg: str, cmd: str = ""):
        self.code = code
        self.status = status
        self.msg = msg
        self.cmd = cmd
        where = f" ({cmd})" if cmd else ""
        super().__init__(f"socsim server error{where}: {code}: {msg}")


class ProtocolError(SocSimError):
    """The server sent something that does not follow gym/PROTOCOL.md."""


class ConnectionLost(SocSimError, ConnectionError):
    """The connection broke: EOF, reset, or no reply within the timeout."""


class ServerStartError(SocSimError):
    """``socsim serve`` could not be started or did not print its address."""


def find_socsim(socsim: Optional[str] = None) -> str:
    """Path of the socsim executable: the argument, else ``$SOCSIM``, else PATH."""
    for cand in (socsim, os.environ.get("SOCSIM")):
        if cand:
            if os.path.isfile(cand) and os.access(cand, os.X_OK):
                return os.path.abspath(cand)
            found = shutil.which(cand)
            if found:
                return found
            raise ServerStartError(f"socsim executable not found or not executable: {cand!r}")
    found = shutil.which("socsim")
    if found:
        return found
    raise ServerStartError(
        "socsim executable not found: pass socsim=PATH, set the SOCSIM environment "
        "variable, or put socsim on PATH (or give address= of a running `socsim serve`)")


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if k == 0:
            raise ConnectionLost("the socsim server closed the connection")
        got += k
    return bytes(buf)


def encode_frame(obj: Dict[str, Any]) -> bytes:
    """One request frame (no binary tail)."""
    body = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return _HEADER.pack(4 + len(body), len(body)) + body


def decode_body(body: bytes, json_len: int) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
    """Split a frame body into its JSON header and the arrays of its tail.

    Arrays are returned as writable native-endian copies, so callers may keep
    or modify them without aliasing the receive buffer.
    """
    if json_len > len(body):
        raise ProtocolError(f"reply header length {json_len} exceeds frame length {len(body)}")
    try:
        hdr = json.loads(body[:json_len].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ProtocolError(f"reply header is not JSON: {e}") from None
    if not isinstance(hdr, dict):
        raise ProtocolError("reply header is not a JSON object")
    tail = memoryview(body)[json_len:]
    arrays: Dict[str, np.ndarray] = {}
    for name, d in (hdr.get("tail") or {}).items():
        try:
            dtype = np.dtype(d["dtype"])
            shape = tuple(int(s) for s in d["shape"])
            off = int(d["off"])
        except (KeyError, TypeError, ValueError) as e:
            raise ProtocolError(f"bad tail descriptor for {name!r}: {d!r}") from e
        count = int(np.prod(shape)) if shape else 1
        if off < 0 or off + count * dtype.itemsize > len(tail):
            raise ProtocolError(f"tail array {name!r} lies outside the reply")
        arr = np.frombuffer(tail, dtype=dtype, count=count, offset=off).reshape(shape)
        arrays[name] = arr.astype(dtype.newbyteorder("="), copy=True)
    return hdr, arrays


def parse_address(address: Any) -> Tuple[int, Any]:
    """(socket family, sockaddr) of ``unix:PATH``, ``tcp:HOST:PORT``, a path or (host, port)."""
    if isinstance(address, (tuple, list)) and len(address) == 2:
        return socket.AF_INET, (str(address[0]), int(address[1]))
    if not isinstance(address, (str, os.PathLike)):
        raise ValueError(f"bad socsim server address {address!r}")
    text = os.fspath(address)
    if text.startswith("unix:"):
        return socket.AF_UNIX, text[5:]
    if text.startswith("tcp:"):
        host, sep, port = text[4:].rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"bad TCP address {text!r}: expected tcp:HOST:PORT")
        return socket.AF_INET6 if ":" in host else socket.AF_INET, (host.strip("[]"), int(port))
    return socket.AF_UNIX, text


class Connection:
    """One connection to a ``socsim serve`` process.

    Requests are answered strictly in order; :meth:`call` sends one request
    and waits for its reply, :meth:`call_many` pipelines several.  Every
    request carries a ``seq`` number that the reply must echo.  Any socket
    failure or timeout closes the connection and raises
    :class:`ConnectionLost` (the byte stream cannot be trusted afterwards).
    """

    def __init__(self, address: Any, timeout: Optional[float] = 30.0):
        family, sockaddr = parse_address(address)
        self.address = address
        self.timeout = timeout
        self._seq = 0
        self._sock: Optional[socket.socket] = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._sock.settimeout(timeout)
            if family != socket.AF_UNIX:
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock.connect(sockaddr)
        except OSError as e:
            self._sock.close()
            self._sock = None
            raise ConnectionLost(f"cannot connect to the socsim server at {address}: {e}") from None
        self.hello = self.call({"cmd": "hello", "version": PROTOCOL_VERSION,
                                "client": f"{CLIENT_NAME}"})[0]
        if self.hello.get("protocol") != PROTOCOL_VERSION:
            self.close()
            raise ProtocolError(f"server speaks protocol {self.hello.get('protocol')!r}, "
                                f"this client {PROTOCOL_VERSION}")
        self.limits: Dict[str, Any] = dict(self.hello.get("limits") or {})

    @property
    def closed(self) -> bool:
        return self._sock is None

    def call(self, request: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
        """Send one request, return (header, arrays) of its reply.

        Raises :class:`ServerError` for an error reply, :class:`ConnectionLost`
        when the link broke, :class:`ProtocolError` for a malformed reply.
        """
        return self.call_many([request])[0]

    def call_many(self, requests: Sequence[Dict[str, Any]]
                  ) -> List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]:
        """Pipeline requests: send all, then read all replies (one round trip).

        If one reply is an error, the remaining replies are still read (to
        keep the stream in step) and the first error is raised.
        """
        return self.recv_many(self.send_many(requests))

    def send_many(self, requests: Sequence[Dict[str, Any]]) -> List[Tuple[Dict[str, Any], int]]:
        """First half of :meth:`call_many`: send the requests, return what
        :meth:`recv_many` needs to read their replies.  Between the two, a
        client may send to other servers, so that they all work at once."""
        if self._sock is None:
            raise ConnectionLost("the connection to the socsim server is closed")
        frames = []
        pending = []
        for req in requests:
            self._seq += 1
            pending.append((req, self._seq))
            frames.append(encode_frame(dict(req, seq=self._seq)))
        try:
            self._sock.sendall(b"".join(frames))
        except socket.timeout:
            self.close()
            raise ConnectionLost(f"the socsim server took no request within {self.timeout} s") from None
        except OSError as e:
            self.close()
            raise ConnectionLost(f"connection to the socsim server failed: {e}") from None
        return pending

    def recv_many(self, pending: Sequence[Tuple[Dict[str, Any], int]]
                  ) -> List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]:
        """Second half of :meth:`call_many`: the replies, in order."""
        if self._sock is None:
            raise ConnectionLost("the connection to the socsim server is closed")
        replies = []
        first_error: Optional[ServerError] = None
        try:
            for req, seq in pending:
                hdr, arrays = self._recv()
                if hdr.get("seq", seq) != seq:
                    raise ProtocolError(f"reply seq {hdr.get('seq')} does not match request seq {seq}")
                if hdr.get("ok") is not True:
                    err = hdr.get("error") or {}
                    if first_error is None:
                        first_error = ServerError(str(err.get("code", "?")), int(err.get("status", 0)),
                                                  str(err.get("msg", "")), str(req.get("cmd", "")))
                replies.append((hdr, arrays))
        except socket.timeout:
            self.close()
            raise ConnectionLost(f"no reply from the socsim server within {self.timeout} s") from None
        except ConnectionLost:
            self.close()
            raise
        except OSError as e:
            self.close()
            raise ConnectionLost(f"connection to the socsim server failed: {e}") from None
        except ProtocolError:
            self.close()
            raise
        if first_error is not None:
            raise first_error
        return replies

    def _recv(self) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
        assert self._sock is not None
        total, json_len = _HEADER.unpack(_recv_exact(self._sock, 8))
        if total < 4 or total > _MAX_REPLY:
            raise ProtocolError(f"bad reply frame length {total}")
        body = _recv_exact(self._sock, total - 4)
        return decode_body(body, json_len)

    def close(self, polite: bool = False) -> None:
        """Close the socket (after a ``bye`` when polite).  Idempotent."""
        sock, self._sock = self._sock, None
        if sock is None:
            return
        if polite:
            try:
                sock.settimeout(min(self.timeout or 2.0, 2.0))
                self._seq += 1
                sock.sendall(encode_frame({"cmd": "bye", "seq": self._seq}))
                total, _ = _HEADER.unpack(_recv_exact(sock, 8))
                _recv_exact(sock, total - 4)
            except (OSError, SocSimError, struct.error):
                pass
        sock.close()


def _stop_process(proc: subprocess.Popen, stderr_file) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    if stderr_file is not None:
        stderr_file.close()


class Server:
    """A ``socsim serve`` child process.

    Args:
        socsim: path of the executable (default: ``$SOCSIM`` or PATH).
        once: pass ``--once`` (the server exits when its first connection
            closes), right for a server private to one client.
        args: extra command-line arguments (e.g. ``["--tcp", "0"]``).
        startup_timeout: seconds to wait for the address line.
        cwd: working directory of the server (relative paths in configs are
            resolved against it); default: the current directory.

    The process is stopped by :meth:`close`, and also when this object is
    garbage collected or the interpreter exits.
    """

    def __init__(self, socsim: Optional[str] = None, once: bool = True,
                 args: Iterable[str] = (), startup_timeout: float = 30.0,
                 cwd: Optional[str] = None):
        exe = find_socsim(socsim)
        self.cmd = [exe, "serve"] + (["--once"] if once else []) + [str(a) for a in args]
        # stderr goes to a file, not a pipe: a chatty server must never block
        # on a full pipe nobody reads, and the text is there for error reports.
        self._stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=self._stderr, cwd=cwd, close_fds=True)
        except OSError as e:
            self._stderr.close()
            raise ServerStartError(f"cannot start {self.cmd}: {e}") from None
        self._finalizer = weakref.finalize(self, _stop_process, self.proc, self._stderr)
        try:
            self.address = self._read_address(startup_timeout)
        except BaseException:
            self.close()
            raise

    def _read_address(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerStartError(f"{self.cmd} printed no address within {timeout} s"
                                       f"{self._stderr_suffix()}")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                code = self.proc.wait()
                raise ServerStartError(f"{self.cmd} exited ({_describe_exit(code)}) before "
                                       f"printing its address{self._stderr_suffix()}")
            line += chunk
        text = line.decode("utf-8", "replace").strip()
        if not (text.startswith("unix:") or text.startswith("tcp:")):
            raise ServerStartError(f"{self.cmd} printed {text!r}, expected unix:PATH or tcp:HOST:PORT")
        return text

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_text(self, limit: int = 2000) -> str:
        """The last `limit` characters the server wrote to stderr."""
        try:
            self._stderr.flush()
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - limit))
            return self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def _stderr_suffix(self) -> str:
        text = self.stderr_text().strip()
        return f"; its stderr:\n{text}" if text else ""

    def describe_death(self, wait: float = 0.5) -> str:
        """Why the server is gone ("" if it still runs after `wait` s)."""
        try:
            code = self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return ""
        return f"socsim server (pid {self.proc.pid}) {_describe_exit(code)}{self._stderr_suffix()}"

    def close(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s).  Idempotent."""
        self._finalizer()


def _describe_exit(code: int) -> str:
    if code < 0:
        return f"was killed by signal {-code}"
    return f"exited with status {code}"


class Session:
    """A connection to a server, spawning a private server when no address is given.

    Args:
        address: ``unix:PATH``, ``tcp:HOST:PORT`` (what ``socsim serve``
            prints), a socket path, or None to start a private server.
        socsim: executable for the private server.
        timeout: seconds to wait for any reply.
        server_args: extra arguments for the private server.
    """

    def __init__(self, address: Any = None, socsim: Optional[str] = None,
                 timeout: Optional[float] = 30.0, server_args: Iterable[str] = ()):
        self._address = address
        self._socsim = socsim
        self._server_args = list(server_args)
        self.timeout = timeout
        self.server: Optional[Server] = None
        self.conn: Optional[Connection] = None
        self.connect()

    @property
    def owns_server(self) -> bool:
        return self._address is None

    def connect(self) -> None:
        """(Re)connect; a private server is restarted if needed."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        address = self._address
        if address is None:
            # A --once server exits once its connection is gone, so a new
            # connection always needs a new server.
            if self.server is not None:
                self.server.close()
                self.server = None
            self.server = Server(self._socsim, once=True, args=self._server_args)
            address = self.server.address
        self.conn = Connection(address, self.timeout)

    def call(self, request: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
        return self.call_many([request])[0]

    def call_many(self, requests: Sequence[Dict[str, Any]]
                  ) -> List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]:
        return self.recv_many(self.send_many(requests))

    def send_many(self, requests: Sequence[Dict[str, Any]]) -> Any:
        """Send without waiting (see :meth:`Connection.send_many`)."""
        if self.conn is None or self.conn.closed:
            raise ConnectionLost("not connected to a socsim server")
        with self._why_lost():
            return self.conn.send_many(requests)

    def recv_many(self, pending: Any) -> List[Tuple[Dict[str, Any], Dict[str, np.ndarray]]]:
        if self.conn is None or self.conn.closed:
            raise ConnectionLost("not connected to a socsim server")
        with self._why_lost():
            return self.conn.recv_many(pending)

    @contextlib.contextmanager
    def _why_lost(self):
        try:
            yield
        except ConnectionLost as e:
            why = self.server.describe_death() if self.server is not None else ""
            where = f" at {self._address}" if self._address is not None else ""
            if why or where:
                raise ConnectionLost(f"{e}{where}{': ' + why if why else ''}") from None
            raise

    def close(self) -> None:
        """Say bye, close the connection and stop a private server.  Idempotent."""
        if self.conn is not None:
            self.conn.close(polite=True)
            self.conn = None
        if self.server is not None:
            self.server.close()
            self.server = None
