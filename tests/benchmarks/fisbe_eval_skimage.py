#!/usr/bin/python3
"""NumPy + scikit-image peer of Neurorama's fisbe_eval (the FISBe benchmark's instance metrics).

Usage: fisbe_eval_skimage.py DIR [MIN_SIZE]

DIR/gt_vox.npy: uint64, the sorted linear voxel indices (z*ny*nx + y*nx + x) of every ground-truth instance,
                concatenated (instances may overlap);
DIR/gt_off.npy: int64, G+1 offsets into gt_vox.npy;
DIR/pred.npy:   uint16 (z, y, x) label map of the prediction, 0 = background.
MIN_SIZE: predicted instances of at most this many voxels are removed (default 800, the FlyLight preset).

The metrics as the benchmark's evaluation code (evalinstseg, FlyLight preset) defines them: clPrecision and
clRecall of skimage skeletons (Lee thinning), clDice, greedy one-to-one matching at 0.1 ... 0.95, F1 and AP,
coverage by one-to-many assignment on clPrecision, false splits / merges per threshold and by greedy
many-to-many matching with consumption (0.05 for splits, 0.1 for merges). Written the way a NumPy user
writes it: every skeleton on its instance's bounding box (skimage scans the box in the same raster order as
the whole volume, so the skeleton is the same), overlaps looked up by sorted-index search, the label map
indexed directly. One process.

Prints key=value lines: the NumPy in use (peer_blas.report), peer_s (median evaluation time of 3 runs, without
loading the files) and the results.
"""
import heapq
import statistics
import sys
import time
from itertools import count

import numpy as np
from skimage.morphology import skeletonize

import peer_blas

THS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.55, 0.65, 0.75, 0.85, 0.95]


def skeleton(idx, shape):
    """Sorted linear indices of the skeleton of the instance with voxels idx."""
    if idx.size == 0:
        return idx
    z, y, x = np.unravel_index(idx, shape)
    lo = np.array([z.min(), y.min(), x.min()])
    hi = np.array([z.max(), y.max(), x.max()])
    box = np.zeros(tuple(hi - lo + 3), dtype=np.uint8)
    box[z - lo[0] + 1, y - lo[1] + 1, x - lo[2] + 1] = 1
    s = skeletonize(box) > 0
    sz, sy, sx = np.nonzero(s)
    return np.ravel_multi_index((sz - 1 + lo[0], sy - 1 + lo[1], sx - 1 + lo[2]), shape).astype(np.uint64)


class GtIndex:
    """Which GT instances (1-based) hold given voxels: the concatenated instances sorted by voxel."""

    def __init__(self, gts):
        vox = np.concatenate(gts)
        ids = np.concatenate([np.full(g.size, i + 1, dtype=np.int64) for i, g in enumerate(gts)])
        order = np.argsort(vox, kind="stable")
        self.vox = vox[order]
        self.ids = ids[order]
        _, mult = np.unique(self.vox, return_counts=True)
        self.maxmult = int(mult.max()) if mult.size else 0

    def members(self, q):
        """(positions in q, GT ids) of every (voxel, instance) pair, and a mask of voxels in no instance."""
        left = np.searchsorted(self.vox, q, "left")
        right = np.searchsorted(self.vox, q, "right")
        pos, ids = [], []
        for k in range(self.maxmult):
            sel = np.flatnonzero(left + k < right)
            pos.append(sel)
            ids.append(self.ids[left[sel] + k])
        return np.concatenate(pos), np.concatenate(ids), left == right


class LazyHeap:
    def __init__(self):
        self._heap, self._version, self._tb = [], {}, count()

    def push(self, key, priority):
        v = self._version.get(key, 0) + 1
        self._version[key] = v
        heapq.heappush(self._heap, (priority, next(self._tb), v, key))

    def faulty_element(self, key):
        if key in self._version:
            self._version[key] = -1

    def pop(self):
        while self._heap:
            prio, _, v, key = heapq.heappop(self._heap)
            if self._version.get(key) == v:
                self._version.pop(key, None)
                return key
        return None


def evaluate(gts, pred, min_size):
    shape = pred.shape
    flat_in = pred.ravel()
    # remove predicted instances of <= min_size voxels, relabel the rest 1..P
    counts = np.bincount(flat_in)
    labels = np.flatnonzero(counts)
    labels = labels[labels > 0]
    keep = labels[counts[labels] > min_size]
    lut = np.zeros(counts.size, dtype=np.int64)
    lut[keep] = np.arange(1, keep.size + 1)
    flat = lut[flat_in]
    P = int(keep.size)
    fg = np.flatnonzero(flat)
    order = np.argsort(flat[fg], kind="stable")
    bounds = np.searchsorted(flat[fg][order], np.arange(1, P + 2))
    preds = [fg[order[bounds[i]:bounds[i + 1]]].astype(np.uint64) for i in range(P)]
    gts = [g for g in gts if g.size]
    G = len(gts)

    index = GtIndex(gts)
    overlap = index.vox[1:][index.vox[1:] == index.vox[:-1]]
    overlap = np.unique(overlap)
    gt_overlaps = overlap.size > 0
    pred_overlaps = False  # a label map

    s_gt = [skeleton(g, shape) for g in gts]
    s_pred = [skeleton(p, shape) for p in preds]

    prec = np.zeros((G + 1, P + 1), dtype=np.float32)
    rec = np.zeros((G + 1, P + 1), dtype=np.float32)
    for p, s in enumerate(s_pred, start=1):
        if s.size == 0:
            continue
        _, ids, none = index.members(s)
        c = np.bincount(ids, minlength=G + 1).astype(np.float64)
        c[0] = np.count_nonzero(none)
        nzc = np.flatnonzero(c)
        prec[nzc, p] = c[nzc] / float(s.size)

    def recall_rows(skels, out):
        for g, s in enumerate(skels, start=1):
            if s.size == 0:
                continue
            c = np.bincount(flat[s.astype(np.int64)], minlength=P + 1).astype(np.float64)
            nzc = np.flatnonzero(c)
            out[g, nzc] = c[nzc] / float(s.size)

    recall_rows(s_gt, rec)
    if gt_overlaps:
        rec_wo = np.zeros_like(rec)
        s_wo = [skeleton(np.setdiff1d(g, overlap, assume_unique=True), shape) for g in gts]
        recall_rows(s_wo, rec_wo)
    else:
        rec_wo = rec
    with np.errstate(invalid="ignore"):
        loc = np.nan_to_num(2 * prec * rec / (prec + rec))

    res = {"num_gt": G, "num_pred": P}
    best_gt = np.argmax(prec, axis=0)
    fscores, aps, tps = [], [], []
    tp05_cldice = []
    num_matches = min(G, P)
    for th in THS:
        gt_m, pred_m = [], []
        if num_matches > 0 and np.max(loc) > th:
            fgm = loc[1:, 1:]
            gi, pi = np.nonzero(fgm > th)
            locs = fgm[gi, pi]
            o = np.lexsort((pi, gi, -locs))
            for g, p in zip(gi[o], pi[o]):
                if g not in gt_m and p not in pred_m:
                    gt_m.append(g)
                    pred_m.append(p)
        tp = len(gt_m)
        fp, fn = P - tp, G - tp
        precision = tp / max(1, tp + fp)
        recall = tp / max(1, tp + fn)
        fs = precision + recall
        fscores.append(2 * precision * recall / fs if fs > 0 else 0.0)
        aps.append(precision * recall)
        tps.append(tp)
        unassigned = np.setdiff1d(np.arange(1, P + 1), np.array(pred_m, dtype=np.int64) + 1)
        false_split = int(np.count_nonzero(best_gt[unassigned] > 0))
        mask = np.logical_and(rec[1:, 1:] > th, rec_wo[1:, 1:] > th)
        false_merge = int(np.sum(np.maximum(0, np.sum(mask, axis=0) - 1)))
        res[f"tp_{th}"] = tp
        res[f"false_split_{th}"] = false_split
        res[f"false_merge_{th}"] = false_merge
        if th == 0.5:
            tp05_cldice = list(loc[np.array(gt_m, dtype=np.int64) + 1, np.array(pred_m, dtype=np.int64) + 1])
    res["avg_f1"] = float(np.mean(fscores[:9]))
    res["av_ap_0.5_0.9"] = float(np.mean(aps[4:]))
    res["avg_tp_0.5_cldice"] = float(np.mean(tp05_cldice)) if tp05_cldice else 0.0

    # coverage: each prediction to the GT of highest clPrecision (no predicted overlaps in a label map)
    cov = [np.sum(rec[g, best_gt == g]) for g in range(1, G + 1)]
    res["avg_gt_skel_coverage"] = float(np.mean(cov))
    res["avg_f1_cov_score"] = 0.5 * res["avg_f1"] + 0.5 * np.mean(cov)

    # false splits / merges: greedy many-to-many matching on clRecall with consumption
    def many_to_many(thresh):
        fgm = rec[1:, 1:]
        if not np.any(fgm > thresh):
            return 0, 0
        matches = {}
        if not (gt_overlaps or pred_overlaps):
            for g, p in zip(*np.nonzero(fgm > thresh)):
                matches.setdefault(g, []).append(p)
        else:
            pq = LazyHeap()
            gi, pi = np.nonzero(fgm > thresh)
            for g, p in zip(gi, pi):
                pq.push((g, p), -1 * fgm[g, p])
            skel_lab = {g: flat[s_gt[g].astype(np.int64)] for g in np.unique(gi)}
            avail = {g: np.ones(s_gt[g].size, dtype=bool) for g in np.unique(gi)}
            consumed = {}
            while True:
                key = pq.pop()
                if key is None:
                    break
                g, p = key
                matches.setdefault(g, []).append(p)
                avail[g] &= skel_lab[g] != p + 1
                consumed.setdefault(p, []).append(g)
                denom_g = float(s_gt[g].size) or 1.0
                for op in np.nonzero(fgm[g, :] > thresh)[0]:
                    c = np.sum(avail[g] & (skel_lab[g] == op + 1)) / denom_g
                    if c > thresh:
                        pq.push((g, op), -c)
                    else:
                        pq.faulty_element((g, op))
                for og in np.nonzero(fgm[:, p] > thresh)[0]:
                    s = s_gt[og]
                    denom = float(s.size) or 1.0
                    inside = skel_lab[og] == p + 1
                    for cg in consumed[p]:
                        inside &= ~np.isin(s, gts[cg], assume_unique=True)
                    c = np.sum(inside) / denom
                    if c > thresh:
                        pq.push((og, p), -c)
                    else:
                        pq.faulty_element((og, p))
        fs = sum(max(0, len(v) - 1) for v in matches.values())
        per_pred = np.zeros(P, dtype=np.int64)
        for v in matches.values():
            for p in v:
                per_pred[p] += 1
        fm = int(np.sum(np.maximum(per_pred - 1, 0)))
        return fm, fs

    res["fm"], _ = many_to_many(0.1)
    _, res["fs"] = many_to_many(0.05)
    return res


def main():
    d = sys.argv[1]
    min_size = int(sys.argv[2]) if len(sys.argv) > 2 else 800
    peer_blas.report()
    vox = np.load(d + "/gt_vox.npy")
    off = np.load(d + "/gt_off.npy")
    pred = np.load(d + "/pred.npy")
    gts = [vox[off[i]:off[i + 1]] for i in range(off.size - 1)]
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = evaluate(gts, pred, min_size)
        runs.append(time.perf_counter() - t0)
    for k, v in res.items():
        print(f"{k}={float(v):.12g}" if isinstance(v, (float, np.floating)) else f"{k}={v}")
    print(f"peer_s={statistics.median(runs):.6f}")
    print("peer_runs_s=" + ",".join(f"{r:.4f}" for r in runs))


if __name__ == "__main__":
    main()
