#include "analysis/Rdm.h"

#include <Eigen/Dense>
#include <cmath>

namespace nr {

Result<RdmMetric> parseRdmMetric(const std::string& name) {
    if (name == "correlation") return RdmMetric::Correlation;
    if (name == "euclidean") return RdmMetric::Euclidean;
    if (name == "crossnobis") return RdmMetric::Crossnobis;
    return Error{"", 0, "unknown metric '" + name + "' (choose correlation, euclidean or crossnobis)"};
}

const char* rdmMetricName(RdmMetric m) {
    switch (m) {
    case RdmMetric::Correlation:
        return "correlation";
    case RdmMetric::Euclidean:
        return "euclidean";
    case RdmMetric::Crossnobis:
        return "crossnobis";
    }
    return "correlation";
}

Eigen::MatrixXd responseMatrix(const TrialCounts& tc) {
    const size_t C = tc.conditionCount(), U = tc.unitCount();
    Eigen::MatrixXd r(C, U);
    for (size_t c = 0; c < C; ++c) {
        for (size_t u = 0; u < U; ++u) {
            const size_t s = tc.slot(c, u);
            double sum = 0;
            for (uint32_t k = tc.offset[s]; k < tc.offset[s + 1]; ++k) sum += tc.counts[k];
            const uint32_t n = tc.offset[s + 1] - tc.offset[s];
            r(Eigen::Index(c), Eigen::Index(u)) = n ? sum / n : std::nan("");
        }
    }
    return r;
}

Result<Eigen::MatrixXd> rdmOfResponses(const Eigen::MatrixXd& x, RdmMetric metric,
                                       const std::vector<std::string>& conditions, const std::string& file) {
    const Eigen::Index C = x.rows();
    for (Eigen::Index c = 0; c < C; ++c)
        if (!x.row(c).allFinite())
            return Error{file, 0, "condition '" + conditions[size_t(c)] + "' has no trials"};
    if (metric == RdmMetric::Correlation) {
        if (x.cols() < 2) return Error{file, 0, "correlation distance needs at least two units"};
        Eigen::MatrixXd n = x.colwise() - x.rowwise().mean();
        for (Eigen::Index c = 0; c < C; ++c) {
            const double norm = n.row(c).norm();
            if (!(norm > 1e-12 * (1.0 + x.row(c).cwiseAbs().maxCoeff())))
                return Error{
                    file, 0,
                    "condition '" + conditions[size_t(c)] +
                        "' has the same response in every unit; its correlation distance is undefined"};
            n.row(c) /= norm;
        }
        // Only one triangle of N N^T is computed (rank update), then mirrored.
        Eigen::MatrixXd g = Eigen::MatrixXd::Zero(C, C);
        g.selfadjointView<Eigen::Lower>().rankUpdate(n);
        Eigen::MatrixXd d(C, C);
        for (Eigen::Index j = 0; j < C; ++j) {
            d(j, j) = 0;
            for (Eigen::Index i = j + 1; i < C; ++i) d(i, j) = d(j, i) = 1.0 - g(i, j);
        }
        return d;
    }
    // Euclidean: ||a - b|| from squared norms and one matrix product.
    const Eigen::VectorXd sq = x.rowwise().squaredNorm();
    Eigen::MatrixXd g = x * x.transpose();
    Eigen::MatrixXd d(C, C);
    for (Eigen::Index i = 0; i < C; ++i)
        for (Eigen::Index j = 0; j < C; ++j) d(i, j) = std::sqrt(std::max(0.0, sq(i) + sq(j) - 2 * g(i, j)));
    d.diagonal().setZero();
    return d;
}

Result<Eigen::MatrixXd> crossnobisRdm(const TrialCounts& tc, double shrinkage) {
    const size_t C = tc.conditionCount(), U = tc.unitCount();
    if (!(shrinkage >= 0 && shrinkage <= 1)) return Error{tc.source, 0, "shrinkage must be within [0, 1]"};
    Eigen::MatrixXd a0(C, U), a1(C, U);
    Eigen::VectorXd ss = Eigen::VectorXd::Zero(Eigen::Index(U)), dof = Eigen::VectorXd::Zero(Eigen::Index(U));
    for (size_t c = 0; c < C; ++c) {
        for (size_t u = 0; u < U; ++u) {
            const size_t s = tc.slot(c, u);
            const uint32_t n = tc.offset[s + 1] - tc.offset[s];
            if (n < 2)
                return Error{tc.source, 0,
                             "condition '" + tc.conditions[c] + "' has fewer than two trials of unit " +
                                 std::to_string(tc.unitIds[u]) + "; crossnobis needs two folds"};
            double s0 = 0, s1 = 0, all = 0;
            uint32_t n0 = 0, n1 = 0;
            for (uint32_t k = 0; k < n; ++k) {
                const double v = tc.counts[tc.offset[s] + k];
                all += v;
                if (k % 2 == 0) {
                    s0 += v;
                    ++n0;
                } else {
                    s1 += v;
                    ++n1;
                }
            }
            const double mean = all / n;
            double res = 0;
            for (uint32_t k = 0; k < n; ++k) {
                const double e = tc.counts[tc.offset[s] + k] - mean;
                res += e * e;
            }
            ss(Eigen::Index(u)) += res;
            dof(Eigen::Index(u)) += n - 1;
            a0(Eigen::Index(c), Eigen::Index(u)) = s0 / n0;
            a1(Eigen::Index(c), Eigen::Index(u)) = s1 / n1;
        }
    }
    Eigen::VectorXd var = ss.cwiseQuotient(dof);
    const double meanVar = var.mean();
    if (!(meanVar > 0)) return Error{tc.source, 0, "no trial-to-trial variability: noise covariance is zero"};
    var = (1 - shrinkage) * var.array() + shrinkage * meanVar;
    for (size_t u = 0; u < U; ++u)
        if (!(var(Eigen::Index(u)) > 0))
            return Error{tc.source, 0,
                         "unit " + std::to_string(tc.unitIds[u]) +
                             " has no trial-to-trial variability; raise the shrinkage"};
    const Eigen::VectorXd w = var.cwiseInverse();
    // d_ij = (a0_i - a0_j)^T W (a1_i - a1_j) / U = (G_ii - G_ij - G_ji + G_jj) / U with G = a0 W a1^T.
    const Eigen::MatrixXd g = (a0 * w.asDiagonal()) * a1.transpose();
    Eigen::MatrixXd d(C, C);
    for (Eigen::Index i = 0; i < Eigen::Index(C); ++i)
        for (Eigen::Index j = 0; j < Eigen::Index(C); ++j)
            d(i, j) = (g(i, i) - g(i, j) - g(j, i) + g(j, j)) / double(U);
    d.diagonal().setZero();
    return d;
}

Result<Rdm> computeRdm(const TrialCounts& tc, RdmMetric metric, double shrinkage) {
    Rdm out;
    out.conditions = tc.conditions;
    if (tc.conditionCount() < 2) return Error{tc.source, 0, "an RDM needs at least two conditions"};
    if (metric == RdmMetric::Crossnobis) {
        auto d = crossnobisRdm(tc, shrinkage);
        if (!d) return d.error();
        out.d = std::move(d.value());
        return out;
    }
    auto d = rdmOfResponses(responseMatrix(tc), metric, tc.conditions, tc.source);
    if (!d) return d.error();
    out.d = std::move(d.value());
    return out;
}

std::vector<double> upperTriangle(const Eigen::MatrixXd& m) {
    std::vector<double> v;
    const Eigen::Index n = m.rows();
    v.reserve(size_t(n * (n - 1) / 2));
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = i + 1; j < n; ++j) v.push_back(m(i, j));
    return v;
}

} // namespace nr
