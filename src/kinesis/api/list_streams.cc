// ListStreams: names and summaries of the region's streams, paged by
// ExclusiveStartStreamName or NextToken.
#include <algorithm>

#include "base/mutex.h"
#include "kinesis/api/handlers.h"
#include "kinesis/tokens.h"

namespace sluice::kinesis::api {

void ListStreams(Context& ctx, const rapidjson::Value& in, Reply reply) {
  // "If you specify a value greater than 100, at most 100 results are returned."
  int64_t limit = std::min<int64_t>(GetInt(in, "Limit").value_or(100), 100);
  auto start_after = GetString(in, "ExclusiveStartStreamName");
  if (auto token = GetString(in, "NextToken")) {
    auto t = DecodePageToken(*token, ctx.catalog.token_key());
    if (!t.ok() || t->kind != kListStreamsPage) return reply(ApiError::InvalidArgument("Invalid NextToken."));
    if (ctx.catalog.NowMillis() - t->issued_ms > kNextTokenLifetimeMs)
      return reply(ApiError::ExpiredNextToken("The NextToken has expired."));
    start_after = t->after;
  }
  auto streams = ctx.catalog.List(ctx.region);
  rapidjson::StringBuffer names_sb, summaries_sb;
  JsonWriter names(names_sb), summaries(summaries_sb);
  names.StartArray();
  summaries.StartArray();
  int64_t written = 0;
  bool more = false;
  std::string last;
  for (const auto& s : streams) {
    ReaderLock lk(s->mu);
    const StreamMeta& m = s->meta();
    if (start_after && m.name <= *start_after) continue;
    if (written == limit) {
      more = true;
      break;
    }
    names.String(m.name);
    summaries.StartObject();
    summaries.Key("StreamName");
    summaries.String(m.name);
    summaries.Key("StreamARN");
    summaries.String(m.arn());
    summaries.Key("StreamStatus");
    summaries.String(std::string(StatusName(m.status)));
    WriteStreamModeDetails(summaries, m);
    summaries.Key("StreamCreationTimestamp");
    WriteTimestamp(summaries, m.created_ms);
    summaries.EndObject();
    last = m.name;
    ++written;
  }
  names.EndArray();
  summaries.EndArray();

  std::string body = "{\"StreamNames\":" + Finish(names_sb) + ",\"HasMoreStreams\":" + (more ? "true" : "false");
  if (more) {
    PageToken t{kListStreamsPage, "", 0, last, ctx.catalog.NowMillis()};
    body += ",\"NextToken\":\"" + EncodePageToken(t, ctx.catalog.token_key()) + "\"";
  }
  body += ",\"StreamSummaries\":" + Finish(summaries_sb) + "}";
  reply(std::move(body));
}

}  // namespace sluice::kinesis::api
