// Fuzz target: arbitrary bytes as a SigV4 Authorization header, as a
// presigned-URL query string and as an aws-chunked body, through the
// parsers and the whole Verifier (auth/verifier.h). Nothing may crash, hang
// or read out of bounds, and nothing random may pass verification.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/aws_chunked.h"
#include "auth/sigv4_request.h"
#include "auth/verifier.h"

namespace {

using sluice::auth::Verifier;

const Verifier& TheVerifier() {
  static sluice::ManualClock clock(1'440'938'160'000);  // 2015-08-30T12:36:00Z
  static Verifier verifier = [] {
    sluice::auth::CredentialStore store;
    (void)store.Add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return Verifier(std::move(store), sluice::auth::VerifierOptions{&clock});
  }();
  return verifier;
}

void MustNotVerify(const std::variant<sluice::auth::Verified, sluice::auth::Failure>& outcome) {
  if (std::holds_alternative<sluice::auth::Verified>(outcome)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const Verifier& verifier = TheVerifier();

  // 1. As the Authorization header of a Kinesis call and of an S3 PUT.
  (void)sluice::auth::ParseAuthorizationHeader(input);
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", "127.0.0.1:4566"},
                                                              {"X-Amz-Date", "20150830T123600Z"},
                                                              {"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"},
                                                              {"Authorization", std::string(input)}};
  MustNotVerify(verifier.Verify({"POST", "/", &headers, "{}"}, "kinesis"));
  MustNotVerify(verifier.Verify({"PUT", "/bucket/key", &headers, input}, "s3"));

  // 2. As a presigned URL's query string (SigV4 or SigV2 parameters).
  std::string target = "/bucket/key?" + std::string(input);
  auto parsed = sluice::auth::ParseRequestTarget(target);
  (void)sluice::auth::ParsePresignedQuery(parsed.query, true);
  std::vector<std::pair<std::string, std::string>> host = {{"Host", "127.0.0.1:4566"}};
  MustNotVerify(verifier.Verify({"GET", target, &host, ""}, "s3"));
  MustNotVerify(verifier.Verify({"GET", target, &host, ""}, "kinesis"));

  // 3. As an aws-chunked body; every chunk signature is looked at.
  size_t chunks = 0;
  (void)sluice::auth::DecodeAwsChunked(input, [&](const sluice::auth::AwsChunk& chunk) {
    ++chunks;
    return chunk.signature.size() == 64 ? sluice::Status::Ok() : sluice::Status::InvalidArgument("signature");
  });

  // 4. As dates.
  (void)sluice::auth::ParseAmzDate(input);
  (void)sluice::auth::ParseHttpDate(input);
  (void)sluice::auth::ParseCredential(input);
  return 0;
}
