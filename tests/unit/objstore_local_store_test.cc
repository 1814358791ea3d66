// LocalStore: key safety, listing order and delimiters, buckets, multipart,
// crash leftovers, concurrency.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "objstore/digest.h"
#include "objstore/local_store.h"

namespace sluice::objstore {
namespace {

namespace fs = std::filesystem;

// The store error's code name ("NoSuchKey"), or "ok".
template <typename R>
std::string CodeOf(const R& result) {
  return result.ok() ? "ok" : std::string(CodeName(result.error().code));
}

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("sluice-objstore-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(base_ / "data");
    Open();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(base_);
  }
  void Open(uint64_t min_part = 5ull << 20) {
    store_.reset();
    LocalStoreOptions o;
    o.root = base_ / "data" / "s3";
    o.min_part_size = min_part;
    auto s = LocalStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = *s;
  }
  std::string Read(const std::string& b, const std::string& k) {
    std::string body;
    auto r = store_->Get(b, k, &body);
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return body;
  }
  std::vector<std::string> Keys(const ListResult& r) {
    std::vector<std::string> out;
    for (const auto& o : r.objects) out.push_back(o.key);
    return out;
  }

  fs::path base_;
  std::shared_ptr<LocalStore> store_;
};

TEST_F(LocalStoreTest, HostileKeysStayInsideTheRoot) {
  ASSERT_TRUE(store_->CreateBucket("keys").ok());
  std::vector<std::string> keys = {"../../etc/passwd",
                                   "/abs",
                                   "/etc/passwd",
                                   "a/../../b",
                                   "..",
                                   ".",
                                   "./x",
                                   "a//b",
                                   std::string(1024, 'k'),
                                   std::string(512, '/') + "..",
                                   "\xe2\x98\x83 snow/\xf0\x9f\x98\x80",
                                   "back\\slash\\..\\..",
                                   "tab\tnew\nline",
                                   "\x01\x02\x7f"};
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string data = "object-" + std::to_string(i);
    ASSERT_TRUE(store_->PutObject("keys", keys[i], data).ok()) << i;
  }
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(Read("keys", keys[i]), "object-" + std::to_string(i));
  // Nothing was created beside the root; every file under it is in the layout.
  std::set<std::string> beside;
  for (const auto& e : fs::directory_iterator(base_ / "data")) beside.insert(e.path().filename().string());
  EXPECT_EQ(beside, (std::set<std::string>{"s3"}));
  EXPECT_EQ(std::distance(fs::directory_iterator(base_), fs::directory_iterator()), 1);
  for (const auto& e : fs::recursive_directory_iterator(base_ / "data" / "s3")) {
    std::string rel = fs::relative(e.path(), base_ / "data" / "s3").string();
    bool ok = rel.rfind("objects", 0) == 0 || rel.rfind("parts", 0) == 0 || rel.rfind("tmp", 0) == 0 ||
              rel.rfind("index.db", 0) == 0;
    EXPECT_TRUE(ok) << rel;
    EXPECT_EQ(rel.find(".."), std::string::npos) << rel;
  }
  EXPECT_FALSE(fs::exists("/b-object"));
  // Too long, empty, NUL and invalid UTF-8 are refused.
  EXPECT_FALSE(store_->PutObject("keys", std::string(1025, 'k'), "x").ok());
  EXPECT_FALSE(store_->PutObject("keys", "", "x").ok());
  EXPECT_FALSE(store_->PutObject("keys", std::string("a\0b", 3), "x").ok());
  EXPECT_FALSE(store_->PutObject("keys", "\xff\xfe", "x").ok());
  EXPECT_EQ(CodeOf(store_->Put("keys", std::string(1025, 'k'), "x")), "InvalidKey");
}

TEST_F(LocalStoreTest, BucketsFollowAwsRules) {
  for (const std::string& bad :
       std::vector<std::string>{"ab", "Upper", "under_score", "-start", "end-", "a..b", "192.168.1.1", "xn--abc",
                                "bucket-s3alias", "a.-b", std::string(64, 'a')})
    EXPECT_EQ(CodeOf(store_->CreateBucket(bad)), "InvalidBucketName") << bad;
  for (const std::string& good :
       std::vector<std::string>{"abc", "my.bucket.name", "a-b-c", "123", std::string(63, 'a')})
    EXPECT_TRUE(store_->CreateBucket(good).ok()) << good;
  EXPECT_EQ(CodeOf(store_->CreateBucket("abc")), "BucketAlreadyOwnedByYou");
  ASSERT_TRUE(store_->CreateBucket("eu-bucket", "eu-west-1").ok());
  EXPECT_EQ(store_->GetBucket("eu-bucket")->region, "eu-west-1");
  EXPECT_EQ(store_->GetBucket("abc")->region, "us-east-1");
  auto all = store_->ListBuckets();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 6u);  // the 5 valid names and eu-bucket
  EXPECT_EQ((*all)[0].name, "123");
  EXPECT_GT((*all)[0].created_ms, 0);
  EXPECT_TRUE(*store_->BucketExists("abc"));
  EXPECT_FALSE(*store_->BucketExists("nope"));
  ASSERT_TRUE(store_->PutObject("abc", "k", "v").ok());
  EXPECT_EQ(CodeOf(store_->DeleteBucket("abc")), "BucketNotEmpty");
  EXPECT_EQ(CodeOf(store_->DeleteBucket("nope")), "NoSuchBucket");
  EXPECT_EQ(CodeOf(store_->Put("nope", "k", "v")), "NoSuchBucket");
  EXPECT_EQ(store_->PutObject("nope", "k", "v").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->Delete("abc", "k").ok());
  EXPECT_TRUE(store_->Delete("abc", "k").ok());  // idempotent, as S3
  EXPECT_TRUE(store_->DeleteBucket("abc").ok());
  EXPECT_FALSE(*store_->BucketExists("abc"));
}

TEST_F(LocalStoreTest, ObjectsKeepMetadataAndRanges) {
  ASSERT_TRUE(store_->CreateBucket("bk1").ok());
  PutOptions o;
  o.content_type = "text/plain";
  o.content_encoding = "gzip";
  o.metadata = {{"a", "1"}, {"b", "two words"}};
  auto info = store_->Put("bk1", "x", "hello world", o);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->etag, "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
  auto head = store_->Head("bk1", "x");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 11u);
  EXPECT_EQ(head->content_type, "text/plain");
  EXPECT_EQ(head->content_encoding, "gzip");
  EXPECT_EQ(head->metadata, o.metadata);
  std::string body;
  ASSERT_TRUE(store_->Get("bk1", "x", &body, ByteRange{6, 10}).ok());
  EXPECT_EQ(body, "world");
  EXPECT_EQ(CodeOf(store_->Head("bk1", "y")), "NoSuchKey");
  EXPECT_EQ(CodeOf(store_->Head("bk2", "y")), "NoSuchBucket");
  // Empty objects.
  ASSERT_TRUE(store_->PutObject("bk1", "empty", "").ok());
  EXPECT_EQ(Read("bk1", "empty"), "");
  EXPECT_EQ(store_->Head("bk1", "empty")->etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
  // Overwrite replaces and leaves one file.
  ASSERT_TRUE(store_->PutObject("bk1", "x", "second").ok());
  EXPECT_EQ(Read("bk1", "x"), "second");
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(base_ / "data" / "s3" / "objects"))
    if (e.is_regular_file()) ++files;
  EXPECT_EQ(files, 2u);
  // Copy.
  auto copied = store_->Copy("bk1", "x", "bk1", "y", std::nullopt);
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(Read("bk1", "y"), "second");
  // Durable across reopen.
  Open();
  EXPECT_EQ(Read("bk1", "x"), "second");
  EXPECT_EQ(store_->Head("bk1", "x")->content_type, "application/octet-stream");
  EXPECT_EQ(store_->Head("bk1", "y")->etag, "\"" + Md5Hex("second") + "\"");
}

TEST_F(LocalStoreTest, ListingIsInUtf8BinaryOrder) {
  ASSERT_TRUE(store_->CreateBucket("order").ok());
  std::vector<std::string> keys = {"b", "a", "Z",      "a/b",   "a-", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                   "~", "0", " space", "a\x01", "A"};
  for (const auto& k : keys) ASSERT_TRUE(store_->PutObject("order", k, k).ok());
  std::sort(keys.begin(), keys.end());  // std::string compares as unsigned bytes (char_traits<char>)
  auto all = store_->List("order", {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Keys(*all), keys);
  EXPECT_FALSE(all->truncated);
  // Paging with start_after visits each key once.
  std::vector<std::string> seen;
  ListOptions lo;
  lo.max_keys = 3;
  while (true) {
    auto page = store_->List("order", lo);
    ASSERT_TRUE(page.ok());
    for (auto& k : Keys(*page)) seen.push_back(k);
    if (!page->truncated) break;
    lo.start_after = page->last;
  }
  EXPECT_EQ(seen, keys);
}

TEST_F(LocalStoreTest, DelimiterRollsUpCommonPrefixes) {
  ASSERT_TRUE(store_->CreateBucket("tree").ok());
  for (const char* k : {"a/1", "a/2", "a/x/3", "b/1", "c", "d/e/f", "d/e/g", "d/h", "e", "logs/2024/01/x",
                        "logs/2024/02/y", "logs/2025/01/z"})
    ASSERT_TRUE(store_->PutObject("tree", k, "v").ok());
  ListOptions lo;
  lo.delimiter = "/";
  auto r = store_->List("tree", lo);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Keys(*r), (std::vector<std::string>{"c", "e"}));
  EXPECT_EQ(r->common_prefixes, (std::vector<std::string>{"a/", "b/", "d/", "logs/"}));
  lo.prefix = "d/";
  r = store_->List("tree", lo);
  EXPECT_EQ(Keys(*r), (std::vector<std::string>{"d/h"}));
  EXPECT_EQ(r->common_prefixes, (std::vector<std::string>{"d/e/"}));
  lo.prefix = "logs/2024/";
  r = store_->List("tree", lo);
  EXPECT_EQ(r->common_prefixes, (std::vector<std::string>{"logs/2024/01/", "logs/2024/02/"}));
  // Prefix without delimiter.
  lo.delimiter.clear();
  lo.prefix = "a/";
  r = store_->List("tree", lo);
  EXPECT_EQ(Keys(*r), (std::vector<std::string>{"a/1", "a/2", "a/x/3"}));
  // Multi-character delimiter.
  lo.prefix.clear();
  lo.delimiter = "/2";
  r = store_->List("tree", lo);
  EXPECT_EQ(r->common_prefixes, (std::vector<std::string>{"a/2", "logs/2"}));
  // Paging counts keys and prefixes, and never repeats a prefix.
  lo = {};
  lo.delimiter = "/";
  lo.max_keys = 1;
  std::vector<std::string> seen;
  for (int pages = 0; pages < 20; ++pages) {
    auto page = store_->List("tree", lo);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->objects.size() + page->common_prefixes.size(), 1u);
    for (auto& k : Keys(*page)) seen.push_back(k);
    for (auto& p : page->common_prefixes) seen.push_back(p);
    if (!page->truncated) break;
    lo.start_after = page->last;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a/", "b/", "c", "d/", "e", "logs/"}));
  // max_keys 0.
  lo = {};
  lo.max_keys = 0;
  r = store_->List("tree", lo);
  EXPECT_TRUE(r->objects.empty());
  EXPECT_EQ(CodeOf(store_->List("nope", {})), "NoSuchBucket");
}

TEST_F(LocalStoreTest, MultipartEtagIsMd5OfPartMd5s) {
  Open(/*min_part=*/4);
  ASSERT_TRUE(store_->CreateBucket("mpu").ok());
  auto id = store_->CreateMultipartUpload("mpu", "big", PutOptions{"text/csv", "", {{"k", "v"}}});
  ASSERT_TRUE(id.ok());
  std::vector<std::string> parts = {"part-one", "part-two", "3"};
  std::vector<std::string> etags;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto e = store_->UploadPart("mpu", "big", *id, static_cast<int>(i + 1), parts[i]);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(*e, "\"" + Md5Hex(parts[i]) + "\"");
    etags.push_back(*e);
  }
  // Re-uploading a part replaces it.
  auto e1 = store_->UploadPart("mpu", "big", *id, 1, "PART-ONE");
  ASSERT_TRUE(e1.ok());
  etags[0] = *e1;
  EXPECT_EQ(store_->ListParts("mpu", "big", *id)->size(), 3u);
  EXPECT_EQ(CodeOf(store_->CompleteMultipartUpload("mpu", "big", *id, {{2, etags[1]}, {1, etags[0]}})),
            "InvalidPartOrder");
  EXPECT_EQ(CodeOf(store_->CompleteMultipartUpload("mpu", "big", *id, {{1, etags[1]}})), "InvalidPart");
  EXPECT_EQ(CodeOf(store_->CompleteMultipartUpload("mpu", "big", *id, {{3, etags[2]}, {4, etags[2]}})), "InvalidPart");
  EXPECT_EQ(CodeOf(store_->CompleteMultipartUpload("mpu", "big", *id, {{3, etags[2]}, {2, etags[1]}})),
            "InvalidPartOrder");
  EXPECT_EQ(CodeOf(store_->CompleteMultipartUpload("mpu", "big", "0123", {{1, etags[0]}})), "NoSuchUpload");
  auto done = store_->CompleteMultipartUpload("mpu", "big", *id, {{1, etags[0]}, {2, etags[1]}, {3, etags[2]}});
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  std::string raw = Md5Raw("PART-ONE") + Md5Raw("part-two") + Md5Raw("3");
  EXPECT_EQ(done->etag, "\"" + Md5Hex(raw) + "-3\"");
  EXPECT_EQ(Read("mpu", "big"), "PART-ONEpart-two3");
  auto head = store_->Head("mpu", "big");
  EXPECT_EQ(head->etag, done->etag);
  EXPECT_EQ(head->content_type, "text/csv");
  EXPECT_EQ(head->metadata.at("k"), "v");
  EXPECT_EQ(CodeOf(store_->UploadPart("mpu", "big", *id, 1, "x")), "NoSuchUpload");
  // Part files are gone.
  EXPECT_EQ(std::distance(fs::directory_iterator(base_ / "data" / "s3" / "parts"), fs::directory_iterator()), 0);
  // EntityTooSmall with the AWS minimum.
  Open();
  auto id2 = store_->CreateMultipartUpload("mpu", "small");
  auto a = store_->UploadPart("mpu", "small", *id2, 1, "tiny");
  auto b = store_->UploadPart("mpu", "small", *id2, 2, "tiny");
  EXPECT_EQ(CodeOf(store_->CompleteMultipartUpload("mpu", "small", *id2, {{1, *a}, {2, *b}})), "EntityTooSmall");
  EXPECT_EQ(CodeOf(store_->UploadPart("mpu", "small", *id2, 0, "x")), "InvalidPartNumber");
  EXPECT_EQ(CodeOf(store_->UploadPart("mpu", "small", *id2, 10001, "x")), "InvalidPartNumber");
  EXPECT_TRUE(store_->AbortMultipartUpload("mpu", "small", *id2).ok());
  EXPECT_EQ(CodeOf(store_->AbortMultipartUpload("mpu", "small", *id2)), "NoSuchUpload");
  EXPECT_EQ(std::distance(fs::directory_iterator(base_ / "data" / "s3" / "parts"), fs::directory_iterator()), 0);
  // Known vector: two 5 MiB parts of zeros.
  auto known = MultipartEtag(
      {"\"" + Md5Hex(std::string(5 << 20, '\0')) + "\"", "\"" + Md5Hex(std::string(5 << 20, '\0')) + "\""});
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(known->size(), 2u + 32u + 2u);
  EXPECT_EQ(known->substr(33), "-2\"");
}

TEST_F(LocalStoreTest, OrphansFromACrashAreRemovedOnOpen) {
  ASSERT_TRUE(store_->CreateBucket("crash").ok());
  ASSERT_TRUE(store_->PutObject("crash", "kept", "data").ok());
  auto id = store_->CreateMultipartUpload("crash", "up");
  ASSERT_TRUE(store_->UploadPart("crash", "up", *id, 1, "part").ok());
  fs::path root = base_ / "data" / "s3";
  // A renamed file whose index commit never happened, a temp file, a stray part.
  std::ofstream(root / "objects" / "ab" / "deadbeef-0000000000000001") << "orphan";
  std::ofstream(root / "tmp" / "x.tmp") << "partial";
  std::ofstream(root / "parts" / "ffff-1-0000000000000002") << "stray";
  Open();
  EXPECT_FALSE(fs::exists(root / "objects" / "ab" / "deadbeef-0000000000000001"));
  EXPECT_FALSE(fs::exists(root / "tmp" / "x.tmp"));
  EXPECT_FALSE(fs::exists(root / "parts" / "ffff-1-0000000000000002"));
  EXPECT_EQ(Read("crash", "kept"), "data");
  EXPECT_EQ(store_->ListParts("crash", "up", *id)->size(), 1u);
}

TEST_F(LocalStoreTest, StartupSweepNeverFollowsSymlinks) {
  ASSERT_TRUE(store_->CreateBucket("links").ok());
  ASSERT_TRUE(store_->PutObject("links", "kept", "data").ok());
  fs::path root = base_ / "data" / "s3";
  fs::path canary = base_ / "canary";
  fs::create_directories(canary);
  std::ofstream(canary / "precious") << "canary";
  // tmp/ itself, a fan-out directory, and entries of parts/ and tmp/.
  fs::remove_all(root / "tmp");
  fs::create_directory_symlink(canary, root / "tmp");
  fs::create_directory_symlink(canary, root / "objects" / "zz");
  fs::create_symlink(canary / "precious", root / "parts" / "planted");
  fs::create_directory_symlink(canary, root / "parts" / "planted-dir");
  Open();
  EXPECT_TRUE(fs::exists(canary / "precious"));
  std::ifstream in(canary / "precious");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "canary");
  // Unreferenced links are removed themselves, not their targets.
  EXPECT_FALSE(fs::exists(fs::symlink_status(root / "parts" / "planted")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(root / "parts" / "planted-dir")));
  EXPECT_EQ(Read("links", "kept"), "data");
}

TEST_F(LocalStoreTest, FilesAndDirectoriesArePrivate) {
  ASSERT_TRUE(store_->CreateBucket("modes").ok());
  ASSERT_TRUE(store_->PutObject("modes", "o", "data").ok());
  auto id = store_->CreateMultipartUpload("modes", "up");
  ASSERT_TRUE(store_->UploadPart("modes", "up", *id, 1, "part").ok());
  fs::path root = base_ / "data" / "s3";
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    fs::perms p = fs::symlink_status(e.path()).permissions();
    EXPECT_EQ(p & (fs::perms::group_all | fs::perms::others_all), fs::perms::none) << e.path();
    files += e.is_regular_file();
  }
  EXPECT_GE(files, 3);  // index.db, the object, the part
}

TEST_F(LocalStoreTest, ConcurrentPutsOfOneKeyNeverTear) {
  ASSERT_TRUE(store_->CreateBucket("race").ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 15; ++i) {
        std::string data(1000 * (t + 1) + i, static_cast<char>('a' + t));
        EXPECT_TRUE(store_->PutObject("race", "same", data).ok());
        std::string body;
        auto r = store_->Get("race", "same", &body);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->etag, "\"" + Md5Hex(body) + "\"");
        EXPECT_EQ(r->size, body.size());
      }
    });
  }
  for (auto& th : threads) th.join();
  std::string body;
  auto r = store_->Get("race", "same", &body);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->etag, "\"" + Md5Hex(body) + "\"");
  EXPECT_TRUE(std::all_of(body.begin(), body.end(), [&](char c) { return c == body[0]; }));
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(base_ / "data" / "s3" / "objects"))
    if (e.is_regular_file()) ++files;
  EXPECT_EQ(files, 1u);
}

}  // namespace
}  // namespace sluice::objstore
