// S3Api: the S3 REST API over the embedded LocalStore, for requests the
// router does not recognise as AWS JSON (no X-Amz-Target). This class
// authenticates and addresses a request; api/route.cc picks the operation and
// api/<operation>.cc serves it.
//
// Addressing: path-style ("/bucket/key") and virtual-host style
// ("Host: bucket.localhost:4566", "bucket.s3.localhost") — see
// S3ApiOptions::hosts; IP literals and unknown host names are path-style.
//
// Operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
// GetBucketLocation, ListObjects (v1) and ListObjectsV2, PutObject (plain,
// Content-MD5, aws-chunked), GetObject / HeadObject (Range, If-Match,
// If-None-Match, response-* overrides), DeleteObject, DeleteObjects,
// CopyObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload, ListParts, ListMultipartUploads. Everything else is
// NotImplemented (501). Errors are S3 XML documents (no body for HEAD).
// With a verifier (sluice serve --auth=strict) every request's SigV4
// signature is checked before any handler runs (auth/verifier.h; failures
// answer AccessDenied, SignatureDoesNotMatch, ...); an aws-chunked body is
// then verified chunk by chunk and reaches the handlers decoded. Without
// one, signatures are not checked and aws-chunked bodies are just decoded.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/verifier.h"
#include "objstore/local_store.h"
#include "wire/message.h"

namespace sluice::s3api {

struct S3ApiOptions {
  // Host names of this server; "<bucket>.<host>" and "<bucket>.s3.<host>"
  // select virtual-host addressing.
  std::vector<std::string> hosts = {"localhost", "localhost.localstack.cloud"};
  std::string owner_id = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
  std::string owner_name = "sluice";
  std::shared_ptr<const auth::Verifier> verifier;  // null: signatures are not checked
};

// An S3 XML error document with a fresh request id and the status S3 gives
// `code`, for answers made outside S3Api (the HTTP server's transport limits).
wire::Response ErrorDocument(std::string_view code, std::string_view message, const std::string& resource, bool head);

class S3Api {
 public:
  S3Api(std::shared_ptr<objstore::LocalStore> store, S3ApiOptions options = {});

  // Serves one request (synchronously, on the calling thread) and responds.
  void Handle(wire::Request request, wire::Responder respond);
  // The same, returning the response (tests).
  wire::Response Serve(const wire::Request& request);

 private:
  wire::Response ServeRequest(const wire::Request& request);  // after authentication

  std::shared_ptr<objstore::LocalStore> store_;
  S3ApiOptions options_;
};

}  // namespace sluice::s3api
