#include "model/FileKind.h"

#include <cerrno>
#include <sys/stat.h>

namespace nr {

PathKind pathKind(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return errno == ELOOP ? PathKind::LinkLoop : PathKind::Missing;
    if (S_ISREG(st.st_mode)) return PathKind::Regular;
    if (S_ISDIR(st.st_mode)) return PathKind::Directory;
    if (S_ISFIFO(st.st_mode)) return PathKind::Fifo;
    if (S_ISSOCK(st.st_mode)) return PathKind::Socket;
    if (S_ISCHR(st.st_mode)) return PathKind::CharDevice;
    if (S_ISBLK(st.st_mode)) return PathKind::BlockDevice;
    return PathKind::Other;
}

const char* pathKindName(PathKind k) {
    switch (k) {
    case PathKind::Missing:
        return "missing";
    case PathKind::Regular:
        return "a regular file";
    case PathKind::Directory:
        return "a folder";
    case PathKind::Fifo:
        return "a FIFO (named pipe)";
    case PathKind::Socket:
        return "a socket";
    case PathKind::CharDevice:
        return "a character device";
    case PathKind::BlockDevice:
        return "a block device";
    case PathKind::LinkLoop:
        return "a loop of symbolic links";
    case PathKind::Other:
        return "not a regular file";
    }
    return "not a regular file";
}

namespace {
Status refuse(const std::string& path, PathKind k, const std::string& what) {
    if (k == PathKind::Missing) return Error{path, 0, "cannot open " + what + ": no such file"};
    return Error{path, 0,
                 std::string("is ") + pathKindName(k) + ", not a " + what + " (refused without opening it)"};
}
} // namespace

Status requireRegularFile(const std::string& path, const std::string& what) {
    const PathKind k = pathKind(path);
    if (k == PathKind::Regular) return std::nullopt;
    return refuse(path, k, what);
}

Status requireFileOrFolder(const std::string& path, const std::string& what) {
    const PathKind k = pathKind(path);
    if (k == PathKind::Regular || k == PathKind::Directory) return std::nullopt;
    return refuse(path, k, what);
}

bool fileExists(const std::string& path) {
    return pathKind(path) == PathKind::Regular;
}

bool isDirectory(const std::string& path) {
    return pathKind(path) == PathKind::Directory;
}

} // namespace nr
