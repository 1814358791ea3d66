"""sluice and dynalite 4.0.0 side by side: the same requests (expression
semantics, type rules, validation errors) go to both servers, started on
loopback, and their answers (result, or error type + HTTP status + message)
are compared.  Where they differ, the case must be listed in KNOWN below and
in docs/dynamodb-peers.md with which one matches AWS's documentation; a new
difference, or a listed one that disappeared, fails the test.
"""

from __future__ import annotations

import json
import unittest

from botocore.exceptions import ClientError

import harness as h
from ddb_common import Dynalite, ddb_client, wait_table


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


# case name -> the short reason (the long one, with the AWS doc page, is in docs/dynamodb-peers.md)
KNOWN = {
    # both refuse; only the message wording differs
    "batch_get_too_many": "wording: sluice prints '[101 items]', dynalite the whole value",
    "batch_write_empty": "wording of the length-constraint message",
    "create_bool_key": "wording: enum set printed [S, N, B] vs [B, N, S]",
    "put_return_all_new": "wording: 'Return values set to invalid value' vs 'ReturnValues can only be ALL_OLD or NONE'",
    "syntax_error_paren": "wording: AWS-style 'token: ..., near: ...' vs a PEG parser's 'Expected ... but ... found'",
    # sluice follows the API reference, dynalite does not
    "delete_item_return_all_new": "dynalite accepts ReturnValues=ALL_NEW on DeleteItem",
    "scan_segment_without_total": "dynalite scans everything when Segment comes without TotalSegments",
    "scan_total_segments_too_big": "dynalite accepts TotalSegments above 1000000",
    "update_set_number_overflow": "dynalite stores a 128-digit Number",
    "table_name_bad_chars": "dynalite applies the old TableName pattern; DescribeTable takes a name or ARN (1-1024)",
    "put_empty_index_key": "dynalite accepts an empty string as a GSI key value",
    # not settled by the documentation
    "put_number_plus_sign": "sluice accepts '+5' as a Number, dynalite refuses it",
    "query_select_attrs_no_projection": "sluice refuses SPECIFIC_ATTRIBUTES without a projection, dynalite returns all",
}

ITEM = {"pk": S("p"), "sk": N(1), "s": S("hello"), "n": N("12.5"), "b": {"B": b"\x01\x02"},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "l": {"L": [N(1), S("x"), {"M": {"k": S("v")}}]},
        "m": {"M": {"a": {"M": {"b": N(7)}}, "name": S("inner")}}, "t": {"BOOL": True}, "z": {"NULL": True}}


def outcome(fn, unordered=False):
    try:
        r = fn()
    except ClientError as e:
        return ("error", e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"],
                e.response["Error"].get("Message", ""))
    r.pop("ResponseMetadata", None)
    for k in ("ConsumedCapacity",):
        r.pop(k, None)
    if "Items" in r and unordered:
        # a Scan's order is the implementation's hash order: compare as a multiset
        r["Items"] = sorted(r["Items"], key=lambda i: json.dumps(i, sort_keys=True, default=repr))
    return ("ok", r)


def index_cases(c, t):
    """t has hash pk (S), range sk (N), GSI byG (g HASH, n RANGE, KEYS_ONLY), LSI byL (pk, lsk; INCLUDE extra)."""
    yield "gsi_query_page_lek", lambda: c.query(TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                                                ExpressionAttributeValues={":g": S("G")}, Limit=2)
    yield "gsi_query_desc_page2", lambda: c.query(TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                                                  ExpressionAttributeValues={":g": S("G")}, Limit=2, ScanIndexForward=False,
                                                  ExclusiveStartKey={"pk": S("p3"), "sk": N(3), "g": S("G"), "n": N(3)})
    yield "gsi_sparse_scan", lambda: c.scan(TableName=t, IndexName="byG")
    yield "gsi_scan_page_lek", lambda: c.scan(TableName=t, IndexName="byG", Limit=3)
    yield "gsi_select_all_attributes", lambda: c.query(TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                                                       ExpressionAttributeValues={":g": S("G")}, Select="ALL_ATTRIBUTES")
    yield "gsi_consistent_read", lambda: c.query(TableName=t, IndexName="byG", KeyConditionExpression="g = :g",
                                                 ExpressionAttributeValues={":g": S("G")}, ConsistentRead=True)
    yield "lsi_query_projected", lambda: c.query(TableName=t, IndexName="byL", KeyConditionExpression="pk = :p",
                                                 ExpressionAttributeValues={":p": S("p1")},
                                                 Select="ALL_PROJECTED_ATTRIBUTES")
    yield "lsi_query_fetches_table", lambda: c.query(TableName=t, IndexName="byL", KeyConditionExpression="pk = :p",
                                                     ExpressionAttributeValues={":p": S("p1")}, ProjectionExpression="other")
    yield "lsi_page_lek", lambda: c.query(TableName=t, IndexName="byL", KeyConditionExpression="pk = :p",
                                          ExpressionAttributeValues={":p": S("p1")}, Limit=1)
    yield "put_wrong_type_for_index_key", lambda: c.put_item(TableName=t, Item={"pk": S("x"), "sk": N(1), "g": N(5)})
    yield "put_empty_index_key", lambda: c.put_item(TableName=t, Item={"pk": S("x"), "sk": N(1), "g": S("")})
    yield "table_query_count_filter", lambda: c.query(TableName=t, KeyConditionExpression="pk = :p", Select="COUNT",
                                                      FilterExpression="attribute_exists(g)",
                                                      ExpressionAttributeValues={":p": S("p1")})


def cases(c, t):
    """(name, thunk) pairs; t is a table with hash pk (S) and range sk (N) holding ITEM."""
    key = {"pk": S("p"), "sk": N(1)}

    def cond(expr, names=None, values=None):
        kw = dict(TableName=t, FilterExpression=expr)
        if names:
            kw["ExpressionAttributeNames"] = names
        if values:
            kw["ExpressionAttributeValues"] = values
        return lambda: c.scan(**kw)

    def upd(expr, values=None, names=None, rv="ALL_NEW", k=None):
        def run():
            c.put_item(TableName=t, Item={**ITEM, "pk": S("u")})
            kw = dict(TableName=t, Key=k or {"pk": S("u"), "sk": N(1)}, UpdateExpression=expr, ReturnValues=rv)
            if values:
                kw["ExpressionAttributeValues"] = values
            if names:
                kw["ExpressionAttributeNames"] = names
            return c.update_item(**kw)
        return run

    yield "cmp_mixed_types", cond("n < :s", values={":s": S("zzz")})
    yield "size_of_each_type", cond("size(s) = :5 AND size(ss) = :2 AND size(l) = :3 AND size(m) = :2 AND size(b) = :2",
                                    values={":5": N(5), ":2": N(2), ":3": N(3)})
    yield "size_of_number_is_false", cond("size(n) > :0", values={":0": N(0)})
    yield "contains_variants", cond("contains(ss, :a) AND contains(s, :ell) AND contains(l, :x) AND NOT contains(ns, :9)",
                                    values={":a": S("a"), ":ell": S("ell"), ":x": S("x"), ":9": N(9)})
    yield "attribute_type", cond("attribute_type(z, :null) AND attribute_type(m, :m) AND attribute_type(ns, :ns)",
                                 values={":null": S("NULL"), ":m": S("M"), ":ns": S("NS")})
    yield "attribute_type_bad_type", cond("attribute_type(z, :x)", values={":x": S("XX")})
    yield "precedence_or_and", cond("n = :zero OR n = :n AND s = :no", values={":zero": N(0), ":n": N("12.5"), ":no": S("no")})
    yield "precedence_not", cond("NOT n = :zero AND s = :s", values={":zero": N(0), ":s": S("hello")})
    yield "in_list", cond("s IN (:a, :b, :c)", values={":a": S("x"), ":b": S("hello"), ":c": S("y")})
    yield "nested_paths", cond("m.a.b = :7 AND l[2].k = :v AND #n.#nm = :inner",
                               names={"#n": "m", "#nm": "name"}, values={":7": N(7), ":v": S("v"), ":inner": S("inner")})
    yield "between_reversed_bounds", cond("n BETWEEN :hi AND :lo", values={":hi": N(20), ":lo": N(1)})
    yield "begins_with_number", cond("begins_with(n, :x)", values={":x": N(1)})
    yield "reserved_word_filter", cond("name = :x", values={":x": S("y")})
    yield "undefined_name", cond("#zz = :x", values={":x": S("y")})
    yield "unused_value", cond("s = :x", values={":x": S("y"), ":unused": S("z")})
    yield "syntax_error_paren", cond("(s = :x", values={":x": S("y")})
    yield "function_unknown", cond("frobnicate(s)")
    yield "binary_compare", cond("b > :b", values={":b": {"B": b"\x01"}})
    yield "ne_on_missing", cond("missing <> :x", values={":x": S("y")})
    yield "projection_missing_paths", lambda: c.get_item(TableName=t, Key=key, ProjectionExpression="nope, m.nope, l[9], s")
    yield "projection_reserved", lambda: c.get_item(TableName=t, Key=key, ProjectionExpression="name")
    yield "projection_overlap", lambda: c.get_item(TableName=t, Key=key, ProjectionExpression="m, m.a")
    yield "get_extra_key_attr", lambda: c.get_item(TableName=t, Key={**key, "s": S("x")})
    yield "get_wrong_key_type", lambda: c.get_item(TableName=t, Key={"pk": N(1), "sk": N(1)})
    yield "put_empty_key_string", lambda: c.put_item(TableName=t, Item={"pk": S(""), "sk": N(1)})
    yield "put_empty_set", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N(1), "x": {"SS": []}})
    yield "put_set_duplicates", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N(1), "x": {"SS": ["a", "a"]}})
    yield "put_ns_duplicates_numeric", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N(1), "x": {"NS": ["1", "1.0"]}})
    yield "put_bad_number", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N(1), "x": N("1e")})
    yield "put_number_plus_sign", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N("+5"), "x": N("+0.50")})
    yield "put_number_too_small", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N(1), "x": N("1E-131")})
    yield "put_return_all_new", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N(2)}, ReturnValues="ALL_NEW")
    yield "put_two_types", lambda: c.put_item(TableName=t, Item={"pk": S("e"), "sk": N(3), "x": {"S": "a", "N": "1"}})
    yield "numbers_normalized", lambda: (c.put_item(TableName=t, Item={"pk": S("num"), "sk": N(1), "a": N("1.0E2"),
                                                                         "b": N("-0.00"), "c": N("0.000001E-5"),
                                                                         "d": N("00100.0100")}),
                                         c.get_item(TableName=t, Key={"pk": S("num"), "sk": N(1)}))[1]
    yield "update_add_number", upd("ADD n :one", {":one": N(1)})
    yield "update_add_to_set", upd("ADD ss :x, ns :n", {":x": {"SS": ["c", "a"]}, ":n": {"NS": ["3"]}})
    yield "update_delete_to_empty", upd("DELETE ss :x", {":x": {"SS": ["a", "b"]}})
    yield "update_list_index_past_end", upd("SET l[10] = :v", {":v": S("end")})
    yield "update_remove_index_past_end", upd("REMOVE l[10], l[0]")
    yield "update_list_append_front", upd("SET l = list_append(:f, l)", {":f": {"L": [S("first")]}})
    yield "update_string_plus", upd("SET s = s + :one", {":one": N(1)})
    yield "update_if_not_exists", upd("SET n = if_not_exists(n, :z), q = if_not_exists(q, :z)", {":z": N(0)})
    yield "update_nested_missing_parent", upd("SET nope.child = :v", {":v": S("x")})
    yield "update_updated_old_nested", upd("SET m.a.b = :v", {":v": N(8)}, rv="UPDATED_OLD")
    yield "update_updated_new_nested", upd("SET m.a.b = :v, l[1] = :w", {":v": N(8), ":w": S("y")}, rv="UPDATED_NEW")
    yield "update_same_path_twice", upd("SET s = :a REMOVE s", {":a": S("a")})
    yield "update_add_to_list", upd("ADD l :x", {":x": {"L": [S("a")]}})
    yield "update_delete_type_mismatch", upd("DELETE ss :x", {":x": {"NS": ["1"]}})
    yield "update_key_attr", upd("SET sk = :v", {":v": N(2)})
    yield "update_empty_expression", upd("", {})
    yield "update_set_number_overflow", upd("SET n = n + :big", {":big": N("9.9E125")})
    yield "query_no_such_index", lambda: c.query(TableName=t, IndexName="nope", KeyConditionExpression="pk = :p",
                                                 ExpressionAttributeValues={":p": S("p")})
    yield "query_range_only", lambda: c.query(TableName=t, KeyConditionExpression="sk = :s",
                                              ExpressionAttributeValues={":s": N(1)})
    yield "query_or_in_key", lambda: c.query(TableName=t, KeyConditionExpression="pk = :p OR sk = :s",
                                             ExpressionAttributeValues={":p": S("p"), ":s": N(1)})
    yield "query_filter_on_key", lambda: c.query(TableName=t, KeyConditionExpression="pk = :p", FilterExpression="sk = :s",
                                                 ExpressionAttributeValues={":p": S("p"), ":s": N(1)})
    yield "query_limit_zero", lambda: c.query(TableName=t, KeyConditionExpression="pk = :p", Limit=0,
                                              ExpressionAttributeValues={":p": S("p")})
    yield "query_select_attrs_no_projection", lambda: c.query(TableName=t, KeyConditionExpression="pk = :p",
                                                              Select="SPECIFIC_ATTRIBUTES",
                                                              ExpressionAttributeValues={":p": S("p")})
    yield "scan_segment_without_total", lambda: c.scan(TableName=t, Segment=0)
    yield "scan_total_segments_too_big", lambda: c.scan(TableName=t, Segment=0, TotalSegments=1000001)
    yield "batch_get_duplicate_keys", lambda: c.batch_get_item(RequestItems={t: {"Keys": [key, key]}})
    yield "batch_get_too_many", lambda: c.batch_get_item(RequestItems={t: {"Keys": [{"pk": S(f"k{i}"), "sk": N(1)}
                                                                                   for i in range(101)]}})
    yield "batch_write_empty", lambda: c.batch_write_item(RequestItems={t: []})
    yield "table_name_bad_chars", lambda: c.describe_table(TableName="bad name!")
    yield "create_unused_attr_def", lambda: c.create_table(
        TableName="unused-defs", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}])
    yield "create_bool_key", lambda: c.create_table(
        TableName="bool-key", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "BOOL"}],
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}])
    yield "create_no_billing", lambda: c.create_table(
        TableName="no-billing", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}])
    yield "delete_item_return_all_new", lambda: c.delete_item(TableName=t, Key=key, ReturnValues="ALL_NEW")
    yield "expected_and_condition_expression", lambda: c.put_item(
        TableName=t, Item={"pk": S("x"), "sk": N(1)}, ConditionExpression="attribute_exists(pk)",
        Expected={"pk": {"Exists": False}})
    yield "expected_exists_true_without_value", lambda: c.put_item(
        TableName=t, Item={"pk": S("x"), "sk": N(1)}, Expected={"pk": {"Exists": True}})
    yield "expected_null_operator", lambda: c.put_item(
        TableName=t, Item={"pk": S("x"), "sk": N(2)}, Expected={"zzz": {"ComparisonOperator": "NULL"}})
    yield "attribute_updates_add_on_string", lambda: c.update_item(
        TableName=t, Key={"pk": S("x"), "sk": N(3)}, AttributeUpdates={"s": {"Action": "ADD", "Value": S("a")}})
    yield "attributes_to_get_with_projection", lambda: c.get_item(TableName=t, Key=key, AttributesToGet=["s"],
                                                                  ProjectionExpression="s")


class PeerAgreement(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        h.skip_if_external("starts sluice and dynalite side by side")
        cls.sluice = h.start_server(extra_args=["--table-transition-ms", "0"])
        cls.dynalite = Dynalite()

    @classmethod
    def tearDownClass(cls):
        cls.sluice.cleanup()
        cls.dynalite.cleanup()

    def run_all(self, endpoint):
        c = ddb_client(endpoint, parameter_validation=False)
        t = "peer-items"
        c.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                             {"AttributeName": "sk", "AttributeType": "N"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
        wait_table(c, t)
        c.put_item(TableName=t, Item=ITEM)
        out = {name: outcome(fn, "scan" in name or name.startswith(("cmp_", "size_", "contains_", "attribute_type",
                                                                        "precedence_", "in_", "nested_", "between",
                                                                        "begins_", "binary_", "ne_")))
               for name, fn in cases(c, t)}
        ti = "peer-index"
        c.create_table(TableName=ti, BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                             {"AttributeName": "sk", "AttributeType": "N"},
                                             {"AttributeName": "g", "AttributeType": "S"},
                                             {"AttributeName": "n", "AttributeType": "N"},
                                             {"AttributeName": "lsk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                       GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                                  {"AttributeName": "n", "KeyType": "RANGE"}],
                                                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                       LocalSecondaryIndexes=[{"IndexName": "byL", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                                 {"AttributeName": "lsk", "KeyType": "RANGE"}],
                                               "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]}}])
        wait_table(c, ti)
        for i in range(6):
            item = {"pk": S(f"p{i % 2}"), "sk": N(i), "n": N(i), "lsk": S(f"l{5 - i}"), "extra": S(f"e{i}"),
                    "other": S(f"o{i}")}
            if i != 4:
                item["g"] = S("G")  # one item left out of the sparse GSI
            c.put_item(TableName=ti, Item=item)
        out.update({name: outcome(fn, "scan" in name) for name, fn in index_cases(c, ti)})
        return out

    def test_same_answers(self):
        a = self.run_all(self.sluice.endpoint)
        b = self.run_all(self.dynalite.endpoint)
        self.assertEqual(set(a), set(b))
        differ = {k for k in a if a[k] != b[k]}
        report = "\n".join(f"  {k}:\n    sluice:   {a[k]}\n    dynalite: {b[k]}" for k in sorted(differ))
        print(f"\n{len(a)} cases, {len(differ)} differ:\n{report}")
        self.assertEqual(sorted(differ - set(KNOWN)), [], f"new differences (document them):\n{report}")
        self.assertEqual(sorted(set(KNOWN) - differ), [], "listed differences no longer differ: update KNOWN and the doc")


if __name__ == "__main__":
    unittest.main()
