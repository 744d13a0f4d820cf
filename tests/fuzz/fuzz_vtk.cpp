// libFuzzer harness: the legacy VTK polydata reader (nr::readVesselLegacyVtk), ASCII and binary; the
// statistics run on every graph read.
#include "FuzzCommon.h"
#include "vessel/VesselFormats.h"
#include "vessel/VesselGraph.h"

#include <cstring>

using namespace nr::fuzz;

namespace {

std::string binarySeed() {
    auto be32 = [](uint32_t v) {
        std::string s(4, '\0');
        for (int i = 0; i < 4; ++i) s[size_t(i)] = char((v >> (24 - 8 * i)) & 0xff);
        return s;
    };
    auto bef = [&](float f) {
        uint32_t u;
        std::memcpy(&u, &f, 4);
        return be32(u);
    };
    std::string s = "# vtk DataFile Version 3.0\nvessels\nBINARY\nDATASET POLYDATA\nPOINTS 3 float\n";
    for (float f : {0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 1.f, 1.f, 0.f}) s += bef(f);
    s += "\nLINES 2 6\n";
    for (uint32_t v : {2u, 0u, 1u, 2u, 1u, 2u}) s += be32(v);
    s += "\nCELL_DATA 2\nSCALARS radius float 1\nLOOKUP_TABLE default\n";
    s += bef(1.5f) + bef(2.f);
    return s + "\n";
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    seedCorpus(*argc, *argv,
               {{"ascii", "# vtk DataFile Version 3.0\nvessels\nASCII\nDATASET POLYDATA\nPOINTS 4 float\n"
                          "0 0 0 1 0 0 1 1 0 0 1 1\nLINES 3 9\n2 0 1\n2 1 2\n2 2 3\nCELL_DATA 3\n"
                          "SCALARS radius float 1\nLOOKUP_TABLE default\n1 2 3\nPOINT_DATA 4\n"
                          "SCALARS pressure double 1\nLOOKUP_TABLE default\n10 9 8 7\n"},
                {"polyline", "# vtk DataFile Version 2.0\nx\nASCII\nDATASET POLYDATA\nPOINTS 3 double\n"
                             "0 0 0\n1 1 1\n2 2 2\nLINES 1 4\n3 0 1 2\n"},
                {"binary", binarySeed()}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".vtk");
    writeBytes(path, data, size);
    auto g = nr::readVesselLegacyVtk(path);
    if (g) (void)nr::vesselStats(g.value());
    return 0;
}
