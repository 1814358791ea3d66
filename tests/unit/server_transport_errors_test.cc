// Answers to requests the HTTP transport refuses: shaped like the service
// the request was meant for (server/transport_errors.h).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "http/server.h"
#include "server/transport_errors.h"

namespace sluice::server {
namespace {

using http::TransportError;

std::string HeaderOf(const wire::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// Built in one expression: GCC 12 warns (-Wrestrict, falsely) on assigning
// string literals to the members one by one.
wire::Request Head(std::string method, std::string target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  return wire::Request{std::move(method), std::move(target), std::move(headers), "", ""};
}

wire::Request JsonHead() { return Head("POST", "/", {{"x-amz-target", "Kinesis_20131202.PutRecords"}}); }

TEST(TransportErrors, JsonServicesGetAwsJsonErrors) {
  struct Case {
    TransportError error;
    unsigned status;
    std::string type;
  };
  for (const Case& c : {Case{TransportError::kBadRequest, 400, "SerializationException"},
                        Case{TransportError::kHeaderTooLarge, 431, "RequestHeaderFieldsTooLargeException"},
                        Case{TransportError::kBodyTooLarge, 413, "RequestEntityTooLargeException"},
                        Case{TransportError::kTimeout, 408, "RequestTimeoutException"},
                        Case{TransportError::kUnavailable, 503, "ServiceUnavailableException"}}) {
    wire::Response r = TransportErrorResponse(c.error, JsonHead());
    EXPECT_EQ(r.status, c.status) << c.type;
    EXPECT_NE(r.body.find("\"__type\":\"" + c.type + "\""), std::string::npos) << r.body;
    EXPECT_FALSE(HeaderOf(r, "x-amzn-RequestId").empty());
  }
}

TEST(TransportErrors, OtherRequestsGetS3ErrorDocuments) {
  wire::Request head = Head("PUT", "/bucket/key?partNumber=1");
  struct Case {
    TransportError error;
    std::string code;
  };
  for (const Case& c :
       {Case{TransportError::kBadRequest, "BadRequest"},
        Case{TransportError::kHeaderTooLarge, "RequestHeaderSectionTooLarge"},
        Case{TransportError::kBodyTooLarge, "EntityTooLarge"}, Case{TransportError::kTimeout, "RequestTimeout"}}) {
    wire::Response r = TransportErrorResponse(c.error, head);
    EXPECT_EQ(r.status, 400u) << c.code;  // as S3 answers them
    EXPECT_NE(r.body.find("<Code>" + c.code + "</Code>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<Resource>/bucket/key</Resource>"), std::string::npos) << r.body;
    EXPECT_FALSE(HeaderOf(r, "x-amz-request-id").empty());
  }
  // Nothing parsed at all (e.g. a header section over the limit): still S3's shape.
  EXPECT_NE(TransportErrorResponse(TransportError::kHeaderTooLarge, {}).body.find("RequestHeaderSectionTooLarge"),
            std::string::npos);
}

TEST(TransportErrors, HeadRequestsGetNoBody) {
  wire::Request head = Head("HEAD", "/bucket/key");
  wire::Response r = TransportErrorResponse(TransportError::kTimeout, head);
  EXPECT_EQ(r.status, 400u);
  EXPECT_TRUE(r.body.empty());
}

TEST(TransportErrors, PlainDefaultCarriesTheHttpStatus) {
  EXPECT_EQ(http::PlainTransportError(TransportError::kBadRequest, {}).status, 400u);
  EXPECT_EQ(http::PlainTransportError(TransportError::kHeaderTooLarge, {}).status, 431u);
  EXPECT_EQ(http::PlainTransportError(TransportError::kBodyTooLarge, {}).status, 413u);
  EXPECT_EQ(http::PlainTransportError(TransportError::kTimeout, {}).status, 408u);
  wire::Response busy = http::PlainTransportError(TransportError::kUnavailable, {});
  EXPECT_EQ(busy.status, 503u);
  EXPECT_EQ(HeaderOf(busy, "Retry-After"), "1");
}

TEST(TransportErrors, OverTheInflightBudgetIs503WithRetryAfter) {
  wire::Response json = TransportErrorResponse(TransportError::kUnavailable, JsonHead());
  EXPECT_EQ(json.status, 503u);
  EXPECT_EQ(HeaderOf(json, "Retry-After"), "1");
  wire::Response s3 = TransportErrorResponse(TransportError::kUnavailable, Head("PUT", "/bucket/key"));
  EXPECT_EQ(s3.status, 503u);  // as S3 answers ServiceUnavailable
  EXPECT_NE(s3.body.find("<Code>ServiceUnavailable</Code>"), std::string::npos) << s3.body;
  EXPECT_EQ(HeaderOf(s3, "Retry-After"), "1");
}

}  // namespace
}  // namespace sluice::server
