// AWS region names. A region comes from a request's SigV4 credential scope
// and namespaces resources, so only names of AWS's own syntax are accepted.
#pragma once

#include <string_view>

namespace sluice::model {

// True when `region` has the syntax of a region of one of AWS's partitions
// (botocore's endpoints.json regionRegex: "us-east-1", "eu-central-2",
// "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eusc-de-east-1", ...):
// <partition prefix>-<word>-<digits>, at most 64 bytes.
bool IsValidRegion(std::string_view region);

}  // namespace sluice::model
