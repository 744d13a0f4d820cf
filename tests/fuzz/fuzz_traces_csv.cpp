// libFuzzer harness: the activity-trace CSV readers (wide: time + one column per neuron; long:
// neuron,time,value) through nr::readTraces, and the correlation matrix of what they read.
#include "FuzzCommon.h"
#include "formats/Open.h"
#include "traces/TraceAnalysis.h"
#include "traces/TraceFormats.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    limitMemory();
    seedCorpus(
        *argc, *argv,
        {{"wide", "time_s,AVAL,AVAR,RIML,velocity\n0,0.1,0.2,,1\n0.5,0.3,0.1,0.4,0.5\n1,0.2,0.5,0.1,-1\n"
                  "1.5,0.9,0.7,0.3,0\n"},
         {"long", "neuron,time,value\nA,0,1\nB,0,2\nA,1,1.5\nB,1,2.5\nA,2,0\nB,2,\n"},
         {"tsv", "t\tn1\tn2\tbeh:reversal\n0\t1\t2\t0\n1\t2\t1\t1\n2\t3\t3\t0\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".csv");
    writeBytes(path, data, size);
    auto t = nr::openTraces(path);
    if (t && t.value()->neurons() <= 64) {
        const nr::CorrMatrix m = nr::correlationMatrix(*t.value(), nr::CorrMethod::Spearman);
        (void)nr::meanAbsCorrelation(*t.value(), m);
    }
    return 0;
}
