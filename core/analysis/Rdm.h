// Representational dissimilarity matrices between condition response vectors.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "analysis/TrialCounts.h"
#include "model/Error.h"

namespace nr {

enum class RdmMetric { Correlation, Euclidean, Crossnobis };

Result<RdmMetric> parseRdmMetric(const std::string& name);
const char* rdmMetricName(RdmMetric m);

struct Rdm {
    std::vector<std::string> conditions;
    Eigen::MatrixXd d; // conditions x conditions, symmetric, zero diagonal
};

// Default shrinkage of the crossnobis noise variances towards their mean.
constexpr double kCrossnobisShrinkage = 0.2;

// Response vectors: row c, column u = mean count of unit u over its trials of condition c.
Eigen::MatrixXd responseMatrix(const TrialCounts& tc);

// Correlation (1 - Pearson r) or Euclidean RDM of the rows of `responses`. A constant row (correlation) is an
// error naming its condition. `file` goes into errors.
Result<Eigen::MatrixXd> rdmOfResponses(const Eigen::MatrixXd& responses, RdmMetric metric,
                                       const std::vector<std::string>& conditions, const std::string& file);

// Cross-validated Mahalanobis distances (two folds by trial-id parity; diagonal noise covariance shrunk
// towards its mean by `shrinkage`). Needs at least two trials per unit and condition.
Result<Eigen::MatrixXd> crossnobisRdm(const TrialCounts& tc, double shrinkage = kCrossnobisShrinkage);

// The RDM of a recording under any metric.
Result<Rdm> computeRdm(const TrialCounts& tc, RdmMetric metric, double shrinkage = kCrossnobisShrinkage);

// Upper triangle (i < j) in row-major order.
std::vector<double> upperTriangle(const Eigen::MatrixXd& m);

} // namespace nr
