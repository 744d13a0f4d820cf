// Models that come from graphs: the demo network and connectome files.
#include "sim/Models.h"

#if __has_include("io/DemoNetwork.h") && __has_include("io/GraphIO.h")
#include "io/DemoNetwork.h"
#include "io/GraphIO.h"
#define NR_SIM_HAS_GRAPH_IO 1
#endif

namespace nr {

Result<Network> buildModel(const ModelRequest& req) {
    if (req.model == "coba") return makeCoba(req);
    if (req.model == "brunel") return makeBrunel(req);
    if (req.model == "attractor") return makeAttractor(req);
#ifdef NR_SIM_HAS_GRAPH_IO
    if (req.model == "demo") {
        DemoOptions o;
        o.seed = unsigned(req.seed);
        ModelRequest r = req;
        if (req.neurons > 0) o.neurons = req.neurons;
        r.neurons = 0;
        auto net = networkFromGraph(makeDemoNetwork(o), r);
        if (net) net.value().model = "demo";
        return net;
    }
    auto g = readGraph(req.model);
    if (!g) return g.error();
    auto net = networkFromGraph(g.value(), req);
    if (net) net.value().model = req.model;
    return net;
#else
    return Error{"simulate", 0,
                 "model '" + req.model + "': graph models need the graph readers, which this build lacks"};
#endif
}

} // namespace nr
