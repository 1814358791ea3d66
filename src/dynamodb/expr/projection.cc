// Each path is copied into a sparse tree (map keys and list positions), so
// that a[3] and a[1] come out as a two-element list in index order, then the
// tree is turned back into values.
#include "dynamodb/expr/projection.h"

#include <map>

namespace sluice::dynamodb::expr {
namespace {

struct Sparse {
  std::optional<AttributeValue> whole;   // the full value at this point
  std::map<std::string, Sparse> fields;  // parts of a map
  std::map<int64_t, Sparse> elements;    // parts of a list
  bool is_list = false;
};

void Insert(Sparse& node, const AttributeValue& value, const Path& path, size_t i) {
  if (node.whole) return;  // already copied whole
  if (i == path.elements.size()) {
    node.whole = value;
    return;
  }
  const PathElement& e = path.elements[i];
  if (e.is_index) {
    if (!value.is(AttributeType::kL) || e.index < 0 || static_cast<size_t>(e.index) >= value.l().size()) return;
    node.is_list = true;
    Insert(node.elements[e.index], value.l()[static_cast<size_t>(e.index)], path, i + 1);
  } else {
    if (!value.is(AttributeType::kM)) return;
    auto it = value.m().find(e.name);
    if (it == value.m().end()) return;
    Insert(node.fields[e.name], it->second, path, i + 1);
  }
}

std::optional<AttributeValue> Build(const Sparse& node) {
  if (node.whole) return node.whole;
  if (node.is_list) {
    AttributeList list;
    for (const auto& [index, part] : node.elements) {
      if (auto v = Build(part)) list.push_back(std::move(*v));
    }
    if (list.empty()) return std::nullopt;
    return AttributeValue::List(std::move(list));
  }
  Item map;
  for (const auto& [name, part] : node.fields) {
    if (auto v = Build(part)) map.emplace(name, std::move(*v));
  }
  if (map.empty()) return std::nullopt;
  return AttributeValue::Map(std::move(map));
}

}  // namespace

Item Projection::Apply(const Item& item) const {
  std::map<std::string, Sparse> roots;
  for (const Path& path : paths_) {
    if (path.elements.empty()) continue;
    auto it = item.find(path.top());
    if (it == item.end()) continue;
    Insert(roots[path.top()], it->second, path, 1);
  }
  Item out;
  for (const auto& [name, node] : roots) {
    if (auto v = Build(node)) out.emplace(name, std::move(*v));
  }
  return out;
}

}  // namespace sluice::dynamodb::expr
