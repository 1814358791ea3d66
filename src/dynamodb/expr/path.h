// Document paths: an attribute name followed by ".name" and "[index]"
// elements (a.b[2].c), after #name placeholders are resolved.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dynamodb/value/attribute_value.h"

namespace sluice::dynamodb::expr {

struct PathElement {
  std::string name;   // map key or top-level attribute name (when !is_index)
  int64_t index = 0;  // list index (when is_index)
  bool is_index = false;
  bool operator==(const PathElement& o) const {
    return is_index == o.is_index && (is_index ? index == o.index : name == o.name);
  }
};

struct Path {
  std::vector<PathElement> elements;  // elements[0] is a name, never an index
  bool operator==(const Path& o) const { return elements == o.elements; }
  const std::string& top() const { return elements.front().name; }
  // "[a, b, [2]]": how AWS prints paths in its overlap message.
  std::string ToString() const;
};

// The value at `path` in `item`, or null when any step is missing or of the
// wrong type.
const AttributeValue* Resolve(const Item& item, const Path& path);

}  // namespace sluice::dynamodb::expr
