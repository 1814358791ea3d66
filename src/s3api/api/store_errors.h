// How the embedded store's errors (objstore/store_error.h) answer on the
// wire: the one place that maps a StoreError::Code to S3's error code. The
// HTTP status follows from the S3 code (ErrorResponse in context.cc);
// Context::FromStoreError, defined beside this mapping, adds the elements
// S3 puts in the document for it.
#pragma once

#include <string_view>

#include "objstore/store_error.h"

namespace sluice::s3api::api {

// "NoSuchBucket", "KeyTooLongError", "ServiceUnavailable", "InternalError".
std::string_view S3ErrorCode(objstore::StoreError::Code code);

}  // namespace sluice::s3api::api
