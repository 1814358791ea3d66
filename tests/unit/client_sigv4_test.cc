// SigV4 signer: AWS's published examples and cases frozen from
// tools/sigv4_oracle.py (botocore). The full oracle comparison runs in
// tests/integration/test_client_sigv4.py.
#include <gtest/gtest.h>

#include <ctime>

#include "sluice/sigv4.h"

namespace sluice::client {
namespace {

std::chrono::system_clock::time_point At(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

SigningParams ExampleParams(std::string service, std::string region = "us-east-1") {
  SigningParams p;
  p.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  p.service = std::move(service);
  p.region = std::move(region);
  p.time = At(2015, 8, 30, 12, 36, 0);
  return p;
}

std::string HeaderValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "<none>";
}

// aws-sig-v4-test-suite "get-vanilla".
TEST(ClientSigV4, AwsTestSuiteGetVanilla) {
  SignableRequest req;
  req.method = "GET";
  req.host = "example.amazonaws.com";
  SigningResult r = SignRequest(req, "", ExampleParams("service"));
  EXPECT_EQ(r.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(HeaderValue(req.headers, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(HeaderValue(req.headers, "Authorization"), r.authorization);
}

// The IAM ListUsers example of AWS's SigV4 documentation.
TEST(ClientSigV4, AwsDocumentationIamListUsers) {
  SignableRequest req;
  req.method = "GET";
  req.host = "iam.amazonaws.com";
  req.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  SigningResult r = SignRequest(req, "", ExampleParams("iam"));
  EXPECT_EQ(r.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(r.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

// Frozen from tools/sigv4_oracle.py.
TEST(ClientSigV4, KinesisPutRecordWithSessionTokenMatchesBotocore) {
  SignableRequest req;
  req.host = "kinesis.eu-west-1.amazonaws.com";
  req.headers = {{"X-Amz-Target", "Kinesis_20131202.PutRecord"}, {"Content-Type", "application/x-amz-json-1.1"}};
  SigningParams p = ExampleParams("kinesis", "eu-west-1");
  p.credentials.session_token = "tok/en+=";
  p.time = At(2024, 3, 15, 10, 11, 12);
  SignRequest(req, R"({"StreamName":"s","Data":"AAE=","PartitionKey":"k"})", p);
  EXPECT_EQ(HeaderValue(req.headers, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240315/eu-west-1/kinesis/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
            "Signature=72c2fce94eb38c92a6f199d26afa18d9b63f170d1518f645890f26bba7a6acee");
  EXPECT_EQ(HeaderValue(req.headers, "X-Amz-Security-Token"), "tok/en+=");
  EXPECT_EQ(HeaderValue(req.headers, "X-Amz-Content-SHA256"), "<none>");  // not for non-S3 services
}

TEST(ClientSigV4, S3UnsignedPayloadMatchesBotocore) {
  SignableRequest req;
  req.method = "GET";
  req.host = "s3.amazonaws.com";
  req.path = UriEncodePath("/bucket/my key");
  req.query = {{"prefix", "a b"}, {"a", "1"}};
  SigningParams p = ExampleParams("s3");
  p.unsigned_payload = true;
  SigningResult r = SignRequest(req, "", p);
  EXPECT_EQ(r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=00c97d40ba288037fb26848ec1a2d7c68af15d74e8948a404a9a384f74ca1c5f");
  EXPECT_EQ(HeaderValue(req.headers, "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD");
  EXPECT_NE(r.canonical_request.find("\n/bucket/my%20key\na=1&prefix=a%20b\n"), std::string::npos);
}

TEST(ClientSigV4, LocalEndpointHostIncludesPort) {
  SignableRequest req;
  req.scheme = "http";
  req.host = "127.0.0.1";
  req.port = 4566;
  req.headers = {{"X-Amz-Target", "Kinesis_20131202.ListShards"}, {"Content-Type", "application/x-amz-json-1.1"}};
  SigningResult r = SignRequest(req, "{}", ExampleParams("kinesis"));
  EXPECT_EQ(r.signature, "9146fc6d57b668fde5d64ba8df53d4d49e17aa816ff5e6ac0f77b71f1a3ea962");
  EXPECT_NE(r.canonical_request.find("host:127.0.0.1:4566\n"), std::string::npos);
}

TEST(ClientSigV4, ResigningReplacesDateTokenAndAuthorization) {
  SignableRequest req;
  req.host = "kinesis.us-east-1.amazonaws.com";
  SigningParams p = ExampleParams("kinesis");
  p.credentials.session_token = "t1";
  SignRequest(req, "{}", p);
  p.time += std::chrono::seconds(5);
  p.credentials.session_token = "t2";
  SigningResult second = SignRequest(req, "{}", p);
  int dates = 0, tokens = 0, auths = 0;
  for (const auto& [k, v] : req.headers) {
    dates += k == "X-Amz-Date";
    tokens += k == "X-Amz-Security-Token";
    auths += k == "Authorization";
  }
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(tokens, 1);
  EXPECT_EQ(auths, 1);
  EXPECT_EQ(HeaderValue(req.headers, "X-Amz-Date"), "20150830T123605Z");
  EXPECT_EQ(HeaderValue(req.headers, "X-Amz-Security-Token"), "t2");
  EXPECT_EQ(HeaderValue(req.headers, "Authorization"), second.authorization);
}

TEST(ClientSigV4, PayloadHashOptionEqualsHashingTheBody) {
  SignableRequest a, b;
  a.host = b.host = "kinesis.us-east-1.amazonaws.com";
  SigningParams p = ExampleParams("kinesis");
  std::string body = R"({"StreamName":"x"})";
  SigningResult ra = SignRequest(a, body, p);
  p.payload_hash = Sha256Hex(body);
  SigningResult rb = SignRequest(b, "", p);
  EXPECT_EQ(ra.authorization, rb.authorization);
}

TEST(ClientSigV4, Helpers) {
  EXPECT_EQ(UriEncode("a b+c=d%e~f_g.h-i/j"), "a%20b%2Bc%3Dd%25e~f_g.h-i%2Fj");
  EXPECT_EQ(UriEncodePath("/a b/\xc3\xbc"), "/a%20b/%C3%BC");
  EXPECT_EQ(EncodeQueryString({{"b", "x y"}, {"a", ""}}), "b=x%20y&a=");
  EXPECT_EQ(HostHeaderValue("https", "Kinesis.Example.COM", 443), "kinesis.example.com");
  EXPECT_EQ(HostHeaderValue("http", "localhost", 443), "localhost:443");
  EXPECT_EQ(HostHeaderValue("http", "::1", 4566), "[::1]:4566");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(FormatAmzDate(At(2024, 2, 29, 23, 59, 59)), "20240229T235959Z");
}

}  // namespace
}  // namespace sluice::client
