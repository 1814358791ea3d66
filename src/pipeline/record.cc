#include "sluice/pipeline/record.h"

namespace sluice::pipeline {

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Status ValidatePartitionKey(std::string_view key) {
  if (key.empty()) return Status::InvalidArgument("partition key is empty");
  if (size_t n = Utf8Length(key); n > kMaxPartitionKeyChars)
    return Status::InvalidArgument("partition key has " + std::to_string(n) + " characters, more than " +
                                   std::to_string(kMaxPartitionKeyChars));
  return Status::Ok();
}

}  // namespace sluice::pipeline
