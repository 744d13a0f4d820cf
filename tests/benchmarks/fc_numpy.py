"""Peer of bench_fc: all-pairs Pearson r per sliding window with np.corrcoef.

usage: fc_numpy.py DATA.npy WINDOW STEP OUT.npy
DATA.npy is neurons x time (float64). OUT.npy gets windows x pairs (upper triangle, np.triu_indices order).
Prints numpy_s=SECONDS (the corrcoef loop) and the BLAS numpy was built against.
"""
import sys
import time

import numpy as np


def main():
    data, window, step, out_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    x = np.load(data)
    n, t = x.shape
    windows = (t - window) // step + 1
    iu = np.triu_indices(n, 1)
    out = np.empty((windows, len(iu[0])))
    t0 = time.perf_counter()
    for w in range(windows):
        c = np.corrcoef(x[:, w * step : w * step + window])
        out[w] = c[iu]
    t1 = time.perf_counter()
    np.save(out_path, out)
    libs = []
    try:
        libs = np.__config__.blas_opt_info.get("libraries", [])
    except AttributeError:
        pass
    print("numpy_blas=" + (",".join(sorted(set(libs))) or "unknown"))
    print(f"numpy_s={t1 - t0:.6f}")


if __name__ == "__main__":
    main()
