// S3 REST wire pieces (ranges, aws-chunked, addressing, XML) and the S3Api
// handler on hostile requests.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "codec/url.h"
#include "objstore/local_store.h"
#include "s3api/s3_api.h"
#include "s3api/wire.h"

namespace sluice::s3api {
namespace {

namespace fs = std::filesystem;

TEST(S3Wire, RangeParsing) {
  auto r = ParseRange("bytes=0-4", 11);
  EXPECT_EQ(r.kind, RangeSpec::kSatisfiable);
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 4u);
  r = ParseRange("bytes=6-", 11);
  EXPECT_EQ(r.kind, RangeSpec::kSatisfiable);
  EXPECT_EQ(r.first, 6u);
  EXPECT_EQ(r.last, 10u);
  r = ParseRange("bytes=-3", 11);
  EXPECT_EQ(r.first, 8u);
  EXPECT_EQ(r.last, 10u);
  r = ParseRange("bytes=-100", 11);  // longer than the object: all of it
  EXPECT_EQ(r.first, 0u);
  EXPECT_EQ(r.last, 10u);
  r = ParseRange("bytes=5-1000", 11);  // clamped
  EXPECT_EQ(r.last, 10u);
  EXPECT_EQ(ParseRange("bytes=11-", 11).kind, RangeSpec::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=20-30", 11).kind, RangeSpec::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 11).kind, RangeSpec::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-0", 0).kind, RangeSpec::kUnsatisfiable);
  // Ignored (whole object): bad syntax, multiple ranges, other units.
  EXPECT_EQ(ParseRange("bytes=5-1", 11).kind, RangeSpec::kNone);
  EXPECT_EQ(ParseRange("bytes=0-1,3-4", 11).kind, RangeSpec::kNone);
  EXPECT_EQ(ParseRange("items=0-1", 11).kind, RangeSpec::kNone);
  EXPECT_EQ(ParseRange("bytes=a-b", 11).kind, RangeSpec::kNone);
  EXPECT_EQ(ParseRange("bytes=-", 11).kind, RangeSpec::kNone);
  EXPECT_EQ(ParseRange("bytes=99999999999999999999999-", 11).kind, RangeSpec::kNone);
}

TEST(S3Wire, AwsChunkedDecoding) {
  std::string sig = ";chunk-signature=" + std::string(64, 'a');
  std::string body = "5" + sig + "\r\nhello\r\n6" + sig + "\r\n world\r\n0" + sig + "\r\n\r\n";
  auto d = DecodeAwsChunked(body);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "hello world");
  // Unsigned with trailers (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
  d = DecodeAwsChunked("a\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "0123456789");
  // Binary data holding CRLFs.
  d = DecodeAwsChunked("4\r\n\r\n\r\n\r\n0\r\n\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "\r\n\r\n");
  d = DecodeAwsChunked("0\r\n\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "");
  EXPECT_FALSE(DecodeAwsChunked("5\r\nhel").ok());              // truncated
  EXPECT_FALSE(DecodeAwsChunked("zz\r\nhello\r\n0\r\n").ok());  // bad size
  EXPECT_FALSE(DecodeAwsChunked("5\r\nhelloXX0\r\n").ok());     // missing CRLF
  EXPECT_FALSE(DecodeAwsChunked("hello").ok());
  EXPECT_FALSE(DecodeAwsChunked("ffffffffffffffff\r\nx").ok());
}

TEST(S3Wire, VirtualHostAddressing) {
  std::vector<std::string> bases = {"localhost", "localhost.localstack.cloud"};
  EXPECT_EQ(VirtualHostBucket("127.0.0.1:4566", bases), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("localhost:4566", bases), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("localhost", bases), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("[::1]:4566", bases), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("s3.localhost:4566", bases), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("bucket.localhost:4566", bases), "bucket");
  EXPECT_EQ(VirtualHostBucket("Bucket.LOCALHOST", bases), "bucket");
  EXPECT_EQ(VirtualHostBucket("bucket.s3.localhost:4566", bases), "bucket");
  EXPECT_EQ(VirtualHostBucket("my.dotted.bucket.localhost:4566", bases), "my.dotted.bucket");
  EXPECT_EQ(VirtualHostBucket("b1.s3.localhost.localstack.cloud:4566", bases), "b1");
  EXPECT_EQ(VirtualHostBucket("myhost.example.com:4566", bases), std::nullopt);
  EXPECT_EQ(VirtualHostBucket("", bases), std::nullopt);
}

TEST(S3Wire, TargetsAndEncoding) {
  auto t = ParseTarget("/b/a%20b/..%2F..%2Fetc?list-type=2&prefix=x%2By+z&uploads");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path, "/b/a b/../../etc");
  EXPECT_EQ(t->Get("prefix"), "x+y z");
  EXPECT_TRUE(t->Has("uploads"));
  EXPECT_EQ(t->Get("uploads"), "");
  EXPECT_FALSE(ParseTarget("/b/%zz").ok());
  EXPECT_FALSE(ParseTarget("/b/%4").ok());
  EXPECT_EQ(UrlEncode("a b+c/\xc3\xa9~"), "a%20b%2Bc/%C3%A9~");
  EXPECT_EQ(codec::UrlDecode(UrlEncode("k\x01 &?=/"), codec::UrlPart::kQuery), "k\x01 &?=/");
  EXPECT_FALSE(ParseTarget("/b/k?prefix=%zz").ok());
}

TEST(S3Wire, XmlParsing) {
  auto doc = ParseXml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
      "<Object><Key> a&amp;b&lt;&#233;&#x263A; </Key></Object><Object><Key><![CDATA[<raw>]]></Key></Object>"
      "<s3:Object xmlns:s3='x'><s3:Key>p</s3:Key></s3:Object><Empty/></Delete>");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->name, "Delete");
  auto objects = doc->All("Object");
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0]->Child("Key")->text, " a&b<\xc3\xa9\xe2\x98\xba ");
  EXPECT_EQ(objects[1]->Child("Key")->text, "<raw>");
  EXPECT_EQ(objects[2]->Child("Key")->text, "p");
  EXPECT_NE(doc->Child("Empty"), nullptr);
  for (const char* bad : {"", "<a>", "<a></b>", "<a><b></a></b>", "<a>&bogus;</a>", "<a>&#0;</a>",
                          "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "<a></a><b></b>", "text<a/>", "<a",
                          "<a b=\"unterminated></a>", "<a>&#xD800;</a>", "<></>"})
    EXPECT_FALSE(ParseXml(bad).ok()) << bad;
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  EXPECT_FALSE(ParseXml(deep).ok());
  EXPECT_EQ(XmlEscape("<a&'\"\x01>"), "&lt;a&amp;&apos;&quot;&#x1;&gt;");
}

TEST(S3Wire, Dates) {
  EXPECT_EQ(Rfc1123(1445412480000), "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(Iso8601(1445412480123), "2015-10-21T07:28:00.123Z");
}

class S3ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice-s3api-" + std::to_string(std::random_device{}()));
    objstore::LocalStoreOptions o;
    o.root = dir_ / "s3";
    o.fsync = false;
    store_ = *objstore::LocalStore::Open(o);
    api_ = std::make_unique<S3Api>(store_);
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  wire::Response Do(std::string method, std::string target, std::string body = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    wire::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.headers = std::move(headers);
    if (r.Header("Host").empty()) r.headers.emplace_back("Host", "127.0.0.1:4566");
    return api_->Serve(r);
  }
  static std::string H(const wire::Response& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
      if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
    return "";
  }

  fs::path dir_;
  std::shared_ptr<objstore::LocalStore> store_;
  std::unique_ptr<S3Api> api_;
};

TEST_F(S3ApiTest, ErrorsAreS3Xml) {
  auto r = Do("GET", "/nobucket?list-type=2");
  EXPECT_EQ(r.status, 404u);
  EXPECT_NE(r.body.find("<Error><Code>NoSuchBucket</Code>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<BucketName>nobucket</BucketName>"), std::string::npos);
  EXPECT_NE(r.body.find("<RequestId>" + H(r, "x-amz-request-id") + "</RequestId>"), std::string::npos);
  EXPECT_FALSE(H(r, "x-amz-id-2").empty());
  r = Do("HEAD", "/nobucket/key");
  EXPECT_EQ(r.status, 404u);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(Do("PUT", "/Bad_Name").status, 400u);
  EXPECT_EQ(Do("PUT", "/good").status, 200u);
  EXPECT_EQ(Do("PUT", "/good").status, 409u);
  EXPECT_EQ(Do("PUT", "/good2", "<CreateBucketConfiguration><oops>").status, 400u);
  EXPECT_EQ(Do("GET", "/good?acl").status, 501u);
  EXPECT_EQ(Do("PATCH", "/good/key").status, 405u);
  EXPECT_EQ(Do("POST", "/good").status, 405u);
  EXPECT_EQ(Do("POST", "/good?delete", "<Delete><Object></Object></Delete>").status, 400u);
  EXPECT_EQ(Do("POST", "/good?delete", "not xml").status, 400u);
  EXPECT_EQ(Do("GET", "/good/missing").status, 404u);
  EXPECT_EQ(Do("GET", "/good?list-type=2&max-keys=abc").status, 400u);
  EXPECT_EQ(Do("GET", "/good?list-type=2&continuation-token=garbage!").status, 400u);
  EXPECT_EQ(Do("GET", "/good/%zz").status, 400u);
  EXPECT_EQ(Do("PUT", "/good/" + std::string(1025, 'k'), "x").status, 400u);
  EXPECT_EQ(Do("PUT", "/good/%FF%FE", "x").status, 400u);
  EXPECT_EQ(Do("PUT", "/good/k?partNumber=1&uploadId=nope", "x").status, 404u);
  EXPECT_EQ(Do("PUT", "/good/k", "x", {{"Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="}}).status, 400u);
  EXPECT_EQ(Do("PUT", "/good/k", "x", {{"Content-Encoding", "aws-chunked"}}).status, 400u);
  EXPECT_EQ(Do("DELETE", "/nobucket").status, 404u);
}

TEST_F(S3ApiTest, TraversalKeysAreJustKeys) {
  ASSERT_EQ(Do("PUT", "/bkt").status, 200u);
  for (std::string k : {"/bkt/..%2F..%2F..%2Fetc%2Fpasswd", "/bkt/../../escape", "/bkt//abs/path", "/bkt/a/../../b"}) {
    auto r = Do("PUT", k, "payload");
    EXPECT_EQ(r.status, 200u) << k << r.body;
  }
  auto list = Do("GET", "/bkt?list-type=2");
  EXPECT_NE(list.body.find("<Key>../../../etc/passwd</Key>"), std::string::npos) << list.body;
  EXPECT_NE(list.body.find("<Key>/abs/path</Key>"), std::string::npos);
  EXPECT_EQ(Do("GET", "/bkt/../../escape").body, "payload");
  for (const auto& e : fs::recursive_directory_iterator(dir_))
    EXPECT_EQ(fs::relative(e.path(), dir_).string().rfind("s3", 0), 0u);
}

TEST_F(S3ApiTest, ChunkedPutRangeGetAndVirtualHost) {
  ASSERT_EQ(Do("PUT", "/vhb").status, 200u);
  std::string body = "b;chunk-signature=00\r\nhello world\r\n0;chunk-signature=00\r\n\r\n";
  auto r = Do("PUT", "/vhb/obj", body,
              {{"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
               {"Content-Encoding", "aws-chunked"},
               {"x-amz-decoded-content-length", "11"},
               {"Content-Type", "text/plain"},
               {"x-amz-meta-Color", "blue"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(H(r, "ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
  r = Do("GET", "/obj", "", {{"Host", "vhb.localhost:4566"}, {"Range", "bytes=-5"}});
  EXPECT_EQ(r.status, 206u);
  EXPECT_EQ(r.body, "world");
  EXPECT_EQ(H(r, "Content-Range"), "bytes 6-10/11");
  EXPECT_EQ(H(r, "x-amz-meta-color"), "blue");
  EXPECT_EQ(H(r, "Content-Encoding"), "");
  r = Do("HEAD", "/vhb/obj");
  EXPECT_EQ(H(r, "Content-Length"), "11");
  EXPECT_TRUE(r.body.empty());
  r = Do("GET", "/vhb/obj", "", {{"Range", "bytes=11-"}});
  EXPECT_EQ(r.status, 416u);
  EXPECT_NE(r.body.find("InvalidRange"), std::string::npos);
  // Declared decoded length that does not match.
  r = Do("PUT", "/vhb/obj2", body, {{"Content-Encoding", "aws-chunked"}, {"x-amz-decoded-content-length", "12"}});
  EXPECT_EQ(r.status, 400u);
  r = Do("GET", "/vhb/obj", "", {{"If-None-Match", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""}});
  EXPECT_EQ(r.status, 304u);
  r = Do("GET", "/vhb/obj", "", {{"If-Match", "\"other\""}});
  EXPECT_EQ(r.status, 412u);
}

}  // namespace
}  // namespace sluice::s3api
