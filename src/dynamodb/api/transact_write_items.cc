// TransactWriteItems: up to 100 ConditionCheck/Put/Update/Delete actions on
// distinct items, all or nothing — one store write body (one savepoint),
// durable before the answer. When any condition fails, nothing is written
// and TransactionCanceledException lists a reason per action. A
// ClientRequestToken replayed within 10 minutes answers success again
// without writing.
#include <set>

#include "dynamodb/api/handlers.h"
#include "dynamodb/api/item_write.h"
#include "dynamodb/expr/expression_set.h"

namespace sluice::dynamodb::api {

namespace {

constexpr size_t kMaxActions = 100;

struct Action {
  ItemWrite write;
  bool old_on_failure = false;
};

struct Outcome {
  std::vector<ItemWriteResult> results;
  bool cancelled = false;
  bool replay = false;
  std::optional<ApiError> error;  // not a cancellation: the request itself failed
};

std::string CancellationMessage(const std::vector<ItemWriteResult>& results) {
  std::string codes;
  for (const auto& r : results) {
    codes += codes.empty() ? "" : ", ";
    codes += r.condition_failed ? "ConditionalCheckFailed" : r.error ? "ValidationError" : "None";
  }
  return "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]";
}

ApiError Cancelled(const std::vector<ItemWriteResult>& results, const std::vector<Action>& actions) {
  ApiError e{"TransactionCanceledException", CancellationMessage(results), 400};
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("CancellationReasons");
  w.StartArray();
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    w.StartObject();
    if (r.condition_failed) {
      w.Key("Code");
      w.String("ConditionalCheckFailed");
      w.Key("Message");
      w.String("The conditional request failed");
      if (actions[i].old_on_failure && r.old_item) WriteItemMember(w, "Item", *r.old_item);
    } else if (r.error) {
      w.Key("Code");
      w.String("ValidationError");
      w.Key("Message");
      w.String(r.error->message.c_str(), static_cast<rapidjson::SizeType>(r.error->message.size()));
    } else {
      w.Key("Code");
      w.String("None");
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string body = Finish(sb);
  e.extra_members = body.substr(1, body.size() - 2);
  return e;
}

}  // namespace

void TransactWriteItems(Context& ctx, const rapidjson::Value& in, Reply reply) {
  const auto& items = in["TransactItems"];
  if (items.Size() > kMaxActions)
    return reply(
        Validation("1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy "
                   "constraint: Member must have length less than or equal to 100"));
  auto actions = std::make_shared<std::vector<Action>>();
  std::set<std::pair<std::string, std::string>> seen;  // (table, encoded key)
  for (const auto& entry : items.GetArray()) {
    const rapidjson::Value* body = nullptr;
    ItemWrite::Kind kind = ItemWrite::Kind::kPut;
    int members = 0;
    for (auto [name, k] :
         {std::pair{"ConditionCheck", ItemWrite::Kind::kConditionCheck}, std::pair{"Put", ItemWrite::Kind::kPut},
          std::pair{"Delete", ItemWrite::Kind::kDelete}, std::pair{"Update", ItemWrite::Kind::kUpdate}}) {
      auto it = entry.FindMember(name);
      if (it != entry.MemberEnd() && it->value.IsObject()) {
        body = &it->value;
        kind = k;
        ++members;
      }
    }
    if (members != 1) return reply(Validation("TransactItems can only contain one of Check, Put, Update or Delete"));
    auto lookup = ResolveTable(ctx, *body);
    if (lookup.error) return reply(*lookup.error);
    auto exprs = expr::ExpressionSet::FromRequest(*body, "TransactWriteItems");
    if (!exprs.ok()) return reply(Validation(exprs.status().message()));
    Action action;
    action.write.kind = kind;
    action.write.table = lookup.table->name;
    auto item = ParseItemMember(*body, kind == ItemWrite::Kind::kPut ? "Item" : "Key");
    if (!item.ok()) return reply(Validation(item.status().message()));
    action.write.item = std::move(*item);
    action.write.condition = exprs->condition;
    action.write.update = exprs->update;
    if (kind == ItemWrite::Kind::kConditionCheck && !exprs->condition)
      return reply(Validation("The ConditionExpression parameter is required for a ConditionCheck"));
    if (kind == ItemWrite::Kind::kUpdate && !exprs->update)
      return reply(Validation("The UpdateExpression parameter is required for an Update"));
    if (auto error = PrecheckItemWrite(*lookup.table, action.write)) return reply(*error);
    auto key = kind == ItemWrite::Kind::kPut ? KeyOfItem(*lookup.table, action.write.item)
                                             : KeyOfKeyParameter(*lookup.table, action.write.item);
    if (!key.ok()) return reply(Validation(key.status().message()));
    if (!seen.insert({lookup.table->name, key->hash + '\0' + key->range}).second)
      return reply(Validation("Transaction request cannot include multiple operations on one item"));
    action.old_on_failure = GetString(*body, "ReturnValuesOnConditionCheckFailure").value_or("NONE") == "ALL_OLD";
    actions->push_back(std::move(action));
  }
  std::string token = GetString(in, "ClientRequestToken").value_or("");
  std::string fingerprint;
  if (!token.empty()) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    items.Accept(w);
    fingerprint = Finish(sb);
  }
  std::string capacity = CapacityMode(in);
  auto outcome = std::make_shared<Outcome>();
  TableCatalog* catalog = &ctx.catalog;
  std::string region = ctx.region;
  ctx.catalog.store().Write(
      [catalog, region, actions, outcome, token, fingerprint](store::WriteTxn& txn) -> Status {
        if (!token.empty()) {
          auto seen = catalog->transaction_tokens().CheckAndRecord(token, fingerprint, catalog->NowMillis());
          if (seen == TransactionTokens::Seen::kReplay) {
            outcome->replay = true;
            return Status::Ok();
          }
          if (seen == TransactionTokens::Seen::kMismatch) {
            outcome->error = ApiError{"IdempotentParameterMismatchException",
                                      "Request token was reused with different request parameters.", 400};
            return Status::FailedPrecondition("token mismatch");
          }
        }
        bool failed = false;
        for (const auto& action : *actions) {
          outcome->results.emplace_back();
          TableRef table = LiveTable(*catalog, region, action.write.table);
          if (!table) {
            outcome->error = ApiError::ResourceNotFound("Requested resource not found");
            return Status::NotFound("table");
          }
          if (!ApplyItemWrite(txn, *table, action.write, outcome->results.back()).ok()) failed = true;
        }
        if (failed) {
          outcome->cancelled = true;
          return Status::FailedPrecondition("transaction cancelled");
        }
        return Status::Ok();
      },
      [catalog, outcome, actions, token, fingerprint, capacity, reply = std::move(reply)](Status st) {
        if (!st.ok() && !token.empty() && !outcome->replay) catalog->transaction_tokens().Forget(token, fingerprint);
        if (outcome->error) return reply(*outcome->error);
        if (outcome->cancelled) return reply(Cancelled(outcome->results, *actions));
        if (!st.ok()) return reply(InternalServerError("Internal server error: " + st.message()));
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        w.StartObject();
        if (capacity != "NONE") {
          std::map<std::string, double> units;
          for (const auto& r : outcome->results) units[r.table_name] += 2 * WriteUnits(r.bytes);
          w.Key("ConsumedCapacity");
          w.StartArray();
          for (const auto& [table, u] : units) WriteCapacityObject(w, capacity, table, u);
          w.EndArray();
        }
        w.EndObject();
        reply(Finish(sb));
      });
}

}  // namespace sluice::dynamodb::api
