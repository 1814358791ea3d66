// S3Store against real S3 implementations: Sluice's own S3 API (in process,
// over HTTP) and s3rver (npm, an independent implementation; skipped when
// node or bench/node_modules/s3rver is missing).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "http/server.h"
#include "objstore/digest.h"
#include "objstore/local_store.h"
#include "objstore/s3_store.h"
#include "s3api/s3_api.h"

namespace sluice::objstore {
namespace {

namespace fs = std::filesystem;

std::string Pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

client::ResolvedConfig Config(const std::string& endpoint, const std::string& key) {
  client::ResolvedConfig c;
  c.credentials.access_key_id = key;
  c.credentials.secret_access_key = key;
  c.region = "us-east-1";
  c.endpoint_url = endpoint;
  return c;
}

S3StoreOptions SmallParts() {
  S3StoreOptions o;
  o.multipart_threshold = 6 << 20;  // exercise multipart with a 13 MiB object
  o.part_size = 5 << 20;
  o.retry.max_attempts = 2;
  o.retry.base_delay = std::chrono::milliseconds(10);
  o.transport.connect_timeout = std::chrono::milliseconds(2000);
  return o;
}

void Exercise(S3Store& store, const std::string& bucket, bool expect_multipart_etag) {
  auto exists = store.BucketExists(bucket);
  ASSERT_TRUE(exists.ok()) << exists.status().ToString();
  EXPECT_FALSE(*exists);
  ASSERT_TRUE(store.CreateBucket(bucket).ok());
  exists = store.BucketExists(bucket);
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(*exists);

  PutOptions po;
  po.content_type = "application/x-ndjson";
  po.metadata = {{"source", "test"}};
  std::string small = "{\"a\":1}\n{\"b\":2}\n";
  std::string key = "2024/01/02/03/stream-1-2024-01-02-03-04-05-uuid with space+plus";
  ASSERT_TRUE(store.PutObject(bucket, key, small, po).ok());
  EXPECT_EQ(store.last_etag(), "\"" + Md5Hex(small) + "\"");
  auto got = store.GetObject(bucket, key);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, small);

  std::string big = Pattern(13 << 20, 7);
  ASSERT_TRUE(store.PutObject(bucket, "big/object.bin", big).ok());
  if (expect_multipart_etag) {
    std::string raw =
        Md5Raw(big.substr(0, 5 << 20)) + Md5Raw(big.substr(5 << 20, 5 << 20)) + Md5Raw(big.substr(10 << 20));
    EXPECT_EQ(store.last_etag(), "\"" + Md5Hex(raw) + "-3\"");
  } else {
    // s3rver answers CompleteMultipartUpload with the MD5 of the whole object.
    EXPECT_FALSE(store.last_etag().empty());
  }
  got = store.GetObject(bucket, "big/object.bin");
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == big);

  Status missing = store.PutObject("no-such-bucket-here", "k", "v");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  EXPECT_NE(missing.message().find("NoSuchBucket"), std::string::npos) << missing.ToString();
}

TEST(S3Store, AgainstSluiceS3Api) {
  fs::path dir = fs::temp_directory_path() / ("sluice-s3store-" + std::to_string(std::random_device{}()));
  LocalStoreOptions lo;
  lo.root = dir / "s3";
  lo.fsync = false;
  auto local = LocalStore::Open(lo);
  ASSERT_TRUE(local.ok());
  auto api = std::make_shared<s3api::S3Api>(*local);
  http::ServerOptions so;
  so.port = 0;
  so.threads = 2;
  http::Server server(
      so, [api](wire::Request r, wire::Responder respond) { api->Handle(std::move(r), std::move(respond)); });
  auto port = server.Listen();
  ASSERT_TRUE(port.ok());
  std::thread runner([&] { server.Run(); });
  {
    auto store = S3Store::Create(SmallParts(), Config("http://127.0.0.1:" + std::to_string(*port), "test"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Exercise(**store, "dest", true);
    std::string body;
    ASSERT_TRUE((*local)->Get("dest", "big/object.bin", &body).ok());
    EXPECT_EQ(body.size(), 13u << 20);
    EXPECT_EQ((*local)->Head("dest", "2024/01/02/03/stream-1-2024-01-02-03-04-05-uuid with space+plus")->content_type,
              "application/x-ndjson");
  }
  server.Stop();
  runner.join();
  fs::remove_all(dir);
}

TEST(S3Store, UnreachableIsUnavailable) {
  // A port nobody listens on.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  ::close(fd);
  auto store = S3Store::Create(SmallParts(), Config("http://127.0.0.1:" + std::to_string(port), "test"));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->PutObject("b", "k", "v").code(), StatusCode::kUnavailable);
  EXPECT_EQ((*store)->BucketExists("b").status().code(), StatusCode::kUnavailable);
  EXPECT_EQ((*store)->Describe(), "http://127.0.0.1:" + std::to_string(port));
}

// --- s3rver

fs::path FindRepo() {
  std::error_code ec;
  for (fs::path p = fs::read_symlink("/proc/self/exe", ec).parent_path(); !p.empty() && p != p.root_path();
       p = p.parent_path())
    if (fs::exists(p / "bench" / "node_modules" / "s3rver" / "bin" / "s3rver.js")) return p;
  for (fs::path p = fs::current_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
    if (fs::exists(p / "bench" / "node_modules" / "s3rver" / "bin" / "s3rver.js")) return p;
  return {};
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool CanConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

TEST(S3Store, AgainstS3rver) {
  fs::path repo = FindRepo();
  if (repo.empty()) GTEST_SKIP() << "bench/node_modules/s3rver not installed";
  if (std::system("command -v node >/dev/null 2>&1") != 0) GTEST_SKIP() << "node not installed";
  fs::path dir = fs::temp_directory_path() / ("sluice-s3rver-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  int port = FreePort();
  std::string port_s = std::to_string(port), dir_s = dir.string();
  std::string preload = (repo / "bench" / "force-loopback.js").string();
  std::string script = (repo / "bench" / "node_modules" / "s3rver" / "bin" / "s3rver.js").string();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    ::execlp("node", "node", "--openssl-legacy-provider", "-r", preload.c_str(), script.c_str(), "-d", dir_s.c_str(),
             "-a", "127.0.0.1", "-p", port_s.c_str(), "--silent", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // s3rver is another process: poll until it listens (10 s at most).
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    up = CanConnect(port);
  }
  if (up) {
    auto store = S3Store::Create(SmallParts(), Config("http://127.0.0.1:" + port_s, "S3RVER"));
    ASSERT_TRUE(store.ok());
    Exercise(**store, "s3rver-dest", false);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  fs::remove_all(dir);
  ASSERT_TRUE(up) << "s3rver did not start on port " << port;
}

}  // namespace
}  // namespace sluice::objstore
