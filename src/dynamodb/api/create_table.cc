// CreateTable: key schema, attribute definitions, local and global secondary
// indexes, billing mode and throughput, tags, deletion protection, with
// AWS's validation messages. Tables start CREATING and become ACTIVE after
// the catalog's transition time.
#include <openssl/rand.h>

#include <set>

#include "dynamodb/api/handlers.h"
#include "dynamodb/api/schema_input.h"

namespace sluice::dynamodb::api {

namespace {

constexpr size_t kMaxGlobalIndexes = 20;
constexpr size_t kMaxLocalIndexes = 5;
constexpr size_t kMaxTablesPerRegion = 2500;

std::string NewUuid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0F) | 0x40;
  b[8] = (b[8] & 0x3F) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[b[i] >> 4];
    id += kHex[b[i] & 15];
  }
  return id;
}

}  // namespace

void CreateTable(Context& ctx, const rapidjson::Value& in, Reply reply) {
  TableDefinition t;
  t.region = ctx.region;
  t.name = *GetString(in, "TableName");
  t.uuid = NewUuid();
  auto attrs = ParseAttributeDefinitions(in);
  if (!attrs.ok()) return reply(FromStatus(attrs.status()));
  t.attribute_definitions = *attrs;
  auto keys = ParseKeySchema(in["KeySchema"], t.attribute_definitions);
  if (!keys.ok()) return reply(FromStatus(keys.status()));
  t.keys = *keys;

  std::string billing = GetString(in, "BillingMode").value_or("PROVISIONED");
  t.billing = billing == "PAY_PER_REQUEST" ? BillingMode::kPayPerRequest : BillingMode::kProvisioned;
  if (t.billing == BillingMode::kPayPerRequest) t.pay_per_request_since_ms = ctx.catalog.NowMillis();
  auto throughput = ParseThroughput(in, t.billing, /*for_index=*/false);
  if (!throughput.ok()) return reply(FromStatus(throughput.status()));
  t.throughput = *throughput;

  // Every key attribute of the table and its indexes must be defined, and
  // every definition used by some key.
  std::set<std::string> used = {t.keys.hash.name};
  if (t.keys.range) used.insert(t.keys.range->name);

  auto lsis = in.FindMember("LocalSecondaryIndexes");
  if (lsis != in.MemberEnd() && lsis->value.IsArray()) {
    if (lsis->value.Empty())
      return reply(Validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty"));
    if (lsis->value.Size() > kMaxLocalIndexes)
      return reply(
          Validation("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds "
                     "per-table limit of 5"));
    if (!t.keys.range)
      return reply(
          Validation("One or more parameter values were invalid: Table KeySchema does not have a range key, "
                     "which is required when specifying a LocalSecondaryIndex"));
    for (const auto& l : lsis->value.GetArray()) {
      auto index = ParseIndex(l, t.attribute_definitions, /*global=*/false, t.billing);
      if (!index.ok()) return reply(FromStatus(index.status()));
      if (index->keys.hash.name != t.keys.hash.name)
        return reply(Validation(
            "One or more parameter values were invalid: Index KeySchema does not have the same "
            "leading hash key as table KeySchema for index: " +
            index->name + ". index hash key: " + index->keys.hash.name + ", table hash key: " + t.keys.hash.name));
      if (!index->keys.range)
        return reply(
            Validation("One or more parameter values were invalid: Index KeySchema does not have a range key "
                       "for index: " +
                       index->name));
      used.insert(index->keys.range->name);
      if (t.FindIndex(index->name))
        return reply(Validation("One or more parameter values were invalid: Duplicate index name: " + index->name));
      index->id = t.next_index_id++;
      t.indexes.push_back(std::move(*index));
    }
  }
  auto gsis = in.FindMember("GlobalSecondaryIndexes");
  if (gsis != in.MemberEnd() && gsis->value.IsArray()) {
    if (gsis->value.Empty())
      return reply(Validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty"));
    if (gsis->value.Size() > kMaxGlobalIndexes)
      return reply(
          Validation("One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the "
                     "per-table limit of 20"));
    for (const auto& g : gsis->value.GetArray()) {
      auto index = ParseIndex(g, t.attribute_definitions, /*global=*/true, t.billing);
      if (!index.ok()) return reply(FromStatus(index.status()));
      used.insert(index->keys.hash.name);
      if (index->keys.range) used.insert(index->keys.range->name);
      if (t.FindIndex(index->name))
        return reply(Validation("One or more parameter values were invalid: Duplicate index name: " + index->name));
      index->id = t.next_index_id++;
      index->status = IndexStatus::kCreating;
      t.indexes.push_back(std::move(*index));
    }
  }
  if (used.size() != t.attribute_definitions.size())
    return reply(
        Validation("One or more parameter values were invalid: Number of attributes in KeySchema does not "
                   "exactly match number of attributes defined in AttributeDefinitions"));

  if (auto stream = in.FindMember("StreamSpecification"); stream != in.MemberEnd() && stream->value.IsObject()) {
    if (GetBool(stream->value, "StreamEnabled").value_or(false))
      return reply(Validation("StreamSpecification: DynamoDB Streams are not available on this server"));
  }
  t.deletion_protection = GetBool(in, "DeletionProtectionEnabled").value_or(false);
  t.table_class = GetString(in, "TableClass").value_or("STANDARD");
  auto tags = ParseTags(in);
  if (!tags.ok()) return reply(FromStatus(tags.status()));
  t.tags = *tags;

  if (ctx.catalog.Find(ctx.region, t.name)) return reply(ResourceInUse("Table already exists: " + t.name));
  if (ctx.catalog.Count(ctx.region) >= kMaxTablesPerRegion)
    return reply(ApiError::LimitExceeded("Subscriber limit exceeded: Only 2500 tables can be created per region"));

  ctx.catalog.Create(std::move(t), [reply](Result<TableRef> created) {
    if (!created.ok()) return reply(FromStatus(created.status()));
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("TableDescription");
    WriteTableDescription(w, **created, {});
    w.EndObject();
    reply(Finish(sb));
  });
}

}  // namespace sluice::dynamodb::api
