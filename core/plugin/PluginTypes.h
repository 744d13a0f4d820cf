// Plain data exchanged between the host and analysis plugins: inputs, parameters, progress, results.
// Header-only so that plugins built out of tree need nothing but these headers and QtCore.
#pragma once

#include <any>
#include <cstdlib>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analysis/TrialData.h"
#include "model/Error.h"
#include "model/Graph.h"
#include "model/SpikeTrains.h"

namespace nr {

// What a plugin accepts (bit flags).
enum InputKind : unsigned {
    SpikeTrainsInput = 1u << 0,
    TrialDataInput = 1u << 1,
    GraphInput = 1u << 2,
    MorphologyInput = 1u << 3,
    VolumeInput = 1u << 4,
    SimulationOutputInput = 1u << 5,
    TracesInput = 1u << 6,
    VesselInput = 1u << 7,
};
using InputKinds = unsigned;

// The data handed to a run. Unused kinds stay empty. `morphology`, `volume`, `simulation`, `traces` and
// `vessels` hold a std::shared_ptr<const T> of the host's MorphologySet, LabelVolume, Simulation, Traces and
// VesselGraph types.
struct Inputs {
    std::shared_ptr<const SpikeTrains> spikes;
    std::shared_ptr<const TrialData> trials;
    std::shared_ptr<const Graph> graph;
    std::any morphology, volume, simulation, traces, vessels;
    std::string source; // file the inputs came from ("" when none)
    // The results file the host saves the results to (.json or .csv; "" when none). A plugin whose matrix
    // would not fit in memory may then write its rows beside it as it computes them (MatrixRowsWriter in
    // plugin/ResultsIO.h). (Appended last: plugins built before it still read the members above.)
    std::string outFile;
};

struct ParamSpec {
    enum class Type { Int, Double, String, Enum, Bool };
    std::string name;
    Type type = Type::Double;
    std::string defaultValue;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    std::vector<std::string> choices; // Enum only
    std::string help;
};

// Parameter values as text, already checked against the specs by the host (every declared name is present).
struct Params {
    std::map<std::string, std::string> values;
    std::string text(const std::string& n, const std::string& def = "") const {
        auto it = values.find(n);
        return it == values.end() ? def : it->second;
    }
    double number(const std::string& n, double def = 0) const {
        auto it = values.find(n);
        return it == values.end() ? def : std::strtod(it->second.c_str(), nullptr);
    }
    long long integer(const std::string& n, long long def = 0) const {
        auto it = values.find(n);
        return it == values.end() ? def : std::strtoll(it->second.c_str(), nullptr, 10);
    }
    bool flag(const std::string& n, bool def = false) const {
        auto it = values.find(n);
        return it == values.end() ? def : (it->second == "true" || it->second == "1" || it->second == "yes");
    }
};

// Progress and cancellation of a run; called from the worker thread.
class Progress {
public:
    virtual ~Progress() = default;
    virtual void report(double /*fraction 0..1*/) {}
    virtual bool cancelled() const { return false; }
};

// ---- results --------------------------------------------------------------------------------------------
struct ScalarResult {
    std::string name;
    double value = 0;
};
struct TableColumn {
    std::string name;
    std::vector<double> numbers;   // numeric column, or
    std::vector<std::string> text; // text column (isText)
    bool isText = false;
};
struct TableResult {
    std::string name;
    std::vector<TableColumn> columns;
};
struct MatrixResult {
    std::string name;
    size_t rows = 0, cols = 0;
    std::vector<double> values; // row-major, rows * cols
    std::vector<std::string> rowLabels, colLabels;
};
struct SeriesResult {
    std::string name;  // the plot it belongs to
    std::string label; // the line within that plot
    std::vector<double> x, y;
};
struct NodeColumnResult {
    std::string name;
    std::vector<double> values; // one per graph node
};

struct Results {
    std::string plugin;                        // set by the host
    std::map<std::string, std::string> params; // set by the host: the parameters that produced these results
    std::vector<ScalarResult> scalars;
    std::vector<TableResult> tables;
    std::vector<MatrixResult> matrices;
    std::vector<SeriesResult> series;
    std::vector<NodeColumnResult> nodeColumns;

    void addScalar(const std::string& n, double v) { scalars.push_back({n, v}); }
    const ScalarResult* scalar(const std::string& n) const {
        for (const auto& s : scalars)
            if (s.name == n) return &s;
        return nullptr;
    }
};

} // namespace nr
