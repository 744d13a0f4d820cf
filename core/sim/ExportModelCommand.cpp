#include "sim/ExportModelCommand.h"

#include "sim/Models.h"
#include "sim/NeuronRun.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace nr {

namespace {

bool parseNumber(const std::string& s, double& v) {
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return !s.empty() && *end == '\0' && std::isfinite(v);
}

bool parseCount(const std::string& s, unsigned long long& v) {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos) return false;
    errno = 0;
    v = std::strtoull(s.c_str(), nullptr, 10);
    return errno != ERANGE;
}

int usage(std::ostream& err, const std::string& reason) {
    err << Error{"export", 0,
                 reason + " (usage: export MODEL --neuron-model DIR [--seconds T] [--seed S] [--neurons N] "
                          "[--dt MS] [--param name=value ...] [--ranks K])"}
               .str()
        << std::endl;
    return 2;
}

} // namespace

bool isExportModelCommand(const std::vector<std::string>& args) {
    return std::find(args.begin(), args.end(), "--neuron-model") != args.end();
}

int runExportModelCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    ModelRequest req;
    std::string dir;
    NeuronExportOptions o;
    bool haveModel = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string v;
        auto value = [&]() -> bool {
            if (i + 1 >= args.size()) return false;
            v = args[++i];
            return true;
        };
        double x = 0;
        unsigned long long k = 0;
        if (a == "--neuron-model") {
            if (!value() || v.empty()) return usage(err, "--neuron-model needs a folder");
            dir = v;
        } else if (a == "--seconds") {
            if (!value() || !parseNumber(v, x) || x <= 0 || x > 1e6)
                return usage(err, "--seconds needs a positive number of seconds");
            o.seconds = x;
        } else if (a == "--seed") {
            if (!value() || !parseCount(v, k)) return usage(err, "--seed needs a non-negative integer");
            req.seed = k;
        } else if (a == "--neurons") {
            if (!value() || !parseCount(v, k) || k == 0)
                return usage(err, "--neurons needs a positive integer");
            req.neurons = size_t(k);
        } else if (a == "--dt") {
            if (!value() || !parseNumber(v, req.dt) || req.dt <= 0)
                return usage(err, "--dt needs a positive number of milliseconds");
        } else if (a == "--ranks") {
            if (!value() || !parseCount(v, k) || k < 1 || k > 4096)
                return usage(err, "--ranks needs 1 to 4096");
            o.ranks = int(k);
        } else if (a == "--param") {
            if (!value()) return usage(err, "--param needs name=value");
            const size_t eq = v.find('=');
            if (eq == std::string::npos || eq == 0 || !parseNumber(v.substr(eq + 1), x))
                return usage(err, "--param needs name=value with a number, got '" + v + "'");
            req.params.emplace_back(v.substr(0, eq), x);
        } else if (!a.empty() && a[0] == '-') {
            return usage(err, "unknown option '" + a + "'");
        } else if (!haveModel && !a.empty()) {
            req.model = a;
            haveModel = true;
        } else {
            return usage(err, "one MODEL only, got '" + req.model + "' and '" + a + "'");
        }
    }
    if (!haveModel) return usage(err, "missing MODEL (coba, brunel, attractor, demo or a connectome file)");
    if (dir.empty()) return usage(err, "--neuron-model needs a folder");
    auto d = describeModel(req);
    if (!d) {
        err << d.error().str() << std::endl;
        return 2;
    }
    if (auto e = exportNeuronModel(d.value(), dir, o)) {
        err << e->str() << std::endl;
        return 2;
    }
    out << "export model=" << d.value().model << " cells=" << d.value().cellCount()
        << " synapses=" << d.value().synapseCount() << " dir=" << dir
        << " files=model.json,run.py,README.txt,neurorama_network.py,neurorama_stream.py"
        << " run=\"cd " << dir << " && mpirun -n " << o.ranks << " nrniv -mpi -python run.py\"" << std::endl;
    return 0;
}

} // namespace nr
