// SurfaceMesh: the per-instance surface pipeline on flat arrays (no VTK object until the end).
//
// extractSurface() is discrete flying edges on one instance's mask: every cell row is trimmed to the span
// where the mask has voxels, each crossing edge gets one vertex (at the edge's midpoint, shared by the cells
// around the edge through two slices of edge-to-vertex indices), and triangles follow the marching-cubes case
// table VTK ships (vtkMarchingCubesTriangleCases), so the surface is the one vtkDiscreteFlyingEdges3D gives.
// smoothWindowedSinc() is Taubin's windowed-sinc low-pass filter (Hamming window, Chebyshev recurrence,
// coordinates normalised to the bounding box) on the mesh's own vertex adjacency (CSR), with the pass band
// and iterations of vtkWindowedSincPolyDataFilter; vertices on boundary edges stay fixed. decimateQuadric()
// is quadric-error edge collapse down to a target fraction of triangles, refusing collapses that would flip a
// triangle or make an edge non-manifold, so closed surfaces stay closed. computeNormals() gives area-weighted
// point normals. toPolyData() converts once, for drawing.
#pragma once

#include <cstdint>
#include <vector>
#include <vtkSmartPointer.h>

class vtkPolyData;

namespace nr {

struct InstanceMask;

struct SurfaceMesh {
    std::vector<double> points; // x, y, z per vertex
    std::vector<int32_t> tris;  // three vertex indices per triangle, counter-clockwise seen from outside
    std::vector<float> normals; // x, y, z per vertex (after computeNormals)
    // Per vertex from extractSurface: the linear mask index of the inside voxel the vertex sits next to, the
    // axis of its edge (0 x, 1 y, 2 z) and the direction (+1/-1) from the vertex towards that voxel.
    std::vector<int64_t> insideVoxel;
    std::vector<int8_t> axis, dirIn;

    size_t vertexCount() const { return points.size() / 3; }
    size_t triangleCount() const { return tris.size() / 3; }
};

// The surface of the mask's voxels (mask coordinates: x, y, z voxel indices of the mask, x fastest). The mask
// must have one voxel of empty padding on each face (LabelVolume::instanceMask(i, 1)) so that it is closed;
// m.mask may be longer than its dims (a reused buffer): only the first dims product bytes are read.
SurfaceMesh extractSurface(const InstanceMask& m);

// Windowed-sinc smoothing in place (iterations >= 1, passBand in (0, 2]).
void smoothWindowedSinc(SurfaceMesh& s, int iterations, double passBand);

// Limits how far smoothing moved each vertex from `before` (the extracted positions, mask coordinates):
// at most maxDisplacement voxels, and at most thinInward voxels towards the inside voxel when that voxel is
// the only inside voxel along the edge's axis (a one-voxel-thick part).
void clampDisplacement(SurfaceMesh& s, const std::vector<double>& before, const InstanceMask& m,
                       double maxDisplacement, double thinInward);

// Removes about targetReduction of the triangles by quadric-error edge collapse.
void decimateQuadric(SurfaceMesh& s, double targetReduction);

void computeNormals(SurfaceMesh& s);

// Surface area (sum of triangle areas).
double surfaceArea(const SurfaceMesh& s);

// Points (float), triangles and, when computed, the normals as a vtkPolyData.
vtkSmartPointer<vtkPolyData> toPolyData(const SurfaceMesh& s);

} // namespace nr
