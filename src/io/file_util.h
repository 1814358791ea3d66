// Small POSIX file helpers shared by storage and metadata code. Every function
// reports failure as a Status carrying errno's text; none throws.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::io {

class FileSystem;  // io/file_system.h

// Replaces `path` with `contents` so that a crash leaves either the old or the
// new file, never a mix: writes `path.tmp`, fsyncs it, renames it over `path`
// and fsyncs the parent directory. Durable on return.
// `mode` applies to a new file (subject to the umask): private (0600) unless
// the caller asks for more, e.g. 0644 for a certificate.
// The overloads without a FileSystem use FileSystem::Default() (POSIX).
Status WriteFileAtomically(FileSystem& fsys, const std::filesystem::path& path, std::string_view contents,
                           mode_t mode = 0600);
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents, mode_t mode = 0600);

// Reads a whole file.
Result<std::string> ReadFile(FileSystem& fsys, const std::filesystem::path& path);
Result<std::string> ReadFile(const std::filesystem::path& path);

// fsyncs a directory, making creations, renames and unlinks inside it durable.
Status SyncDirectory(FileSystem& fsys, const std::filesystem::path& dir);
Status SyncDirectory(const std::filesystem::path& dir);

// Creates `dir` and missing parents (mode 0700: private to the server's
// user), then fsyncs each created level's parent.
Status CreateDirectoriesDurably(FileSystem& fsys, const std::filesystem::path& dir);
Status CreateDirectoriesDurably(const std::filesystem::path& dir);

// Removing trees: io/dir_tree.h (confined, never follows a symlink).

// Status from the current errno, prefixed with `what`.
Status ErrnoStatus(std::string_view what, const std::filesystem::path& path);

}  // namespace sluice::io
