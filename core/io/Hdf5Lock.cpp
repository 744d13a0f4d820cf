#include "io/Hdf5Lock.h"

namespace nr {

std::mutex& hdf5Mutex() {
    static std::mutex m;
    return m;
}

} // namespace nr
