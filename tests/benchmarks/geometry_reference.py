#!/usr/bin/python3
"""NumPy/SciPy peer of Neurorama's RDM and Shesha (mode=trials, correlation metric).

Usage: geometry_reference.py COUNTS.npy MASKS.npy OUT_PREFIX

COUNTS.npy: float32 (conditions, units, trials) spike counts.
MASKS.npy:  uint8 (splits, ceil(conditions*units*trials/8)), np.packbits of the first-half membership of each
            count in C order, exactly the halves Neurorama used.
Definition: response = mean count over a unit's trials of a condition; RDM = 1 - Pearson r between condition
vectors; Shesha = mean over splits of the Spearman correlation (average ranks) of the upper triangles of the
two half RDMs.
Writes OUT_PREFIX.rdm (float64 raw, conditions x conditions) and prints key=value lines.
"""
import sys
import time

import numpy as np
from scipy.stats import spearmanr


def rdm_correlation(responses):
    return 1.0 - np.corrcoef(responses)


def main():
    counts = np.load(sys.argv[1]).astype(np.float64)
    masks = np.load(sys.argv[2])
    prefix = sys.argv[3]
    C, U, T = counts.shape
    n = counts.size

    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        rdm = rdm_correlation(counts.mean(axis=2))
        best = min(best, time.perf_counter() - t0)
    rdm.astype(np.float64).tofile(prefix + ".rdm")
    print(f"numpy_rdm_s={best:.6f}")

    iu = np.triu_indices(C, 1)
    total = counts.sum(axis=2)
    # Best of 3 wall-clock times, like the C++ side; CPU time of the fastest run.
    shesha_s = float("inf")
    shesha_cpu_s = float("inf")
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
        elapsed = time.perf_counter() - t0
        if elapsed < shesha_s:
            shesha_s = elapsed
            shesha_cpu_s = time.process_time() - c0
    print(f"numpy_shesha_s={shesha_s:.6f}")
    print(f"numpy_shesha_cpu_s={shesha_cpu_s:.6f}")
    print(f"numpy_shesha={np.mean(values):.12f}")


if __name__ == "__main__":
    main()
