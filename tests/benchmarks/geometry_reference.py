#!/usr/bin/python3
"""NumPy/SciPy peer of Neurorama's RDM and Shesha (mode=trials, correlation metric).

Usage: geometry_reference.py COUNTS.npy MASKS.npy OUT_PREFIX [THREADS]

COUNTS.npy: float32 (conditions, units, trials) spike counts.
MASKS.npy:  uint8 (splits, ceil(conditions*units*trials/8)), np.packbits of the first-half membership of each
            count in C order, exactly the halves Neurorama used.
Definition: response = mean count over a unit's trials of a condition; RDM = 1 - Pearson r between condition
vectors; Shesha = mean over splits of the Spearman correlation (average ranks) of the upper triangles of the
two half RDMs.
THREADS caps the BLAS threads (default 0: the library's default, all cores).
Writes OUT_PREFIX.rdm (float64 raw, conditions x conditions) and prints key=value lines: the BLAS actually
loaded (peer_blas, peer_threads), and the median of 5 RDM and 3 Shesha runs.
"""
import statistics
import sys
import time

import numpy as np
from scipy.stats import spearmanr

import peer_blas


def rdm_correlation(responses):
    return 1.0 - np.corrcoef(responses)


def main():
    counts = np.load(sys.argv[1]).astype(np.float64)
    masks = np.load(sys.argv[2])
    prefix = sys.argv[3]
    peer_blas.limit_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    peer_blas.report(refuse_reference=True)
    C, U, T = counts.shape
    n = counts.size

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        rdm = rdm_correlation(counts.mean(axis=2))
        times.append(time.perf_counter() - t0)
    rdm.astype(np.float64).tofile(prefix + ".rdm")
    print(f"numpy_rdm_s={statistics.median(times):.6f}")

    iu = np.triu_indices(C, 1)
    total = counts.sum(axis=2)
    # Median of 3 wall-clock times, like the C++ side, and the CPU time of that run.
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        c0 = time.process_time()
        values = []
        for i in range(masks.shape[0]):
            m = np.unpackbits(masks[i], count=n).reshape(C, U, T).astype(bool)
            n_a = m.sum(axis=2)
            sum_a = np.where(m, counts, 0.0).sum(axis=2)
            mean_a = sum_a / n_a
            mean_b = (total - sum_a) / (T - n_a)
            r = spearmanr(rdm_correlation(mean_a)[iu], rdm_correlation(mean_b)[iu]).correlation
            values.append(r)
        runs.append((time.perf_counter() - t0, time.process_time() - c0))
    runs.sort()
    shesha_s, shesha_cpu_s = runs[len(runs) // 2]
    print(f"numpy_shesha_s={shesha_s:.6f}")
    print("numpy_shesha_runs_s=" + ",".join(f"{r[0]:.4f}" for r in runs))
    print(f"numpy_shesha_cpu_s={shesha_cpu_s:.6f}")
    print(f"numpy_shesha={np.mean(values):.12f}")


if __name__ == "__main__":
    main()
