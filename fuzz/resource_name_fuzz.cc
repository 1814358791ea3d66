// Fuzz target: arbitrary names and regions through the name-to-directory
// mapping (storage/resource_dir.h). Properties checked on every input:
//  * containment: OnDiskName(x) is one plain path component (never "", "."
//    or "..", no '/', no NUL, at most 255 bytes, never a leading '.'), and
//    PathOf(region, name) stays exactly two levels below the service root;
//  * injectivity: two different names never map to the same component (the
//    escaped form decodes back to the name; hashed forms differ by SHA-256);
//  * region syntax: whatever IsValidRegion accepts maps to itself.
// Input: region NUL name-a NUL name-b (missing parts are empty).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "io/dir_tree.h"
#include "model/region.h"
#include "storage/resource_dir.h"

namespace {

std::string Decode(const std::string& d) {
  std::string out;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] != '%') {
      out.push_back(d[i]);
      continue;
    }
    if (i + 2 >= d.size()) std::abort();  // an escape is always complete
    out.push_back(static_cast<char>(std::stoi(d.substr(i + 1, 2), nullptr, 16)));
    i += 2;
  }
  return out;
}

void CheckComponent(std::string_view name) {
  std::string d = sluice::storage::OnDiskName(name);
  if (!sluice::io::IsPlainComponent(d) || d[0] == '.') std::abort();
  bool hashed = d.find("%%") != std::string::npos;
  if (!hashed && !name.empty() && Decode(d) != name) std::abort();
  if (hashed && d.size() != d.find("%%") + 2 + 64) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t a = in.find('\0');
  std::string_view region = in.substr(0, a);
  std::string_view rest = a == std::string_view::npos ? std::string_view{} : in.substr(a + 1);
  size_t b = rest.find('\0');
  std::string_view name_a = rest.substr(0, b);
  std::string_view name_b = b == std::string_view::npos ? std::string_view{} : rest.substr(b + 1);

  CheckComponent(region);
  CheckComponent(name_a);
  CheckComponent(name_b);
  if (name_a != name_b && sluice::storage::OnDiskName(name_a) == sluice::storage::OnDiskName(name_b)) std::abort();
  if (sluice::model::IsValidRegion(region) && sluice::storage::OnDiskName(region) != region) std::abort();

  sluice::storage::ResourceDirectory dirs("/data", "kinesis", "stream.json");
  auto p = dirs.PathOf(region, name_a);
  if (p.parent_path().parent_path() != "/data/kinesis" || p.lexically_normal() != p) std::abort();
  return 0;
}
