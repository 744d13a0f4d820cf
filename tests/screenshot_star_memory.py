#!/usr/bin/env python3
# A --screenshot of a 200,000-leaf star stays under a peak-memory bound (issue 18): the software
# rasterizer must not queue the binned scenes of a large frame (measured: 330 MB with one-frame runs
# rasterizing in the drawing thread, 411-421 MB without). Usage: screenshot_star_memory.py APP [MB]
import os, resource, subprocess, sys, tempfile

app = sys.argv[1]
bound_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 370.0
with tempfile.TemporaryDirectory() as d:
    csv = os.path.join(d, "star.csv")
    with open(csv, "w") as f:
        f.write("source,target\n")
        f.write("".join("h,%d\n" % i for i in range(200000)))
    png = os.path.join(d, "star.png")
    env = dict(os.environ)
    env.pop("LP_NUM_THREADS", None)  # the app's own choice is what is tested
    r = subprocess.run([app, "--screenshot", png, csv], env=env, capture_output=True, text=True, timeout=120)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print(r.stdout.strip())
    print("peak_rss_mb=%.1f bound_mb=%.1f" % (peak_mb, bound_mb))
    if r.returncode != 0 or not os.path.getsize(png):
        print("screenshot failed: exit=%d %s" % (r.returncode, r.stderr.strip()))
        sys.exit(1)
    if "edges=200000" not in r.stdout:
        print("unexpected summary")
        sys.exit(1)
    if peak_mb > bound_mb:
        print("peak resident memory over the bound")
        sys.exit(1)
