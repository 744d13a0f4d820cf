// Readers of vessel graphs (LayerKind::Vessels, Dataset::payload = std::shared_ptr<const VesselGraph>):
//   - VesselGraph node + edge CSV pairs (`;` or `,`; node: id;pos_x;pos_y;pos_z;..., edge:
//   id;node1id;node2id;
//     length;...;avgRadiusAvg;...). Either file finds its partner by name (X_nodes.csv <-> X_edges.csv), or
//     both are given together (`others`).
//   - Generic spatial graph CSV pairs: node table id,x,y,z[,radius,...] and edge table source,target[,...].
//   - Legacy VTK polydata (BINARY big-endian or ASCII): POINTS, 2-point LINES, CELL_DATA/POINT_DATA SCALARS.
//   - Secomb's network.dat (NetFlow / Greens): segments with diameter, flow and haematocrit, nodes in µm.
// Every reader reports bad input as Error{file, line, reason} and refuses files whose parsed size would not
// fit in memory (estimated from the file size before anything is allocated).
#pragma once

#include <string>
#include <vector>

#include "io/ReaderRegistry.h"
#include "vessel/VesselGraph.h"

namespace nr {

void registerVesselReaders(ReaderRegistry& r);

// Which kind of delimited table a header line names ("" when neither).
enum class VesselTableKind { None, Nodes, Edges };
// `strict`: only the VesselGraph column names (id;pos_x;pos_y;pos_z / node1id;node2id); otherwise also the
// generic spatial graph names (id,x,y,z / source,target and their usual aliases).
VesselTableKind vesselTableKind(const std::string& head, bool strict);

// The partner of X_nodes.csv (X_edges.csv) and back, or "" when it does not exist.
std::string vesselPartnerFile(const std::string& path);
// The partner's name when something by that name exists but is not a regular file (a folder, a FIFO, a
// device, a link loop), else "".
std::string vesselPartnerNotAFile(const std::string& path);

// Reads a node table and an edge table (the order of the two paths does not matter; each is classified
// by its header). `warnings` (optional) receives repaired problems ("FILE:LINE: reason").
// Options: "threads" (default: up to the number of cores), "max_memory_bytes", "units".
Result<VesselGraph> readVesselCsvPair(const std::string& a, const std::string& b, const OpenOptions& opt = {},
                                      std::vector<std::string>* warnings = nullptr);
Result<VesselGraph> readVesselLegacyVtk(const std::string& path, const OpenOptions& opt = {});
Result<VesselGraph> readSecombNetwork(const std::string& path, const OpenOptions& opt = {},
                                      std::vector<std::string>* warnings = nullptr);

// "nodes=N edges=M" (+ units when known).
std::string vesselSummary(const VesselGraph& g);

} // namespace nr
