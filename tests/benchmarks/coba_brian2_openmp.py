#!/usr/bin/env python3
"""Runs the shared COBA peer (coba_brian2.py) with Brian2's C++ standalone device on THREADS OpenMP threads.

usage: /usr/bin/python3 coba_brian2_openmp.py THREADS PATH/coba_brian2.py [its arguments...]
With OpenMP the standalone program times its run loop with omp_get_wtime() (wall time).
"""
import runpy
import sys

from brian2 import prefs

prefs.devices.cpp_standalone.openmp_threads = int(sys.argv[1])
script = sys.argv[2]
sys.argv = [script] + sys.argv[3:]
runpy.run_path(script, run_name="__main__")
