// MemFileSystem and FaultInjectionFileSystem: the fault model the power-loss
// tests rely on.
#include "io/mem_file_system.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "io/fault_injection_file_system.h"
#include "io/file_util.h"

namespace sluice::io {
namespace {

Status Write(FileSystem& fs, int fd, std::string_view s, uint64_t pos) {
  return PwritevFull(fs, fd, {iovec{const_cast<char*>(s.data()), s.size()}}, pos, "f");
}

TEST(MemFileSystem, UnsyncedBytesAndEntriesAreLostOnPowerCut) {
  MemFileSystem fs;
  ASSERT_TRUE(fs.Mkdir("/d").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  auto fd = fs.Open("/d/a", O_RDWR | O_CREAT);
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(Write(fs, *fd, "hello", 0).ok());
  ASSERT_TRUE(fs.Fdatasync(*fd).ok());
  ASSERT_TRUE(Write(fs, *fd, " world", 5).ok());
  // The file's data is synced but its name is not: it goes.
  fs.DropUnsynced();
  EXPECT_FALSE(fs.Exists("/d/a"));
  EXPECT_TRUE(fs.Exists("/d"));
  EXPECT_EQ(fs.open_handles(), 0u);

  fd = fs.Open("/d/a", O_RDWR | O_CREAT);
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(Write(fs, *fd, "hello", 0).ok());
  ASSERT_TRUE(fs.Fdatasync(*fd).ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  ASSERT_TRUE(Write(fs, *fd, " world", 5).ok());
  fs.DropUnsynced(MemFileSystem::Unsynced::kDrop);
  EXPECT_EQ(*fs.Contents("/d/a"), "hello");

  fd = fs.Open("/d/a", O_RDWR);
  ASSERT_TRUE(Write(fs, *fd, " world", 5).ok());
  fs.DropUnsynced(MemFileSystem::Unsynced::kZero);
  EXPECT_EQ(*fs.Contents("/d/a"), std::string("hello") + std::string(6, '\0'));

  fd = fs.Open("/d/a", O_RDWR);
  ASSERT_TRUE(fs.Ftruncate(*fd, 5).ok());
  ASSERT_TRUE(fs.Fsync(*fd).ok());
  ASSERT_TRUE(Write(fs, *fd, "J", 0).ok());  // a rewrite inside the durable length
  ASSERT_TRUE(Write(fs, *fd, "!", 5).ok());
  fs.DropUnsynced(MemFileSystem::Unsynced::kKeep);
  EXPECT_EQ(*fs.Contents("/d/a"), "hello!");
}

TEST(MemFileSystem, RenameAndUnlinkAreUndoneUntilTheDirectoryIsSynced) {
  MemFileSystem fs;
  ASSERT_TRUE(CreateDirectoriesDurably(fs, "/x/y").ok());
  ASSERT_TRUE(WriteFileAtomically(fs, "/x/y/meta", "v1").ok());
  ASSERT_TRUE(fs.SetContents("/x/y/meta.tmp", "v2").ok());
  auto fd = fs.Open("/x/y/meta.tmp", O_RDWR);
  ASSERT_TRUE(fs.Fdatasync(*fd).ok());
  ASSERT_TRUE(fs.Rename("/x/y/meta.tmp", "/x/y/meta").ok());
  EXPECT_EQ(*ReadFile(fs, "/x/y/meta"), "v2");
  fs.DropUnsynced();
  EXPECT_EQ(*ReadFile(fs, "/x/y/meta"), "v1");
  EXPECT_FALSE(fs.Exists("/x/y/meta.tmp"));

  ASSERT_TRUE(fs.Unlink("/x/y/meta").ok());
  EXPECT_FALSE(fs.Exists("/x/y/meta"));
  fs.DropUnsynced();
  EXPECT_EQ(*ReadFile(fs, "/x/y/meta"), "v1");
  ASSERT_TRUE(fs.Unlink("/x/y/meta").ok());
  ASSERT_TRUE(SyncDirectory(fs, "/x/y").ok());
  fs.DropUnsynced();
  EXPECT_FALSE(fs.Exists("/x/y/meta"));
  auto names = fs.ListDir("/x/y");
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty());
}

TEST(FaultInjectionFileSystem, CutAtASyncPointFailsItAndEverythingAfter) {
  MemFileSystem disk;
  FaultInjectionFileSystem fs(&disk);
  ASSERT_TRUE(CreateDirectoriesDurably(fs, "/m").ok());
  ASSERT_EQ(fs.sync_points(), 1u);  // "/" after mkdir /m
  ASSERT_TRUE(WriteFileAtomically(fs, "/m/f", "one").ok());
  ASSERT_EQ(fs.sync_points(), 3u);  // fdatasync of f.tmp, fsync of /m
  fs.CutPowerAtSync(4);             // the directory sync of the next replacement
  EXPECT_FALSE(WriteFileAtomically(fs, "/m/f", "two").ok());
  EXPECT_TRUE(fs.powered_off());
  EXPECT_FALSE(fs.Open("/m/f", O_RDONLY).ok());  // dead until the reboot
  EXPECT_EQ(fs.sync_log().back(), "syncdir /m");
  fs.Reboot();
  EXPECT_EQ(*ReadFile(fs, "/m/f"), "one");  // the rename was undone

  fs.CutPowerAtWrite(1, [](size_t total) { return total / 2; });  // the 2nd write from now
  EXPECT_TRUE(WriteFileAtomically(fs, "/m/f", "three").ok());
  auto fd = fs.Open("/m/f", O_RDWR);
  ASSERT_TRUE(fd.ok());
  EXPECT_FALSE(Write(fs, *fd, "-more", 5).ok());
  fs.Reboot();
  EXPECT_EQ(*ReadFile(fs, "/m/f"), "three-m");  // a torn write: its first half landed
}

TEST(FileSystem, HandleErrorsNameTheFileThroughOnPath) {
  MemFileSystem fs;
  Status st = OnPath(fs.Fdatasync(12345), "/d/x.log");
  EXPECT_EQ(st.message(), "fdatasync /d/x.log: Bad file descriptor");
  EXPECT_TRUE(OnPath(Status::Ok(), "/d").ok());
  Status missing = fs.Open("/nope/x", O_RDONLY).status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "open /nope/x: No such file or directory");
}

}  // namespace
}  // namespace sluice::io
