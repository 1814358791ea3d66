#!/usr/bin/env python3
"""SigV4 oracle: signs requests with botocore's own signer, at a fixed time.

Reads a JSON list of request cases on stdin and prints a JSON list (same
order) of {"authorization", "canonical_request", "string_to_sign",
"headers"} as botocore's SigV4Auth (S3SigV4Auth for service "s3") produces
them. The C++ signer (sluice::client::SignRequest) must match byte for byte.

A case (every field but host optional):
  {"method": "POST", "scheme": "https", "host": "kinesis.us-east-1.amazonaws.com",
   "port": 0, "path": "/raw path",            # raw; encoded like botocore's REST serializer
   "query": [["k", "v"], ...],                # raw pairs, wire order
   "headers": [["Name", "value"], ...],
   "body": "text" | "body_b64": "...",
   "service": "kinesis", "region": "us-east-1",
   "access_key": "AKID", "secret_key": "...", "token": "",
   "time": "20150830T123600Z",
   "unsigned_payload": false}
"""
import base64
import datetime
import json
import sys
from unittest import mock

import botocore.auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode, percent_encode_sequence


def _recording(cls):
    class Recording(cls):
        def canonical_request(self, request):
            self.last_canonical = super().canonical_request(request)
            return self.last_canonical

        def string_to_sign(self, request, canonical_request):
            self.last_sts = super().string_to_sign(request, canonical_request)
            return self.last_sts
    return Recording


def url_for(case):
    scheme = case.get("scheme", "https")
    host = case["host"]
    if ":" in host:
        host = f"[{host}]"
    port = case.get("port") or 0
    netloc = f"{host}:{port}" if port else host
    # botocore's REST serializer encodes URI labels with safe='/~'.
    path = percent_encode(case.get("path", "/"), safe="/~")
    url = f"{scheme}://{netloc}{path}"
    query = case.get("query") or []
    if query:
        url += "?" + percent_encode_sequence([(k, v) for k, v in query])
    return url


def sign(case):
    if "body_b64" in case:
        body = base64.b64decode(case["body_b64"])
    else:
        body = case.get("body", "").encode("utf-8")
    request = AWSRequest(method=case.get("method", "POST"), url=url_for(case), data=body)
    for name, value in case.get("headers", []):
        request.headers[name] = value  # HTTPHeaders appends: repeated names kept
    service = case.get("service", "kinesis")
    unsigned = bool(case.get("unsigned_payload"))
    if service == "s3":
        signer = _recording(S3SigV4Auth)
        if unsigned:
            request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    else:
        signer = _recording(SigV4Auth)
        if unsigned:
            request.context["payload_signing_enabled"] = False
    creds = Credentials(case.get("access_key", "AKIDEXAMPLE"),
                        case.get("secret_key", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                        case.get("token") or None)
    auth = signer(creds, service, case.get("region", "us-east-1"))
    when = datetime.datetime.strptime(case.get("time", "20150830T123600Z"), "%Y%m%dT%H%M%SZ")
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
        auth.add_auth(request)
    return {
        "authorization": request.headers["Authorization"],
        "canonical_request": auth.last_canonical,
        "string_to_sign": auth.last_sts,
        "headers": [[k, v] for k, v in request.headers.items()],
    }


def main():
    cases = json.load(sys.stdin)
    json.dump([sign(c) for c in cases], sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
