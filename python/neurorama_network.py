"""Example NEURON model shipped with Neurorama; run it with
    mpirun -n K nrniv -mpi -python neurorama_network.py
Settings come from the JSON object in NEURORAMA_PARAMS (all optional):
    mode      "ei" (default): a balanced E/I network of IntFire1 cells, 80 % excitatory, on a 3-D grid;
              "file": the model in `network`, a Neurorama model description (JSON, docs/NEURON_STREAM.md;
              written by `neurorama simulate MODEL --engine neuron` and `neurorama export MODEL
              --neuron-model DIR`): LIF cells with conductance, current or delta synapses as in Neurorama.
    cells     number of cells in "ei" mode (1,000 to millions; 10,000 by default)
    tstop     model time in ms (1000)
    seed      random seed (1)
    out       if set, each rank writes its spikes to OUT.rankR.txt ("gid time_ms" lines) at the end
    stream    0 to run without neurorama_stream even when NEURORAMA_STREAM is set
    timing    if set, rank 0 writes "run_wall_s=X build_wall_s=Y" to this file: the slowest rank's wall time
              of the run phase (psolve plus streaming, or psolve plus writing the spike files) and of building
The model runs the same with or without neurorama_stream installed.
"""
import json
import math
import os
import sys
import time

from neuron import h

t_start = time.perf_counter()

h.nrnmpi_init()
pc = h.ParallelContext()
rank, nhost = int(pc.id()), int(pc.nhost())
P = json.loads(os.environ.get("NEURORAMA_PARAMS", "{}") or "{}")
mode = P.get("mode", "ei")
tstop = float(P.get("tstop", 1000.0))
seed = int(P.get("seed", 1))

try:
    import neurorama_stream
except ImportError:
    neurorama_stream = None

keep = []  # every NEURON object that must live for the run
positions = {}


def owned(gids):
    return [g for g in gids if g % nhost == rank]


def build_ei(n):
    """Brunel-style balanced network: K = 100 inputs per cell (80 E, 20 I), g = 4, Poisson drive."""
    ne = int(round(0.8 * n))
    ce, ci = min(80, ne), min(20, n - ne)
    w, g, delay = 0.04, 4.5, 1.5
    side = max(1, int(round(n ** (1 / 3.0))))
    r = h.Random()
    cells = {}
    for gid in owned(range(n)):  # every cell of this rank first: gid_connect needs the output ports set up
        c = h.IntFire1()
        c.tau, c.refrac = 20.0, 2.0
        nc = h.NetCon(c, None)
        pc.set_gid2node(gid, rank)
        pc.cell(gid, nc)
        stim = h.NetStim()
        stim.interval, stim.number, stim.start, stim.noise = 2.0, 1e9, 0.0, 1.0  # 500 Hz external drive
        stim.noiseFromRandom123(gid, 1, seed)
        ns = h.NetCon(stim, c)
        ns.weight[0], ns.delay = 3 * w, 0.1
        keep.extend([c, nc, stim, ns])
        cells[gid] = c
        positions[gid] = (20.0 * (gid % side), 20.0 * ((gid // side) % side), 20.0 * (gid // (side * side)))
    for gid, c in cells.items():
        r.Random123(gid, 2, seed)
        r.discunif(0, ne - 1)
        for _ in range(ce):
            con = pc.gid_connect(int(r.repick()), c)
            con.weight[0], con.delay = w, delay
            keep.append(con)
        if ci:
            r.discunif(ne, n - 1)
            for _ in range(ci):
                con = pc.gid_connect(int(r.repick()), c)
                con.weight[0], con.delay = -g * w, delay
                keep.append(con)
    return n


def read_description(path):
    """A Neurorama model description (JSON, format "neurorama-model" version 1; docs/NEURON_STREAM.md)."""
    try:
        with open(path) as f:
            d = json.load(f)
    except ValueError as e:
        raise SystemExit("%s:%d: not valid JSON: %s" % (path, getattr(e, "lineno", 1), e))
    if not isinstance(d, dict) or d.get("format") != "neurorama-model":
        raise SystemExit("%s:1: not a Neurorama model description" % path)
    if d.get("version") != 1:
        raise SystemExit("%s:1: model description version %r; this script reads version 1" % (path, d.get("version")))
    return d


def assign_ranks(n, gaps):
    """Cells joined by gap junctions share a rank (they are coupled in one LinearMechanism)."""
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b, _ in gaps:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    comps = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(i)
    load = [0] * nhost
    owner = [0] * n
    for members in sorted(comps.values(), key=lambda m: (-len(m), m[0])):
        r = load.index(min(load))
        load[r] += len(members)
        for i in members:
            owner[i] = r
    return owner


E_CURRENT = 1e6  # mV: reversal of the ExpSyn that carries a current-based input (error below 1e-4)
DELTA_TAU = None  # ms: decay of the short current pulse that stands for a delta synapse (one step)


def build_file(path):
    """Cells as in Neurorama's simulator: tau dv/dt = (EL - v) + drive + inputs, a spike at vThresh clamps v
    to vReset for tRef. Inputs per channel: conductance_exp g (E - v) with g relative to the leak, current_exp an
    exponentially decaying current (mV), delta a jump of v (a short current pulse of the same charge)."""
    d = read_description(path)
    n = int(d["cells"])
    kinds = {k["name"]: k for k in d["cell_kinds"]}
    chans = d["channels"]
    chan_index = {c["name"]: i for i, c in enumerate(chans)}
    dt = float(d.get("dt_ms", 0.1))
    delta_tau = DELTA_TAU or dt
    pop_of = [None] * n
    start = 0
    for p in d["populations"]:
        k = kinds[p["kind"]]
        if k.get("type", "lif") != "lif":
            raise SystemExit("%s: population '%s' is %s; the NEURON model runs LIF cells" % (path, p["name"], k["type"]))
        if float(k.get("noiseSigma", 0)) > 0:
            raise SystemExit("%s: population '%s' has white-noise input, which the NEURON model does not run"
                             % (path, p["name"]))
        for i in range(start, start + int(p["size"])):
            pop_of[i] = k
        start += int(p["size"])
    # Cells joined by gap junctions share a rank.
    gap_pairs = []
    gj = d.get("gap_junctions")
    if gj:
        off, tg, gg = gj["offsets"], gj["targets"], gj["g"]
        for a in range(n):
            for k in range(off[a], off[a + 1]):
                if a < tg[k]:
                    gap_pairs.append((a, tg[k], gg[k]))
    owner = assign_ranks(n, gap_pairs)
    # Charge of a delta pulse over fixed steps: sum_k g0 q^k dt = g0 dt / (1 - q), q = exp(-dt / tau).
    q = math.exp(-dt / delta_tau)
    delta_gain = (1.0 - q) / dt  # times tau_m: the pulse amplitude per mV of jump

    def syn_weight(ch, w, cell):
        """NetCon weight (uS) for a Neurorama weight `w` on channel `ch` of `cell`."""
        c = chans[ch]
        G = cell[2]
        if c["type"] == "conductance_exp":
            return w * G
        if c["type"] == "current_exp":
            return w * G / E_CURRENT
        return w * cell[5] * delta_gain * G / E_CURRENT

    cells = {}
    for gid in range(n):
        if owner[gid] != rank:
            continue
        k = pop_of[gid]
        tau_m, v_rest, v_reset, v_th = float(k["tauM"]), float(k["vRest"]), float(k["vReset"]), float(k["vThresh"])
        t_ref, drive = float(k["tRef"]), float(k.get("drive", 0))
        sec = h.Section(name="cell%d" % gid)
        sec.L = sec.diam = math.sqrt(100.0 / math.pi)  # 100 um2
        sec.cm = 1.0
        sec.insert("pas")
        sec.g_pas = 1e-3 / tau_m
        sec.e_pas = v_rest
        G = sec.g_pas * h.area(0.5, sec=sec) * 1e-8 * 1e6  # leak conductance in uS
        syns = []
        for c in chans:
            s = h.ExpSyn(sec(0.5))
            if c["type"] == "conductance_exp":
                s.tau, s.e = float(c["tau_ms"]), float(c["erev_mV"])
            elif c["type"] == "current_exp":
                s.tau, s.e = float(c["tau_ms"]), E_CURRENT
            else:
                s.tau, s.e = delta_tau, E_CURRENT
            syns.append(s)
        ic = h.IClamp(sec(0.5))
        ic.delay, ic.dur, ic.amp = 0.0, 1e9, drive * G  # mV * uS = nA
        clamp = h.SEClamp(sec(0.5))
        clamp.dur1, clamp.amp1, clamp.rs = 0.0, v_reset, 1e-3
        nc = h.NetCon(sec(0.5)._ref_v, None, sec=sec)
        nc.threshold = v_th
        pc.set_gid2node(gid, rank)
        pc.cell(gid, nc)
        reset = h.NetCon(sec(0.5)._ref_v, None, sec=sec)
        reset.threshold = v_th

        def on_spike(clamp=clamp, t_ref=t_ref):
            clamp.dur1 = h.t + t_ref

        reset.record(on_spike)
        cell = (sec, syns, G, float(k["v0Min"]), float(k["v0Max"]), tau_m)
        cells[gid] = cell
        keep.extend([sec, syns, ic, clamp, nc, reset])
    pois = d.get("poisson")
    if pois:
        ch = chan_index[pois["channel"]]
        rates = pois["rate_hz"]
        for gid, cell in cells.items():
            rate = float(rates[gid] if isinstance(rates, list) else rates)
            if rate <= 0:
                continue
            stim = h.NetStim()
            stim.interval, stim.number, stim.start, stim.noise = 1000.0 / rate, 1e9, 0.0, 1.0
            stim.noiseFromRandom123(gid, 1, seed)
            ns = h.NetCon(stim, cell[1][ch])
            ns.weight[0], ns.delay = syn_weight(ch, float(pois["weight"]), cell), dt
            keep.extend([stim, ns])
    for table in d.get("connections", []):
        ch = chan_index[table["channel"]]
        off, src = table["offsets"], table["sources"]
        ws = table.get("weights")
        w0 = float(table.get("weight", 0.0))
        ds = table.get("delays_ms")
        # NEURON's spike exchange needs every delay between cells above dt: a one-step delay (as the simulator's
        # minimum) becomes 1.5 dt, delivered at the same step boundary.
        min_delay = 1.5 * dt
        d0 = max(float(table.get("delay_ms", dt)), min_delay)
        for dst, cell in cells.items():
            for k in range(off[dst], off[dst + 1]):
                con = pc.gid_connect(src[k], cell[1][ch])
                con.weight[0] = syn_weight(ch, float(ws[k]) if ws is not None else w0, cell)
                con.delay = max(float(ds[k]), min_delay) if ds is not None else d0
                keep.append(con)
    stim = d.get("stimulus")
    if stim and pois and stim.get("epochs"):
        # Extra Poisson input to an assembly during the epochs of its condition (the first cycle_length epochs
        # repeat every repeat_period_s): one NetStim per cell, switched on and off by events at the epoch edges.
        ch = chan_index[pois["channel"]]
        epochs = stim["epochs"]
        period = float(stim.get("repeat_period_s", 0)) * 1e3
        cycle = epochs[: int(stim.get("cycle_length", 0))] if period > 0 else []
        edges = [(float(e["start_s"]) * 1e3, float(e["stop_s"]) * 1e3, int(e["condition"])) for e in epochs]
        c = 1
        while cycle and period > 0 and c * period < tstop:
            edges += [(float(e["start_s"]) * 1e3 + c * period, float(e["stop_s"]) * 1e3 + c * period,
                       int(e["condition"])) for e in cycle]
            c += 1
        rate = float(stim["extra_rate_hz"])
        for cond, members in enumerate(stim["assemblies"]):
            times = [(a, b) for a, b, cc in edges if cc == cond and a < tstop]
            if rate <= 0 or not times:
                continue
            for gid in members:
                if gid not in cells:
                    continue
                cell = cells[gid]
                ns = h.NetStim()
                ns.interval, ns.number, ns.start, ns.noise = 1000.0 / rate, 1e9, -1.0, 1.0
                ns.noiseFromRandom123(gid, 4, seed)
                con = h.NetCon(ns, cell[1][ch])
                con.weight[0], con.delay = syn_weight(ch, float(pois["weight"]), cell), dt
                on, off = h.NetCon(None, ns), h.NetCon(None, ns)
                on.weight[0], off.weight[0] = 1.0, -1.0
                keep.extend([ns, con, on, off])
                stim_events.append((on, off, times))
    local = [(a, b, g) for a, b, g in gap_pairs if a in cells]
    if local:
        # Gap junctions as in Neurorama: i_a = g (v_b - v_a) from the potentials of the previous step, applied
        # through one current clamp per coupled cell, updated after every step (NumPy over all junctions).
        import numpy as np
        ids = sorted({x for a, b, _ in local for x in (a, b)})
        index = {gid: k for k, gid in enumerate(ids)}
        m = len(ids)
        rows = np.array([index[a] for a, b, _ in local] + [index[b] for a, b, _ in local], dtype=np.int64)
        cols = np.array([index[b] for a, b, _ in local] + [index[a] for a, b, _ in local], dtype=np.int64)
        gs = np.array([g * cells[a][2] for a, b, g in local] * 2)  # uS
        pv, pa = h.PtrVector(m), h.PtrVector(m)
        for k, gid in enumerate(ids):
            sec = cells[gid][0]
            gc = h.IClamp(sec(0.5))
            gc.delay, gc.dur, gc.amp = 0.0, 1e9, 0.0
            pv.pset(k, sec(0.5)._ref_v)
            pa.pset(k, gc._ref_amp)
            keep.append(gc)
        vv, amps = h.Vector(m), h.Vector(m)

        def gap_step():
            pv.gather(vv)
            v = vv.as_numpy()
            amps.as_numpy()[:] = np.bincount(rows, weights=gs * (v[cols] - v[rows]), minlength=m)  # nA
            pa.scatter(amps)

        cvode = h.CVode()
        cvode.extra_scatter_gather(0, gap_step)
        keep.extend([cvode, pv, pa, vv, amps, gap_step, rows, cols, gs])
    return n, cells, dt


stim_events = []  # (on NetCon, off NetCon, [(start_ms, stop_ms)]) queued after finitialize
if mode == "file":
    ncells, fcells, model_dt = build_file(P["network"])
    P.setdefault("dt", model_dt)
else:
    ncells = build_ei(int(P.get("cells", 10000)))
    fcells = None

pc.set_maxstep(10)
h.dt = float(P.get("dt", 0.1))

tvec, idvec = h.Vector(), h.Vector()
if P.get("out"):
    pc.spike_record(-1, tvec, idvec)
h.finitialize(-60.0 if fcells is not None else 0.0)
if fcells:
    rr = h.Random()
    for gid, (sec, _, _, lo, hi, _) in fcells.items():
        if hi > lo:
            rr.Random123(gid, 3, seed)
            sec.v = rr.uniform(lo, hi)
        else:
            sec.v = lo
    h.fcurrent()
for on, off, times in stim_events:
    for a, b in times:
        on.event(a)
        off.event(b)

t_run = time.perf_counter()
stream = None
if neurorama_stream is not None and int(P.get("stream", 1)) and os.environ.get("NEURORAMA_STREAM"):
    # With `out`, the model records every spike itself; the stream reads the same vectors.
    own = {"tvec": tvec, "idvec": idvec} if P.get("out") else {}
    stream = neurorama_stream.Stream(pc, ncells=ncells, tstop=tstop, model=os.path.basename(P.get("network", "ei")),
                                     **own)
    if positions:
        gids = sorted(positions)
        stream.set_positions(gids, [positions[g] for g in gids])
if stream is not None:
    stream.run(tstop)
    stream.close()
else:
    pc.psolve(tstop)

if P.get("out"):
    with open("%s.rank%d.txt" % (P["out"], rank), "w") as f:
        f.writelines("%d %.17g\n" % (int(g), t) for g, t in zip(idvec, tvec))
t_end = time.perf_counter()
run_wall = pc.allreduce(t_end - t_run, 2)  # the slowest rank sets the pace
build_wall = pc.allreduce(t_run - t_start, 2)
if P.get("timing") and rank == 0:
    with open(P["timing"], "w") as f:
        f.write("run_wall_s=%.6f build_wall_s=%.6f\n" % (run_wall, build_wall))
pc.barrier()
pc.done()
h.quit()
