// Latency samples, error tallies and the one-JSON-object-per-scenario output
// of the benchmark harness.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sluice::bench {

// Every sample is kept (bounded by the scenario's request count or
// duration), so percentiles are exact, not bucketed.
class Latencies {
 public:
  void Add(std::chrono::nanoseconds d) { ns_.push_back(d.count()); }
  void Merge(const Latencies& other) { ns_.insert(ns_.end(), other.ns_.begin(), other.ns_.end()); }
  size_t count() const { return ns_.size(); }

  // Nearest-rank percentile in milliseconds; 0 when empty. Sorts lazily.
  double PercentileMs(double p);
  double MaxMs();
  double MeanMs() const;

 private:
  std::vector<int64_t> ns_;
  bool sorted_ = false;
};

// Error type -> count, e.g. {"ResourceNotFoundException": 3}.
class ErrorTally {
 public:
  void Add(const std::string& type, int64_t n = 1) {
    counts_[type] += n;
    total_ += n;
  }
  void Merge(const ErrorTally& o) {
    for (const auto& [k, v] : o.counts_) Add(k, v);
  }
  int64_t total() const { return total_; }
  const std::map<std::string, int64_t>& counts() const { return counts_; }

 private:
  std::map<std::string, int64_t> counts_;
  int64_t total_ = 0;
};

// Builds one flat-ish JSON object; Emit() writes it as one line on stdout.
class JsonReport {
 public:
  explicit JsonReport(const std::string& scenario);
  JsonReport& Str(const char* key, const std::string& v);
  JsonReport& Int(const char* key, int64_t v);
  JsonReport& Num(const char* key, double v);  // rounded to 3 decimals
  JsonReport& Bool(const char* key, bool v);
  JsonReport& Null(const char* key);
  // "latency_ms": {"p50":..,...} for the given percentiles, plus max/mean/count.
  JsonReport& Latency(const char* key, Latencies& lat, std::initializer_list<int> percentiles);
  JsonReport& Errors(const ErrorTally& errors);
  void Emit();

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

// Fields every report carries (set once by main).
struct ReportContext {
  std::string target;    // --label, e.g. "kinesalite"
  std::string endpoint;  // --endpoint
};
extern ReportContext g_report_context;

double Round3(double v);

}  // namespace sluice::bench
