#include "io/Hdf5Util.h"

#include "io/ReaderRegistry.h"

namespace nr {

bool isHdf5Head(const std::string& head) {
    return head.size() >= 8 && head.compare(0, 8, std::string("\x89HDF\r\n\x1a\n", 8)) == 0;
}

bool isHdf5File(const std::string& path) {
    return isHdf5Head(readHead(path, 8));
}

bool h5Exists(hid_t loc, const std::string& path) {
    if (path.empty()) return false;
    if (path == "/") return true;
    size_t pos = 0;
    while (true) {
        pos = path.find('/', pos + 1);
        const std::string part = path.substr(0, pos);
        if (!part.empty() && part != "/" && H5Lexists(loc, part.c_str(), H5P_DEFAULT) <= 0) return false;
        if (pos == std::string::npos) return true;
    }
}

} // namespace nr
