"""Stream a NEURON run's spikes to Neurorama while it runs.

Wire format: docs/NEURON_STREAM.md (version 1). Each MPI rank opens its own TCP connection and sends the
spikes of the cells it owns, every `interval_ms` of model time. The model never waits on the viewer longer
than `max_wait_ms` per interval: when the viewer is slow, whole display batches are dropped, counted and
reported; spike files the model writes itself are not affected.

Use:
    import neurorama_stream
    stream = neurorama_stream.Stream(pc, ncells=N, tstop=T)   # address from NEURORAMA_STREAM, or none
    stream.run(T)      # instead of pc.psolve(T): runs in chunks of interval_ms and streams
    stream.close()

Without NEURORAMA_STREAM (and no `address`), `run` is just `pc.psolve` and nothing is sent.
"""

import collections
import os
import random
import select
import socket
import struct
import sys
import time

try:
    import numpy as _np
except ImportError:  # the module works without NumPy, only slower
    _np = None

VERSION = 1
MAGIC = b"NR"
HELLO, SPIKES, HEARTBEAT, END, POSITIONS = 1, 2, 3, 4, 5
_HEADER = struct.Struct("<2sBBI")  # magic, version, frame type, payload bytes
_SPIKES_HEAD = struct.Struct("<IQddQI")  # rank, seq, t_from, t_to, dropped batches so far, count
_HEARTBEAT = struct.Struct("<IdQ")  # rank, model time, dropped batches so far
_END = struct.Struct("<IQdQQ")  # rank, last seq, model time, spikes recorded, dropped batches
MAX_SPIKES_PER_FRAME = 1 << 20
_NOSIGNAL = getattr(socket, "MSG_NOSIGNAL", 0)  # a closed viewer is an error code, not SIGPIPE


def frame(kind, payload):
    """One frame: the 8-byte header (magic "NR", version, type, payload length) and the payload."""
    return _HEADER.pack(MAGIC, VERSION, kind, len(payload)) + payload


def _text(s):
    b = s.encode("utf-8")[:65535]
    return struct.pack("<H", len(b)) + b


def hello_payload(rank, nranks, run_id, ncells, tstop, interval, token="", model=""):
    return struct.pack("<HIIQIdd", VERSION, rank, nranks, run_id, ncells, tstop, interval) + _text(token) + _text(model)


def spikes_payload(rank, seq, t_from, t_to, dropped, gids, times):
    """gids and times: equal-length sequences (gid as unsigned 32-bit, time in ms as float64)."""
    n = len(gids)
    head = _SPIKES_HEAD.pack(rank, seq, t_from, t_to, dropped, n)
    if _np is not None:
        rec = _np.empty(n, dtype=[("gid", "<u4"), ("t", "<f8")])
        rec["gid"] = gids
        rec["t"] = times
        return head + rec.tobytes()
    return head + b"".join(struct.pack("<Id", int(g), float(t)) for g, t in zip(gids, times))


class Stream:
    def __init__(self, pc, address=None, token=None, interval_ms=None, max_wait_ms=20.0,
                 buffer_bytes=64 << 20, resend_bytes=16 << 20, ncells=0, tstop=0.0, model="", run_id=None,
                 tvec=None, idvec=None):
        """tvec, idvec: the model's own pc.spike_record(-1, tvec, idvec) vectors, if it records all spikes
        itself (NEURON keeps one such pair); the stream then reads them without changing them."""
        from neuron import h
        self.h = h
        self.pc = pc
        self.rank = int(pc.id())
        self.nranks = int(pc.nhost())
        address = address if address is not None else os.environ.get("NEURORAMA_STREAM")
        token = token if token is not None else os.environ.get("NEURORAMA_TOKEN", "")
        if interval_ms is None:
            interval_ms = float(os.environ.get("NEURORAMA_INTERVAL_MS", "10"))
        self.interval = float(interval_ms)
        self.max_wait = max_wait_ms / 1e3
        self.buffer_bytes = buffer_bytes
        self.resend_bytes = resend_bytes
        self.token = token
        self.model = model
        self.ncells = int(ncells)
        self.tstop = float(tstop)
        if run_id is None:
            run_id = int(os.environ.get("NEURORAMA_RUN_ID", "0"))
            if run_id == 0:  # one id for every rank of this run
                run_id = int(pc.allreduce(float(random.getrandbits(48) + 1), 2))
        self.run_id = run_id
        self.enabled = bool(address)
        self.seq = 0
        self.dropped = 0
        self.recorded = 0
        self.sent_spikes = 0
        self.t_sent = 0.0
        self.sock = None
        self.out = bytearray()
        self.resend = collections.deque()  # (seq, frame bytes) of recent batches, replayed after a reconnect
        self.resend_size = 0
        self.next_connect = 0.0
        self.warned = False
        self.positions = None
        self.end_frame = None
        self.own = tvec is None
        self.tvec = h.Vector() if self.own else tvec
        self.idvec = h.Vector() if self.own else idvec
        self.read_at = 0
        if self.enabled:
            host, _, port = address.rpartition(":")
            self.addr = (host or "127.0.0.1", int(port))
            if self.own:
                pc.spike_record(-1, self.tvec, self.idvec)
            self._connect()

    # Optional: positions (um) of this rank's cells, sent once after each hello for the 3-D view.
    def set_positions(self, gids, xyz):
        self.positions = (list(gids), list(xyz))
        if self.sock is not None:  # already connected: send them now (a reconnect sends them again)
            self.out += self._positions_frame()

    def _positions_frame(self):
        gids, xyz = self.positions
        parts = [struct.pack("<II", self.rank, len(gids))]
        parts += [struct.pack("<Ifff", int(g), *map(float, p)) for g, p in zip(gids, xyz)]
        return frame(POSITIONS, b"".join(parts))

    def _connect(self):
        now = time.monotonic()
        if now < self.next_connect:
            return False
        self.next_connect = now + 1.0
        try:
            s = socket.create_connection(self.addr, timeout=0.5)
        except OSError as e:
            if not self.warned:
                sys.stderr.write("neurorama_stream: rank %d cannot reach %s:%d (%s); the run goes on\n"
                                 % (self.rank, self.addr[0], self.addr[1], e))
                self.warned = True
            return False
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.out = bytearray(frame(HELLO, hello_payload(self.rank, self.nranks, self.run_id, self.ncells,
                                                         self.tstop, self.interval, self.token, self.model)))
        if self.positions:
            self.out += self._positions_frame()
        for _, f in self.resend:  # the receiver drops the sequence numbers it already has
            self.out += f
        if self.end_frame is not None:
            self.out += self.end_frame
        return True

    def _lost(self):
        try:
            self.sock.close()
        except OSError:
            pass
        self.sock = None
        self.out = bytearray()

    def _pump(self, wait):
        """Send what the socket takes, waiting at most `wait` seconds in all."""
        deadline = time.monotonic() + wait
        while self.sock is not None and self.out:
            try:
                n = self.sock.send(self.out, _NOSIGNAL)
                del self.out[:n]
                continue
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self._lost()
                return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                select.select([], [self.sock], [], left)
            except (OSError, ValueError):
                self._lost()
                return

    def _queue(self, f, seq=None):
        if self.sock is None and not self._connect():
            pass
        if seq is not None:
            self.resend.append((seq, f))
            self.resend_size += len(f)
            while self.resend_size > self.resend_bytes and len(self.resend) > 1:
                self.resend_size -= len(self.resend.popleft()[1])
        if self.sock is not None:
            self.out += f

    def _say_dropped(self):
        if self.dropped in (1, 10, 100, 1000) or self.dropped % 10000 == 0:
            sys.stderr.write("neurorama_stream: rank %d: the viewer is slow, %d display batches dropped so far "
                             "(the run and its spike files are not affected)\n" % (self.rank, self.dropped))

    def collect(self, t):
        """Send the spikes recorded since the last call, up to model time t (ms)."""
        if not self.enabled:
            return
        a0, end = self.read_at, int(self.tvec.size())
        n = end - a0
        if _np is not None:
            times = self.tvec.as_numpy()[a0:end].copy()
            gids = self.idvec.as_numpy()[a0:end].astype("<u4")
        else:
            times = list(self.tvec)[a0:end]
            gids = [int(g) for g in list(self.idvec)[a0:end]]
        if self.own:  # ours: keep memory flat over long runs
            self.tvec.resize(0)
            self.idvec.resize(0)
        else:
            self.read_at = end
        self.recorded += n
        if self.sock is None:
            self._connect()
        if self.sock is not None and len(self.out) > self.buffer_bytes:
            self.dropped += 1
            self._say_dropped()
            self._queue(frame(HEARTBEAT, _HEARTBEAT.pack(self.rank, t, self.dropped)))
        else:
            for a in range(0, max(n, 1), MAX_SPIKES_PER_FRAME):
                b = min(n, a + MAX_SPIKES_PER_FRAME)
                self.seq += 1
                t_to = max(t, self.t_sent) if b == n else max(float(times[b - 1]), self.t_sent)
                f = frame(SPIKES, spikes_payload(self.rank, self.seq, self.t_sent, t_to, self.dropped,
                                                 gids[a:b], times[a:b]))
                self._queue(f, self.seq)
                self.t_sent = t_to
            self.sent_spikes += n
        self._pump(self.max_wait)

    def run(self, tstop, psolve=None):
        """Run to tstop (ms) in steps of interval_ms, streaming after each; pc.psolve(tstop) when disabled."""
        solve = psolve or self.pc.psolve
        if not self.enabled:
            solve(tstop)
            return
        t = self.h.t
        while t < tstop - 1e-9:
            t = min(t + self.interval, tstop)
            solve(t)
            self.collect(t)

    def close(self, wait_s=10.0):
        """Send end-of-run and flush (at most wait_s seconds), then close."""
        if not self.enabled:
            return
        self.collect(self.h.t)
        self.end_frame = frame(END, _END.pack(self.rank, self.seq, self.h.t, self.recorded, self.dropped))
        self._queue(self.end_frame)
        deadline = time.monotonic() + wait_s
        # A lost connection has nothing queued: reconnect (hello, the kept batches and the end of the run)
        # until everything is sent or the time is up.
        while time.monotonic() < deadline:
            if self.sock is None and not self._connect():
                time.sleep(0.05)
                continue
            if not self.out:
                break
            self._pump(0.1)
        if self.sock is None or self.out:
            sys.stderr.write("neurorama_stream: rank %d could not deliver the end of the run within %g s\n"
                             % (self.rank, wait_s))
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_WR)
                self.sock.settimeout(1.0)
                self.sock.recv(1)  # wait for the receiver to close (it has read everything)
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        if self.dropped:
            sys.stderr.write("neurorama_stream: rank %d dropped %d display batches in all\n"
                             % (self.rank, self.dropped))
