// WriteField(w, "key", value): one key/value pair on a RapidJSON writer
// (Writer or PrettyWriter), for the types our JSON outputs use. Non-finite
// doubles are written as 0, since JSON has no NaN or infinity.
#pragma once

#include <rapidjson/writer.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace sluice::codec {

template <typename W>
void WriteField(W& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
template <typename W>
void WriteField(W& w, const char* key, bool v) {
  w.Key(key);
  w.Bool(v);
}
template <typename W>
void WriteField(W& w, const char* key, double v) {
  w.Key(key);
  w.Double(std::isfinite(v) ? v : 0.0);
}
template <typename W>
void WriteField(W& w, const char* key, uint64_t v) {
  w.Key(key);
  w.Uint64(v);
}
template <typename W>
void WriteField(W& w, const char* key, uint32_t v) {
  w.Key(key);
  w.Uint(v);
}
template <typename W>
void WriteField(W& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}

}  // namespace sluice::codec
