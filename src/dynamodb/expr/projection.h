// Projection: a ProjectionExpression (or legacy AttributesToGet): the listed
// paths copied into a new item, nested maps and lists rebuilt around them
// (list elements keep their order, compacted).
#pragma once

#include <optional>
#include <vector>

#include "dynamodb/expr/path.h"

namespace sluice::dynamodb::expr {

class Projection {
 public:
  explicit Projection(std::vector<Path> paths) : paths_(std::move(paths)) {}

  Item Apply(const Item& item) const;
  const std::vector<Path>& paths() const { return paths_; }

 private:
  std::vector<Path> paths_;
};

}  // namespace sluice::dynamodb::expr
