// Segment::Repair: after a failed write or sync the file's tail is cut back
// to what was synced and rewritten from the copy kept in memory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "io/file_util.h"
#include "storage/segment.h"
#include "storage/segment_format.h"
#include "storage/storage_test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;

void AppendFrames(Segment& seg, uint64_t first, int n, std::string* expected) {
  std::vector<std::string> data;
  for (int i = 0; i < n; ++i) data.push_back("payload-" + std::to_string(first + i));
  std::vector<AppendEntry> entries;
  for (const auto& d : data) entries.push_back({"pk", d});
  bool cut_failed = false;
  ASSERT_TRUE(seg.Append(first, 1000, entries, &cut_failed).ok());
  for (int i = 0; i < n; ++i) *expected += format::EncodeFrame(first + i, 1000, "pk", data[i]);
}

void Scribble(const std::filesystem::path& p, uint64_t pos, std::string_view junk) {
  int fd = ::open(p.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, junk.data(), junk.size(), static_cast<off_t>(pos)), static_cast<ssize_t>(junk.size()));
  ::close(fd);
}

TEST(SegmentRepair, RewritesEverythingAppendedSinceTheLastSync) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 0, 4096, /*keep_unsynced=*/true);
  ASSERT_TRUE(seg.ok());
  std::string expected = format::EncodeSegmentHeader(0);
  AppendFrames(**seg, 0, 3, &expected);
  ASSERT_TRUE((*seg)->Sync().ok());
  uint64_t synced = expected.size();
  AppendFrames(**seg, 3, 2, &expected);
  // The unsynced tail is garbage now (as if its pages were lost) and the
  // file has extra bytes after it (a half-done write).
  Scribble((*seg)->log_path(), synced + 5, std::string(40, 'X'));
  Scribble((*seg)->log_path(), expected.size() + 100, "tail");

  ASSERT_TRUE((*seg)->Repair(true).ok());
  EXPECT_EQ(*io::ReadFile((*seg)->log_path()), expected);
  // Once synced by the repair, a second repair leaves the file alone.
  Scribble((*seg)->log_path(), expected.size(), "more");
  ASSERT_TRUE((*seg)->Repair(true).ok());
  EXPECT_EQ(*io::ReadFile((*seg)->log_path()), expected);
}

TEST(SegmentRepair, CoversTheHeaderOfANeverSyncedSegment) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 7, 4096, /*keep_unsynced=*/true);
  ASSERT_TRUE(seg.ok());
  std::string expected = format::EncodeSegmentHeader(7);
  AppendFrames(**seg, 7, 2, &expected);
  Scribble((*seg)->log_path(), 0, std::string(expected.size(), '\0'));
  ASSERT_TRUE((*seg)->Repair(true).ok());
  EXPECT_EQ(*io::ReadFile((*seg)->log_path()), expected);
}

TEST(SegmentRepair, WithoutKeptCopyOnlyCutsBackToWhatWasWritten) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 0, 4096, /*keep_unsynced=*/false);
  ASSERT_TRUE(seg.ok());
  std::string expected = format::EncodeSegmentHeader(0);
  AppendFrames(**seg, 0, 2, &expected);
  Scribble((*seg)->log_path(), expected.size(), "half a frame");
  ASSERT_TRUE((*seg)->Repair(false).ok());
  EXPECT_EQ(*io::ReadFile((*seg)->log_path()), expected);
}

TEST(SegmentRepair, RewritesBytesKeptAliveByTheirOwnerNotCopied) {
  TempDir dir;
  auto seg = Segment::Create(dir.path(), 0, 4096, /*keep_unsynced=*/true);
  ASSERT_TRUE(seg.ok());
  std::string expected = format::EncodeSegmentHeader(0);
  ASSERT_TRUE((*seg)->Sync().ok());
  uint64_t synced = expected.size();
  std::weak_ptr<std::vector<std::string>> watch;
  {
    // The caller's buffers, handed over as the owner: the segment keeps them
    // (not a copy) until a sync, so they outlive this scope.
    auto owned = std::make_shared<std::vector<std::string>>();
    for (int i = 0; i < 3; ++i) owned->push_back(std::string(100 + i, static_cast<char>('a' + i)));
    std::vector<AppendEntry> entries;
    for (const auto& d : *owned) entries.push_back({"key", d});
    bool cut_failed = false;
    ASSERT_TRUE((*seg)->Append(0, 1000, entries, &cut_failed, owned).ok());
    for (int i = 0; i < 3; ++i) expected += format::EncodeFrame(i, 1000, "key", (*owned)[i]);
    watch = owned;
  }
  EXPECT_FALSE(watch.expired());
  Scribble((*seg)->log_path(), synced, std::string(60, 'X'));
  ASSERT_TRUE((*seg)->Repair(true).ok());
  EXPECT_EQ(*io::ReadFile((*seg)->log_path()), expected);
  EXPECT_TRUE(watch.expired());  // synced by the repair: released
}

}  // namespace
}  // namespace sluice::storage
