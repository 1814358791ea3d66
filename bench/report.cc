#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace sluice::bench {

ReportContext g_report_context;

double Round3(double v) { return std::isfinite(v) ? std::round(v * 1000.0) / 1000.0 : 0.0; }

double Latencies::PercentileMs(double p) {
  if (ns_.empty()) return 0;
  if (!sorted_) {
    std::sort(ns_.begin(), ns_.end());
    sorted_ = true;
  }
  // Nearest rank: the smallest sample with at least p% of samples <= it.
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(ns_.size())));
  rank = std::clamp<size_t>(rank, 1, ns_.size());
  return static_cast<double>(ns_[rank - 1]) / 1e6;
}

double Latencies::MaxMs() {
  if (ns_.empty()) return 0;
  return static_cast<double>(*std::max_element(ns_.begin(), ns_.end())) / 1e6;
}

double Latencies::MeanMs() const {
  if (ns_.empty()) return 0;
  long double sum = std::accumulate(ns_.begin(), ns_.end(), 0.0L);
  return static_cast<double>(sum / ns_.size()) / 1e6;
}

JsonReport::JsonReport(const std::string& scenario) : w_(buf_) {
  w_.StartObject();
  Str("scenario", scenario);
  if (!g_report_context.target.empty()) Str("target", g_report_context.target);
  if (!g_report_context.endpoint.empty()) Str("endpoint", g_report_context.endpoint);
}

JsonReport& JsonReport::Str(const char* key, const std::string& v) {
  w_.Key(key);
  w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  return *this;
}
JsonReport& JsonReport::Int(const char* key, int64_t v) {
  w_.Key(key);
  w_.Int64(v);
  return *this;
}
JsonReport& JsonReport::Num(const char* key, double v) {
  w_.Key(key);
  w_.Double(Round3(v));
  return *this;
}
JsonReport& JsonReport::Bool(const char* key, bool v) {
  w_.Key(key);
  w_.Bool(v);
  return *this;
}
JsonReport& JsonReport::Null(const char* key) {
  w_.Key(key);
  w_.Null();
  return *this;
}

JsonReport& JsonReport::Latency(const char* key, Latencies& lat, std::initializer_list<int> percentiles) {
  w_.Key(key);
  w_.StartObject();
  w_.Key("count");
  w_.Int64(static_cast<int64_t>(lat.count()));
  for (int p : percentiles) {
    char k[16];
    std::snprintf(k, sizeof k, "p%d", p);
    w_.Key(k);
    w_.Double(Round3(lat.PercentileMs(p)));
  }
  w_.Key("max");
  w_.Double(Round3(lat.MaxMs()));
  w_.Key("mean");
  w_.Double(Round3(lat.MeanMs()));
  w_.EndObject();
  return *this;
}

JsonReport& JsonReport::Errors(const ErrorTally& errors) {
  w_.Key("errors");
  w_.StartObject();
  for (const auto& [type, n] : errors.counts()) {
    w_.Key(type.c_str());
    w_.Int64(n);
  }
  w_.EndObject();
  return *this;
}

void JsonReport::Emit() {
  w_.EndObject();
  std::fwrite(buf_.GetString(), 1, buf_.GetSize(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace sluice::bench
