#!/usr/bin/python3
"""Peer of bench_meshing: the per-instance VTK pipeline a VTK user writes (Debian's python3-vtk9).

usage: meshing_vtk.py VOLUME.raw NZ NY NX INSTANCES.txt AREAS_OUT.txt [--procs P] [--reps R] [--all-labels]
VOLUME.raw: uint16 label map, z slowest, x fastest. INSTANCES.txt: one line per instance,
"label z0 y0 x0 z1 y1 x1" (inclusive bounding box), then the pipeline's parameters as "param NAME VALUE" lines
(iterations, pass_band, target_reduction, min_triangles_to_decimate).

Per instance: crop the volume to the bounding box grown by one voxel (NumPy slicing, the instance's voxels
as 1), vtkDiscreteFlyingEdges3D, vtkWindowedSincPolyDataFilter, vtkDecimatePro (meshes of at least
min_triangles_to_decimate triangles), vtkPolyDataNormals: the same filters and parameters as Neurorama.
raw_s times the crop and flying edges alone, pipeline_s the whole pipeline; each is the median of R runs over
all instances. With --procs P > 1 the instances are split over P forked worker processes (a
multiprocessing pool made before the clock starts; the workers keep the meshes and return triangle counts).
--all-labels also times one vtkDiscreteMarchingCubes pass over the whole volume with every label as a
contour value (all_labels_s).
Writes the raw surface area of every instance to AREAS_OUT.txt (one per line, instance order); with --procs 1
also the final mesh's area and triangle count of every instance to AREAS_OUT.txt.final (computed after the
clock stops).
"""
import argparse
import multiprocessing as mp
import statistics
import sys
import time

import numpy as np
import vtk
from vtk.util import numpy_support

import peer_blas

VOL = None
BOXES = None
PARAMS = {}


def crop(i):
    label, z0, y0, x0, z1, y1, x1 = BOXES[i]
    sub = VOL[max(z0 - 1, 0) : z1 + 2, max(y0 - 1, 0) : y1 + 2, max(x0 - 1, 0) : x1 + 2] == label
    # pad where the box touches the volume's faces, so that every surface is closed
    pad = [(1 if lo == 0 else 0, 1 if hi + 1 == n else 0) for lo, hi, n in zip((z0, y0, x0), (z1, y1, x1), VOL.shape)]
    if any(a or b for a, b in pad):
        sub = np.pad(sub, pad)
    img = vtk.vtkImageData()
    img.SetDimensions(sub.shape[2], sub.shape[1], sub.shape[0])
    img.SetOrigin(x0 - 1, y0 - 1, z0 - 1)
    arr = numpy_support.numpy_to_vtk(np.ascontiguousarray(sub, dtype=np.uint8).ravel(), deep=1)
    img.GetPointData().SetScalars(arr)
    return img


def flying_edges(img):
    fe = vtk.vtkDiscreteFlyingEdges3D()
    fe.SetInputData(img)
    fe.SetValue(0, 1)
    fe.ComputeNormalsOff()
    fe.ComputeGradientsOff()
    fe.ComputeScalarsOff()
    fe.Update()
    return fe.GetOutput()


def raw_mesh(i):
    return flying_edges(crop(i))


def full_mesh(i):
    out = flying_edges(crop(i))
    if out.GetNumberOfPolys() == 0:
        return out
    ws = vtk.vtkWindowedSincPolyDataFilter()
    ws.SetInputData(out)
    ws.SetNumberOfIterations(int(PARAMS["iterations"]))
    ws.SetPassBand(PARAMS["pass_band"])
    ws.BoundarySmoothingOff()
    ws.FeatureEdgeSmoothingOff()
    ws.NonManifoldSmoothingOn()
    ws.NormalizeCoordinatesOn()
    ws.Update()
    out = ws.GetOutput()
    if out.GetNumberOfPolys() >= PARAMS["min_triangles_to_decimate"]:
        dp = vtk.vtkDecimatePro()
        dp.SetInputData(out)
        dp.SetTargetReduction(PARAMS["target_reduction"])
        dp.PreserveTopologyOn()
        dp.BoundaryVertexDeletionOff()
        dp.Update()
        out = dp.GetOutput()
    nm = vtk.vtkPolyDataNormals()
    nm.SetInputData(out)
    nm.SplittingOff()
    nm.ConsistencyOn()
    nm.AutoOrientNormalsOff()
    nm.Update()
    return nm.GetOutput()


def worker_chunk(args):
    fn, idx = args
    f = raw_mesh if fn == "raw" else full_mesh
    meshes = [f(i) for i in idx]
    return sum(m.GetNumberOfPolys() for m in meshes)


def area(poly):
    tf = vtk.vtkTriangleFilter()
    tf.SetInputData(poly)
    mp_ = vtk.vtkMassProperties()
    mp_.SetInputConnection(tf.GetOutputPort())
    mp_.Update()
    return mp_.GetSurfaceArea()


def main():
    global VOL, BOXES
    ap = argparse.ArgumentParser()
    ap.add_argument("volume")
    ap.add_argument("nz", type=int)
    ap.add_argument("ny", type=int)
    ap.add_argument("nx", type=int)
    ap.add_argument("instances")
    ap.add_argument("areas_out")
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--all-labels", action="store_true")
    a = ap.parse_args()
    VOL = np.fromfile(a.volume, dtype="<u2").reshape(a.nz, a.ny, a.nx)
    BOXES = []
    with open(a.instances) as f:
        for line in f:
            w = line.split()
            if w[0] == "param":
                PARAMS[w[1]] = float(w[2])
            else:
                BOXES.append(tuple(int(v) for v in w))
    n = len(BOXES)
    print(f"peer=vtk_per_instance_pipeline\npeer_vtk={vtk.vtkVersion.GetVTKVersion()}\npeer_procs={a.procs}")
    peer_blas.report()  # NumPy's BLAS (the pipeline itself does not use it)
    print(f"peer_instances={n}")
    sys.stdout.flush()

    pool = mp.get_context("fork").Pool(a.procs) if a.procs > 1 else None
    # interleaved chunks so that each worker gets large and small instances alike
    chunks = [list(range(k, n, a.procs * 8)) for k in range(a.procs * 8)]
    results = {}
    for kind in ("raw", "pipeline"):
        ts, tris = [], 0
        for _ in range(a.reps):
            t0 = time.perf_counter()
            if pool is None:
                f = raw_mesh if kind == "raw" else full_mesh
                meshes = [f(i) for i in range(n)]
                ts.append(time.perf_counter() - t0)
                tris = sum(m.GetNumberOfPolys() for m in meshes)
                if kind == "raw":
                    results["areas"] = [area(m) for m in meshes]
                else:  # after the clock: the final meshes' areas and triangles, for the check of the result
                    results["final"] = [(area(m), m.GetNumberOfPolys()) for m in meshes]
                del meshes
            else:
                tris = sum(pool.map(worker_chunk, [(kind, c) for c in chunks], chunksize=1))
                ts.append(time.perf_counter() - t0)
        results[kind] = statistics.median(ts)
        print(f"{kind}_s={results[kind]:.4f}\n{kind}_runs_s=" + ",".join(f"{v:.4f}" for v in ts))
        print(f"{kind}_triangles={tris}")
        sys.stdout.flush()
    if pool is not None:
        pool.close()
        pool.join()
        results["areas"] = [area(raw_mesh(i)) for i in range(n)]
    with open(a.areas_out, "w") as f:
        f.write("\n".join(f"{v:.6f}" for v in results["areas"]) + "\n")
    if "final" in results:
        with open(a.areas_out + ".final", "w") as f:
            f.write("\n".join(f"{v:.6f} {t}" for v, t in results["final"]) + "\n")

    if a.all_labels:
        img = vtk.vtkImageData()
        img.SetDimensions(a.nx, a.ny, a.nz)
        img.GetPointData().SetScalars(numpy_support.numpy_to_vtk(VOL.ravel(), deep=0, array_type=vtk.VTK_UNSIGNED_SHORT))
        ts = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            mc = vtk.vtkDiscreteMarchingCubes()
            mc.SetInputData(img)
            mc.SetNumberOfContours(n)
            for k, box in enumerate(BOXES):
                mc.SetValue(k, box[0])
            mc.ComputeNormalsOff()
            mc.ComputeGradientsOff()
            mc.ComputeScalarsOn()  # the label of each triangle, to tell the instances apart
            mc.Update()
            ts.append(time.perf_counter() - t0)
            tris = mc.GetOutput().GetNumberOfPolys()
            del mc
        print(f"all_labels_s={statistics.median(ts):.4f}\nall_labels_runs_s=" + ",".join(f"{v:.4f}" for v in ts))
        print(f"all_labels_triangles={tris}")


if __name__ == "__main__":
    main()
