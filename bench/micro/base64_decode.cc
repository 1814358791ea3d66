// Micro-benchmark of Base64DecodeAppend on PutRecord-sized blobs (1 KiB of
// data, 1,400 characters of base64): the dispatched decoder (AVX2 where the
// CPU has it) against the portable scalar one.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "codec/base64.h"

namespace {

std::vector<std::string> Texts() {
  std::mt19937 rng(1);
  std::vector<std::string> texts;
  for (int k = 0; k < 64; ++k) {
    std::string bytes(1050, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    texts.push_back(sluice::codec::Base64Encode(bytes));
  }
  return texts;
}

template <bool (*Decode)(std::string_view, std::string*)>
void DecodeBlob(benchmark::State& state) {
  const std::vector<std::string> texts = Texts();
  std::string out;
  out.reserve(2048);
  size_t i = 0;
  for (auto _ : state) {
    out.clear();
    if (!Decode(texts[i++ % texts.size()], &out)) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(texts[0].size()));
}

BENCHMARK(DecodeBlob<sluice::codec::Base64DecodeAppend>)->Name("base64_decode/dispatched");
BENCHMARK(DecodeBlob<sluice::codec::detail::Base64DecodeAppendScalar>)->Name("base64_decode/scalar");

}  // namespace

BENCHMARK_MAIN();
