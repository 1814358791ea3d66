// Every DynamoDB operation: JSON parsing, model validation, value and
// expression parsing and the handler, against a table with a sort key, a
// GSI and one item (see json_service_fuzz.h for the input layout).
#include "json_service_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sluice::fuzz::FuzzJsonCall(data, size, sluice::protocol::ServiceModel::DynamoDB());
}
