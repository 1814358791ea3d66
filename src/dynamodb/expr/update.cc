// All operands are evaluated against the item as it was before the update;
// the writes then go to a copy that replaces the item only when every action
// succeeded.
#include "dynamodb/expr/update.h"

#include <algorithm>
#include <optional>

#include "dynamodb/expr/evaluate.h"

namespace sluice::dynamodb::expr {
namespace {

const char kMissingOperand[] = "The provided expression refers to an attribute that does not exist in the item";
const char kWrongType[] = "An operand in the update expression has an incorrect data type";
const char kInvalidPath[] = "The document path provided in the update expression is invalid for update";

Result<AttributeValue> EvaluateSetOperand(const Operand& op, const Item& item) {
  switch (op.kind) {
    case Operand::Kind::kValue: return op.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = Resolve(item, op.path);
      if (!v) return Status::InvalidArgument(kMissingOperand);
      return *v;
    }
    case Operand::Kind::kIfNotExists: {
      if (op.args.size() == 2 && op.args[0].kind == Operand::Kind::kPath) {
        if (const AttributeValue* v = Resolve(item, op.args[0].path)) return *v;
      }
      if (op.args.size() < 2) return Status::InvalidArgument(kWrongType);
      return EvaluateSetOperand(op.args[1], item);
    }
    case Operand::Kind::kListAppend: {
      if (op.args.size() != 2) return Status::InvalidArgument(kWrongType);
      auto a = EvaluateSetOperand(op.args[0], item);
      if (!a.ok()) return a;
      auto b = EvaluateSetOperand(op.args[1], item);
      if (!b.ok()) return b;
      if (!a->is(AttributeType::kL) || !b->is(AttributeType::kL)) return Status::InvalidArgument(kWrongType);
      AttributeList joined = a->l();
      joined.insert(joined.end(), b->l().begin(), b->l().end());
      return AttributeValue::List(std::move(joined));
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      if (op.args.size() != 2) return Status::InvalidArgument(kWrongType);
      auto a = EvaluateSetOperand(op.args[0], item);
      if (!a.ok()) return a;
      auto b = EvaluateSetOperand(op.args[1], item);
      if (!b.ok()) return b;
      if (!a->is(AttributeType::kN) || !b->is(AttributeType::kN)) return Status::InvalidArgument(kWrongType);
      auto sum = op.kind == Operand::Kind::kPlus ? Number::Add(a->n(), b->n()) : Number::Subtract(a->n(), b->n());
      if (!sum.ok()) return sum.status();
      return AttributeValue::Num(std::move(sum).value());
    }
    case Operand::Kind::kSize: break;
  }
  return Status::InvalidArgument(kWrongType);
}

// The container holding the last element of `path` (a map or a list), or
// null when a step before it is missing or not a container.
AttributeValue* ParentOf(Item& item, const Path& path, Item** top) {
  *top = nullptr;
  if (path.elements.size() == 1) {
    *top = &item;
    return nullptr;
  }
  auto it = item.find(path.elements[0].name);
  if (it == item.end()) return nullptr;
  AttributeValue* v = &it->second;
  for (size_t i = 1; i + 1 < path.elements.size(); ++i) {
    const PathElement& e = path.elements[i];
    if (e.is_index) {
      if (!v->is(AttributeType::kL) || static_cast<size_t>(e.index) >= v->l().size()) return nullptr;
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

// The slot at `path`, created when the parent exists (a list index past
// the end appends); null when the path is invalid for update.
AttributeValue* SlotFor(Item& item, const Path& path, bool create) {
  Item* top;
  AttributeValue* parent = ParentOf(item, path, &top);
  const PathElement& last = path.elements.back();
  if (top) {
    auto it = item.find(last.name);
    if (it != item.end()) return &it->second;
    return create ? &item[last.name] : nullptr;
  }
  if (!parent) return nullptr;
  if (last.is_index) {
    if (!parent->is(AttributeType::kL)) return nullptr;
    AttributeList& list = parent->l();
    if (static_cast<size_t>(last.index) < list.size()) return &list[static_cast<size_t>(last.index)];
    if (!create) return nullptr;
    list.emplace_back();
    return &list.back();
  }
  if (!parent->is(AttributeType::kM)) return nullptr;
  auto it = parent->m().find(last.name);
  if (it != parent->m().end()) return &it->second;
  return create ? &parent->m()[last.name] : nullptr;
}

Status Remove(Item& item, const Path& path) {
  Item* top;
  AttributeValue* parent = ParentOf(item, path, &top);
  const PathElement& last = path.elements.back();
  if (top) {
    item.erase(last.name);
    return Status::Ok();
  }
  if (!parent) return Status::Ok();  // nothing there to remove
  if (last.is_index) {
    if (!parent->is(AttributeType::kL)) return Status::InvalidArgument(kInvalidPath);
    AttributeList& list = parent->l();
    if (static_cast<size_t>(last.index) < list.size()) list.erase(list.begin() + last.index);
    return Status::Ok();
  }
  if (!parent->is(AttributeType::kM)) return Status::InvalidArgument(kInvalidPath);
  parent->m().erase(last.name);
  return Status::Ok();
}

template <typename T>
std::vector<T> Union(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

template <typename T>
std::vector<T> Difference(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out;
  for (const auto& x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  }
  return out;
}

Status Add(Item& item, const Path& path, const AttributeValue& value) {
  AttributeValue* slot = SlotFor(item, path, false);
  if (!slot) {
    if (!value.is(AttributeType::kN) && !value.is(AttributeType::kSS) && !value.is(AttributeType::kNS) &&
        !value.is(AttributeType::kBS) && !value.is(AttributeType::kL)) {
      return Status::InvalidArgument(kWrongType);
    }
    slot = SlotFor(item, path, true);
    if (!slot) return Status::InvalidArgument(kInvalidPath);
    *slot = value;
    return Status::Ok();
  }
  if (slot->type() != value.type()) return Status::InvalidArgument(kWrongType);
  switch (value.type()) {
    case AttributeType::kN: {
      auto sum = Number::Add(slot->n(), value.n());
      if (!sum.ok()) return sum.status();
      *slot = AttributeValue::Num(std::move(sum).value());
      return Status::Ok();
    }
    case AttributeType::kSS: *slot = AttributeValue::StringSet(Union(slot->ss(), value.ss())); return Status::Ok();
    case AttributeType::kNS: *slot = AttributeValue::NumberSet(Union(slot->ns(), value.ns())); return Status::Ok();
    case AttributeType::kBS: *slot = AttributeValue::BinarySet(Union(slot->bs(), value.bs())); return Status::Ok();
    case AttributeType::kL:  // legacy AttributeUpdates ADD appends to a list
      slot->l().insert(slot->l().end(), value.l().begin(), value.l().end());
      return Status::Ok();
    default: return Status::InvalidArgument(kWrongType);
  }
}

Status Delete(Item& item, const Path& path, const AttributeValue& value) {
  AttributeValue* slot = SlotFor(item, path, false);
  if (!slot) return Status::Ok();
  if (slot->type() != value.type()) return Status::InvalidArgument(kWrongType);
  AttributeValue rest;
  switch (value.type()) {
    case AttributeType::kSS: rest = AttributeValue::StringSet(Difference(slot->ss(), value.ss())); break;
    case AttributeType::kNS: rest = AttributeValue::NumberSet(Difference(slot->ns(), value.ns())); break;
    case AttributeType::kBS: rest = AttributeValue::BinarySet(Difference(slot->bs(), value.bs())); break;
    default: return Status::InvalidArgument(kWrongType);
  }
  bool empty = (rest.is(AttributeType::kSS) && rest.ss().empty()) ||
               (rest.is(AttributeType::kNS) && rest.ns().empty()) || (rest.is(AttributeType::kBS) && rest.bs().empty());
  if (empty) return Remove(item, path);  // a set is never empty: the attribute goes
  *slot = std::move(rest);
  return Status::Ok();
}

// REMOVE of list elements names positions in the original list: remove the
// highest index of a list first. A lexicographic order on paths (indexes
// descending, names ascending, names before indexes) does that and is a
// strict weak order, as sorting needs.
bool RemoveBefore(const UpdateAction* a, const UpdateAction* b) {
  const auto& x = a->path.elements;
  const auto& y = b->path.elements;
  for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (x[i] == y[i]) continue;
    if (x[i].is_index != y[i].is_index) return !x[i].is_index;
    if (x[i].is_index) return x[i].index > y[i].index;
    return x[i].name < y[i].name;
  }
  return x.size() < y.size();
}

}  // namespace

Status Update::Apply(Item& item) const {
  // Values first, all read from the item before the update.
  std::vector<std::optional<AttributeValue>> values(actions_.size());
  for (size_t i = 0; i < actions_.size(); ++i) {
    if (actions_[i].kind == UpdateAction::Kind::kSet) {
      auto v = EvaluateSetOperand(actions_[i].operand, item);
      if (!v.ok()) return v.status();
      values[i] = std::move(v).value();
    } else if (actions_[i].kind != UpdateAction::Kind::kRemove) {
      values[i] = actions_[i].operand.value;
    }
  }
  Item updated = item;
  std::vector<const UpdateAction*> removes;
  for (size_t i = 0; i < actions_.size(); ++i) {
    const UpdateAction& a = actions_[i];
    switch (a.kind) {
      case UpdateAction::Kind::kSet: {
        AttributeValue* slot = SlotFor(updated, a.path, true);
        if (!slot) return Status::InvalidArgument(kInvalidPath);
        *slot = std::move(*values[i]);
        break;
      }
      case UpdateAction::Kind::kRemove: removes.push_back(&a); break;
      case UpdateAction::Kind::kAdd: SLUICE_RETURN_IF_ERROR(Add(updated, a.path, *values[i])); break;
      case UpdateAction::Kind::kDelete: SLUICE_RETURN_IF_ERROR(Delete(updated, a.path, *values[i])); break;
    }
  }
  std::stable_sort(removes.begin(), removes.end(), RemoveBefore);
  for (const UpdateAction* a : removes) SLUICE_RETURN_IF_ERROR(Remove(updated, a->path));
  item = std::move(updated);
  return Status::Ok();
}

std::vector<Path> Update::Paths() const {
  std::vector<Path> paths;
  for (const auto& a : actions_) paths.push_back(a.path);
  return paths;
}

}  // namespace sluice::dynamodb::expr
