// Every Firehose operation: JSON parsing, model validation and the handler
// (see json_service_fuzz.h for the input layout).
#include "json_service_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return sluice::fuzz::FuzzJsonCall(data, size, sluice::protocol::ServiceModel::Firehose());
}
