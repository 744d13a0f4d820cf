// Morphology: one traced neuron skeleton (an SWC file), as columns. MorphologySet: several of them (a
// folder of SWC files or several files opened together).
//
// Nodes keep the file's order. `parent` holds the index of the parent node (not its id), -1 for a root.
// Coordinates and radii stay in file units; `unitScale` (from the "unit_scale" open option, e.g. 0.008
// for 8 nm voxels in µm) is applied by the morphometrics and the views.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/ReaderRegistry.h"
#include "model/Error.h"

namespace nr {

// Standard SWC compartment types (other values are kept as they are: "custom").
enum SwcType : int { SwcUndefined = 0, SwcSoma = 1, SwcAxon = 2, SwcBasal = 3, SwcApical = 4 };

struct Morphology {
    std::string file;                  // file it was read from
    std::string name;                  // base name without extension
    std::vector<long long> ids;        // SWC ids as written
    std::vector<int> type;             // SWC type column
    std::vector<double> x, y, z;       // file units
    std::vector<double> radius;        // file units, > 0 after repair
    std::vector<int32_t> parent;       // parent index, -1 for roots
    std::vector<int32_t> line;         // 1-based line of each node in the file
    std::vector<std::string> warnings; // "FILE:LINE: reason" for problems that were repaired
    double unitScale = 1.0;

    size_t size() const { return ids.size(); }
    // Index of the first soma (type 1) node, -1 when there is none.
    int soma() const;
};

struct MorphologySet {
    std::vector<Morphology> neurons;
    size_t totalNodes() const;
};

// Children of every node in CSR form plus a parents-before-children order (roots first). Built once
// from a valid Morphology (no cycles).
struct MorphTree {
    std::vector<int32_t> childStart; // size n+1
    std::vector<int32_t> children;
    std::vector<int32_t> order; // preorder over all roots
    int childCount(int i) const { return childStart[size_t(i) + 1] - childStart[size_t(i)]; }
};
MorphTree buildTree(const Morphology& m);

// Per-node attributes used for colouring: path distance from the node's root (scaled units) and
// centrifugal branch order (0 on the stem leaving the root, +1 after each branch point).
std::vector<double> pathDistances(const Morphology& m, const MorphTree& t, double unitScale);
std::vector<int> branchOrders(const Morphology& m, const MorphTree& t);

// One unbranched piece between critical nodes (root, branch point, tip).
struct MorphBranch {
    int first = 0, last = 0; // node indices: first node after the start point, and the end node
    long long startId = 0, endId = 0;
    int type = 0;         // type of the end node
    int order = 0;        // centrifugal branch order
    double length = 0;    // along the path (scaled units)
    double euclidean = 0; // straight start-to-end distance (scaled units)
    int nodes = 0;        // nodes in the branch (start point excluded)
    bool endsInTip = false;
};

struct Morphometrics {
    size_t nodes = 0, roots = 0, branchPoints = 0, tips = 0;
    double totalLength = 0;   // sum over nodes of the distance to the parent, scaled
    double maxPathLength = 0; // longest root-to-node path, scaled
    double bboxMin[3] = {0, 0, 0}, bboxMax[3] = {0, 0, 0}; // scaled
    double shollCenter[3] = {0, 0, 0};                     // soma, else the first root (scaled)
    double shollStep = 0;
    std::vector<double> shollRadius;     // shollStep, 2*shollStep, ...
    std::vector<int> shollIntersections; // segments crossing each sphere
    std::vector<MorphBranch> branches;
};

// unitScale multiplies m.unitScale. shollStep <= 0 picks about 50 shells over the largest distance.
Morphometrics computeMorphometrics(const Morphology& m, double unitScale = 1.0, double shollStep = 0);

// ---- SWC ---------------------------------------------------------------------------------------------
struct SwcOptions {
    double unitScale = 1.0;
};
// Parses SWC text. Refused (Error with line): fewer than 7 columns, a non-number, a duplicate id, a
// missing parent, a cycle (including a node that is its own parent), no nodes. Repaired with a warning:
// zero or negative radii (absolute value, or the smallest positive radius of the file when zero), a
// parent of 0 in a file without id 0 (taken as a root marker). Accepts 0/1-based and non-sequential ids,
// parents after children, several roots, any soma position, CR/LF/CRLF, '#' comments, tabs, commas.
Result<Morphology> parseSwc(const std::string& text, const std::string& file, const SwcOptions& opt = {});
Result<Morphology> readSwc(const std::string& path, const SwcOptions& opt = {});
// Every *.swc in a folder (sorted by name). Any file refused refuses the folder (the Error names it).
Result<MorphologySet> readSwcFolder(const std::string& folder, const SwcOptions& opt = {});

} // namespace nr
