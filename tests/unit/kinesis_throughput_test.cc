// Token buckets with debt, per-shard limits, control-plane rates, scaling
// budget and deterministic fault injection (kinesis/throughput.h).
#include <gtest/gtest.h>

#include <vector>

#include "kinesis/throughput.h"

namespace sluice::kinesis {
namespace {

ThroughputLimiter Enforcing() { return ThroughputLimiter(ThroughputOptions{true, 0.0, 1}); }

TEST(KinesisThroughput, BucketAdmitsWhilePositiveThenRepaysDebt) {
  TokenBucket b(100, 100);
  EXPECT_TRUE(b.TryTake(250, 0));  // full bucket: admitted, 150 in debt
  EXPECT_FALSE(b.TryTake(1, 0));
  EXPECT_FALSE(b.TryTake(1, 1500));  // 150 repaid at 1.5 s: balance exactly 0
  EXPECT_TRUE(b.TryTake(1, 1510));
  b.Charge(1000, 1510);
  EXPECT_FALSE(b.Positive(10000));  // capacity caps refill, not debt repayment speed
  EXPECT_TRUE(b.Positive(11600));
}

TEST(KinesisThroughput, WritesAreLimitedPerShardByRecordsAndBytes) {
  auto l = Enforcing();
  int admitted = 0;
  for (int i = 0; i < 1500; ++i) admitted += l.AdmitWrite("s", 0, 10, 0);
  EXPECT_EQ(admitted, 1000);
  EXPECT_TRUE(l.AdmitWrite("s", 1, 10, 0));  // another shard has its own buckets
  EXPECT_TRUE(l.AdmitWrite("s", 0, 10, 1000));
  // A 3 MiB record on a fresh shard is admitted, then the shard waits ~2 s.
  EXPECT_TRUE(l.AdmitWrite("s", 2, 3 << 20, 0));
  EXPECT_FALSE(l.AdmitWrite("s", 2, 1, 1900));
  EXPECT_TRUE(l.AdmitWrite("s", 2, 1, 2100));
}

TEST(KinesisThroughput, ReadsAreFiveCallsAndTwoMiBPerSecond) {
  auto l = Enforcing();
  int admitted = 0;
  for (int i = 0; i < 8; ++i) admitted += l.AdmitRead("s", 0, 0);
  EXPECT_EQ(admitted, 5);
  EXPECT_TRUE(l.AdmitRead("s", 0, 200));
  l.ChargeRead("s", 0, 10 << 20, 200);  // a 10 MiB answer: ~5 s of refusals
  EXPECT_FALSE(l.AdmitRead("s", 0, 4000));
  EXPECT_TRUE(l.AdmitRead("s", 0, 5300));
}

TEST(KinesisThroughput, ControlPlaneRatesAndScalingBudget) {
  auto l = Enforcing();
  int admitted = 0;
  for (int i = 0; i < 20; ++i) admitted += l.AdmitControl("us-east-1", "DescribeStream", 0);
  EXPECT_EQ(admitted, 10);
  EXPECT_TRUE(l.AdmitControl("eu-west-1", "DescribeStream", 0));
  EXPECT_TRUE(l.AdmitControl("us-east-1", "PutRecords", 0));  // no control-plane rate
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(l.AdmitScaling("s", i * 1000));
  EXPECT_FALSE(l.AdmitScaling("s", 3600 * 1000));
  EXPECT_TRUE(l.AdmitScaling("s", 24 * 3600 * 1000LL + 1));
}

TEST(KinesisThroughput, IteratorsAndModeSwitches) {
  auto l = Enforcing();
  int admitted = 0;
  for (int i = 0; i < 9; ++i) admitted += l.AdmitIterator("s", 0, 0);
  EXPECT_EQ(admitted, 5);
  EXPECT_TRUE(l.AdmitIterator("s", 1, 0));
  EXPECT_TRUE(l.AdmitModeSwitch("s", 0));
  EXPECT_TRUE(l.AdmitModeSwitch("s", 10));
  EXPECT_FALSE(l.AdmitModeSwitch("s", 20));
  EXPECT_TRUE(l.AdmitModeSwitch("other", 20));
  EXPECT_TRUE(l.AdmitModeSwitch("s", 24 * 3600 * 1000LL + 1));
}

TEST(KinesisThroughput, NothingIsLimitedWhenOff) {
  ThroughputLimiter l(ThroughputOptions{});
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(l.AdmitWrite("s", 0, 1 << 20, 0));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(l.AdmitRead("s", 0, 0));
  EXPECT_FALSE(l.NextPutFails());
}

std::vector<int> FailingEntries(uint64_t seed, int n) {
  ThroughputLimiter l(ThroughputOptions{false, 0.1, seed});
  std::vector<int> failed;
  for (int i = 0; i < n; ++i)
    if (l.NextPutFails()) failed.push_back(i);
  return failed;
}

TEST(KinesisThroughput, FaultInjectionIsDeterministicPerSeed) {
  auto a = FailingEntries(7, 10000);
  EXPECT_EQ(a, FailingEntries(7, 10000));
  EXPECT_NE(a, FailingEntries(8, 10000));
  EXPECT_GT(a.size(), 850u);
  EXPECT_LT(a.size(), 1150u);
}

}  // namespace
}  // namespace sluice::kinesis
