#include "analysis/Pca.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "analysis/TrialCounts.h"

namespace nr {

Eigen::MatrixXd PcaModel::project(const Eigen::MatrixXd& x) const {
    return (x.rowwise() - mean) * axes;
}

PcaModel fitPca(const Eigen::MatrixXd& x, int k) {
    PcaModel m;
    const Eigen::Index n = x.rows(), f = x.cols();
    k = int(std::max<Eigen::Index>(0, std::min<Eigen::Index>(k, f)));
    m.mean = n > 0 ? Eigen::RowVectorXd(x.colwise().mean()) : Eigen::RowVectorXd::Zero(f);
    const Eigen::MatrixXd xc = x.rowwise() - m.mean;
    const double denom = n > 1 ? double(n - 1) : 1.0;
    Eigen::VectorXd vals;
    Eigen::MatrixXd vecs; // features x r, descending
    if (n < f) {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(xc * xc.transpose() / denom);
        vals = es.eigenvalues().reverse();
        const Eigen::MatrixXd u = es.eigenvectors().rowwise().reverse();
        vecs = xc.transpose() * u;
        for (Eigen::Index j = 0; j < vecs.cols(); ++j) {
            const double norm = vecs.col(j).norm();
            if (norm > 0) vecs.col(j) /= norm;
        }
    } else {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(xc.transpose() * xc / denom);
        vals = es.eigenvalues().reverse();
        vecs = es.eigenvectors().rowwise().reverse();
    }
    vals = vals.cwiseMax(0.0);
    const double total = xc.squaredNorm() / denom;
    const Eigen::Index kk = std::min<Eigen::Index>(k, vecs.cols());
    m.axes = vecs.leftCols(kk);
    m.variance = vals.head(kk);
    m.explained = total > 0 ? Eigen::VectorXd(m.variance / total) : Eigen::VectorXd::Zero(kk);
    for (Eigen::Index j = 0; j < kk; ++j) {
        Eigen::Index arg = 0;
        m.axes.col(j).cwiseAbs().maxCoeff(&arg);
        if (m.axes(arg, j) < 0) m.axes.col(j) *= -1;
    }
    return m;
}

Eigen::MatrixXd smoothRows(const Eigen::MatrixXd& x, double sigma) {
    if (!(sigma > 0)) return x;
    const int half = std::max(1, int(std::ceil(4 * sigma)));
    std::vector<double> w(size_t(2 * half + 1));
    for (int i = -half; i <= half; ++i) w[size_t(i + half)] = std::exp(-0.5 * (i * i) / (sigma * sigma));
    Eigen::MatrixXd out = Eigen::MatrixXd::Zero(x.rows(), x.cols());
    for (Eigen::Index t = 0; t < x.rows(); ++t) {
        double wsum = 0;
        for (int i = -half; i <= half; ++i) {
            const Eigen::Index s = t + i;
            if (s < 0 || s >= x.rows()) continue;
            out.row(t) += w[size_t(i + half)] * x.row(s);
            wsum += w[size_t(i + half)];
        }
        out.row(t) /= wsum;
    }
    return out;
}

Result<PcaTrajectories> pcaTrajectories(const TrialData& d, const PcaOptions& opt) {
    const std::string& file = d.spikesSource;
    if (!(opt.binMs > 0)) return Error{file, 0, "bin width must be positive"};
    if (opt.components < 1) return Error{file, 0, "at least one component is needed"};
    if (d.spikeTime.empty()) return Error{file, 0, "no spikes at all in the recording"};
    double end = opt.end;
    if (end < 0) {
        end = *std::max_element(d.spikeTime.begin(), d.spikeTime.end());
        end = std::nextafter(end, end + 1);
    }
    // Trial structure (conditions, units, trials per unit and condition) from the counting step.
    auto counted = countSpikes(d, opt.start, end);
    if (!counted) return counted.error();
    const TrialCounts& tc = counted.value();
    const size_t C = tc.conditionCount(), U = tc.unitCount();
    const double bin = opt.binMs / 1000.0;
    const size_t B = size_t(std::ceil((end - opt.start) / bin - 1e-9));
    if (B < 1) return Error{file, 0, "the window holds no bin"};
    if (B * C * U > size_t(1) << 28)
        return Error{file, 0, "too many bins: widen the bins or shorten the window"};

    std::unordered_map<int64_t, uint32_t> unitIndex;
    for (size_t u = 0; u < U; ++u) unitIndex[tc.unitIds[u]] = uint32_t(u);
    std::map<std::string, uint32_t> condIndex;
    for (size_t c = 0; c < C; ++c) condIndex[tc.conditions[c]] = uint32_t(c);
    std::map<std::pair<int64_t, int64_t>, uint32_t> trialCond;
    for (size_t r = 0; r < d.trialId.size(); ++r)
        trialCond[{d.hasTrialUnits() ? d.trialUnit[r] : -1, d.trialId[r]}] = condIndex[d.trialCondition[r]];

    // rates[c] : bins x units, summed counts then divided by trials and bin width.
    std::vector<Eigen::MatrixXd> rates(C, Eigen::MatrixXd::Zero(Eigen::Index(B), Eigen::Index(U)));
    for (size_t i = 0; i < d.spikeTime.size(); ++i) {
        const double t = d.spikeTime[i];
        if (t < opt.start || t >= end) continue;
        const auto it = trialCond.find({d.hasTrialUnits() ? d.spikeUnit[i] : -1, d.spikeTrial[i]});
        if (it == trialCond.end()) continue; // countSpikes has already rejected such spikes
        const size_t b = std::min(B - 1, size_t((t - opt.start) / bin));
        rates[it->second](Eigen::Index(b), Eigen::Index(unitIndex[d.spikeUnit[i]])) += 1.0;
    }
    PcaTrajectories out;
    out.conditions = tc.conditions;
    out.unitIds = tc.unitIds;
    for (size_t b = 0; b < B; ++b) out.binCentres.push_back(opt.start + (double(b) + 0.5) * bin);
    Eigen::MatrixXd stacked(Eigen::Index(C * B), Eigen::Index(U));
    for (size_t c = 0; c < C; ++c) {
        for (size_t u = 0; u < U; ++u) rates[c].col(Eigen::Index(u)) /= double(tc.trialsIn(c, u)) * bin;
        rates[c] = smoothRows(rates[c], opt.smoothMs / opt.binMs);
        stacked.middleRows(Eigen::Index(c * B), Eigen::Index(B)) = rates[c];
    }
    out.model = fitPca(stacked, opt.components);
    for (size_t c = 0; c < C; ++c) out.trajectories.push_back(out.model.project(rates[c]));
    return out;
}

Eigen::MatrixXd StreamingPca::update(const Eigen::MatrixXd& window) {
    PcaModel m = fitPca(window, k_);
    if (model_.axes.rows() == m.axes.rows()) {
        for (Eigen::Index j = 0; j < std::min(m.axes.cols(), model_.axes.cols()); ++j)
            if (m.axes.col(j).dot(model_.axes.col(j)) < 0) m.axes.col(j) *= -1;
    }
    model_ = std::move(m);
    return model_.project(window);
}

} // namespace nr
