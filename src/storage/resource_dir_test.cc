// The name-to-directory mapping and the confined tree operations: names that
// are valid on AWS ("..", ".", long names) never escape or collide, a
// removal never follows a symlink, a failed creation leaves nothing.
#include "storage/resource_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "io/dir_tree.h"
#include "model/region.h"
#include "storage/storage_test_util.h"

namespace sluice::storage {
namespace {

namespace fs = std::filesystem;

// Inverse of OnDiskName for escaped (not hashed) forms: shows injectivity.
std::string Decode(const std::string& on_disk) {
  std::string out;
  for (size_t i = 0; i < on_disk.size(); ++i) {
    if (on_disk[i] == '%') {
      out.push_back(static_cast<char>(std::stoi(on_disk.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(on_disk[i]);
    }
  }
  return out;
}

using testing::TempDir;

void Touch(const fs::path& p, const std::string& text = "x") { std::ofstream(p) << text; }

TEST(OnDiskNameTest, DotNamesAreEscapedAndPlainNamesKept) {
  EXPECT_EQ(OnDiskName("events"), "events");
  EXPECT_EQ(OnDiskName("my.stream-1_a"), "my.stream-1_a");
  EXPECT_EQ(OnDiskName("."), "%2E");
  EXPECT_EQ(OnDiskName(".."), "%2E.");
  EXPECT_EQ(OnDiskName(".hidden"), "%2Ehidden");
  EXPECT_EQ(OnDiskName("a/b"), "a%2Fb");
  EXPECT_EQ(OnDiskName("%2E"), "%252E");
  EXPECT_EQ(OnDiskName(""), "%");
}

TEST(OnDiskNameTest, RandomValidNamesArePlainAndInjective) {
  // AWS's syntax for stream, delivery stream and table names, up to 255.
  const std::string alphabet = "..........abcXYZ019_-";
  std::mt19937 rng(42);
  std::set<std::string> names, mapped;
  for (int i = 0; i < 20000; ++i) {
    size_t len = 1 + rng() % (i % 10 == 0 ? 255 : 6);
    std::string n;
    for (size_t k = 0; k < len; ++k) n.push_back(alphabet[rng() % alphabet.size()]);
    if (!names.insert(n).second) continue;
    std::string d = OnDiskName(n);
    ASSERT_TRUE(io::IsPlainComponent(d)) << n << " -> " << d;
    ASSERT_NE(d[0], '.') << n;
    ASSERT_TRUE(mapped.insert(d).second) << "collision for " << n;
    if (d.find("%%") == std::string::npos) ASSERT_EQ(Decode(d), n);
  }
}

TEST(OnDiskNameTest, LongNamesAreHashedWithinNameMax) {
  std::string dots(255, '.');
  std::string d = OnDiskName(dots);
  EXPECT_LE(d.size(), 255u);
  EXPECT_NE(d.find("%%"), std::string::npos);
  EXPECT_NE(OnDiskName(std::string(254, '.') + "a"), d);
}

TEST(RegionTest, AwsSyntaxOnly) {
  for (const char* r : {"us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1", "us-isob-east-1",
                        "eusc-de-east-1", "me-central-1", "il-central-1"})
    EXPECT_TRUE(model::IsValidRegion(r)) << r;
  for (const char* r : {"", "..", ".", "us-east", "useast1", "xx-east-1", "us-east-1/..", "us-east-1 ", "us--1",
                        "us-east-1a", "../us-east-1", "US-EAST-1"})
    EXPECT_FALSE(model::IsValidRegion(r)) << r;
}

TEST(ResourceDirectoryTest, DotNamesLiveInsideTheirRegion) {
  TempDir tmp;
  ResourceDirectory dirs(tmp.path(), "kinesis", "stream.json");
  ASSERT_TRUE(dirs.CreateRoot().ok());
  fs::path canary = tmp.path() / "kinesis" / "us-east-1" / "other";
  fs::create_directories(canary);
  Touch(canary / "stream.json");
  for (const char* name : {"..", "."}) {
    fs::path p = dirs.PathOf("us-east-1", name);
    EXPECT_EQ(p.parent_path(), tmp.path() / "kinesis" / "us-east-1");
    auto staging = dirs.Stage("us-east-1");
    ASSERT_TRUE(staging.ok());
    Touch(*staging / "stream.json");
    ASSERT_TRUE(dirs.Publish(*staging, "us-east-1", name).ok());
    EXPECT_TRUE(fs::exists(p / "stream.json"));
    ASSERT_TRUE(dirs.Remove(p).ok());
    EXPECT_FALSE(fs::exists(p));
  }
  EXPECT_TRUE(fs::exists(canary / "stream.json"));
}

TEST(ResourceDirectoryTest, RemoveRefusesPathsOutsideItsTree) {
  TempDir tmp;
  ResourceDirectory dirs(tmp.path(), "kinesis", "stream.json");
  ASSERT_TRUE(dirs.CreateRoot().ok());
  fs::create_directories(tmp.path() / "s3");
  Touch(tmp.path() / "s3" / "index.db");
  EXPECT_FALSE(dirs.Remove(tmp.path() / "kinesis" / ".." / "s3").ok());
  EXPECT_FALSE(dirs.Remove(tmp.path() / "s3").ok());
  EXPECT_FALSE(dirs.Remove(tmp.path() / "kinesis").ok());
  EXPECT_FALSE(dirs.Remove(tmp.path()).ok());
  EXPECT_TRUE(fs::exists(tmp.path() / "s3" / "index.db"));
}

TEST(ResourceDirectoryTest, SymlinksAreNeverFollowed) {
  TempDir tmp;
  fs::path outside = tmp.path() / "outside";
  fs::create_directories(outside);
  Touch(outside / "precious");
  fs::path data = tmp.path() / "data";
  ResourceDirectory dirs(data, "kinesis", "stream.json");
  ASSERT_TRUE(dirs.CreateRoot().ok());
  // A region directory that is a symlink, and a stream directory holding one.
  fs::create_directory_symlink(outside, data / "kinesis" / "eu-west-1");
  EXPECT_FALSE(dirs.Remove(dirs.PathOf("eu-west-1", "x")).ok());
  EXPECT_FALSE(dirs.Stage("eu-west-1").ok());
  EXPECT_EQ(std::distance(fs::directory_iterator(outside), fs::directory_iterator()), 1);
  fs::path stream = data / "kinesis" / "us-east-1" / "s";
  fs::create_directories(stream);
  Touch(stream / "stream.json");
  fs::create_directory_symlink(outside, stream / "shards");
  ASSERT_TRUE(dirs.Remove(stream).ok());
  EXPECT_FALSE(fs::exists(stream));
  EXPECT_TRUE(fs::exists(outside / "precious"));
  // Recovery neither enters the symlinked region nor loads through it.
  int loaded = 0;
  ASSERT_TRUE(dirs.Recover([&](const fs::path&, const std::string&) {
                    ++loaded;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(loaded, 0);
  EXPECT_TRUE(fs::exists(outside / "precious"));
}

TEST(ResourceDirectoryTest, RecoverRemovesUnfinishedCreationsAndLoadsTheRest) {
  TempDir tmp;
  ResourceDirectory dirs(tmp.path(), "firehose", "config.json");
  ASSERT_TRUE(dirs.CreateRoot().ok());
  auto staging = dirs.Stage("eu-west-1");
  ASSERT_TRUE(staging.ok());
  Touch(*staging / "config.json");
  fs::path half = dirs.PathOf("eu-west-1", "half");
  fs::create_directories(half);
  fs::path done = dirs.PathOf("eu-west-1", "..");
  fs::create_directories(done);
  Touch(done / "config.json", "{}");
  std::vector<fs::path> seen;
  ASSERT_TRUE(dirs.Recover([&](const fs::path& dir, const std::string& text) {
                    seen.push_back(dir);
                    EXPECT_EQ(text, "{}");
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(dirs.Matches(seen[0], "eu-west-1", ".."));
  EXPECT_FALSE(dirs.Matches(seen[0], "eu-west-1", "."));
  EXPECT_FALSE(fs::exists(*staging));
  EXPECT_FALSE(fs::exists(half));
}

TEST(ResourceDirectoryTest, CreatePublishesWhatFillMadeOrLeavesNothing) {
  TempDir tmp;
  ResourceDirectory dirs(tmp.path(), "firehose", "config.json");
  ASSERT_TRUE(dirs.CreateRoot().ok());
  auto made = dirs.Create("us-east-1", "ok", [](const fs::path& staging) {
    Touch(staging / "config.json", "{}");
    return Status::Ok();
  });
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(*made, dirs.PathOf("us-east-1", "ok"));
  EXPECT_TRUE(fs::exists(*made / "config.json"));
  auto failed = dirs.Create("us-east-1", "bad", [](const fs::path& staging) {
    Touch(staging / "config.json", "{}");
    return Status::IoError("disk gone");
  });
  EXPECT_EQ(failed.status().code(), StatusCode::kIoError);
  EXPECT_FALSE(fs::exists(dirs.PathOf("us-east-1", "bad")));
  // Nothing but the published resource is left in the region.
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path() / "firehose" / "us-east-1"), fs::directory_iterator()), 1);
}

TEST(ResourceDirectoryTest, RecoverEachFinishesDeletionsAndSkipsMisplacedMetadata) {
  TempDir tmp;
  ResourceDirectory dirs(tmp.path(), "kinesis", "stream.json");
  ASSERT_TRUE(dirs.CreateRoot().ok());
  // Metadata "region name state"; "DELETING" marks an acknowledged deletion.
  auto put = [&](const char* region, const char* name, const std::string& text) {
    fs::path dir = dirs.PathOf(region, name);
    fs::create_directories(dir);
    Touch(dir / "stream.json", text);
    return dir;
  };
  put("us-east-1", "live", "us-east-1 live ACTIVE");
  fs::path gone = put("us-east-1", "gone", "us-east-1 gone DELETING");
  fs::path moved = put("us-east-1", "moved", "eu-west-1 moved ACTIVE");  // copied by hand
  struct Meta {
    std::string region, name, state;
  };
  auto parse = [](std::string_view text) -> Result<Meta> {
    std::istringstream in{std::string(text)};
    Meta m;
    if (!(in >> m.region >> m.name >> m.state)) return Status::Corruption("not metadata");
    return m;
  };
  auto identify = [](const Meta& m) { return ResourceIdentity{m.region, m.name, m.state == "DELETING"}; };
  std::vector<std::string> loaded;
  auto load = [&](const fs::path&, Meta m) {
    loaded.push_back(m.name);
    return Status::Ok();
  };
  ASSERT_TRUE(dirs.RecoverEach<Meta>(parse, identify, load).ok());
  EXPECT_EQ(loaded, std::vector<std::string>{"live"});
  EXPECT_FALSE(fs::exists(gone));
  EXPECT_TRUE(fs::exists(moved / "stream.json"));  // not ours to remove
  // Metadata that does not parse fails the recovery, naming its directory.
  fs::path bad = put("us-east-1", "bad", "garbage");
  Status st = dirs.RecoverEach<Meta>(parse, identify, load);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find(bad.string()), std::string::npos) << st.message();
}

TEST(DirTreeTest, RemoveFilesBeneathUnlinksSymlinksNotTargets) {
  TempDir tmp;
  fs::path outside = tmp.path() / "outside";
  fs::create_directories(outside);
  Touch(outside / "precious");
  fs::create_directories(tmp.path() / "data" / "tmp");
  Touch(tmp.path() / "data" / "tmp" / "part");
  fs::create_symlink(outside / "precious", tmp.path() / "data" / "tmp" / "link");
  fs::create_directory_symlink(outside, tmp.path() / "data" / "parts");
  ASSERT_TRUE(io::RemoveFilesBeneath(tmp.path() / "data", "tmp").ok());
  EXPECT_FALSE(fs::exists(tmp.path() / "data" / "tmp" / "part"));
  EXPECT_FALSE(fs::is_symlink(tmp.path() / "data" / "tmp" / "link"));
  EXPECT_FALSE(io::RemoveFilesBeneath(tmp.path() / "data", "parts").ok());
  EXPECT_TRUE(fs::exists(outside / "precious"));
}

}  // namespace
}  // namespace sluice::storage
