#include "compare/results.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "codec/json_field.h"

namespace sluice::compare {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

double Finite(double v) { return std::isfinite(v) ? v : 0.0; }

void PutLatency(Writer& w, const LatencySummary& l) {
  w.Key("latency");
  w.StartObject();
  codec::WriteField(w, "count", l.count);
  codec::WriteField(w, "p50_ms", l.p50_ms);
  codec::WriteField(w, "p95_ms", l.p95_ms);
  codec::WriteField(w, "p99_ms", l.p99_ms);
  codec::WriteField(w, "max_ms", l.max_ms);
  codec::WriteField(w, "mean_ms", l.mean_ms);
  w.EndObject();
}

void PutSamples(Writer& w, const std::vector<double>& samples) {
  w.Key("latency_samples_ms");
  w.StartArray();
  for (double v : samples) w.Double(Finite(v));
  w.EndArray();
}

void PutTimeline(Writer& w, const char* key, const std::vector<TimelinePoint>& timeline) {
  w.Key(key);
  w.StartArray();
  for (const auto& p : timeline) {
    w.StartArray();
    w.Int64(p.t_ms);
    w.Uint64(p.count);
    w.EndArray();
  }
  w.EndArray();
}

// Reads fields of one JSON object into C++ values, remembering the first
// type error (with its path) instead of throwing.
class ObjectReader {
 public:
  ObjectReader(const rapidjson::Value* object, std::string path, std::string* error)
      : object_(object), path_(std::move(path)), error_(error) {}

  // A nested object; a reader over nothing when absent or mistyped.
  ObjectReader Object(const char* key) {
    const rapidjson::Value* v = Find(key);
    if (v && !v->IsObject()) {
      Fail(key, "an object");
      v = nullptr;
    }
    return ObjectReader(v, path_ + "." + key, error_);
  }
  const rapidjson::Value* Array(const char* key) {
    const rapidjson::Value* v = Find(key);
    if (v && !v->IsArray()) {
      Fail(key, "an array");
      return nullptr;
    }
    return v;
  }

  void Get(const char* key, std::string& out) {
    if (const auto* v = Find(key)) {
      if (v->IsString()) out.assign(v->GetString(), v->GetStringLength());
      else Fail(key, "a string");
    }
  }
  void Get(const char* key, bool& out) {
    if (const auto* v = Find(key)) {
      if (v->IsBool()) out = v->GetBool();
      else Fail(key, "a boolean");
    }
  }
  void Get(const char* key, double& out) {
    if (const auto* v = Find(key)) {
      if (v->IsNumber()) out = v->GetDouble();
      else Fail(key, "a number");
    }
  }
  void Get(const char* key, uint64_t& out) {
    if (const auto* v = Find(key)) {
      if (v->IsUint64()) out = v->GetUint64();
      else Fail(key, "a non-negative integer");
    }
  }
  void Get(const char* key, uint32_t& out) {
    if (const auto* v = Find(key)) {
      if (v->IsUint()) out = v->GetUint();
      else Fail(key, "a 32-bit non-negative integer");
    }
  }
  void Get(const char* key, int64_t& out) {
    if (const auto* v = Find(key)) {
      if (v->IsInt64()) out = v->GetInt64();
      else Fail(key, "an integer");
    }
  }
  void Get(const char* key, int& out) {
    if (const auto* v = Find(key)) {
      if (v->IsInt()) out = v->GetInt();
      else Fail(key, "an integer");
    }
  }

  void GetLatency(LatencySummary& l) {
    ObjectReader r = Object("latency");
    r.Get("count", l.count);
    r.Get("p50_ms", l.p50_ms);
    r.Get("p95_ms", l.p95_ms);
    r.Get("p99_ms", l.p99_ms);
    r.Get("max_ms", l.max_ms);
    r.Get("mean_ms", l.mean_ms);
  }
  void GetSamples(std::vector<double>& out) {
    const auto* a = Array("latency_samples_ms");
    if (!a) return;
    out.clear();
    out.reserve(a->Size());
    for (const auto& v : a->GetArray()) {
      if (!v.IsNumber()) return Fail("latency_samples_ms", "an array of numbers");
      out.push_back(v.GetDouble());
    }
  }
  void GetTimeline(const char* key, std::vector<TimelinePoint>& out) {
    const auto* a = Array(key);
    if (!a) return;
    out.clear();
    out.reserve(a->Size());
    for (const auto& v : a->GetArray()) {
      if (!v.IsArray() || v.Size() != 2 || !v[0].IsInt64() || !v[1].IsUint64())
        return Fail(key, "an array of [t_ms, count] integer pairs");
      out.push_back({v[0].GetInt64(), v[1].GetUint64()});
    }
  }

  std::string path() const { return path_; }
  std::string* error() const { return error_; }

 private:
  const rapidjson::Value* Find(const char* key) const {
    if (!object_) return nullptr;
    auto it = object_->FindMember(key);
    return it == object_->MemberEnd() ? nullptr : &it->value;
  }
  void Fail(const char* key, const char* expected) {
    if (error_->empty()) *error_ = path_ + "." + key + " must be " + expected;
  }

  const rapidjson::Value* object_;
  std::string path_;
  std::string* error_;
};

}  // namespace

std::string SerializeResults(const ComparisonResults& r) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  // Samples and timelines stay on one line each; microsecond precision.
  w.SetFormatOptions(rapidjson::kFormatSingleLineArray);
  w.SetMaxDecimalPlaces(3);

  w.StartObject();
  w.Key("version");
  w.Int(r.version);

  const RunConfig& c = r.config;
  w.Key("config");
  w.StartObject();
  codec::WriteField(w, "endpoint", c.endpoint);
  codec::WriteField(w, "embedded", c.embedded);
  codec::WriteField(w, "data_dir", c.data_dir);
  codec::WriteField(w, "cleaned_up", c.cleaned_up);
  codec::WriteField(w, "region", c.region);
  codec::WriteField(w, "stream_name", c.stream_name);
  codec::WriteField(w, "delivery_stream", c.delivery_stream);
  codec::WriteField(w, "bucket", c.bucket);
  codec::WriteField(w, "duration_s", c.duration_s);
  codec::WriteField(w, "rate", c.rate);
  codec::WriteField(w, "record_size", c.record_size);
  codec::WriteField(w, "shards", c.shards);
  codec::WriteField(w, "duplicates_fraction", c.duplicates_fraction);
  w.Key("firehose_buffering");
  w.StartObject();
  codec::WriteField(w, "size_mb", c.buffering_size_mb);
  codec::WriteField(w, "interval_s", c.buffering_interval_s);
  w.EndObject();
  codec::WriteField(w, "compression", c.compression);
  codec::WriteField(w, "started_at_ms", c.started_at_ms);
  w.EndObject();

  const ProducerResults& p = r.producer;
  w.Key("producer");
  w.StartObject();
  codec::WriteField(w, "records_sent", p.records_sent);
  codec::WriteField(w, "unique_events", p.unique_events);
  codec::WriteField(w, "duplicates_injected", p.duplicates_injected);
  codec::WriteField(w, "records_per_s", p.records_per_s);
  codec::WriteField(w, "failed", p.failed);
  w.EndObject();

  const StreamsResults& s = r.streams;
  w.Key("streams");
  w.StartObject();
  PutLatency(w, s.latency);
  codec::WriteField(w, "events_consumed", s.events_consumed);
  codec::WriteField(w, "duplicates_dropped", s.duplicates_dropped);
  codec::WriteField(w, "throughput_per_s", s.throughput_per_s);
  PutTimeline(w, "timeline", s.timeline);
  PutSamples(w, s.latency_samples_ms);
  w.EndObject();

  const FirehoseResults& f = r.firehose;
  w.Key("firehose");
  w.StartObject();
  PutLatency(w, f.latency);
  codec::WriteField(w, "objects", f.objects);
  codec::WriteField(w, "total_bytes", f.total_bytes);
  w.Key("records_per_object");
  w.StartObject();
  codec::WriteField(w, "min", f.records_per_object.min);
  codec::WriteField(w, "mean", f.records_per_object.mean);
  codec::WriteField(w, "max", f.records_per_object.max);
  w.EndObject();
  codec::WriteField(w, "events_delivered", f.events_delivered);
  codec::WriteField(w, "duplicates_seen", f.duplicates_seen);
  codec::WriteField(w, "missing", f.missing);
  codec::WriteField(w, "throughput_per_s", f.throughput_per_s);
  w.Key("object_list");
  w.StartArray();
  for (const auto& o : f.object_list) {
    w.StartObject();
    codec::WriteField(w, "key", o.key);
    codec::WriteField(w, "size_bytes", o.size_bytes);
    codec::WriteField(w, "records", o.records);
    codec::WriteField(w, "visible_at_ms", o.visible_at_ms);
    w.EndObject();
  }
  w.EndArray();
  PutTimeline(w, "timeline", f.timeline);
  PutSamples(w, f.latency_samples_ms);
  w.EndObject();

  PutTimeline(w, "produced_timeline", r.produced_timeline);

  w.Key("behaviour");
  w.StartArray();
  for (const auto& row : r.behaviour) {
    w.StartObject();
    codec::WriteField(w, "characteristic", row.characteristic);
    codec::WriteField(w, "streams", row.streams);
    codec::WriteField(w, "firehose", row.firehose);
    w.EndObject();
  }
  w.EndArray();

  w.EndObject();
  std::string out(buf.GetString(), buf.GetSize());
  out += '\n';
  return out;
}

Result<ComparisonResults> ParseResults(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError()) {
    return Status::InvalidArgument(std::string("results JSON: ") + rapidjson::GetParseError_En(d.GetParseError()) +
                                   " at offset " + std::to_string(d.GetErrorOffset()));
  }
  if (!d.IsObject()) return Status::InvalidArgument("results JSON: not an object");

  ComparisonResults r;
  std::string error;
  ObjectReader root(&d, "$", &error);
  root.Get("version", r.version);
  if (error.empty() && r.version > kResultsVersion) {
    return Status::InvalidArgument("results JSON: version " + std::to_string(r.version) +
                                   " is newer than this sluice understands (" + std::to_string(kResultsVersion) + ")");
  }

  RunConfig& c = r.config;
  ObjectReader config = root.Object("config");
  config.Get("endpoint", c.endpoint);
  config.Get("embedded", c.embedded);
  config.Get("data_dir", c.data_dir);
  config.Get("cleaned_up", c.cleaned_up);
  config.Get("region", c.region);
  config.Get("stream_name", c.stream_name);
  config.Get("delivery_stream", c.delivery_stream);
  config.Get("bucket", c.bucket);
  config.Get("duration_s", c.duration_s);
  config.Get("rate", c.rate);
  config.Get("record_size", c.record_size);
  config.Get("shards", c.shards);
  config.Get("duplicates_fraction", c.duplicates_fraction);
  ObjectReader buffering = config.Object("firehose_buffering");
  buffering.Get("size_mb", c.buffering_size_mb);
  buffering.Get("interval_s", c.buffering_interval_s);
  config.Get("compression", c.compression);
  config.Get("started_at_ms", c.started_at_ms);

  ProducerResults& p = r.producer;
  ObjectReader producer = root.Object("producer");
  producer.Get("records_sent", p.records_sent);
  producer.Get("unique_events", p.unique_events);
  producer.Get("duplicates_injected", p.duplicates_injected);
  producer.Get("records_per_s", p.records_per_s);
  producer.Get("failed", p.failed);

  StreamsResults& s = r.streams;
  ObjectReader streams = root.Object("streams");
  streams.GetLatency(s.latency);
  streams.GetSamples(s.latency_samples_ms);
  streams.Get("events_consumed", s.events_consumed);
  streams.Get("duplicates_dropped", s.duplicates_dropped);
  streams.Get("throughput_per_s", s.throughput_per_s);
  streams.GetTimeline("timeline", s.timeline);

  FirehoseResults& f = r.firehose;
  ObjectReader firehose = root.Object("firehose");
  firehose.GetLatency(f.latency);
  firehose.GetSamples(f.latency_samples_ms);
  firehose.Get("objects", f.objects);
  firehose.Get("total_bytes", f.total_bytes);
  ObjectReader rpo = firehose.Object("records_per_object");
  rpo.Get("min", f.records_per_object.min);
  rpo.Get("mean", f.records_per_object.mean);
  rpo.Get("max", f.records_per_object.max);
  firehose.Get("events_delivered", f.events_delivered);
  firehose.Get("duplicates_seen", f.duplicates_seen);
  firehose.Get("missing", f.missing);
  firehose.Get("throughput_per_s", f.throughput_per_s);
  if (const auto* list = firehose.Array("object_list")) {
    for (rapidjson::SizeType i = 0; i < list->Size() && error.empty(); ++i) {
      const auto& v = (*list)[i];
      ObjectReader o(&v, "$.firehose.object_list[" + std::to_string(i) + "]", &error);
      if (!v.IsObject()) {
        error = o.path() + " must be an object";
        break;
      }
      FirehoseObject obj;
      o.Get("key", obj.key);
      o.Get("size_bytes", obj.size_bytes);
      o.Get("records", obj.records);
      o.Get("visible_at_ms", obj.visible_at_ms);
      f.object_list.push_back(std::move(obj));
    }
  }
  firehose.GetTimeline("timeline", f.timeline);

  root.GetTimeline("produced_timeline", r.produced_timeline);

  if (const auto* rows = root.Array("behaviour")) {
    for (rapidjson::SizeType i = 0; i < rows->Size() && error.empty(); ++i) {
      const auto& v = (*rows)[i];
      ObjectReader o(&v, "$.behaviour[" + std::to_string(i) + "]", &error);
      if (!v.IsObject()) {
        error = o.path() + " must be an object";
        break;
      }
      BehaviourRow row;
      o.Get("characteristic", row.characteristic);
      o.Get("streams", row.streams);
      o.Get("firehose", row.firehose);
      r.behaviour.push_back(std::move(row));
    }
  }

  if (!error.empty()) return Status::InvalidArgument("results JSON: " + error);
  return r;
}

LatencySummary SummarizeLatencies(const std::vector<double>& samples_ms) {
  std::vector<double> v;
  v.reserve(samples_ms.size());
  for (double x : samples_ms)
    if (std::isfinite(x)) v.push_back(x);
  LatencySummary s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const auto rank = [&](double p) {
    // Nearest rank: the smallest value with at least p% of values <= it.
    const double r = std::ceil(p / 100.0 * static_cast<double>(v.size()));
    const size_t i = r < 1 ? 0 : static_cast<size_t>(r) - 1;
    return v[std::min(i, v.size() - 1)];
  };
  s.count = v.size();
  s.p50_ms = rank(50);
  s.p95_ms = rank(95);
  s.p99_ms = rank(99);
  s.max_ms = v.back();
  long double sum = 0;
  for (double x : v) sum += x;
  s.mean_ms = static_cast<double>(sum / static_cast<long double>(v.size()));
  return s;
}

void ThinSamples(std::vector<double>& samples_ms, size_t max_samples) {
  std::erase_if(samples_ms, [](double x) { return !std::isfinite(x); });
  std::sort(samples_ms.begin(), samples_ms.end());
  const size_t n = samples_ms.size();
  if (n <= max_samples) return;
  if (max_samples == 0) {
    samples_ms.clear();
    return;
  }
  if (max_samples == 1) {
    samples_ms = {samples_ms.back()};
    return;
  }
  std::vector<double> kept;
  kept.reserve(max_samples);
  for (size_t i = 0; i < max_samples; ++i) {
    // Evenly spaced ranks from 0 to n-1 inclusive.
    const size_t rank = static_cast<size_t>(
        std::llround(static_cast<long double>(i) * static_cast<long double>(n - 1) / (max_samples - 1)));
    kept.push_back(samples_ms[rank]);
  }
  samples_ms = std::move(kept);
}

}  // namespace sluice::compare
