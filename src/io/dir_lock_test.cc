// DirLock: one holder at a time, the holder's PID in the refusal, released
// with the object (and by the kernel when a process dies: see
// tests/integration/test_data_dir_lock.py for kill -9).
#include "io/dir_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace sluice::io {
namespace {

namespace fs = std::filesystem;

fs::path TempLockFile() {
  std::string tmpl = (fs::temp_directory_path() / "sluice-dirlock-XXXXXX").string();
  return fs::path(::mkdtemp(tmpl.data())) / "LOCK";
}

TEST(DirLock, SecondHolderIsRefusedWithThePid) {
  fs::path file = TempLockFile();
  auto first = DirLock::Acquire(file, "the data directory X");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = DirLock::Acquire(file, "the data directory X");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("the data directory X is in use"), std::string::npos);
  EXPECT_NE(second.status().message().find("PID " + std::to_string(::getpid())), std::string::npos)
      << second.status().message();
  fs::remove_all(file.parent_path());
}

TEST(DirLock, ReleasedWithTheObjectAndMovable) {
  fs::path file = TempLockFile();
  {
    auto first = DirLock::Acquire(file, "x");
    ASSERT_TRUE(first.ok());
    DirLock moved = std::move(first).value();
    EXPECT_FALSE(DirLock::Acquire(file, "x").ok());
  }
  EXPECT_TRUE(DirLock::Acquire(file, "x").ok());
  fs::remove_all(file.parent_path());
}

TEST(DirLock, SymlinkedLockFileIsNotFollowed) {
  fs::path file = TempLockFile();
  fs::path target = file.parent_path() / "target";
  {
    std::FILE* f = std::fopen(target.c_str(), "w");
    std::fputs("keep", f);
    std::fclose(f);
  }
  fs::create_symlink(target, file);
  EXPECT_FALSE(DirLock::Acquire(file, "x").ok());
  EXPECT_EQ(fs::file_size(target), 4u);
  fs::remove_all(file.parent_path());
}

}  // namespace
}  // namespace sluice::io
