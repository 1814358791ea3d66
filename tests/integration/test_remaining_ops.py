"""The Kinesis operations beyond the data path, with boto3 and the aws CLI:
stream encryption, enhanced monitoring, resource policies, account settings,
warm throughput; and that every operation of the botocore model answers."""

import json
import time
import unittest

import botocore.session

import harness as h


class RemainingOpsTest(h.ServerTestCase):

    def summary(self, name):
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]

    # -- every operation answers ------------------------------------------------------
    def test_every_model_operation_is_implemented(self):
        model = botocore.session.get_session().get_service_model("kinesis")
        ops = sorted(model.operation_names)
        self.assertEqual(len(ops), 39)
        missing = []
        for op in ops:
            r = h.raw_request(self.endpoint, op, {})
            if r.error_type == "UnknownOperationException":
                missing.append(op)
        self.assertEqual(missing, [])

    # -- encryption ----------------------------------------------------------------------
    def test_start_and_stop_stream_encryption(self):
        name = h.create_active(self.kinesis, shards=1)
        self.assertEqual(self.summary(name)["EncryptionType"], "NONE")
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        h.wait_active(self.kinesis, name)
        d = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual((d["EncryptionType"], d["KeyId"]), ("KMS", "alias/aws/kinesis"))
        r = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"secret")
        self.assertEqual(r["EncryptionType"], "KMS")
        r = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": b"x"}])
        self.assertEqual(r["EncryptionType"], "KMS")
        self.assertClientError("InvalidArgumentException", self.kinesis.start_stream_encryption, StreamName=name,
                               EncryptionType="NONE", KeyId="alias/aws/kinesis")
        self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        s = self.summary(name)
        self.assertEqual(s["EncryptionType"], "NONE")
        self.assertNotIn("KeyId", s)
        self.assertNotIn("EncryptionType", self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"x"))
        self.assertClientError("ResourceNotFoundException", self.kinesis.start_stream_encryption,
                               StreamName="nope", EncryptionType="KMS", KeyId="k")

    def test_encryption_goes_through_updating(self):
        server = h.start_server(transition_ms=800)
        self.addCleanup(server.cleanup)
        k = server.client()
        name = h.create_active(k, shards=1)
        k.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="my-key")
        self.assertEqual(k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"],
                         "UPDATING")
        with self.assertRaises(h.ClientError) as cm:
            k.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="my-key")
        self.assertEqual(h.error_code(cm.exception), "ResourceInUseException")
        self.assertEqual(h.wait_active(k, name)["EncryptionType"], "KMS")

    # -- enhanced monitoring --------------------------------------------------------------
    def test_enhanced_monitoring_current_and_desired(self):
        name = h.create_active(self.kinesis, shards=1)
        r = self.kinesis.enable_enhanced_monitoring(StreamName=name,
                                                    ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
        self.assertEqual(r["CurrentShardLevelMetrics"], [])
        self.assertEqual(r["DesiredShardLevelMetrics"], ["IncomingBytes", "OutgoingRecords"])
        self.assertEqual((r["StreamName"], r["StreamARN"]), (name, h.stream_arn(name)))
        self.assertEqual(self.summary(name)["EnhancedMonitoring"],
                         [{"ShardLevelMetrics": ["IncomingBytes", "OutgoingRecords"]}])
        r = self.kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
        self.assertEqual(len(r["DesiredShardLevelMetrics"]), 7)
        self.assertNotIn("ALL", r["DesiredShardLevelMetrics"])
        r = self.kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
        self.assertEqual(len(r["CurrentShardLevelMetrics"]), 7)
        self.assertEqual(len(r["DesiredShardLevelMetrics"]), 6)
        self.assertNotIn("IncomingBytes", r["DesiredShardLevelMetrics"])
        r = self.kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
        self.assertEqual(r["DesiredShardLevelMetrics"], [])
        d = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(d["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])
        self.assertClientError("ValidationException", self.kinesis.enable_enhanced_monitoring, StreamName=name,
                               ShardLevelMetrics=["NotAMetric"])

    def test_enhanced_monitoring_with_the_aws_cli(self):
        name = h.create_active(self.kinesis, shards=1)
        out = h.run_aws(self.endpoint, "enable-enhanced-monitoring", "--stream-name", name,
                        "--shard-level-metrics", "IncomingRecords").json
        self.assertEqual(out["DesiredShardLevelMetrics"], ["IncomingRecords"])

    # -- resource policies ------------------------------------------------------------------
    def test_resource_policy_put_get_delete(self):
        name = h.create_active(self.kinesis, shards=1)
        arn = h.stream_arn(name)
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kinesis:GetRecords", "Resource": arn}]})
        self.kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
        self.assertEqual(json.loads(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"]), json.loads(policy))
        self.assertClientError("InvalidArgumentException", self.kinesis.put_resource_policy, ResourceARN=arn,
                               Policy="{not json")
        self.assertClientError("ResourceNotFoundException", self.kinesis.put_resource_policy,
                               ResourceARN=h.stream_arn("no-such-stream"), Policy=policy)
        self.assertClientError("ResourceNotFoundException", self.kinesis.get_resource_policy,
                               ResourceARN=arn + "/consumer/c1:1700000000")
        self.kinesis.delete_resource_policy(ResourceARN=arn)
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        self.assertClientError("ResourceNotFoundException", self.kinesis.delete_resource_policy, ResourceARN=arn)

    # -- account settings and warm throughput ------------------------------------------------
    def test_account_settings_and_warm_throughput(self):
        server = h.start_server()
        self.addCleanup(server.cleanup)
        k = server.client()
        r = k.describe_account_settings()
        self.assertEqual(r["MinimumThroughputBillingCommitment"]["Status"], "DISABLED")
        on_demand = h.create_active(k, shards=None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        with self.assertRaises(h.ClientError) as cm:
            k.update_stream_warm_throughput(StreamName=on_demand, WarmThroughputMiBps=100)
        self.assertEqual(h.error_code(cm.exception), "ValidationException")

        r = k.update_account_settings(MinimumThroughputBillingCommitment={"Status": "ENABLED"})
        c = r["MinimumThroughputBillingCommitment"]
        self.assertEqual(c["Status"], "ENABLED")
        self.assertIn("StartedAt", c)
        self.assertGreater(c["EarliestAllowedEndAt"], c["StartedAt"])

        r = k.update_stream_warm_throughput(StreamName=on_demand, WarmThroughputMiBps=100)
        self.assertEqual(r["WarmThroughput"]["TargetMiBps"], 100)
        self.assertEqual(r["StreamName"], on_demand)
        s = h.wait_active(k, on_demand)
        self.assertEqual(s["WarmThroughput"]["TargetMiBps"], 100)
        provisioned = h.create_active(k, shards=1)
        with self.assertRaises(h.ClientError) as cm:
            k.update_stream_warm_throughput(StreamName=provisioned, WarmThroughputMiBps=100)
        self.assertEqual(h.error_code(cm.exception), "ValidationException")

        # Disabling inside the minimum window only schedules the end.
        c = k.update_account_settings(MinimumThroughputBillingCommitment={"Status": "DISABLED"})[
            "MinimumThroughputBillingCommitment"]
        self.assertEqual(c["Status"], "ENABLED_UNTIL_EARLIEST_ALLOWED_END")
        self.assertEqual(c["EndedAt"], c["EarliestAllowedEndAt"])

        # Settings and stream settings survive a restart.
        server.restart()
        k = server.client()
        self.assertEqual(k.describe_account_settings()["MinimumThroughputBillingCommitment"]["Status"],
                         "ENABLED_UNTIL_EARLIEST_ALLOWED_END")
        self.assertEqual(k.describe_stream_summary(StreamName=on_demand)["StreamDescriptionSummary"]
                         ["WarmThroughput"]["TargetMiBps"], 100)

    def test_settings_survive_restart(self):
        server = h.start_server()
        self.addCleanup(server.cleanup)
        k = server.client()
        name = h.create_active(k, shards=1)
        arn = h.stream_arn(name)
        k.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="key-1")
        k.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IteratorAgeMilliseconds"])
        k.put_resource_policy(ResourceARN=arn, Policy='{"Version":"2012-10-17","Statement":[]}')
        server.restart(kill=True)
        k = server.client()
        s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual((s["EncryptionType"], s["KeyId"]), ("KMS", "key-1"))
        self.assertEqual(s["EnhancedMonitoring"], [{"ShardLevelMetrics": ["IteratorAgeMilliseconds"]}])
        self.assertEqual(json.loads(k.get_resource_policy(ResourceARN=arn)["Policy"])["Statement"], [])


class StreamConsumersTest(h.ServerTestCase):
    """The enhanced fan-out consumer registry (SubscribeToShard itself is not
    implemented)."""
    transition_ms = 1500

    def test_register_describe_list_deregister(self):
        name = h.create_active(self.kinesis, shards=1)
        arn = h.stream_arn(name)
        c = self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app-1",
                                                  Tags={"team": "data"})["Consumer"]
        self.assertEqual(c["ConsumerName"], "app-1")
        self.assertEqual(c["ConsumerStatus"], "CREATING")
        self.assertRegex(c["ConsumerARN"], "^" + arn + r"/consumer/app-1:\d+$")
        self.assertEqual(int(c["ConsumerARN"].rsplit(":", 1)[1]), int(c["ConsumerCreationTimestamp"].timestamp()))
        self.assertClientError("ResourceInUseException", self.kinesis.register_stream_consumer, StreamARN=arn,
                               ConsumerName="app-1")
        deadline = time.monotonic() + 10
        while True:
            d = self.kinesis.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])["ConsumerDescription"]
            if d["ConsumerStatus"] == "ACTIVE" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(d["ConsumerStatus"], "ACTIVE")
        self.assertEqual(d["StreamARN"], arn)
        by_name = self.kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="app-1")["ConsumerDescription"]
        self.assertEqual(by_name["ConsumerARN"], c["ConsumerARN"])
        self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="app-0")
        listed = self.kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]
        self.assertEqual([x["ConsumerName"] for x in listed], ["app-0", "app-1"])
        page = self.kinesis.list_stream_consumers(StreamARN=arn, MaxResults=1)
        self.assertEqual([x["ConsumerName"] for x in page["Consumers"]], ["app-0"])
        page = self.kinesis.list_stream_consumers(StreamARN=arn, NextToken=page["NextToken"], MaxResults=1)
        self.assertEqual([x["ConsumerName"] for x in page["Consumers"]], ["app-1"])
        self.assertEqual(self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                         ["ConsumerCount"], 2)
        # Tags of a consumer are its own, not the stream's.
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=c["ConsumerARN"])["Tags"],
                         [{"Key": "team", "Value": "data"}])
        self.kinesis.tag_resource(ResourceARN=c["ConsumerARN"], Tags={"env": "test"})
        self.kinesis.untag_resource(ResourceARN=c["ConsumerARN"], TagKeys=["team"])
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=c["ConsumerARN"])["Tags"],
                         [{"Key": "env", "Value": "test"}])
        self.assertEqual(self.kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"], [])
        # A policy can be attached to a registered consumer.
        policy = '{"Version":"2012-10-17","Statement":[]}'
        self.kinesis.put_resource_policy(ResourceARN=c["ConsumerARN"], Policy=policy)
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=c["ConsumerARN"])["Policy"], policy)

        self.kinesis.deregister_stream_consumer(ConsumerARN=c["ConsumerARN"])
        d = self.kinesis.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])["ConsumerDescription"]
        self.assertEqual(d["ConsumerStatus"], "DELETING")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            names = [x["ConsumerName"] for x in self.kinesis.list_stream_consumers(StreamARN=arn)["Consumers"]]
            if names == ["app-0"]:
                break
            time.sleep(0.05)
        self.assertEqual(names, ["app-0"])
        self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream_consumer,
                               ConsumerARN=c["ConsumerARN"])
        self.assertClientError("ResourceNotFoundException", self.kinesis.get_resource_policy,
                               ResourceARN=c["ConsumerARN"])

    def test_consumer_errors_and_limits(self):
        name = h.create_active(self.kinesis, shards=1)
        arn = h.stream_arn(name)
        self.assertClientError("InvalidArgumentException", self.kinesis.describe_stream_consumer, StreamARN=arn)
        self.assertClientError("ResourceNotFoundException", self.kinesis.describe_stream_consumer, StreamARN=arn,
                               ConsumerName="nobody")
        self.assertClientError("ResourceNotFoundException", self.kinesis.register_stream_consumer,
                               StreamARN=h.stream_arn("no-such-stream"), ConsumerName="c")
        for i in range(5):
            self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName=f"c{i}")
        err = self.assertClientError("LimitExceededException", self.kinesis.register_stream_consumer, StreamARN=arn,
                                     ConsumerName="c5")
        self.assertIn("CREATING", err.response["Error"]["Message"])

    def test_delete_stream_with_consumers_needs_enforce_consumer_deletion(self):
        name = h.create_active(self.kinesis, shards=1)
        self.kinesis.register_stream_consumer(StreamARN=h.stream_arn(name), ConsumerName="c")
        self.assertClientError("ResourceInUseException", self.kinesis.delete_stream, StreamName=name)
        self.kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        h.wait_gone(self.kinesis, name)

    def test_consumers_survive_restart(self):
        server = h.start_server()
        self.addCleanup(server.cleanup)
        k = server.client()
        name = h.create_active(k, shards=1)
        c = k.register_stream_consumer(StreamARN=h.stream_arn(name), ConsumerName="durable")["Consumer"]
        self.assertEqual(c["ConsumerStatus"], "ACTIVE")
        server.restart(kill=True)
        k = server.client()
        d = k.describe_stream_consumer(ConsumerARN=c["ConsumerARN"])["ConsumerDescription"]
        self.assertEqual((d["ConsumerName"], d["ConsumerStatus"]), ("durable", "ACTIVE"))
        out = h.run_aws(server.endpoint, "list-stream-consumers", "--stream-arn", h.stream_arn(name)).json
        self.assertEqual([x["ConsumerName"] for x in out["Consumers"]], ["durable"])


if __name__ == "__main__":
    unittest.main()
