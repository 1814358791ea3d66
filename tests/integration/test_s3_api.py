"""The S3 REST API of `sluice serve` with unmodified boto3 and raw HTTP.

Buckets, objects (odd keys, metadata, ranges), listings (paging over >1000
keys, delimiters, v1 markers), DeleteObjects, multipart (upload_file of a
20 MB file), CopyObject, virtual-host addressing, aws-chunked bodies and
S3-shaped errors.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import unittest
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def s3_client(endpoint, **config):
    cfg = dict(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60,
               max_pool_connections=16, s3={"addressing_style": "path"})
    cfg.update(config)
    session = boto3.session.Session(aws_access_key_id=harness.ACCESS_KEY,
                                    aws_secret_access_key=harness.SECRET_KEY, region_name="us-east-1")
    return session.client("s3", endpoint_url=endpoint, config=Config(**cfg))


def raw(endpoint, method, path, body=b"", headers=None):
    from urllib.parse import urlparse
    u = urlparse(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def code_of(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


class S3ApiTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = harness.start_server()
        cls.addClassCleanup(cls.server.cleanup)
        cls.endpoint = cls.server.endpoint
        cls.s3 = s3_client(cls.endpoint)

    def bucket(self, prefix="b"):
        name = harness.unique_name(prefix).lower().replace("_", "-")[:50]
        self.s3.create_bucket(Bucket=name)
        return name

    def assertS3Error(self, code, status, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        err = cm.exception
        self.assertEqual(code_of(err), code, err.response)
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], status, err.response)
        self.assertTrue(err.response["ResponseMetadata"].get("RequestId"), err.response)
        return err

    # -- buckets ---------------------------------------------------------
    def test_bucket_lifecycle(self):
        name = self.bucket("life")
        self.assertS3Error("BucketAlreadyOwnedByYou", 409, self.s3.create_bucket, Bucket=name)
        self.assertS3Error("InvalidBucketName", 400, self.s3.create_bucket, Bucket="Not_Valid")
        self.assertS3Error("InvalidBucketName", 400, self.s3.create_bucket, Bucket="192.168.5.4")
        self.s3.head_bucket(Bucket=name)
        names = {b["Name"]: b for b in self.s3.list_buckets()["Buckets"]}
        self.assertIn(name, names)
        self.assertIsNotNone(names[name]["CreationDate"].tzinfo)
        self.assertIsNone(self.s3.get_bucket_location(Bucket=name)["LocationConstraint"])
        eu = name[:40] + "-eu"
        self.s3.create_bucket(Bucket=eu, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual(self.s3.get_bucket_location(Bucket=eu)["LocationConstraint"], "eu-west-1")
        self.s3.put_object(Bucket=name, Key="k", Body=b"x")
        self.assertS3Error("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=name)
        self.s3.delete_object(Bucket=name, Key="k")
        self.s3.delete_bucket(Bucket=name)
        self.s3.delete_bucket(Bucket=eu)
        self.assertS3Error("404", 404, self.s3.head_bucket, Bucket=name)
        self.assertS3Error("NoSuchBucket", 404, self.s3.delete_bucket, Bucket=name)
        self.assertS3Error("NoSuchBucket", 404, self.s3.list_objects_v2, Bucket=name)
        self.assertS3Error("NoSuchBucket", 404, self.s3.put_object, Bucket=name, Key="k", Body=b"x")

    # -- objects ---------------------------------------------------------
    def test_put_get_head_delete(self):
        b = self.bucket("obj")
        body = b"0123456789" * 100
        put = self.s3.put_object(Bucket=b, Key="dir/file.txt", Body=body, ContentType="text/plain",
                                 ContentEncoding="identity", Metadata={"Color": "blue", "n": "1"})
        self.assertEqual(put["ETag"], '"%s"' % hashlib.md5(body).hexdigest())
        got = self.s3.get_object(Bucket=b, Key="dir/file.txt")
        self.assertEqual(got["Body"].read(), body)
        self.assertEqual(got["ContentType"], "text/plain")
        self.assertEqual(got["ContentEncoding"], "identity")
        self.assertEqual(got["Metadata"], {"color": "blue", "n": "1"})
        self.assertEqual(got["ContentLength"], 1000)
        self.assertEqual(got["ETag"], put["ETag"])
        self.assertIsNotNone(got["LastModified"])
        head = self.s3.head_object(Bucket=b, Key="dir/file.txt")
        self.assertEqual(head["ContentLength"], 1000)
        self.assertEqual(head["ETag"], put["ETag"])
        self.assertEqual(head["LastModified"], got["LastModified"])
        # Ranges.
        for rng, first, last in (("bytes=0-9", 0, 9), ("bytes=995-", 995, 999), ("bytes=-3", 997, 999),
                                 ("bytes=990-5000", 990, 999)):
            r = self.s3.get_object(Bucket=b, Key="dir/file.txt", Range=rng)
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 206)
            self.assertEqual(r["Body"].read(), body[first:last + 1])
            self.assertEqual(r["ContentRange"], f"bytes {first}-{last}/1000")
        self.assertS3Error("InvalidRange", 416, self.s3.get_object, Bucket=b, Key="dir/file.txt", Range="bytes=1000-")
        # Errors.
        self.assertS3Error("NoSuchKey", 404, self.s3.get_object, Bucket=b, Key="missing")
        self.assertS3Error("404", 404, self.s3.head_object, Bucket=b, Key="missing")
        self.assertS3Error("NoSuchBucket", 404, self.s3.get_object, Bucket=b + "-none", Key="k")
        # Empty object, overwrite, delete.
        self.s3.put_object(Bucket=b, Key="empty", Body=b"")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="empty")["Body"].read(), b"")
        self.s3.put_object(Bucket=b, Key="dir/file.txt", Body=b"new")
        self.assertEqual(self.s3.get_object(Bucket=b, Key="dir/file.txt")["Body"].read(), b"new")
        d = self.s3.delete_object(Bucket=b, Key="dir/file.txt")
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.s3.delete_object(Bucket=b, Key="dir/file.txt")  # idempotent
        self.assertS3Error("NoSuchKey", 404, self.s3.get_object, Bucket=b, Key="dir/file.txt")

    def test_odd_keys_round_trip_and_stay_inside(self):
        b = self.bucket("odd")
        keys = ["../../etc/passwd", "/abs/path", "a/../../b", "..", "./.", "sp ace+plus%percent?q#h&amp",
                "unicod\u00e9/\u2603/\U0001F600", "k" * 1024, "tab\tnl\nz", "back\\slash"]
        for i, k in enumerate(keys):
            self.s3.put_object(Bucket=b, Key=k, Body=f"v{i}".encode())
        for i, k in enumerate(keys):
            self.assertEqual(self.s3.get_object(Bucket=b, Key=k)["Body"].read(), f"v{i}".encode(), k)
        listed = [o["Key"] for o in self.s3.list_objects_v2(Bucket=b)["Contents"]]
        self.assertEqual(listed, sorted(keys, key=lambda s: s.encode()))
        self.assertS3Error("KeyTooLongError", 400, self.s3.put_object, Bucket=b, Key="k" * 1025, Body=b"x")
        if not harness.is_external():
            data = os.path.realpath(self.server.data_dir)
            for root, dirs, files in os.walk(os.path.dirname(data)):
                for f in files:
                    if os.path.join(root, f) == self.server.log_path:
                        continue
                    self.assertTrue(os.path.realpath(os.path.join(root, f)).startswith(data + os.sep),
                                    os.path.join(root, f))
            self.assertFalse(os.path.exists(os.path.join(os.path.dirname(data), "b")))

    # -- listings --------------------------------------------------------
    def test_list_v2_paging_over_1000_keys(self):
        b = self.bucket("page")
        keys = [f"k/{i:05d}" for i in range(1100)]
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda k: self.s3.put_object(Bucket=b, Key=k, Body=k.encode()), keys))
        pages = list(self.s3.get_paginator("list_objects_v2").paginate(Bucket=b))
        self.assertEqual(len(pages), 2)
        self.assertEqual(pages[0]["KeyCount"], 1000)
        self.assertTrue(pages[0]["IsTruncated"])
        self.assertIn("NextContinuationToken", pages[0])
        got = [o["Key"] for p in pages for o in p.get("Contents", [])]
        self.assertEqual(got, keys)
        self.assertEqual(pages[0]["Contents"][0]["Size"], 7)
        # Smaller pages, StartAfter, MaxKeys, fetch-owner.
        pages = list(self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=b, StartAfter="k/00099", PaginationConfig={"PageSize": 300}))
        self.assertEqual([len(p["Contents"]) for p in pages], [300, 300, 300, 100])
        self.assertEqual(pages[0]["Contents"][0]["Key"], "k/00100")
        one = self.s3.list_objects_v2(Bucket=b, MaxKeys=1, FetchOwner=True)
        self.assertEqual(one["KeyCount"], 1)
        self.assertIn("Owner", one["Contents"][0])
        self.assertEqual(self.s3.list_objects_v2(Bucket=b, MaxKeys=0)["KeyCount"], 0)
        # v1 with markers.
        pages = list(self.s3.get_paginator("list_objects").paginate(Bucket=b, PaginationConfig={"PageSize": 400}))
        self.assertEqual([o["Key"] for p in pages for o in p["Contents"]], keys)
        self.assertEqual(len(pages), 3)
        self.assertS3Error("InvalidArgument", 400, self.s3.list_objects_v2, Bucket=b, ContinuationToken="bogus")

    def test_delimiter_listings(self):
        b = self.bucket("delim")
        for k in ["2024/01/a", "2024/01/b", "2024/02/c", "2025/01/d", "top", "z p/x", "\u00e9t\u00e9/1"]:
            self.s3.put_object(Bucket=b, Key=k, Body=b"x")
        r = self.s3.list_objects_v2(Bucket=b, Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["2024/", "2025/", "z p/", "\u00e9t\u00e9/"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["top"])
        self.assertEqual(r["KeyCount"], 5)
        r = self.s3.list_objects_v2(Bucket=b, Delimiter="/", Prefix="2024/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["2024/01/", "2024/02/"])
        self.assertNotIn("Contents", r)
        r = self.s3.list_objects_v2(Bucket=b, Prefix="2024/01/")
        self.assertEqual([o["Key"] for o in r["Contents"]], ["2024/01/a", "2024/01/b"])
        # Paging one entry at a time never repeats a prefix.
        seen = []
        for p in self.s3.get_paginator("list_objects_v2").paginate(Bucket=b, Delimiter="/",
                                                                     PaginationConfig={"PageSize": 1}):
            seen += [c["Prefix"] for c in p.get("CommonPrefixes", [])] + [o["Key"] for o in p.get("Contents", [])]
        self.assertEqual(seen, ["2024/", "2025/", "top", "z p/", "\u00e9t\u00e9/"])
        # v1 with delimiter and NextMarker.
        r = self.s3.list_objects(Bucket=b, Delimiter="/", MaxKeys=2)
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(r["NextMarker"], "2025/")
        r = self.s3.list_objects(Bucket=b, Delimiter="/", Marker=r["NextMarker"])
        self.assertEqual([o["Key"] for o in r["Contents"]], ["top"])
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]], ["z p/", "\u00e9t\u00e9/"])

    def test_delete_objects(self):
        b = self.bucket("delmany")
        for i in range(5):
            self.s3.put_object(Bucket=b, Key=f"d/{i}", Body=b"x")
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "d/0"}, {"Key": "d/1"}, {"Key": "nope"}]})
        self.assertEqual(sorted(d["Key"] for d in r["Deleted"]), ["d/0", "d/1", "nope"])
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "d/2"}], "Quiet": True})
        self.assertNotIn("Deleted", r)
        left = [o["Key"] for o in self.s3.list_objects_v2(Bucket=b)["Contents"]]
        self.assertEqual(left, ["d/3", "d/4"])
        st, _, body = raw(self.endpoint, "POST", f"/{b}?delete", b"<Delete><Object></Object></Delete>")
        self.assertEqual(st, 400)
        self.assertIn(b"<Code>MalformedXML</Code>", body)

    # -- multipart -------------------------------------------------------
    def test_upload_file_20mb_multipart(self):
        b = self.bucket("mpu")
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "src.bin")
            data = os.urandom(20 * 1024 * 1024)
            with open(src, "wb") as f:
                f.write(data)
            self.s3.upload_file(src, b, "big/file.bin")
            head = self.s3.head_object(Bucket=b, Key="big/file.bin")
            self.assertEqual(head["ContentLength"], len(data))
            chunk = 8 * 1024 * 1024
            md5s = b"".join(hashlib.md5(data[i:i + chunk]).digest() for i in range(0, len(data), chunk))
            self.assertEqual(head["ETag"], '"%s-3"' % hashlib.md5(md5s).hexdigest())
            dst = os.path.join(d, "dst.bin")
            self.s3.download_file(b, "big/file.bin", dst)
            with open(dst, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).digest(), hashlib.sha256(data).digest())
            r = self.s3.get_object(Bucket=b, Key="big/file.bin", Range=f"bytes={chunk - 5}-{chunk + 4}")
            self.assertEqual(r["Body"].read(), data[chunk - 5:chunk + 5])

    def test_multipart_low_level(self):
        b = self.bucket("mpl")
        up = self.s3.create_multipart_upload(Bucket=b, Key="m", ContentType="text/csv")["UploadId"]
        p1 = b"a" * (5 * 1024 * 1024)
        e1 = self.s3.upload_part(Bucket=b, Key="m", UploadId=up, PartNumber=1, Body=p1)["ETag"]
        e2 = self.s3.upload_part(Bucket=b, Key="m", UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
        parts = self.s3.list_parts(Bucket=b, Key="m", UploadId=up)["Parts"]
        self.assertEqual([(p["PartNumber"], p["Size"], p["ETag"]) for p in parts], [(1, len(p1), e1), (2, 4, e2)])
        uploads = self.s3.list_multipart_uploads(Bucket=b).get("Uploads", [])
        self.assertEqual([u["UploadId"] for u in uploads], [up])
        self.assertS3Error("InvalidPart", 400, self.s3.complete_multipart_upload, Bucket=b, Key="m", UploadId=up,
                           MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e2}]})
        self.assertS3Error("InvalidPartOrder", 400, self.s3.complete_multipart_upload, Bucket=b, Key="m",
                           UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2},
                                                                   {"PartNumber": 1, "ETag": e1}]})
        done = self.s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        raw_md5s = bytes.fromhex(e1.strip('"')) + bytes.fromhex(e2.strip('"'))
        self.assertEqual(done["ETag"], '"%s-2"' % hashlib.md5(raw_md5s).hexdigest())
        got = self.s3.get_object(Bucket=b, Key="m")
        self.assertEqual(got["ContentType"], "text/csv")
        self.assertEqual(got["Body"].read(), p1 + b"tail")
        self.assertS3Error("NoSuchUpload", 404, self.s3.list_parts, Bucket=b, Key="m", UploadId=up)
        up2 = self.s3.create_multipart_upload(Bucket=b, Key="n")["UploadId"]
        self.s3.upload_part(Bucket=b, Key="n", UploadId=up2, PartNumber=1, Body=b"x")
        self.s3.abort_multipart_upload(Bucket=b, Key="n", UploadId=up2)
        self.assertS3Error("NoSuchUpload", 404, self.s3.upload_part, Bucket=b, Key="n", UploadId=up2,
                           PartNumber=2, Body=b"y")
        self.assertS3Error("404", 404, self.s3.head_object, Bucket=b, Key="n")

    def test_copy_object(self):
        b = self.bucket("copy")
        self.s3.put_object(Bucket=b, Key="src key", Body=b"payload", ContentType="text/plain", Metadata={"a": "1"})
        r = self.s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src key"})
        self.assertEqual(r["CopyObjectResult"]["ETag"], '"%s"' % hashlib.md5(b"payload").hexdigest())
        got = self.s3.get_object(Bucket=b, Key="dst")
        self.assertEqual(got["Body"].read(), b"payload")
        self.assertEqual(got["Metadata"], {"a": "1"})
        self.s3.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src key"},
                            MetadataDirective="REPLACE", Metadata={"b": "2"}, ContentType="x/y")
        got = self.s3.head_object(Bucket=b, Key="dst")
        self.assertEqual((got["Metadata"], got["ContentType"]), ({"b": "2"}, "x/y"))
        self.assertS3Error("InvalidRequest", 400, self.s3.copy_object, Bucket=b, Key="dst",
                           CopySource={"Bucket": b, "Key": "dst"})
        self.assertS3Error("NoSuchKey", 404, self.s3.copy_object, Bucket=b, Key="x",
                           CopySource={"Bucket": b, "Key": "missing"})

    # -- raw HTTP: addressing, chunked bodies, error shapes --------------
    def test_virtual_host_addressing(self):
        b = self.bucket("vhost")
        port = self.endpoint.rsplit(":", 1)[1]
        for host in (f"{b}.localhost:{port}", f"{b}.s3.localhost:{port}"):
            st, h, _ = raw(self.endpoint, "PUT", "/v/key.txt", b"virtual", {"Host": host})
            self.assertEqual(st, 200, host)
            st, h, body = raw(self.endpoint, "GET", "/v/key.txt", headers={"Host": host})
            self.assertEqual((st, body), (200, b"virtual"))
            st, h, body = raw(self.endpoint, "GET", "/?list-type=2", headers={"Host": host})
            self.assertEqual(st, 200)
            self.assertEqual([k.text for k in ET.fromstring(body).iter(NS + "Key")], ["v/key.txt"])
        # 127.0.0.1 and localhost are path-style.
        for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            st, _, body = raw(self.endpoint, "GET", f"/{b}/v/key.txt", headers={"Host": host})
            self.assertEqual((st, body), (200, b"virtual"), host)
        st, _, body = raw(self.endpoint, "GET", "/", headers={"Host": f"localhost:{port}"})
        self.assertIn(f"<Name>{b}</Name>".encode(), body)
        # boto3 in virtual-host mode against localhost.
        vs3 = s3_client(f"http://localhost:{port}", s3={"addressing_style": "virtual"})
        try:
            vs3.head_bucket(Bucket=b)
            resolvable = True
        except Exception:
            resolvable = False  # <bucket>.localhost does not resolve here
        if resolvable:
            self.assertEqual(vs3.get_object(Bucket=b, Key="v/key.txt")["Body"].read(), b"virtual")

    def test_aws_chunked_body(self):
        b = self.bucket("chunk")
        payload = os.urandom(70000)
        chunks = [payload[:65536], payload[65536:]]
        body = b""
        for c in chunks:
            body += b"%x;chunk-signature=%s\r\n" % (len(c), b"0" * 64) + c + b"\r\n"
        body += b"0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n"
        st, h, resp = raw(self.endpoint, "PUT", f"/{b}/chunked", body, {
            "Content-Encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "x-amz-decoded-content-length": str(len(payload)), "Expect": "100-continue"})
        self.assertEqual(st, 200, resp)
        self.assertEqual(h["etag"], '"%s"' % hashlib.md5(payload).hexdigest())
        got = self.s3.get_object(Bucket=b, Key="chunked")
        self.assertEqual(got["Body"].read(), payload)
        self.assertNotIn("ContentEncoding", got)
        st, _, resp = raw(self.endpoint, "PUT", f"/{b}/broken", b"zz\r\nxx", {"Content-Encoding": "aws-chunked"})
        self.assertEqual(st, 400)

    def test_error_documents(self):
        st, h, body = raw(self.endpoint, "GET", "/no-such-bucket-xyz/key")
        self.assertEqual(st, 404)
        doc = ET.fromstring(body)
        self.assertEqual(doc.tag, "Error")
        self.assertEqual(doc.findtext("Code"), "NoSuchBucket")
        self.assertEqual(doc.findtext("BucketName"), "no-such-bucket-xyz")
        self.assertEqual(doc.findtext("Resource"), "/no-such-bucket-xyz/key")
        self.assertEqual(doc.findtext("RequestId"), h["x-amz-request-id"])
        self.assertTrue(doc.findtext("Message"))
        self.assertIn("x-amz-id-2", h)
        st, h, body = raw(self.endpoint, "HEAD", "/no-such-bucket-xyz/key")
        self.assertEqual((st, body), (404, b""))
        b = self.bucket("errs")
        st, _, body = raw(self.endpoint, "GET", f"/{b}/missing")
        self.assertEqual(ET.fromstring(body).findtext("Key"), "missing")
        for method, path, status, code in (("GET", f"/{b}?acl", 501, "NotImplemented"),
                                           ("PUT", f"/{b}?versioning", 501, "NotImplemented"),
                                           ("POST", f"/{b}", 405, "MethodNotAllowed"),
                                           ("PATCH", f"/{b}/k", 405, "MethodNotAllowed"),
                                           ("GET", f"/{b}/%zz", 400, "InvalidURI"),
                                           ("PUT", f"/{b}?", 409, "BucketAlreadyOwnedByYou"),
                                           ("PUT", "/UPPER", 400, "InvalidBucketName"),
                                           ("POST", f"/{b}/k?uploadId=00", 404, "NoSuchUpload")):
            complete = (b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"00\"</ETag></Part>"
                        b"</CompleteMultipartUpload>")
            st, _, body = raw(self.endpoint, method, path, complete if method == "POST" else b"")
            self.assertEqual(st, status, (method, path, body))
            self.assertEqual(ET.fromstring(body).findtext("Code"), code, (method, path, body))
        # Hostile XML bodies never crash the server.
        for doc in (b"<!DOCTYPE x [<!ENTITY a 'b'>]><Delete>&a;</Delete>", b"<" * 10000, b"<Delete>" * 5000,
                    b"\xff\xfe", b"<Delete><Object><Key>&#0;</Key></Object></Delete>"):
            st, _, body = raw(self.endpoint, "POST", f"/{b}?delete", doc)
            self.assertEqual(st, 400, body)
        self.s3.head_bucket(Bucket=b)


class S3DurabilityTest(unittest.TestCase):
    """Acknowledged objects survive SIGKILL byte-exact; crash leftovers are cleaned."""

    def test_kill9_keeps_acknowledged_objects(self):
        harness.skip_if_external()
        server = harness.start_server()
        self.addCleanup(server.cleanup)
        s3 = s3_client(server.endpoint)
        s3.create_bucket(Bucket="durable")
        objects = {f"obj/{i:03d}": os.urandom(i * 997) for i in range(40)}
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda kv: s3.put_object(Bucket="durable", Key=kv[0], Body=kv[1]), objects.items()))
        big = os.urandom(12 * 1024 * 1024)
        with tempfile.NamedTemporaryFile() as f:
            f.write(big)
            f.flush()
            s3.upload_file(f.name, "durable", "big")
        up = s3.create_multipart_upload(Bucket="durable", Key="pending")["UploadId"]
        s3.upload_part(Bucket="durable", Key="pending", UploadId=up, PartNumber=1, Body=b"p" * 100)
        s3.delete_object(Bucket="durable", Key="obj/000")
        del objects["obj/000"]
        # A file renamed into place whose index row was never committed.
        orphan = os.path.join(server.data_dir, "s3", "objects", "00", "orphan-0000000000000001")
        server.kill9()
        os.makedirs(os.path.dirname(orphan), exist_ok=True)
        with open(orphan, "wb") as f:
            f.write(b"orphan")
        server.start()
        s3 = s3_client(server.endpoint)
        for k, v in objects.items():
            self.assertEqual(s3.get_object(Bucket="durable", Key=k)["Body"].read(), v, k)
        self.assertEqual(hashlib.sha256(s3.get_object(Bucket="durable", Key="big")["Body"].read()).digest(),
                         hashlib.sha256(big).digest())
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="durable")["Contents"]]
        self.assertEqual(keys, ["big"] + sorted(objects))
        self.assertEqual(len(s3.list_parts(Bucket="durable", Key="pending", UploadId=up)["Parts"]), 1)
        self.assertFalse(os.path.exists(orphan))


if __name__ == "__main__":
    unittest.main()
