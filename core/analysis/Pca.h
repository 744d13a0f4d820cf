// PCA of population activity: trial-averaged trajectories per condition and a live form for a sliding window.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "analysis/TrialData.h"
#include "model/Error.h"

namespace nr {

// Principal axes of a samples x features matrix.
struct PcaModel {
    Eigen::RowVectorXd mean;   // per feature
    Eigen::MatrixXd axes;      // features x k, unit columns, ordered by decreasing variance
    Eigen::VectorXd variance;  // variance along each axis
    Eigen::VectorXd explained; // variance along each axis / total variance
    // Centred projection: rows x k.
    Eigen::MatrixXd project(const Eigen::MatrixXd& x) const;
};

// Fits the first k axes (k is clipped to the number of features). Each axis is oriented so that its largest
// loading is positive. Uses the smaller of the two Gram/covariance eigenproblems.
PcaModel fitPca(const Eigen::MatrixXd& x, int k);

struct PcaOptions {
    double binMs = 50;   // bin width
    double smoothMs = 0; // sigma of a Gaussian kernel along time (0: none)
    double start = 0;    // window from trial start, seconds
    double end = -1;     // < 0: the latest spike time
    int components = 3;
};

struct PcaTrajectories {
    std::vector<std::string> conditions;
    std::vector<int64_t> unitIds;
    std::vector<double> binCentres;            // seconds from trial start
    std::vector<Eigen::MatrixXd> trajectories; // per condition: bins x k
    PcaModel model;
};

// Bins each unit's spikes (rates in Hz), averages over the unit's trials of each condition, smooths, stacks
// all conditions (conditions*bins x units), centres and projects onto the first k axes.
Result<PcaTrajectories> pcaTrajectories(const TrialData& data, const PcaOptions& opt);

// Live projection: fit the window of recent binned rates (time x units) and return its projection
// (time x k). Axis signs follow the previous call so the picture does not flip between updates.
class StreamingPca {
public:
    explicit StreamingPca(int components = 3) : k_(components) {}
    Eigen::MatrixXd update(const Eigen::MatrixXd& window);
    const PcaModel& model() const { return model_; }

private:
    int k_;
    PcaModel model_;
};

// Gaussian smoothing along rows (time) with sigma in bins, truncated at 4 sigma, renormalised at the edges.
Eigen::MatrixXd smoothRows(const Eigen::MatrixXd& x, double sigmaBins);

} // namespace nr
