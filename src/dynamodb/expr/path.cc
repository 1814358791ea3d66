#include "dynamodb/expr/path.h"

namespace sluice::dynamodb::expr {

std::string Path::ToString() const {
  std::string out = "[";
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i) out += ", ";
    if (elements[i].is_index) {
      out += '[';
      out += std::to_string(elements[i].index);
      out += ']';
    } else {
      out += elements[i].name;
    }
  }
  return out + "]";
}

const AttributeValue* Resolve(const Item& item, const Path& path) {
  if (path.elements.empty()) return nullptr;
  auto it = item.find(path.elements[0].name);
  if (it == item.end()) return nullptr;
  const AttributeValue* v = &it->second;
  for (size_t i = 1; i < path.elements.size(); ++i) {
    const PathElement& e = path.elements[i];
    if (e.is_index) {
      if (!v->is(AttributeType::kL) || e.index < 0 || static_cast<size_t>(e.index) >= v->l().size()) return nullptr;
      v = &v->l()[static_cast<size_t>(e.index)];
    } else {
      if (!v->is(AttributeType::kM)) return nullptr;
      auto m = v->m().find(e.name);
      if (m == v->m().end()) return nullptr;
      v = &m->second;
    }
  }
  return v;
}

}  // namespace sluice::dynamodb::expr
