#!/usr/bin/env python3
"""Runs the shared COBA peer (coba_brian2.py, Brian2 C++ standalone) REPS times with one compilation.

usage: /usr/bin/python3 coba_brian2_runs.py THREADS REPS PATH/coba_brian2.py standalone [seconds] [seed]
THREADS 0 keeps Brian2's default (no OpenMP, one thread; the program times its run loop with std::clock());
THREADS N > 0 sets prefs.devices.cpp_standalone.openmp_threads = N (timed with omp_get_wtime()).
The shared script generates, compiles and runs the program once and prints its line; the compiled program
is then run REPS - 1 more times in its directory, each printing a line of the same form:
  brian2 standalone-rerun T=...s spikes=N wall=X.XXXs
(wall: the program's own run time from results/last_run_info.txt; spikes from the spike monitor's results).
"""
import glob
import os
import runpy
import subprocess
import sys

from brian2 import prefs
from brian2.devices.device import get_device

threads, reps, script = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if threads > 0:
    prefs.devices.cpp_standalone.openmp_threads = threads
sys.argv = [script] + sys.argv[4:]
T = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
runpy.run_path(script, run_name="__main__")
sys.stdout.flush()
project = get_device().project_dir
for _ in range(reps - 1):
    subprocess.run(["./main"], cwd=project, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(project, "results", "last_run_info.txt")) as f:
        wall = float(f.read().split()[0])
    spikes = os.path.getsize(glob.glob(os.path.join(project, "results", "_dynamic_array_spikemonitor_i_*"))[0]) // 4
    print(f"brian2 standalone-rerun T={T}s spikes={spikes} wall={wall:.3f}s", flush=True)
