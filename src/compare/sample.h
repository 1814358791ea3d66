// A realistic, deterministic ComparisonResults (a simulated 60-s run at
// 500 events/s: lognormal consumer latencies, Firehose objects every ~10 s),
// for renderer tests, the browser test and documentation screenshots. It is
// not a measurement: `config.endpoint` says "simulated sample".
#pragma once

#include <cstdint>

#include "compare/results.h"

namespace sluice::compare {

struct SampleOptions {
  uint64_t seed = 1;
  double duration_s = 60;
  double rate = 500;
  uint32_t buffering_interval_s = 10;
};

ComparisonResults MakeSampleResults(const SampleOptions& options = {});

}  // namespace sluice::compare
