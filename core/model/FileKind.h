// What a path names, found with stat() before anything opens it. Readers refuse FIFOs, sockets, devices and
// link loops by name: opening a FIFO for reading blocks until a writer comes (for ever), and /dev/zero never
// ends. Every path a reader is given, or finds inside a file (a detached NRRD data file, a Zarr chunk, a
// session's files), goes through requireRegularFile() or requireFileOrFolder() first.
#pragma once

#include <string>

#include "model/Error.h"

namespace nr {

enum class PathKind { Missing, Regular, Directory, Fifo, Socket, CharDevice, BlockDevice, LinkLoop, Other };

PathKind pathKind(const std::string& path);
// True when `path` is a regular file (after links) / a folder.
bool fileExists(const std::string& path);
bool isDirectory(const std::string& path);
// "a FIFO (named pipe)", "a folder", "a character device", ... for messages.
const char* pathKindName(PathKind k);

// An Error naming the file when `path` is not a regular file: "is a FIFO (named pipe), not a file".
// `what` names the role in the message ("data file", "chunk", ...).
Status requireRegularFile(const std::string& path, const std::string& what = "file");
// The same, but a folder is accepted too (Zarr stores, folders of SWC files).
Status requireFileOrFolder(const std::string& path, const std::string& what = "file");

} // namespace nr
