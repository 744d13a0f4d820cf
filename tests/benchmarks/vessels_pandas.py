"""Peer of bench_vessels: reads a VesselGraph node/edge CSV pair with pandas.read_csv and prints key=value lines
(nodes, edges, length_sum, parse_s). Usage: vessels_pandas.py NODES.csv EDGES.csv"""
import sys
import time

import pandas as pd


def main():
    nodes_path, edges_path = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    nodes = pd.read_csv(nodes_path, sep=";")
    edges = pd.read_csv(edges_path, sep=";")
    t1 = time.perf_counter()
    print(f"nodes={len(nodes)}")
    print(f"edges={len(edges)}")
    print(f"length_sum={float(edges['length'].sum()):.6f}")
    print(f"parse_s={t1 - t0:.4f}")


if __name__ == "__main__":
    main()
