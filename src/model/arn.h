// Kinesis stream ARNs: arn:<partition>:kinesis:<region>:<account>:stream/<name>.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::model {

inline constexpr std::string_view kDefaultAccountId = "000000000000";

struct StreamArn {
  std::string partition = "aws";
  std::string region;
  std::string account;
  std::string stream_name;
  std::string consumer;  // set for .../stream/<name>/consumer/<c>:<ts> ARNs
};

std::string FormatStreamArn(std::string_view region, std::string_view account, std::string_view stream_name);

// Parses stream ARNs and (for tagging) consumer ARNs; nullopt if not one.
std::optional<StreamArn> ParseStreamArn(std::string_view arn);

}  // namespace sluice::model
