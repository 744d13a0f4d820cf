#include "vessel/VesselFormats.h"

#include "model/FileKind.h"

#include <cstring>
#include <memory>

namespace nr {

namespace {

std::string lowerStr(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

Result<Dataset> makeDataset(Result<VesselGraph> g, std::vector<std::string> files, std::string name,
                            std::vector<std::string> warnings) {
    if (!g) return g.error();
    Dataset d;
    d.kind = LayerKind::Vessels;
    d.files = std::move(files);
    d.name = std::move(name);
    d.summary = vesselSummary(g.value());
    d.warnings = std::move(warnings);
    d.payload = std::shared_ptr<const VesselGraph>(std::make_shared<VesselGraph>(std::move(g.value())));
    return d;
}

// Layer name of a CSV pair: the node file's name without "_nodes.csv".
std::string pairName(const std::string& nodesOrEdges) {
    std::string b = baseName(nodesOrEdges);
    const std::string l = lowerStr(b);
    for (const char* suffix : {"_nodes", "_edges", "-nodes", "-edges", "_vertices"}) {
        const size_t at = l.rfind(suffix);
        if (at != std::string::npos && at > 0) return b.substr(0, at);
    }
    const size_t dot = b.find_last_of('.');
    return dot == std::string::npos ? b : b.substr(0, dot);
}

Result<Dataset> readPair(const std::string& path, const std::vector<std::string>& others,
                         const OpenOptions& opt) {
    std::string partner;
    for (const auto& o : others)
        if (o != path) {
            partner = o;
            break;
        }
    if (partner.empty()) partner = vesselPartnerFile(path);
    if (partner.empty()) {
        const std::string odd = vesselPartnerNotAFile(path);
        if (!odd.empty())
            if (auto s = requireRegularFile(odd, "partner table of " + baseName(path))) return *s;
    }
    if (partner.empty())
        return Error{
            path, 0,
            "a vessel graph needs its partner file: name them X_nodes.csv and X_edges.csv, or open both "
            "together"};
    std::vector<std::string> warnings;
    auto g = readVesselCsvPair(path, partner, opt, &warnings);
    return makeDataset(std::move(g), {path, partner}, pairName(path), std::move(warnings));
}

bool isSecombHead(const std::string& head) {
    // The seventh header line names the total number of segments.
    std::string l;
    for (char c : head) {
        c = char(std::tolower(static_cast<unsigned char>(c)));
        if (c == '\t' || c == '\r') c = ' ';
        if (c == ' ' && !l.empty() && l.back() == ' ') continue;
        l += c;
    }
    return l.find("total number of segments") != std::string::npos;
}

} // namespace

std::string vesselSummary(const VesselGraph& g) {
    std::string s = "nodes=" + std::to_string(g.nodeCount()) + " edges=" + std::to_string(g.edgeCount());
    if (!g.units.empty()) s += " units=" + g.units;
    return s;
}

void registerVesselReaders(ReaderRegistry& r) {
    r.add({"VesselGraph CSV pair",
           {"csv"},
           LayerKind::Vessels,
           "vessel graph: node table (id;pos_x;pos_y;pos_z;...) with its edge table "
           "(id;node1id;node2id;length;...)",
           [](const std::string&, const std::string& head) {
               return vesselTableKind(head, true) != VesselTableKind::None ? 3 : 0;
           },
           readPair});
    r.add({"Spatial graph CSV pair",
           {"csv", "tsv"},
           LayerKind::Vessels,
           "spatial graph: node table (id,x,y,z[,radius,...]) with an edge table (source,target,...) named "
           "X_nodes.csv / X_edges.csv",
           [](const std::string& path, const std::string& head) {
               // Claimed only with its partner next to it: a lone edge list stays a generic graph.
               if (vesselTableKind(head, false) == VesselTableKind::None) return 0;
               const std::string partner = vesselPartnerFile(path);
               if (partner.empty()) return 0;
               const VesselTableKind a = vesselTableKind(head, false),
                                     b = vesselTableKind(readHead(partner), false);
               return b != VesselTableKind::None && b != a ? 2 : 0;
           },
           readPair});
    r.add({"Legacy VTK polydata",
           {"vtk"},
           LayerKind::Vessels,
           "vessel graph as VTK legacy polydata: POINTS, 2-point LINES, CELL_DATA radius, POINT_DATA",
           [](const std::string& path, const std::string& head) {
               if (head.rfind("# vtk DataFile", 0) == 0)
                   return head.find("DATASET POLYDATA") != std::string::npos ? 3 : 1;
               return fileExtension(path) == "vtk" ? 1 : 0;
           },
           [](const std::string& path, const std::vector<std::string>&, const OpenOptions& opt)
               -> Result<Dataset> { return makeDataset(readVesselLegacyVtk(path, opt), {path}, "", {}); }});
    r.add({"Secomb network.dat",
           {"dat"},
           LayerKind::Vessels,
           "microvascular network of the NetFlow/Greens codes: segments (name type from to diam flow hd), "
           "nodes "
           "(name x y z, um), boundary nodes",
           [](const std::string& path, const std::string& head) {
               if (isSecombHead(head)) return 3;
               return fileExtension(path) == "dat" ? 1 : 0;
           },
           [](const std::string& path, const std::vector<std::string>&,
              const OpenOptions& opt) -> Result<Dataset> {
               std::vector<std::string> w;
               auto g = readSecombNetwork(path, opt, &w);
               return makeDataset(std::move(g), {path}, "", std::move(w));
           }});
}

} // namespace nr
