"""Example NEURON model shipped with Neurorama; run it with
    mpirun -n K nrniv -mpi -python neurorama_network.py
Settings come from the JSON object in NEURORAMA_PARAMS (all optional):
    mode      "ei" (default): a balanced E/I network of IntFire1 cells, 80 % excitatory, on a 3-D grid;
              "file": the network in `network` (a Neurorama network file, written by
              `neurorama simulate MODEL --engine neuron`), conductance-based LIF cells as in Neurorama.
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


def read_network(path):
    net = {"pops": [], "channels": [], "syn": [], "gap": [], "poisson": None, "delay": 1.0, "n": 0}
    with open(path) as f:
        first = f.readline().split()
        if first[:2] != ["neurorama-network", "1"]:
            raise SystemExit("%s:1: not a Neurorama network file (version 1)" % path)
        for ln, line in enumerate(f, 2):
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            k = w[0]
            try:
                if k == "n":
                    net["n"] = int(w[1])
                elif k == "population":
                    net["pops"].append([int(w[1]), int(w[2])] + [float(x) for x in w[3:11]])
                elif k == "channel":
                    net["channels"].append((w[1], float(w[2]), float(w[3])))
                elif k == "poisson":
                    net["poisson"] = (int(w[1]), float(w[2]), float(w[3]))
                elif k == "delay":
                    net["delay"] = float(w[1])
                elif k == "syn":
                    net["syn"].append((int(w[1]), int(w[2]), int(w[3]), float(w[4])))
                elif k == "gap":
                    net["gap"].append((int(w[1]), int(w[2]), float(w[3])))
            except (IndexError, ValueError):
                raise SystemExit("%s:%d: malformed line" % (path, ln))
    return net


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


def build_file(path):
    """Conductance-based LIF as in Neurorama: tau dv/dt = (EL - v) + drive + sum_c g_c (E_c - v), g relative to
    the leak; a spike at vThresh clamps v to vReset for tRef."""
    net = read_network(path)
    n = net["n"]
    owner = assign_ranks(n, net["gap"])
    cells = {}
    pop_of = [None] * n
    for p in net["pops"]:
        for i in range(p[0], p[0] + p[1]):
            pop_of[i] = p
    r = h.Random()
    for gid in range(n):
        if owner[gid] != rank:
            continue
        start, size, tau_m, v_rest, v_reset, v_th, t_ref, drive, v0lo, v0hi = pop_of[gid]
        sec = h.Section(name="cell%d" % gid)
        sec.L = sec.diam = math.sqrt(100.0 / math.pi)  # 100 um2
        sec.cm = 1.0
        sec.insert("pas")
        sec.g_pas = 1e-3 / tau_m
        sec.e_pas = v_rest
        G = sec.g_pas * h.area(0.5, sec=sec) * 1e-8 * 1e6  # leak conductance in uS
        syns = []
        for _, tau, erev in net["channels"]:
            s = h.ExpSyn(sec(0.5))
            s.tau, s.e = tau, erev
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
        cells[gid] = (sec, syns, G, v0lo, v0hi)
        keep.extend([sec, syns, ic, clamp, nc, reset])
        if net["poisson"] is not None:
            ch, weight, rate = net["poisson"]
            if rate > 0:
                stim = h.NetStim()
                stim.interval, stim.number, stim.start, stim.noise = 1000.0 / rate, 1e9, 0.0, 1.0
                stim.noiseFromRandom123(gid, 1, seed)
                ns = h.NetCon(stim, syns[ch])
                ns.weight[0], ns.delay = weight * G, 0.1
                keep.extend([stim, ns])
    for ch, src, dst, w in net["syn"]:
        if dst in cells:
            _, syns, G, _, _ = cells[dst]
            con = pc.gid_connect(src, syns[ch])
            con.weight[0], con.delay = w * G, net["delay"]
            keep.append(con)
    local = [(a, b, g) for a, b, g in net["gap"] if a in cells]
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
    return n, cells


if mode == "file":
    ncells, fcells = build_file(P["network"])
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
    for gid, (sec, _, _, lo, hi) in fcells.items():
        if hi > lo:
            rr.Random123(gid, 3, seed)
            sec.v = rr.uniform(lo, hi)
        else:
            sec.v = lo
    h.fcurrent()

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
