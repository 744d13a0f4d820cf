// libFuzzer harness: the trial-pair reader (nr::readTrialData): the input is the spikes table, a line "===",
// then the trials table.
#include "FuzzCommon.h"
#include "io/TrialIO.h"

using namespace nr::fuzz;

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    seedCorpus(*argc, *argv,
               {{"pair", "unit,trial,time_s\n1,1,0.5\n2,2,0.25\n===\ntrial,condition\n1,a\n2,b\n"},
                {"units", "neuron,trial_id,t\n1,1,0.1\n===\ntrial,cond,unit\n1,x,1\n"}});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = scratchPath(".csv");
    writeBytes(path, data, size);
    static const std::string spikes = scratchPath("_spikes.csv"), trials = scratchPath("_trials.csv");
    const std::string in(reinterpret_cast<const char*>(data), size);
    const size_t cut = in.find("\n===\n");
    writeText(spikes, in.substr(0, cut));
    writeText(trials, cut == std::string::npos ? std::string() : in.substr(cut + 5));
    (void)nr::readTrialData(spikes, trials);
    return 0;
}
