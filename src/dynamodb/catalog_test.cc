// TableCatalog: definitions survive a reopen, transient states finish, a new
// GSI is backfilled over existing items, and TTL sweeps delete expired items.
#include "dynamodb/catalog.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "dynamodb/item_keys.h"
#include "dynamodb/store/store_test_util.h"
#include "dynamodb/value/key_encoding.h"
#include "dynamodb/value/number.h"

namespace sluice::dynamodb {
namespace {

using store::testing::TempDir;

TableDefinition LeaseTable(std::string name) {
  TableDefinition t;
  t.region = "us-east-1";
  t.name = std::move(name);
  t.uuid = "00000000-0000-4000-8000-000000000000";
  t.keys.hash = {"leaseKey", AttributeType::kS};
  t.attribute_definitions = {{"leaseKey", AttributeType::kS}};
  t.billing = BillingMode::kPayPerRequest;
  return t;
}

TableRef CreateAndWait(TableCatalog& catalog, TableDefinition t) {
  std::promise<Result<TableRef>> done;
  catalog.Create(std::move(t), [&](Result<TableRef> r) { done.set_value(std::move(r)); });
  auto r = done.get_future().get();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

TableRef UpdateAndWait(TableCatalog& catalog, const std::string& name, TableCatalog::Mutation m) {
  std::promise<Result<TableRef>> done;
  catalog.Update("us-east-1", name, std::move(m), [&](Result<TableRef> r) { done.set_value(std::move(r)); });
  auto r = done.get_future().get();
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

// Background work is another thread's: poll it with a deadline.
template <typename Pred>
bool Eventually(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

Status PutItem(TableCatalog& catalog, const std::string& name, const Item& item) {
  return catalog.store().WriteAndWait([&](store::WriteTxn& txn) -> Status {
    TableRef t = catalog.Find("us-east-1", name);
    auto key = KeyOfItem(*t, item);
    if (!key.ok()) return key.status();
    auto index_keys = IndexKeysOf(*t, item);
    if (!index_keys.ok()) return index_keys.status();
    return txn.Put(t->id, *key, EncodeItem(item), HashOf(*t, item), *index_keys, ExpiryOf(*t, item));
  });
}

Item Lease(int i, const std::string& owner) {
  Item item;
  item["leaseKey"] = AttributeValue::String("shardId-" + std::to_string(i));
  item["leaseOwner"] = AttributeValue::String(owner);
  item["leaseCounter"] = AttributeValue::Num(Number::FromInt(i));
  return item;
}

TEST(TableCatalogTest, DefinitionsAndItemsSurviveReopen) {
  TempDir dir;
  CatalogOptions options;
  options.data_dir = dir.path();
  options.transition_ms = 0;
  {
    TableCatalog catalog(options);
    ASSERT_TRUE(catalog.Open().ok());
    TableDefinition t = LeaseTable("leases");
    t.tags["team"] = "ingest";
    TableRef created = CreateAndWait(catalog, t);
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, TableStatus::kActive);
    ASSERT_TRUE(PutItem(catalog, "leases", Lease(1, "w1")).ok());
    catalog.Stop();
  }
  TableCatalog catalog(options);
  ASSERT_TRUE(catalog.Open().ok());
  TableRef t = catalog.Find("us-east-1", "leases");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->tags.at("team"), "ingest");
  EXPECT_EQ(t->keys.hash.name, "leaseKey");
  auto stats = catalog.store().Stats(t->id);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->item_count, 1);
  EXPECT_EQ(catalog.List("us-east-1"), std::vector<std::string>{"leases"});
  EXPECT_TRUE(catalog.List("eu-west-1").empty());
}

TEST(TableCatalogTest, CreatingBecomesActiveAndDeletingDisappears) {
  TempDir dir;
  CatalogOptions options;
  options.data_dir = dir.path();
  options.transition_ms = 30;
  TableCatalog catalog(options);
  ASSERT_TRUE(catalog.Open().ok());
  TableRef created = CreateAndWait(catalog, LeaseTable("t"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, TableStatus::kCreating);
  ASSERT_TRUE(Eventually([&] { return catalog.Find("us-east-1", "t")->status == TableStatus::kActive; }));
  UpdateAndWait(catalog, "t", [&](TableDefinition& d) {
    d.status = TableStatus::kDeleting;
    d.status_since_ms = catalog.NowMillis();
    return Status::Ok();
  });
  ASSERT_TRUE(Eventually([&] { return catalog.Find("us-east-1", "t") == nullptr; }));
  // The name is free again.
  EXPECT_TRUE(CreateAndWait(catalog, LeaseTable("t")));
}

TEST(TableCatalogTest, NewGsiIsBackfilledOverExistingItems) {
  TempDir dir;
  CatalogOptions options;
  options.data_dir = dir.path();
  options.transition_ms = 0;
  options.sync = store::SyncPolicy::kOs;  // 700 puts, one at a time
  TableCatalog catalog(options);
  ASSERT_TRUE(catalog.Open().ok());
  ASSERT_TRUE(CreateAndWait(catalog, LeaseTable("leases")));
  constexpr int kItems = 700;  // more than one backfill chunk
  for (int i = 0; i < kItems; ++i) ASSERT_TRUE(PutItem(catalog, "leases", Lease(i, i % 2 ? "w1" : "w2")).ok());
  Item ownerless;
  ownerless["leaseKey"] = AttributeValue::String("free");
  ASSERT_TRUE(PutItem(catalog, "leases", ownerless).ok());  // sparse: not in the index

  TableRef updated = UpdateAndWait(catalog, "leases", [](TableDefinition& d) {
    SecondaryIndex gsi;
    gsi.name = "LeaseOwnerToLeaseKeyIndex";
    gsi.id = d.next_index_id++;
    gsi.keys.hash = {"leaseOwner", AttributeType::kS};
    gsi.keys.range = KeyAttribute{"leaseKey", AttributeType::kS};
    gsi.status = IndexStatus::kCreating;
    gsi.backfilling = true;
    d.attribute_definitions["leaseOwner"] = AttributeType::kS;
    d.indexes.push_back(gsi);
    d.status = TableStatus::kUpdating;
    return Status::Ok();
  });
  ASSERT_TRUE(updated);
  ASSERT_TRUE(Eventually([&] {
    TableRef t = catalog.Find("us-east-1", "leases");
    return t->status == TableStatus::kActive && t->indexes[0].status == IndexStatus::kActive;
  }));
  TableRef t = catalog.Find("us-east-1", "leases");
  int in_index = 0;
  std::string owner = EncodeKeyValue(AttributeValue::String("w1")).value();
  ASSERT_TRUE(catalog.store()
                  .Query(t->id, t->indexes[0].id, owner, {}, store::Direction::kForward, std::nullopt,
                         [&](const store::Row&) {
                           ++in_index;
                           return true;
                         })
                  .ok());
  EXPECT_EQ(in_index, kItems / 2);
}

TEST(TableCatalogTest, TtlSweepDeletesExpiredItemsOnly) {
  TempDir dir;
  ManualClock clock(1'700'000'000'000);
  CatalogOptions options;
  options.data_dir = dir.path();
  options.transition_ms = 0;
  options.ttl_sweep_ms = 10;
  options.clock = &clock;
  TableCatalog catalog(options);
  ASSERT_TRUE(catalog.Open().ok());
  ASSERT_TRUE(CreateAndWait(catalog, LeaseTable("dedup")));
  auto with_expiry = [](const std::string& key, int64_t expires) {
    Item item;
    item["leaseKey"] = AttributeValue::String(key);
    item["expires"] = AttributeValue::Num(Number::FromInt(expires));
    return item;
  };
  // Written before TTL is enabled: the enabling pass must give it its deadline.
  ASSERT_TRUE(PutItem(catalog, "dedup", with_expiry("old-before", 1'600'000'000)).ok());
  UpdateAndWait(catalog, "dedup", [](TableDefinition& d) {
    d.ttl = {"expires", true, true};
    return Status::Ok();
  });
  ASSERT_TRUE(PutItem(catalog, "dedup", with_expiry("old-after", 1'650'000'000)).ok());
  ASSERT_TRUE(PutItem(catalog, "dedup", with_expiry("future", 1'800'000'000)).ok());
  TableRef t = catalog.Find("us-east-1", "dedup");
  ASSERT_TRUE(Eventually([&] {
    clock.Advance(20);  // lets the sweeper's interval elapse
    auto stats = catalog.store().Stats(t->id);
    return stats.ok() && stats->item_count == 1;
  }));
  Item key;
  key["leaseKey"] = AttributeValue::String("future");
  auto future_key = KeyOfKeyParameter(*t, key);
  ASSERT_TRUE(future_key.ok());
  auto blob = catalog.store().Get(t->id, *future_key);
  ASSERT_TRUE(blob.ok());
  EXPECT_TRUE(blob->has_value());
}

}  // namespace
}  // namespace sluice::dynamodb
