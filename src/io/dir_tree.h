// Directory trees handled without trusting what is in them: every path below
// a root is walked one component at a time with O_NOFOLLOW, so a symlink
// planted anywhere inside the data directory is never followed, and ".." or
// "." never reach the file system. The root itself may be reached through
// symlinks (it is the operator's choice); nothing below it is.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::io {

// True when `component` is usable as one path component below a root: not
// empty, not "." or "..", no '/' and no NUL, at most NAME_MAX bytes.
bool IsPlainComponent(std::string_view component);

// Removes `root/relative` and everything below it, then fsyncs its parent.
// Every component of `relative` must be plain (IsPlainComponent); a symlink
// met on the way down is an error, and one met inside the tree is unlinked,
// never followed. Removing a path that does not exist is Ok.
Status RemoveTreeBeneath(const std::filesystem::path& root, const std::filesystem::path& relative);

// Unlinks every non-directory entry directly inside `root/relative`
// (symlinks themselves included, never their targets); subdirectories are
// left alone. `keep(name)` returning true spares an entry. A missing
// directory is Ok; `relative` must be plain as above and may be empty.
Status RemoveFilesBeneath(const std::filesystem::path& root, const std::filesystem::path& relative,
                          const std::function<bool(std::string_view name)>& keep = nullptr);

// Creates `root/relative` and its missing parents below `root` (mode 0700),
// each level with mkdirat and opened with O_NOFOLLOW, fsyncing the parent of
// every level it creates. A symlink on the way is an error.
Status CreateDirectoriesBeneath(const std::filesystem::path& root, const std::filesystem::path& relative);

struct DirEntry {
  std::string name;
  enum class Kind { kDirectory, kFile, kSymlink, kOther } kind;
};

// The entries of `root/relative` (without "." and ".."), walked with
// O_NOFOLLOW: a symlinked directory is reported as kSymlink, not entered.
// A missing directory gives an empty list.
Result<std::vector<DirEntry>> ListBeneath(const std::filesystem::path& root, const std::filesystem::path& relative);

}  // namespace sluice::io
