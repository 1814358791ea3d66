// The server-side SigV4 verifier: AWS's published examples (the test-suite
// "get-vanilla" request, the S3 GET example and the S3 chunked-upload
// example), round trips with the client's signer, and every failure kind.
#include <gtest/gtest.h>

#include <ctime>

#include "auth/auth_mode.h"
#include "auth/aws_chunked.h"
#include "auth/credentials.h"
#include "auth/sigv2_query.h"
#include "auth/sigv4_core.h"
#include "auth/sigv4_request.h"
#include "auth/verifier.h"
#include "auth/wire_errors.h"
#include "sluice/sigv4.h"

namespace sluice::auth {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Kind = Failure::Kind;

constexpr const char* kSuiteKey = "AKIDEXAMPLE";
constexpr const char* kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kS3Key = "AKIAIOSFODNN7EXAMPLE";
constexpr const char* kS3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

int64_t Millis(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

CredentialStore Store() {
  CredentialStore store;
  EXPECT_TRUE(store.Add(kSuiteKey, kSuiteSecret).ok());
  EXPECT_TRUE(store.Add(kS3Key, kS3Secret).ok());
  return store;
}

struct Fixture {
  explicit Fixture(int64_t now_ms) : clock(now_ms), verifier(Store(), VerifierOptions{&clock}) {}
  std::variant<Verified, Failure> Verify(std::string_view method, std::string_view target, const Headers& headers,
                                         std::string_view body, std::string_view service) {
    return verifier.Verify(RequestView{method, target, &headers, body}, service);
  }
  ManualClock clock;
  Verifier verifier;
};

Kind KindOf(const std::variant<Verified, Failure>& v) {
  EXPECT_TRUE(std::holds_alternative<Failure>(v)) << "expected a failure";
  return std::holds_alternative<Failure>(v) ? std::get<Failure>(v).kind : Kind::kMissing;
}

const int64_t kSuiteTime = Millis(2015, 8, 30, 12, 36, 0);
const char* kVanillaAuth =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

Headers VanillaHeaders(std::string auth = kVanillaAuth) {
  return {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}, {"Authorization", std::move(auth)}};
}

// ---- the shared core

TEST(AuthCore, GetVanillaSignatureFromCoreFunctions) {
  std::string canonical = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
                          std::string(kEmptySha256);
  std::string sts = StringToSign("20150830T123600Z", CredentialScope("20150830", "us-east-1", "service"), canonical);
  EXPECT_EQ(SignatureHex(SigningKey(kSuiteSecret, "20150830", "us-east-1", "service"), sts),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(AuthCore, RequestPartsParsers) {
  auto claim = ParseAuthorizationHeader(kVanillaAuth);
  ASSERT_TRUE(std::holds_alternative<SignatureClaim>(claim));
  EXPECT_EQ(std::get<SignatureClaim>(claim).signed_headers, "host;x-amz-date");
  auto broken = ParseAuthorizationHeader("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request");
  ASSERT_TRUE(std::holds_alternative<std::string>(broken));
  EXPECT_NE(std::get<std::string>(broken).find("Authorization header requires 'Signature' parameter."),
            std::string::npos);
  EXPECT_FALSE(ParseCredential("AKID/2015083/us-east-1/s3/aws4_request"));
  EXPECT_FALSE(ParseCredential("AKID/20150830/us-east-1/s3/aws4_request/x"));
  auto cred = ParseCredential("AKID/20150830/eu-west-1/kinesis/aws4_request");
  ASSERT_TRUE(cred);
  EXPECT_EQ(cred->region, "eu-west-1");
  EXPECT_EQ(cred->scope, "20150830/eu-west-1/kinesis/aws4_request");
  EXPECT_EQ(ParseAmzDate("20150830T123600Z"), kSuiteTime / 1000);
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36:00Z"));
  EXPECT_EQ(ParseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT"), kSuiteTime / 1000);
  auto t = ParseRequestTarget("/a%20b?uploads&x=1%2B2&y=a+b");
  EXPECT_EQ(t.path, "/a%20b");
  ASSERT_EQ(t.query.size(), 3u);
  EXPECT_EQ(t.query[0], (std::pair<std::string, std::string>("uploads", "")));
  EXPECT_EQ(t.query[1].second, "1+2");
  EXPECT_EQ(t.query[2].second, "a b");  // as the S3 API reads it (codec/url.h)
}

// ---- header form

TEST(AuthVerifier, AcceptsAwsTestSuiteGetVanilla) {
  Fixture f(kSuiteTime + 60'000);
  auto v = f.Verify("GET", "/", VanillaHeaders(), "", "service");
  ASSERT_TRUE(std::holds_alternative<Verified>(v)) << std::get<Failure>(v).message;
  EXPECT_EQ(std::get<Verified>(v).access_key, kSuiteKey);
  EXPECT_EQ(std::get<Verified>(v).region, "us-east-1");
}

TEST(AuthVerifier, SignatureMismatchReportsTheCanonicalRequest) {
  Fixture f(kSuiteTime);
  std::string auth = kVanillaAuth;
  auth.back() = auth.back() == '1' ? '2' : '1';
  auto v = f.Verify("GET", "/", VanillaHeaders(auth), "", "service");
  ASSERT_EQ(KindOf(v), Kind::kSignatureMismatch);
  const Failure& failure = std::get<Failure>(v);
  EXPECT_EQ(failure.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
                std::string(kEmptySha256));
  WireError json = JsonWireError(failure);
  EXPECT_EQ(json.code, "InvalidSignatureException");
  EXPECT_EQ(json.status, 400u);
  EXPECT_EQ(S3WireError(failure).code, "SignatureDoesNotMatch");
  EXPECT_EQ(S3WireError(failure).status, 403u);
  // Another method, path or header value also breaks the signature.
  EXPECT_EQ(KindOf(f.Verify("POST", "/", VanillaHeaders(), "", "service")), Kind::kSignatureMismatch);
  EXPECT_EQ(KindOf(f.Verify("GET", "/x", VanillaHeaders(), "", "service")), Kind::kSignatureMismatch);
  Headers other_host = VanillaHeaders();
  other_host[0].second = "example2.amazonaws.com";
  EXPECT_EQ(KindOf(f.Verify("GET", "/", other_host, "", "service")), Kind::kSignatureMismatch);
}

TEST(AuthVerifier, MissingMalformedUnknownAndConflicting) {
  Fixture f(kSuiteTime);
  Headers none = {{"Host", "example.amazonaws.com"}};
  auto missing = f.Verify("GET", "/", none, "", "service");
  ASSERT_EQ(KindOf(missing), Kind::kMissing);
  EXPECT_EQ(JsonWireError(std::get<Failure>(missing)).code, "MissingAuthenticationTokenException");
  EXPECT_EQ(JsonWireError(std::get<Failure>(missing)).message, "Missing Authentication Token");
  EXPECT_EQ(S3WireError(std::get<Failure>(missing)).code, "AccessDenied");
  Headers blank = {{"Host", "example.amazonaws.com"}, {"Authorization", " "}};
  EXPECT_EQ(KindOf(f.Verify("GET", "/", blank, "", "service")), Kind::kMissing);

  auto incomplete = f.Verify("GET", "/", VanillaHeaders("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE"), "", "service");
  ASSERT_EQ(KindOf(incomplete), Kind::kMalformed);
  EXPECT_EQ(JsonWireError(std::get<Failure>(incomplete)).code, "IncompleteSignatureException");
  EXPECT_EQ(S3WireError(std::get<Failure>(incomplete)).code, "AuthorizationHeaderMalformed");

  EXPECT_EQ(KindOf(f.Verify("GET", "/", VanillaHeaders("AWS AKIDEXAMPLE:abc"), "", "service")),
            Kind::kUnsupportedAlgorithm);
  Headers no_date = VanillaHeaders();
  no_date.erase(no_date.begin() + 1);
  EXPECT_EQ(KindOf(f.Verify("GET", "/", no_date, "", "service")), Kind::kMalformed);

  std::string unknown = kVanillaAuth;
  unknown.replace(unknown.find("AKIDEXAMPLE"), 11, "AKIDUNKNOWN");
  auto u = f.Verify("GET", "/", VanillaHeaders(unknown), "", "service");
  ASSERT_EQ(KindOf(u), Kind::kUnknownKey);
  EXPECT_EQ(JsonWireError(std::get<Failure>(u)).code, "UnrecognizedClientException");
  EXPECT_EQ(JsonWireError(std::get<Failure>(u)).message, "The security token included in the request is invalid.");
  EXPECT_EQ(S3WireError(std::get<Failure>(u)).code, "InvalidAccessKeyId");

  EXPECT_EQ(KindOf(f.Verify("GET", "/?X-Amz-Algorithm=AWS4-HMAC-SHA256", VanillaHeaders(), "", "service")),
            Kind::kConflicting);
  // Scoped to another service than the one addressed.
  auto scope = f.Verify("GET", "/", VanillaHeaders(), "", "kinesis");
  ASSERT_EQ(KindOf(scope), Kind::kScopeMismatch);
  EXPECT_EQ(JsonWireError(std::get<Failure>(scope)).message,
            "Credential should be scoped to correct service: 'kinesis'.");
}

TEST(AuthVerifier, FifteenMinuteWindowWithAwsWording) {
  Fixture late(kSuiteTime + 16 * 60'000);
  auto expired = late.Verify("GET", "/", VanillaHeaders(), "", "service");
  ASSERT_EQ(KindOf(expired), Kind::kSkewed);
  WireError e = JsonWireError(std::get<Failure>(expired));
  EXPECT_EQ(e.code, "InvalidSignatureException");
  EXPECT_EQ(e.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)");
  WireError s3 = S3WireError(std::get<Failure>(expired));
  EXPECT_EQ(s3.code, "RequestTimeTooSkewed");
  EXPECT_EQ(s3.status, 403u);

  Fixture early(kSuiteTime - 16 * 60'000);
  auto future = early.Verify("GET", "/", VanillaHeaders(), "", "service");
  ASSERT_EQ(KindOf(future), Kind::kSkewed);
  EXPECT_EQ(JsonWireError(std::get<Failure>(future)).message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");

  Fixture edge(kSuiteTime + 15 * 60'000);
  EXPECT_TRUE(std::holds_alternative<Verified>(edge.Verify("GET", "/", VanillaHeaders(), "", "service")));
}

// The client's signer and the verifier agree, for JSON and S3 requests.
client::SignableRequest KinesisRequest(std::string body) {
  client::SignableRequest req;
  req.scheme = "http";
  req.host = "127.0.0.1";
  req.port = 4566;
  req.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "Kinesis_20131202.PutRecord"}};
  (void)body;
  return req;
}

// What the server receives: the signed headers plus the Host header the
// transport adds (the signer signs it without adding it).
Headers Received(const client::SignableRequest& req) {
  Headers h = req.headers;
  h.emplace_back("Host", client::HostHeaderValue(req.scheme, req.host, req.port));
  return h;
}

client::SigningParams Params(std::string service, int64_t ms) {
  client::SigningParams p;
  p.credentials = {kS3Key, kS3Secret, ""};
  p.region = "eu-central-1";
  p.service = std::move(service);
  p.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  return p;
}

TEST(AuthVerifier, RoundTripWithTheClientSigner) {
  const int64_t now = Millis(2026, 1, 2, 3, 4, 5);
  Fixture f(now);
  std::string body = R"({"StreamName":"s","Data":"aGk=","PartitionKey":"p"})";
  client::SignableRequest req = KinesisRequest(body);
  client::SignRequest(req, body, Params("kinesis", now));
  auto ok = f.Verify("POST", "/", Received(req), body, "kinesis");
  ASSERT_TRUE(std::holds_alternative<Verified>(ok))
      << static_cast<int>(std::get<Failure>(ok).kind) << " " << std::get<Failure>(ok).message;
  EXPECT_EQ(std::get<Verified>(ok).region, "eu-central-1");
  // A changed body no longer matches the signed hash.
  EXPECT_EQ(KindOf(f.Verify("POST", "/", Received(req), body + " ", "kinesis")), Kind::kSignatureMismatch);
  // The wrong secret.
  Fixture other(now);
  client::SignableRequest wrong = KinesisRequest(body);
  client::SigningParams p = Params("kinesis", now);
  p.credentials.secret_access_key = "not-the-secret";
  client::SignRequest(wrong, body, p);
  EXPECT_EQ(KindOf(other.Verify("POST", "/", Received(wrong), body, "kinesis")), Kind::kSignatureMismatch);

  // S3 with a body hash, UNSIGNED-PAYLOAD, and a key needing encoding.
  client::SignableRequest put;
  put.method = "PUT";
  put.scheme = "http";
  put.host = "127.0.0.1";
  put.port = 4566;
  put.path = client::UriEncodePath("/bucket/dir/a key+(1).txt");
  client::SignRequest(put, "data", Params("s3", now));
  auto s3ok = f.Verify("PUT", put.path, Received(put), "data", "s3");
  ASSERT_TRUE(std::holds_alternative<Verified>(s3ok))
      << static_cast<int>(std::get<Failure>(s3ok).kind) << " " << std::get<Failure>(s3ok).canonical_request;
  auto tampered = f.Verify("PUT", put.path, Received(put), "date", "s3");
  ASSERT_EQ(KindOf(tampered), Kind::kPayloadHashMismatch);
  EXPECT_EQ(S3WireError(std::get<Failure>(tampered)).code, "XAmzContentSHA256Mismatch");
  client::SigningParams unsigned_params = Params("s3", now);
  unsigned_params.unsigned_payload = true;
  client::SignableRequest put2 = put;
  put2.headers.clear();
  client::SignRequest(put2, "ignored", unsigned_params);
  EXPECT_TRUE(std::holds_alternative<Verified>(f.Verify("PUT", put2.path, Received(put2), "anything", "s3")));
  // S3 header-form requests must say which payload hash they signed.
  Headers no_sha = Received(put);
  std::erase_if(no_sha, [](const auto& h) { return h.first == "X-Amz-Content-SHA256"; });
  EXPECT_EQ(KindOf(f.Verify("PUT", put.path, no_sha, "data", "s3")), Kind::kMissingContentSha);
  Headers bad_sha = Received(put);
  for (auto& [k, v] : bad_sha)
    if (k == "X-Amz-Content-SHA256") v = "not-a-hash";
  EXPECT_EQ(KindOf(f.Verify("PUT", put.path, bad_sha, "data", "s3")), Kind::kBadContentSha);
}

// ---- S3: the documentation's GET example, presigned URLs, chunked uploads

TEST(AuthVerifier, S3DocumentationGetObjectExample) {
  Fixture f(Millis(2013, 5, 24, 0, 0, 0));
  Headers h = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", std::string(kEmptySha256)},
               {"x-amz-date", "20130524T000000Z"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}};
  auto v = f.Verify("GET", "/test.txt", h, "", "s3");
  ASSERT_TRUE(std::holds_alternative<Verified>(v)) << std::get<Failure>(v).message;
}

// A presigned GET (host signed), with `extra` (decoded) query parameters.
std::string Presign(std::string_view path, int64_t date_ms, int expires, const std::string& secret,
                    const Pairs& extra = {}) {
  std::string amz_date = FormatAmzDate(date_ms / 1000);
  std::string scope = CredentialScope(amz_date.substr(0, 8), "us-east-1", "s3");
  Pairs query = extra;
  Pairs auth = {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                {"X-Amz-Credential", std::string(kS3Key) + "/" + scope},
                {"X-Amz-Date", amz_date},
                {"X-Amz-Expires", std::to_string(expires)},
                {"X-Amz-SignedHeaders", "host"}};
  query.insert(query.end(), auth.begin(), auth.end());
  std::string canonical = "GET\n" + std::string(path) + "\n" + CanonicalQuery(query) +
                          "\nhost:127.0.0.1:4566\n\nhost\n" + std::string(kUnsignedPayload);
  std::string sig = SignatureHex(SigningKey(secret, amz_date.substr(0, 8), "us-east-1", "s3"),
                                 StringToSign(amz_date, scope, canonical));
  std::string target = std::string(path) + "?";
  for (const auto& [k, v] : query) target += UriEncode(k) + "=" + UriEncode(v) + "&";
  return target + "X-Amz-Signature=" + sig;
}

TEST(AuthVerifier, S3PresignedUrls) {
  const int64_t signed_at = Millis(2026, 3, 1, 10, 0, 0);
  Headers h = {{"Host", "127.0.0.1:4566"}};
  Fixture f(signed_at + 100'000);
  std::string url = Presign("/bucket/key.txt", signed_at, 300, kS3Secret);
  auto ok = f.Verify("GET", url, h, "", "s3");
  ASSERT_TRUE(std::holds_alternative<Verified>(ok)) << std::get<Failure>(ok).message;
  // Tampered: another object, or another signature.
  std::string other = url;
  other.replace(other.find("key.txt"), 7, "kez.txt");
  EXPECT_EQ(KindOf(f.Verify("GET", other, h, "", "s3")), Kind::kSignatureMismatch);
  EXPECT_EQ(KindOf(f.Verify("GET", Presign("/bucket/key.txt", signed_at, 300, "wrong"), h, "", "s3")),
            Kind::kSignatureMismatch);
  // Expired, and not yet valid.
  Fixture later(signed_at + 301'000);
  auto expired = later.Verify("GET", url, h, "", "s3");
  ASSERT_EQ(KindOf(expired), Kind::kPresignExpired);
  EXPECT_EQ(S3WireError(std::get<Failure>(expired)).code, "AccessDenied");
  EXPECT_EQ(S3WireError(std::get<Failure>(expired)).message, "Request has expired");
  Fixture earlier(signed_at - 16 * 60'000);
  EXPECT_EQ(KindOf(earlier.Verify("GET", url, h, "", "s3")), Kind::kPresignNotYetValid);
  // Missing X-Amz-Expires (required by S3), and a week or more.
  std::string no_expires = url;
  no_expires.replace(no_expires.find("X-Amz-Expires"), 13, "X-Amz-Expirez");
  auto incomplete = f.Verify("GET", no_expires, h, "", "s3");
  ASSERT_EQ(KindOf(incomplete), Kind::kMalformed);
  EXPECT_EQ(S3WireError(std::get<Failure>(incomplete)).code, "AuthorizationQueryParametersError");
  EXPECT_EQ(KindOf(f.Verify("GET", Presign("/bucket/key.txt", signed_at, 604801, kS3Secret), h, "", "s3")),
            Kind::kMalformed);
}

// Every x-amz-* header present must be signed, in both forms: an unsigned
// x-amz-copy-source would turn a presigned PUT into a copy from any bucket.
TEST(AuthVerifier, UnsignedAmzHeadersAreRefused) {
  const int64_t signed_at = Millis(2026, 3, 1, 10, 0, 0);
  Fixture f(signed_at + 1000);
  std::string url = Presign("/bucket/key.txt", signed_at, 300, kS3Secret);
  Headers h = {{"Host", "127.0.0.1:4566"}, {"X-Amz-Copy-Source", "/private/payroll.csv"}, {"x-amz-acl", "public-read"}};
  auto v = f.Verify("GET", url, h, "", "s3");
  ASSERT_EQ(KindOf(v), Kind::kHeadersNotSigned);
  const Failure& failure = std::get<Failure>(v);
  EXPECT_EQ(failure.unsigned_headers, (std::vector<std::string>{"x-amz-copy-source", "x-amz-acl"}));
  WireError s3 = S3WireError(failure);
  EXPECT_EQ(s3.code, "AccessDenied");
  EXPECT_EQ(s3.status, 403u);
  EXPECT_EQ(s3.message, "There were headers present in the request which were not signed");
  EXPECT_EQ(s3.fields, (WireError::Fields{{"HeadersNotSigned", "x-amz-copy-source, x-amz-acl"}}));
  EXPECT_EQ(JsonWireError(failure).code, "InvalidSignatureException");
  // x-amz-content-sha256 is bound by the payload line, so it may go unsigned
  // (a presigned URL's payload is UNSIGNED-PAYLOAD: another value breaks it).
  Headers sha = {{"Host", "127.0.0.1:4566"}, {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  EXPECT_TRUE(std::holds_alternative<Verified>(f.Verify("GET", url, sha, "", "s3")));
  sha[1].second = std::string(kEmptySha256);
  EXPECT_EQ(KindOf(f.Verify("GET", url, sha, "", "s3")), Kind::kSignatureMismatch);
  // x-amzn-* is not x-amz-*.
  Headers trace = {{"Host", "127.0.0.1:4566"}, {"X-Amzn-Trace-Id", "Root=1"}};
  EXPECT_TRUE(std::holds_alternative<Verified>(f.Verify("GET", url, trace, "", "s3")));

  // Header form: the AWS example signs host;x-amz-date; one more x-amz-* fails.
  Fixture suite(kSuiteTime);
  Headers extra = VanillaHeaders();
  extra.emplace_back("X-Amz-Meta-Owner", "mallory");
  auto header_form = suite.Verify("GET", "/", extra, "", "service");
  ASSERT_EQ(KindOf(header_form), Kind::kHeadersNotSigned);
  EXPECT_FALSE(std::get<Failure>(header_form).presigned);
}

// The rules of every AWS JSON service: a signed payload and a signed
// x-amz-target (SigningRules::AwsJson).
TEST(AuthVerifier, JsonServicesNeedSignedPayloadAndTarget) {
  const int64_t now = Millis(2026, 1, 2, 3, 4, 5);
  Fixture f(now);
  const SigningRules rules = SigningRules::AwsJson("kinesis");
  std::string body = R"({"StreamName":"s","Data":"aGk=","PartitionKey":"p"})";
  auto verify = [&](const Headers& h) { return f.verifier.Verify(RequestView{"POST", "/", &h, body}, rules); };
  client::SignableRequest req = KinesisRequest(body);
  client::SignRequest(req, body, Params("kinesis", now));
  ASSERT_TRUE(std::holds_alternative<Verified>(verify(Received(req))));

  client::SigningParams unsigned_params = Params("kinesis", now);
  unsigned_params.unsigned_payload = true;
  client::SignableRequest lazy = KinesisRequest(body);
  client::SignRequest(lazy, body, unsigned_params);
  auto refused = verify(Received(lazy));
  ASSERT_EQ(KindOf(refused), Kind::kPayloadNotSigned);
  EXPECT_EQ(JsonWireError(std::get<Failure>(refused)).code, "InvalidSignatureException");
  // Plain SigV4 rules take it (the payload line says UNSIGNED-PAYLOAD).
  Headers lazy_headers = Received(lazy);
  EXPECT_TRUE(std::holds_alternative<Verified>(
      f.verifier.Verify(RequestView{"POST", "/", &lazy_headers, body}, SigningRules::ForName("kinesis"))));

  // X-Amz-Target added after signing: not among the signed headers.
  client::SignableRequest no_target = KinesisRequest(body);
  no_target.headers.erase(no_target.headers.begin() + 1);
  client::SignRequest(no_target, body, Params("kinesis", now));
  Headers h = Received(no_target);
  h.emplace_back("X-Amz-Target", "Kinesis_20131202.DeleteStream");
  auto malformed = verify(h);
  ASSERT_EQ(KindOf(malformed), Kind::kMalformed);
  EXPECT_EQ(std::get<Failure>(malformed).message, "'x-amz-target' must be a 'SignedHeader' in the AWS Authorization.");
  EXPECT_EQ(KindOf(f.verifier.Verify(RequestView{"POST", "/", &h, body}, SigningRules::ForName("kinesis"))),
            Kind::kHeadersNotSigned);
}

// One decoding for the verifier and the handlers: '+' in a query is a space,
// so a URL signed for "a%2Bb" ("a+b") does not verify as "a+b" ("a b").
TEST(AuthVerifier, PlusInTheQueryCannotBeReplayedAsAnotherValue) {
  const int64_t signed_at = Millis(2026, 3, 1, 10, 0, 0);
  Fixture f(signed_at + 1000);
  Headers h = {{"Host", "127.0.0.1:4566"}};
  std::string url = Presign("/bucket", signed_at, 300, kS3Secret, {{"prefix", "a+b"}});
  ASSERT_NE(url.find("prefix=a%2Bb"), std::string::npos) << url;
  EXPECT_TRUE(std::holds_alternative<Verified>(f.Verify("GET", url, h, "", "s3")));
  std::string replay = url;
  replay.replace(replay.find("prefix=a%2Bb"), 12, "prefix=a+b");
  EXPECT_EQ(KindOf(f.Verify("GET", replay, h, "", "s3")), Kind::kSignatureMismatch);
  // A space, signed as %20 (every SDK), may arrive as '+' (form encoding):
  // the same value, the same signature.
  std::string spaced = Presign("/bucket", signed_at, 300, kS3Secret, {{"prefix", "a b"}});
  spaced.replace(spaced.find("prefix=a%20b"), 12, "prefix=a+b");
  EXPECT_TRUE(std::holds_alternative<Verified>(f.Verify("GET", spaced, h, "", "s3")));
}

// S3's signature-version-2 query authentication (the documentation's
// johnsmith/puppy.jpg example), as boto3's generate_presigned_url makes it.
TEST(AuthVerifier, S3SigV2PresignedUrls) {
  EXPECT_EQ(SigV2Signature(kS3Secret, "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"),
            "NpgCjnDzrM+WFzoENXmpNDUsSn8=");
  const std::string url =
      "/johnsmith/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&"
      "Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D";
  Headers h = {{"Host", "127.0.0.1:4566"}};
  Fixture f(1175139000'000);
  auto ok = f.Verify("GET", url, h, "", "s3");
  ASSERT_TRUE(std::holds_alternative<Verified>(ok)) << std::get<Failure>(ok).string_to_sign;
  EXPECT_EQ(KindOf(f.Verify("GET", "/johnsmith/photos/kitten.jpg" + url.substr(url.find('?')), h, "", "s3")),
            Kind::kSignatureMismatch);
  EXPECT_EQ(KindOf(f.Verify("PUT", url, h, "", "s3")), Kind::kSignatureMismatch);
  Fixture later(1175139621'000);
  EXPECT_EQ(KindOf(later.Verify("GET", url, h, "", "s3")), Kind::kPresignExpired);
  // Not for the JSON services: there it is no authentication at all.
  EXPECT_EQ(KindOf(f.Verify("GET", url, h, "", "kinesis")), Kind::kMissing);
}

// AWS's "Transferring Payload in Multiple Chunks" example: 66560 bytes of 'a'.
struct ChunkedExample {
  Headers headers = {{"Host", "s3.amazonaws.com"},
                     {"x-amz-date", "20130524T000000Z"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                     {"Authorization",
                      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                      "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                      "x-amz-decoded-content-length;x-amz-storage-class,"
                      "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
                     {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
                     {"Content-Encoding", "aws-chunked"},
                     {"x-amz-decoded-content-length", "66560"},
                     {"Content-Length", "66824"}};
  std::string body = "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
                     std::string(65536, 'a') +
                     "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
                     std::string(1024, 'a') +
                     "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
};

TEST(AuthVerifier, S3ChunkedUploadExample) {
  Fixture f(Millis(2013, 5, 24, 0, 5, 0));
  ChunkedExample ex;
  ASSERT_EQ(ex.body.size(), 66824u);
  auto v = f.Verify("PUT", "/examplebucket/chunkObject.txt", ex.headers, ex.body, "s3");
  ASSERT_TRUE(std::holds_alternative<Verified>(v)) << std::get<Failure>(v).message;
  ASSERT_TRUE(std::get<Verified>(v).decoded_body);
  EXPECT_EQ(*std::get<Verified>(v).decoded_body, std::string(66560, 'a'));

  // A corrupted chunk signature, chunk data, or final signature is rejected.
  for (std::string_view needle : {"0055627c", "b6c6ea8a"}) {
    ChunkedExample bad;
    bad.body[bad.body.find(needle)] = '1';
    auto r = f.Verify("PUT", "/examplebucket/chunkObject.txt", bad.headers, bad.body, "s3");
    ASSERT_EQ(KindOf(r), Kind::kSignatureMismatch) << needle;
    EXPECT_EQ(S3WireError(std::get<Failure>(r)).code, "SignatureDoesNotMatch");
  }
  ChunkedExample data;
  data.body[200] = 'b';
  EXPECT_EQ(KindOf(f.Verify("PUT", "/examplebucket/chunkObject.txt", data.headers, data.body, "s3")),
            Kind::kSignatureMismatch);
  // Chunks cut off after a valid one: framing error.
  ChunkedExample cut;
  cut.body.resize(65536 + 100);
  EXPECT_EQ(KindOf(f.Verify("PUT", "/examplebucket/chunkObject.txt", cut.headers, cut.body, "s3")),
            Kind::kMalformedBody);
}

TEST(AuthChunked, DecodesUnsignedTrailerForm) {
  auto decoded = DecodeAwsChunked("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "hello world");
  EXPECT_FALSE(DecodeAwsChunked("5\r\nhel").ok());
  EXPECT_FALSE(DecodeAwsChunked("zz\r\n").ok());
}

// ---- configuration

TEST(AuthCredentials, EveryProfileWithBothKeys) {
  auto store = ParseCredentialsFile(
      "[default]\naws_access_key_id = AKID1\naws_secret_access_key = s1\n"
      "[other]\naws_access_key_id=AKID2\naws_secret_access_key=s2\naws_session_token=t\n"
      "[incomplete]\naws_access_key_id = AKID3\n");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->size(), 2u);
  ASSERT_TRUE(store->SecretFor("AKID2"));
  EXPECT_EQ(*store->SecretFor("AKID2"), "s2");
  EXPECT_FALSE(store->SecretFor("AKID3"));
  auto conflict = ParseCredentialsFile(
      "[a]\naws_access_key_id=K\naws_secret_access_key=x\n[b]\naws_access_key_id=K\naws_secret_access_key=y\n");
  EXPECT_FALSE(conflict.ok());
  EXPECT_FALSE(LoadCredentialsFile("/nonexistent/credentials").ok());
}

TEST(AuthMode, AutoIsStrictOffLoopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_EQ(ResolveAuthMode("auto", "127.0.0.1"), AuthMode::kOff);
  EXPECT_EQ(ResolveAuthMode("auto", "0.0.0.0"), AuthMode::kStrict);
  EXPECT_EQ(ResolveAuthMode("strict", "127.0.0.1"), AuthMode::kStrict);
  EXPECT_EQ(ResolveAuthMode("off", "0.0.0.0"), AuthMode::kOff);
  EXPECT_FALSE(ResolveAuthMode("maybe", "127.0.0.1"));
}

}  // namespace
}  // namespace sluice::auth
