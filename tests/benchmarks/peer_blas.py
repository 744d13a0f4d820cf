"""What the NumPy peers of the benchmarks print about the BLAS they run on.

limit_threads(n) caps the BLAS threads (n > 0; 0 keeps the library's default, all cores for OpenBLAS).
report() loads the BLAS and prints peer_blas=<library file actually loaded> (threadpoolctl, else the
process's mapped libraries), peer_blas_kernel=<kernel OpenBLAS chose>, peer_threads=N and peer_numpy=.
"""
import os
import sys

import numpy as np

_limiter = None


def limit_threads(n):
    global _limiter
    if n > 0:
        import threadpoolctl

        _limiter = threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def loaded_blas():
    """(library file, kernel, threads) of the BLAS this process runs."""
    np.dot(np.ones((8, 8)), np.ones((8, 8)))  # make sure the BLAS is loaded
    try:
        import threadpoolctl

        for info in threadpoolctl.threadpool_info():
            if info.get("user_api") == "blas":
                return (
                    os.path.basename(info.get("filepath", "")),
                    info.get("architecture") or info.get("internal_api", "?"),
                    int(info.get("num_threads", 0)),
                )
    except ImportError:
        pass
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            base = os.path.basename(line.split()[-1])
            if base.startswith("lib") and any(k in base for k in ("blas", "mkl_rt", "blis")):
                libs.add(base)
    return (",".join(sorted(libs)) or "none", "reference", 1)


def report(refuse_reference=False):
    """Prints the key=value lines; with refuse_reference, exits with status 4 at once when NumPy runs on the
    reference BLAS (the benchmark gives no ratio then, and need not wait for a slow peer)."""
    blas, kernel, threads = loaded_blas()
    print(f"peer_blas={blas}")
    print(f"peer_blas_kernel={kernel}")
    print(f"peer_threads={threads}")
    print(f"peer_numpy={np.__version__}")
    sys.stdout.flush()
    if refuse_reference and not any(k in blas for k in ("openblas", "mkl", "blis")):
        print(f"NumPy runs on the reference BLAS ({blas}): install libopenblas0-pthread", file=sys.stderr)
        sys.exit(4)
