// UpdateTable: billing mode, provisioned throughput, deletion protection,
// table class, and global secondary index updates (Create: the index is
// CREATING and Backfilling until the catalog has indexed every item; Delete:
// DELETING until its entries are dropped; Update: its throughput). The table
// is UPDATING meanwhile.
#include "dynamodb/api/handlers.h"
#include "dynamodb/api/schema_input.h"

namespace sluice::dynamodb::api {

namespace {

constexpr std::string_view kInvalid = "One or more parameter values were invalid: ";

// What the request asks for, parsed before the definition is seen.
struct TableChanges {
  AttributeDefinitions new_definitions;
  std::optional<BillingMode> billing;
  std::optional<ProvisionedThroughput> throughput;
  std::optional<bool> deletion_protection;
  std::optional<std::string> table_class;
  const rapidjson::Value* gsi_updates = nullptr;
};

Status ApplyGsiUpdates(const rapidjson::Value& updates, const AttributeDefinitions& request_defs, int64_t now,
                       TableDefinition& d) {
  // Definitions the new indexes may use: the table's plus the request's.
  AttributeDefinitions defs = d.attribute_definitions;
  for (const auto& [name, type] : request_defs) {
    auto it = defs.find(name);
    if (it != defs.end() && it->second != type)
      return Status::InvalidArgument(std::string(kInvalid) + "Cannot change the type of attribute " + name);
    defs[name] = type;
  }
  size_t creates = 0;
  for (const auto& u : updates.GetArray()) {
    if (auto c = u.FindMember("Create"); c != u.MemberEnd() && c->value.IsObject()) {
      if (++creates > 1)
        return Status::InvalidArgument(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
      auto index = ParseIndex(c->value, defs, /*global=*/true, d.billing);
      if (!index.ok()) return index.status();
      if (d.FindIndex(index->name))
        return Status::InvalidArgument(std::string(kInvalid) + "Attempting to create an index which already exists");
      size_t globals = 0;
      for (const auto& i : d.indexes) globals += i.global;
      if (globals >= 20)
        return Status::InvalidArgument(std::string(kInvalid) +
                                       "GlobalSecondaryIndex count exceeds the per-table limit of 20");
      index->id = d.next_index_id++;
      index->status = IndexStatus::kCreating;
      index->backfilling = true;
      d.attribute_definitions[index->keys.hash.name] = index->keys.hash.type;
      if (index->keys.range) d.attribute_definitions[index->keys.range->name] = index->keys.range->type;
      d.indexes.push_back(std::move(*index));
    } else if (auto del = u.FindMember("Delete"); del != u.MemberEnd() && del->value.IsObject()) {
      std::string name = GetString(del->value, "IndexName").value_or("");
      SecondaryIndex* index = d.FindIndex(name);
      if (!index || !index->global)
        return Status::NotFound("Requested resource not found: Index: " + name + " not found");
      if (index->status != IndexStatus::kActive)
        return Status::AlreadyExists("Attempt to change a resource which is still in use: Index is being " +
                                     std::string(index->status == IndexStatus::kCreating ? "created" : "deleted") +
                                     ": " + name);
      index->status = IndexStatus::kDeleting;
    } else if (auto up = u.FindMember("Update"); up != u.MemberEnd() && up->value.IsObject()) {
      std::string name = GetString(up->value, "IndexName").value_or("");
      SecondaryIndex* index = d.FindIndex(name);
      if (!index || !index->global)
        return Status::NotFound("Requested resource not found: Index: " + name + " not found");
      auto t = ParseThroughput(up->value, d.billing, true);
      if (!t.ok()) return t.status();
      index->throughput.read = t->read;
      index->throughput.write = t->write;
    }
  }
  // Attribute definitions no key uses any more are dropped, as on AWS.
  (void)now;
  return Status::Ok();
}

}  // namespace

void UpdateTable(Context& ctx, const rapidjson::Value& in, Reply reply) {
  std::string name = *GetString(in, "TableName");
  if (!ctx.catalog.Find(ctx.region, name)) return reply(TableNotFound(name));
  auto defs = ParseAttributeDefinitions(in);
  if (!defs.ok()) return reply(FromStatus(defs.status()));
  auto changes = std::make_shared<TableChanges>();
  changes->new_definitions = *defs;
  if (auto b = GetString(in, "BillingMode"))
    changes->billing = *b == "PAY_PER_REQUEST" ? BillingMode::kPayPerRequest : BillingMode::kProvisioned;
  auto pt = in.FindMember("ProvisionedThroughput");
  bool has_throughput = pt != in.MemberEnd() && pt->value.IsObject();
  changes->deletion_protection = GetBool(in, "DeletionProtectionEnabled");
  changes->table_class = GetString(in, "TableClass");
  auto gsi = in.FindMember("GlobalSecondaryIndexUpdates");
  bool has_gsi = gsi != in.MemberEnd() && gsi->value.IsArray() && !gsi->value.Empty();
  if (auto stream = in.FindMember("StreamSpecification"); stream != in.MemberEnd() && stream->value.IsObject()) {
    if (GetBool(stream->value, "StreamEnabled").value_or(false))
      return reply(Validation("StreamSpecification: DynamoDB Streams are not available on this server"));
  }
  if (!changes->billing && !has_throughput && !changes->deletion_protection && !changes->table_class && !has_gsi &&
      in.FindMember("StreamSpecification") == in.MemberEnd() && in.FindMember("SSESpecification") == in.MemberEnd())
    return reply(
        Validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                   "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"));
  // The JSON does not outlive this call: copy what the mutation needs, its
  // strings too (parsed in place, they point into the request's body).
  // Debian's RapidJSON has no CopyFrom that copies such strings: write the
  // request out and parse it into a document of its own.
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  in.Accept(writer);
  auto request = std::make_shared<rapidjson::Document>();
  request->Parse(text.GetString(), text.GetSize());
  int64_t now = ctx.catalog.NowMillis();
  ctx.catalog.Update(
      ctx.region, name,
      [changes, request, has_throughput, has_gsi, now](TableDefinition& d) -> Status {
        if (d.status != TableStatus::kActive)
          return Status::AlreadyExists("Attempt to change a resource which is still in use: Table is being " +
                                       std::string(d.status == TableStatus::kCreating   ? "created"
                                                   : d.status == TableStatus::kUpdating ? "updated"
                                                                                        : "deleted") +
                                       ": " + d.name);
        bool transient = false;
        if (changes->billing && *changes->billing != d.billing) {
          d.billing = *changes->billing;
          if (d.billing == BillingMode::kPayPerRequest) {
            d.pay_per_request_since_ms = now;
            d.throughput.read = d.throughput.write = 0;
            for (auto& i : d.indexes) i.throughput.read = i.throughput.write = 0;
          }
          transient = true;
        }
        if (has_throughput || (changes->billing == BillingMode::kProvisioned && d.throughput.read == 0)) {
          auto t = ParseThroughput(*request, d.billing, false);
          if (!t.ok()) return t.status();
          if (!changes->billing && t->read == d.throughput.read && t->write == d.throughput.write)
            return Status::InvalidArgument(
                "The provisioned throughput for the table will not change. The requested value equals the current "
                "value. Current ReadCapacityUnits provisioned for the table: " +
                std::to_string(d.throughput.read) + ". Requested ReadCapacityUnits: " + std::to_string(t->read) +
                ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(d.throughput.write) +
                ". Requested WriteCapacityUnits: " + std::to_string(t->write) +
                ". Refer to the Amazon DynamoDB "
                "Developer Guide for current limits and how to request higher limits.");
          if (t->read > d.throughput.read || t->write > d.throughput.write) d.throughput.last_increase_ms = now;
          if (t->read < d.throughput.read || t->write < d.throughput.write) d.throughput.last_decrease_ms = now;
          d.throughput.read = t->read;
          d.throughput.write = t->write;
          transient = true;
        }
        if (has_gsi) {
          if (Status st = ApplyGsiUpdates((*request)["GlobalSecondaryIndexUpdates"], changes->new_definitions, now, d);
              !st.ok())
            return st;
          transient = true;
        }
        if (changes->deletion_protection) d.deletion_protection = *changes->deletion_protection;
        if (changes->table_class) d.table_class = *changes->table_class;
        if (transient) {
          d.status = TableStatus::kUpdating;
          d.status_since_ms = now;
        }
        return Status::Ok();
      },
      [catalog = &ctx.catalog, name, reply](Result<TableRef> updated) {
        if (!updated.ok()) {
          if (updated.status().code() == StatusCode::kNotFound &&
              updated.status().message().find("Index") == std::string::npos)
            return reply(TableNotFound(name));
          return reply(FromStatus(updated.status()));
        }
        reply(TableDescriptionReply(*catalog, "TableDescription", **updated));
      });
}

}  // namespace sluice::dynamodb::api
