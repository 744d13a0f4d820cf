"""Peer of bench_fc: all-pairs Pearson r per sliding window in NumPy, three ways a NumPy user writes it.

usage: fc_numpy.py DATA.npy WINDOW STEP [--threads N] [--reps R] [--out OUT.npy]
DATA.npy is neurons x time (float64). OUT.npy gets windows x pairs (upper triangle, np.triu_indices order)
from np.corrcoef.

Variants, each timed R times (median printed):
  corrcoef  np.corrcoef per window
  zscore    each window centred and scaled once, then one matrix product per window (z @ z.T)
  running   block cross-products (blocks of gcd(WINDOW, STEP) samples, one matrix product per block), the
            window's sums kept by adding the entering block and subtracting the leaving one, r from the sums
The zscore and running results must agree with corrcoef's within 1e-9 (exit 3 otherwise).
Prints key=value lines: peer_blas (the BLAS library file actually loaded), peer_blas_kernel, peer_threads,
<variant>_s for each variant, best_variant and best_s.
"""
import argparse
import math
import statistics
import sys
import time

import numpy as np

import peer_blas


def corrcoef_windows(x, window, step, windows, iu, out):
    for w in range(windows):
        out[w] = np.corrcoef(x[:, w * step : w * step + window])[iu]


def zscore_windows(x, window, step, windows, iu, out):
    for w in range(windows):
        xw = x[:, w * step : w * step + window]
        z = xw - xw.mean(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            z /= np.sqrt(np.einsum("ij,ij->i", z, z))[:, None]
        c = z @ z.T
        np.clip(c, -1.0, 1.0, out=c)
        out[w] = c[iu]


def running_windows(x, window, step, windows, iu, out):
    n = x.shape[0]
    g = math.gcd(window, step)
    m, q = window // g, step // g
    xc = x - x.mean(axis=1, keepdims=True)  # global centring keeps the sums small
    ring = np.empty((m, n, n))
    ring_s = np.empty((m, n))
    S = np.zeros((n, n))
    s = np.zeros(n)
    nxt = 0  # next block to enter
    for w in range(windows):
        first = w * q
        refresh = w % 64 == 0
        while nxt < first + m:
            slot = nxt % m
            if nxt >= m and not refresh:
                S -= ring[slot]
                s -= ring_s[slot]
            blk = xc[:, nxt * g : (nxt + 1) * g]
            np.matmul(blk, blk.T, out=ring[slot])
            ring_s[slot] = blk.sum(axis=1)
            if not refresh:
                S += ring[slot]
                s += ring_s[slot]
            nxt += 1
        if refresh:
            S = ring.sum(axis=0)
            s = ring_s.sum(axis=0)
        var = np.diag(S) - s * s / window
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(var > 0, 1.0 / np.sqrt(var), np.nan)
            c = (S - np.outer(s, s / window)) * np.outer(inv, inv)
        np.clip(c, -1.0, 1.0, out=c)
        out[w] = c[iu]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("window", type=int)
    ap.add_argument("step", type=int)
    ap.add_argument("--threads", type=int, default=0, help="BLAS threads (0: the library's default)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()
    peer_blas.limit_threads(a.threads)
    x = np.load(a.data)
    n, t = x.shape
    windows = (t - a.window) // a.step + 1
    iu = np.triu_indices(n, 1)
    ref = np.empty((windows, len(iu[0])))
    other = np.empty_like(ref)
    peer_blas.report(refuse_reference=True)

    times = {}
    worst = 0.0
    for name, fn in (("corrcoef", corrcoef_windows), ("zscore", zscore_windows), ("running", running_windows)):
        dest = ref if name == "corrcoef" else other
        ts = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            fn(x, a.window, a.step, windows, iu, dest)
            ts.append(time.perf_counter() - t0)
        times[name] = statistics.median(ts)
        print(f"{name}_s={times[name]:.6f}")
        print(f"{name}_runs_s=" + ",".join(f"{v:.4f}" for v in ts))
        if dest is other:
            with np.errstate(invalid="ignore"):
                d = np.abs(other - ref)
            nan_mismatch = int(np.count_nonzero(np.isnan(other) != np.isnan(ref)))
            diff = float(np.nanmax(d)) if np.isfinite(d).any() else 0.0
            print(f"{name}_max_abs_diff_vs_corrcoef={diff:.3g}")
            print(f"{name}_nan_mismatch={nan_mismatch}")
            if diff > 1e-9 or nan_mismatch:
                worst = max(worst, diff, 1.0)
        sys.stdout.flush()
    best = min(times, key=times.get)
    print(f"best_variant={best}")
    print(f"best_s={times[best]:.6f}")
    if a.out:
        np.save(a.out, ref)
    return 3 if worst > 0 else 0


if __name__ == "__main__":
    sys.exit(main())
