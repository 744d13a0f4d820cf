// Every reader Neurorama has, registered in one place. Each area of core/ provides a register function;
// this library links them all and is what the app and the command line use.
#pragma once

#include "io/ReaderRegistry.h"

namespace nr {

// Adds every built-in reader to `r` (called once by ReaderRegistry::builtin()).
void registerBuiltinReaders(ReaderRegistry& r);

} // namespace nr
