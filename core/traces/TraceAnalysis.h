// Analyses of activity traces: correlation matrices (Pearson, Spearman) with NaN ignored pairwise, sliding
// windows, a fast all-pairs windowed Pearson, Leiden communities per window with labels matched across
// windows, structure vs function, and non-negative CP tensor factorisation (NTF). Pure functions over
// nr::Traces and plain arrays; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/Error.h"
#include "model/Graph.h"
#include "traces/Traces.h"

namespace nr {

// ---- correlation ----------------------------------------------------------------------------------------
enum class CorrMethod { Pearson, Spearman };

struct CorrMatrix {
    size_t n = 0;
    std::vector<double> r;    // n x n, symmetric, 1 on the diagonal of usable neurons, NaN where undefined
    size_t frames = 0;        // time points in the range
    size_t ignoredFrames = 0; // of those, frames where at least one neuron is NaN (left out pairwise)
    size_t ignoredValues = 0; // NaN cells in the range
    double at(size_t i, size_t j) const { return r[i * n + j]; }
};

// Correlation of every pair of neurons over time points [begin, end). A pair uses the frames where both are
// finite; with fewer than 3 such frames or a constant trace its r is NaN.
CorrMatrix correlationMatrix(const Traces& t, CorrMethod method = CorrMethod::Pearson, size_t begin = 0,
                             size_t end = size_t(-1));

// Rows of correlationMatrix(t, method) over the whole recording, a block at a time, without the n x n
// matrix: the traces are normalised (ranked for Spearman) once, O(n * T) memory; each block of rows is one
// product with all of them (pairs with NaN frames as in correlationMatrix). Values agree with
// correlationMatrix's to rounding (the products are summed in another order).
class CorrelationRows {
public:
    CorrelationRows(const Traces& t, CorrMethod method);
    size_t neurons() const { return n_; }
    // Rows [first, first + count) into `out` (count x n, row-major).
    void rows(size_t first, size_t count, double* out) const;
    // Bytes held by the normalised traces and by the work of one block of `blockRows` rows.
    static uint64_t bytes(const Traces& t, size_t blockRows);

private:
    const Traces& t_;
    CorrMethod method_;
    size_t n_ = 0, L_ = 0;
    std::vector<char> hasNaN_, ok_;
    std::vector<long> cleanPos_; // row -> its row in M_, -1 for rows with NaN
    std::vector<size_t> clean_;
    std::vector<double> M_; // clean rows, normalised, clean x L row-major
};

// Mean |Pearson r| over all pairs of neurons whose traces are finite and not constant over the whole
// recording (`pairs` of `neurons` used).
struct MeanAbsR {
    double mean = 0;
    size_t pairs = 0, neurons = 0;
};
MeanAbsR meanAbsCorrelation(const Traces& t, const CorrMatrix& whole);

// Bytes an analysis holding `matrices` n x n double matrices of `t` (besides correlationMatrix's own
// working set: its result, the product and the normalised rows) needs at its peak.
uint64_t correlationBytes(const Traces& t, CorrMethod method, size_t matrices = 0);
// nullopt when `bytes` fits the memory budget (io/MemoryBudget.h); otherwise an error on the traces' file
// naming `analysis`, the neurons and pairs, the memory needed and what to change.
Status checkCorrelationBudget(const Traces& t, uint64_t bytes, const std::string& analysis);

// Row order from average-linkage hierarchical clustering on the distance 1 - r (NaN counts as r = 0):
// the leaves of the dendrogram left to right, so correlated neurons sit next to each other.
std::vector<int> correlationOrder(const CorrMatrix& m);

// A graph layer of functional connectivity: one node per trace neuron (named as in the traces; positions,
// classes and the other node columns copied from `structure` through `join` when given, neurons without a
// partner placed at the centroid), an edge per pair with |r| >= threshold, or the `topK` strongest |r| of
// each neuron when topK > 0. Edge weight |r|, type "positive" or "negative" by the sign of r.
Graph functionalGraph(const Traces& t, const CorrMatrix& m, double threshold, int topK = 0,
                      const Graph* structure = nullptr, const NameJoin* join = nullptr);

// ---- sliding windows ------------------------------------------------------------------------------------
struct Window {
    size_t begin = 0, end = 0; // time points [begin, end)
    double tStart = 0, tEnd = 0;
};
// Windows of `window` samples every `step` samples that fit entirely in [0, T): floor((T - window) / step)
// + 1.
std::vector<Window> slidingWindows(size_t T, size_t window, size_t step);
// The same in seconds: lengths converted to samples with the median time step (rounded, at least 1).
Result<std::vector<Window>> slidingWindows(const Traces& t, double windowS, double stepS);
// Samples per window / step for seconds (median time step).
size_t secondsToSamples(const Traces& t, double seconds);

// ---- fast windowed Pearson ------------------------------------------------------------------------------
// All-pairs Pearson r of `n` rows of `data` (n x T, row-major, finite) in windows of `window` samples every
// `step` samples. Output: windows x n(n-1)/2 values, pairs in upper-triangle order (0,1), (0,2), ...
// (n-2,n-1) (numpy's triu_indices(n, 1)); constant rows give NaN. Block cross-products over blocks of
// gcd(window, step) samples are computed once and summed per window; `threads` split the windows.
// Returns the number of windows written to `out` (resized).
size_t windowedPearson(const double* data, size_t n, size_t T, size_t window, size_t step, int threads,
                       std::vector<double>& out);
inline size_t pairCount(size_t n) {
    return n * (n - 1) / 2;
}
inline size_t pairIndex(size_t i, size_t j, size_t n) {
    return i * n - i * (i + 1) / 2 + (j - i - 1);
} // i < j

// Windowed correlations of a recording: windows of `windowS` seconds every `stepS` seconds (see
// slidingWindows). Pearson without NaN uses windowedPearson; otherwise each window is a correlationMatrix
// (NaN ignored pairwise). `r` = windows x pairs (pairIndex order).
struct WindowedCorrelations {
    std::vector<Window> windows;
    std::vector<double> r;
    size_t ignoredFrames = 0; // summed over windows
};
Result<WindowedCorrelations> windowedCorrelations(const Traces& t, CorrMethod method, double windowS,
                                                  double stepS, int threads = 2,
                                                  const std::function<bool(double)>& progress = {});

// ---- communities over time ------------------------------------------------------------------------------
struct DynamicCommunities {
    std::vector<std::vector<int>> labels; // windows x neurons, matched across windows (-1: neuron unusable)
    std::vector<int> count;               // communities per window
    std::vector<double> modularity;       // per window
    int labelsUsed = 0;                   // distinct matched labels over all windows
};
// Leiden (modularity, `resolution`, seeded) on the graph of positive correlations of each window (`r` =
// windows x pairs as from windowedPearson). Labels are matched to the previous window by greatest overlap.
Result<DynamicCommunities> dynamicCommunities(const std::vector<double>& r, size_t n, size_t windows,
                                              double resolution = 1.0, uint64_t seed = 1,
                                              const std::function<bool(double)>& progress = {});
// Relabels `next` so that each of its communities takes the label of the previous window's community it
// overlaps most (greedy by overlap size); communities that match nothing get new labels from `nextFree`.
std::vector<int> matchLabels(const std::vector<int>& previous, const std::vector<int>& next, int& nextFree);

// ---- structure vs function ------------------------------------------------------------------------------
enum class SynapseKind { Chemical, Electrical, Both };
struct StructureFunction {
    size_t pairs = 0;     // neuron pairs used
    size_t connected = 0; // of those, with a structural weight > 0
    double r = 0;         // Pearson r between structural weight and functional r
    double p = 1;         // permutation p-value (two-sided), (1 + #|r_perm| >= |r|) / (1 + permutations)
    std::vector<double> weight, functional; // per pair, for the scatter plot
    std::vector<std::string> pairNames;     // "AVAL-AVAR"
};
// Structural weight of a pair = w(a->b) + w(b->a) over the chosen edge types (type names containing "chem" or
// "elec"; an untyped graph counts as chemical). Pairs are all pairs of trace neurons matched to graph nodes
// (`join` from joinNames with the graph's names) with a finite functional r; `connectedOnly` keeps w > 0.
Result<StructureFunction> structureFunction(const Graph& g, const NameJoin& join, const CorrMatrix& fc,
                                            SynapseKind kind = SynapseKind::Both, bool connectedOnly = false,
                                            size_t permutations = 1000, uint64_t seed = 1);

// ---- non-negative tensor factorisation ------------------------------------------------------------------
// X is I x J x K (K = 1 for a matrix), stored k-major then row-major: X[(k * I + i) * J + j].
struct NtfResult {
    size_t rank = 0;
    std::vector<float> A, B, C; // I x R, J x R, K x R (row-major); columns of A and B have unit 2-norm
    std::vector<double> lambda; // weight of each component (folded into C), sorted descending
    double relError = 0;        // ||X - Xhat||_F / ||X||_F
    int iterations = 0;
};
// CP decomposition with non-negative factors by HALS, random non-negative start from `seed` (deterministic),
// until the relative error changes by less than `tol` or `maxIter`.
Result<NtfResult> ntf(const std::vector<float>& X, size_t I, size_t J, size_t K, size_t rank,
                      uint64_t seed = 1, int maxIter = 200, double tol = 1e-6,
                      const std::function<bool(double)>& progress = {});

// pairs x windows affinity tensor from windowed correlations (`r` = windows x pairs): "positive" max(r, 0),
// "shifted" (1 + r) / 2, "abs" |r|. NaN becomes 0.
std::vector<float> affinityTensor(const std::vector<double>& r, size_t pairs, size_t windows,
                                  const std::string& mode = "positive");

} // namespace nr
