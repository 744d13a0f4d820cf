"""Peer of bench_figure: the same four-panel figure drawn with matplotlib, as a competent user writes it.

usage: figure_matplotlib.py DIR OUT.pdf WIDTH_MM HEIGHT_MM DPI

DIR holds the data bench_figure wrote (raw little-endian arrays):
  spike_t.f64, spike_u.u32        the raster (1M spikes)
  node_xyz.f32 (n x 3), node_c.u8 the 3-D network's node positions and classes (0 E, 1 I)
  edges.u32 (m x 2)               its edges
  rdm.f64 (100 x 100)             the RDM
  radii.f32                       the histogram's values; bins.txt: "BINS LO HI"

The raster is one plot of pixel markers and the 3-D scatter and edges are rasterised (rasterized=True), the
fastest way matplotlib writes a million points into a PDF that stays small; the RDM is imshow with a colour
bar, the histogram ax.hist. Prints key=value lines: backend, version, draw_s (figure built and saved), file
bytes, page size in mm, and the histogram counts' sum (checked against ours).
"""
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Line3DCollection  # noqa: E402


def main():
    d, out, wmm, hmm, dpi = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    t = np.fromfile(os.path.join(d, "spike_t.f64"), dtype="<f8")
    u = np.fromfile(os.path.join(d, "spike_u.u32"), dtype="<u4")
    xyz = np.fromfile(os.path.join(d, "node_xyz.f32"), dtype="<f4").reshape(-1, 3)
    cls = np.fromfile(os.path.join(d, "node_c.u8"), dtype="u1")
    edges = np.fromfile(os.path.join(d, "edges.u32"), dtype="<u4").reshape(-1, 2)
    rdm = np.fromfile(os.path.join(d, "rdm.f64"), dtype="<f8")
    n = int(round(np.sqrt(rdm.size)))
    rdm = rdm.reshape(n, n)
    radii = np.fromfile(os.path.join(d, "radii.f32"), dtype="<f4")
    with open(os.path.join(d, "bins.txt")) as f:
        bins, lo, hi = f.read().split()
    bins, lo, hi = int(bins), float(lo), float(hi)

    t0 = time.perf_counter()
    plt.rcParams.update({"font.size": 7, "axes.linewidth": 0.5, "font.family": "DejaVu Sans"})
    fig = plt.figure(figsize=(wmm / 25.4, hmm / 25.4), dpi=dpi)
    # A: 3-D network, nodes and edges as an image inside the vector page.
    ax = fig.add_subplot(2, 2, 1, projection="3d")
    colors = np.where(cls[:, None] == 0, [[0.0, 0.45, 0.70]], [[0.84, 0.37, 0.0]])
    segs = np.stack([xyz[edges[:, 0]], xyz[edges[:, 1]]], axis=1)
    lc = Line3DCollection(segs, colors=(0.6, 0.75, 0.9, 0.3), linewidths=0.2, rasterized=True)
    ax.add_collection3d(lc)
    ax.scatter(xyz[:, 0], xyz[:, 1], xyz[:, 2], s=0.3, c=colors, linewidths=0, rasterized=True)
    ax.view_init(elev=0, azim=-90)
    ax.set_axis_off()
    ax.set_title("A", loc="left", fontweight="bold")
    # B: raster with rates underneath.
    gs = fig.add_gridspec(2, 2)
    sub = gs[0, 1].subgridspec(2, 1, height_ratios=[3, 1], hspace=0.1)
    ar = fig.add_subplot(sub[0])
    ar.plot(t, u, ",", color="black", rasterized=True)
    ar.set_ylabel("neuron")
    ar.set_title("B", loc="left", fontweight="bold")
    ar.tick_params(labelbottom=False)
    rr = fig.add_subplot(sub[1], sharex=ar)
    width = 0.01
    counts, edges_t = np.histogram(t, bins=np.arange(t.min(), t.max() + width, width))
    rr.plot(edges_t[:-1], counts / width / (u.max() + 1), linewidth=0.5)
    rr.set_xlabel("time (s)")
    rr.set_ylabel("rate (Hz)")
    # C: RDM.
    am = fig.add_subplot(2, 2, 3)
    im = am.imshow(rdm, cmap="viridis", interpolation="nearest")
    fig.colorbar(im, ax=am, label="dissimilarity (1 - r)")
    am.set_title("C", loc="left", fontweight="bold")
    # D: histogram.
    ah = fig.add_subplot(2, 2, 4)
    hc, _, _ = ah.hist(radii, bins=bins, range=(lo, hi), color=plt.cm.viridis(0.35))
    ah.set_xlabel("vessel radius (µm)")
    ah.set_ylabel("count")
    ah.set_title("D", loc="left", fontweight="bold")
    fig.savefig(out, dpi=dpi)
    draw_s = time.perf_counter() - t0
    plt.close(fig)
    print(f"backend={matplotlib.get_backend()}")
    print(f"version={matplotlib.__version__}")
    print(f"draw_s={draw_s:.4f}")
    print(f"bytes={os.path.getsize(out)}")
    print(f"page_mm={wmm:.3f}x{hmm:.3f}")
    print(f"hist_sum={int(hc.sum())}")


if __name__ == "__main__":
    main()
