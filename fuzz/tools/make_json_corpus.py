#!/usr/bin/env python3
"""Writes the seed corpus and dictionary of kinesis_json_fuzz / firehose_json_fuzz
from botocore's service models: per operation one body with the required
members and one with every member (nested to a small depth), with values that
name the fixture's stream "s" / delivery stream "d" (fuzz/server_fixture.h).
A seed file is one byte (the operation's index in the sorted operation list,
as the target reads it) followed by the JSON body.

Usage: python3 fuzz/tools/make_json_corpus.py   (from the repository root)
"""
import json
import os
import shutil

import botocore.loaders

ACCOUNT = "000000000000"
NAMED = {
    "StreamName": "s",
    "DeliveryStreamName": "d",
    "StreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s",
    "ResourceARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s",
    "KinesisStreamARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s",
    "ConsumerARN": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s/consumer/c:1700000000",
    "ConsumerName": "c",
    "ShardId": "shardId-000000000000",
    "ShardToMerge": "shardId-000000000000",
    "AdjacentShardToMerge": "shardId-000000000001",
    "ShardToSplit": "shardId-000000000000",
    "NewStartingHashKey": "170141183460469231731687303715884105728",
    "ExplicitHashKey": "1",
    "PartitionKey": "p",
    "Data": "aGVsbG8=",
    "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/r",
    "BucketARN": "arn:aws:s3:::bkt",
    "Prefix": "data/!{timestamp:yyyy/MM/dd}/",
    "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
    "CurrentDeliveryStreamVersionId": "1",
    "DestinationId": "destinationId-000000000001",
    "Policy": "{}",
    "ShardIterator": "AAAA",
    "SequenceNumberForOrdering": "1",
    "StartingSequenceNumber": "1",
}


def value(model, shape_name, member, depth, full):
    shape = model["shapes"][shape_name]
    t = shape["type"]
    if member in NAMED and t in ("string", "blob"):
        return NAMED[member]
    if t == "string":
        if "enum" in shape:
            return shape["enum"][0]
        n = max(1, shape.get("min", 1))
        return ("x" * n)[: shape.get("max", n)]
    if t in ("integer", "long"):
        return max(1, shape.get("min", 1))
    if t == "double":
        return 1.0
    if t == "boolean":
        return True
    if t == "blob":
        return "aGVsbG8="
    if t == "timestamp":
        return 1700000000
    if t == "list":
        if depth > 3:
            return []
        return [value(model, shape["member"]["shape"], member, depth + 1, full)]
    if t == "map":
        return {"k": value(model, shape["value"]["shape"], member, depth + 1, full)}
    if t == "structure":
        out = {}
        required = set(shape.get("required", []))
        for name, m in shape.get("members", {}).items():
            if name in required or (full and depth < 3):
                out[name] = value(model, m["shape"], name, depth + 1, full)
        return out
    return None


def main():
    loader = botocore.loaders.Loader()
    for service, target in (("kinesis", "kinesis_json"), ("firehose", "firehose_json")):
        model = loader.load_service_model(service, "service-2")
        ops = sorted(model["operations"])
        corpus = os.path.join("fuzz", "corpus", target)
        shutil.rmtree(corpus, ignore_errors=True)
        os.makedirs(corpus)
        words = set()
        for index, op in enumerate(ops):
            input_shape = model["operations"][op].get("input", {}).get("shape")
            for full in (False, True):
                body = value(model, input_shape, "", 0, full) if input_shape else {}
                path = os.path.join(corpus, f"{op}{'-full' if full else ''}")
                with open(path, "wb") as f:
                    f.write(bytes([index]) + json.dumps(body, separators=(",", ":")).encode())
        for shape in model["shapes"].values():
            words.update(shape.get("members", {}).keys())
            words.update(shape.get("enum", []))
        with open(os.path.join("fuzz", f"{target}.dict"), "w") as f:
            f.write(f"# JSON member names and enum values of the {service} model (make_json_corpus.py)\n")
            for w in sorted(words):
                f.write(json.dumps('"' + w + '"') + "\n")


if __name__ == "__main__":
    main()
