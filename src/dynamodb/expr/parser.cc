// A tokenizer and a recursive-descent parser per grammar. Syntax errors stop
// at once; the semantic errors (undefined placeholders, reserved words,
// misused functions, operand types) are collected and the one of highest
// precedence is reported after a successful parse, as DynamoDB does.
#include "dynamodb/expr/parser.h"

#include <algorithm>
#include <optional>

#include "dynamodb/expr/reserved_words.h"

namespace sluice::dynamodb::expr {
namespace {

enum class Tok { kName, kNamePlaceholder, kValuePlaceholder, kNumber, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  size_t begin = 0, end = 0;
};

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool EqualsUpper(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

// AWS's limits on one expression: 4 KB of text (as sent, before
// substitution) and 300 operators and functions.
constexpr size_t kMaxExpressionBytes = 4096;
constexpr int kMaxOperators = 300;

// Error precedence, first reported first (dynalite's observed AWS order).
enum class Severity {
  kParens,
  kUnknownFunction,
  kMisusedFunction,
  kReserved,
  kPlaceholder,
  kOperand,
  kFunction,
  kPath
};

class Parser {
 public:
  Parser(std::string_view text, ParseContext& ctx) : text_(text), ctx_(ctx) {}

  Status Tokenize() {
    size_t i = 0;
    while (true) {
      while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) ++i;
      Token t;
      t.begin = i;
      if (i == text_.size()) {
        t.kind = Tok::kEnd;
        t.text = "<EOF>";
        t.end = i;
        tokens_.push_back(t);
        return Status::Ok();
      }
      char c = text_[i];
      if (c == '#' || c == ':') {
        size_t j = i + 1;
        while (j < text_.size() && IsNameChar(text_[j])) ++j;
        if (j == i + 1) return SyntaxErrorAt(i, i + 1);
        t.kind = c == '#' ? Tok::kNamePlaceholder : Tok::kValuePlaceholder;
        i = j;
      } else if (c >= '0' && c <= '9') {
        size_t j = i;
        while (j < text_.size() && IsNameChar(text_[j])) ++j;
        bool digits = std::all_of(text_.begin() + i, text_.begin() + j, [](char d) { return d >= '0' && d <= '9'; });
        // A name may not begin with a digit: "1a" is no token any rule takes.
        t.kind = digits ? Tok::kNumber : Tok::kPunct;
        i = j;
      } else if (IsNameChar(c)) {
        size_t j = i;
        while (j < text_.size() && IsNameChar(text_[j])) ++j;
        t.kind = Tok::kName;
        i = j;
      } else if ((c == '<' || c == '>') && i + 1 < text_.size() &&
                 (text_[i + 1] == '=' || (c == '<' && text_[i + 1] == '>'))) {
        t.kind = Tok::kPunct;
        i += 2;
      } else if (std::string_view("=<>()[],.+-").find(c) != std::string_view::npos) {
        t.kind = Tok::kPunct;
        i += 1;
      } else {
        // The whole UTF-8 sequence, so that the message stays valid text.
        size_t j = i + 1;
        while (j < text_.size() && (static_cast<unsigned char>(text_[j]) & 0xC0) == 0x80) ++j;
        return SyntaxErrorAt(i, j);
      }
      t.end = i;
      t.text = std::string(text_.substr(t.begin, t.end - t.begin));
      tokens_.push_back(std::move(t));
    }
  }

  // --- conditions ---------------------------------------------------------

  Result<ConditionNode> ParseWholeCondition() {
    auto node = ParseOr();
    if (!node.ok()) return node;
    if (Peek().kind != Tok::kEnd) return SyntaxError();
    SLUICE_RETURN_IF_ERROR(CheckOperatorCount());
    if (auto st = Reported(); !st.ok()) return st;
    return node;
  }

  // --- updates ------------------------------------------------------------

  Result<std::vector<UpdateAction>> ParseWholeUpdate() {
    std::vector<UpdateAction> actions;
    std::set<std::string> sections;
    if (Peek().kind == Tok::kEnd) return SyntaxError();
    while (Peek().kind != Tok::kEnd) {
      const Token& section = Peek();
      std::string upper;
      for (const char* s : {"SET", "REMOVE", "ADD", "DELETE"}) {
        if (section.kind == Tok::kName && EqualsUpper(section.text, s)) upper = s;
      }
      if (upper.empty()) return SyntaxError();
      Next();
      if (!sections.insert(upper).second) {
        Report(Severity::kParens, "The \"" + upper + "\" section can only be used once in an update expression;");
      }
      while (true) {
        UpdateAction action;
        auto path = ParsePath();
        if (!path.ok()) return path.status();
        action.path = std::move(path).value();
        if (upper == "SET") {
          action.kind = UpdateAction::Kind::kSet;
          if (!Accept("=")) return SyntaxError();
          auto value = ParseSetValue();
          if (!value.ok()) return value.status();
          action.operand = std::move(value).value();
        } else if (upper == "REMOVE") {
          action.kind = UpdateAction::Kind::kRemove;
        } else {
          action.kind = upper == "ADD" ? UpdateAction::Kind::kAdd : UpdateAction::Kind::kDelete;
          if (Peek().kind != Tok::kValuePlaceholder) return SyntaxError();
          Operand value = ValueOperand(Next());
          CheckAddDeleteOperand(upper, value);
          action.operand = std::move(value);
        }
        actions.push_back(std::move(action));
        if (!Accept(",")) break;
      }
    }
    SLUICE_RETURN_IF_ERROR(CheckOperatorCount());
    if (auto st = Reported(); !st.ok()) return st;
    std::vector<Path> paths;
    for (const auto& a : actions) paths.push_back(a.path);
    SLUICE_RETURN_IF_ERROR(CheckPathsDisjoint(paths));
    return actions;
  }

  // --- projections --------------------------------------------------------

  Result<std::vector<Path>> ParseWholeProjection() {
    std::vector<Path> paths;
    while (true) {
      auto path = ParsePath();
      if (!path.ok()) return path.status();
      paths.push_back(std::move(path).value());
      if (!Accept(",")) break;
    }
    if (Peek().kind != Tok::kEnd) return SyntaxError();
    if (auto st = Reported(); !st.ok()) return st;
    SLUICE_RETURN_IF_ERROR(CheckPathsDisjoint(paths));
    return paths;
  }

 private:
  Status CheckOperatorCount() const {
    if (operators_ <= kMaxOperators) return Status::Ok();
    return Status::InvalidArgument("The expression contains too many operators; operator count: " +
                                   std::to_string(operators_));
  }

  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool IsPunct(const Token& t, std::string_view p) const { return t.kind == Tok::kPunct && t.text == p; }
  bool IsKeyword(const Token& t, std::string_view upper) const {
    return t.kind == Tok::kName && EqualsUpper(t.text, upper);
  }
  bool Accept(std::string_view p) {
    if (!IsPunct(Peek(), p)) return false;
    Next();
    return true;
  }

  // AWS quotes the offending token and the text from the token before it to
  // the token after it.
  Status SyntaxError() const {
    const Token& t = Peek();
    size_t from = pos_ > 0 ? tokens_[pos_ - 1].begin : t.begin;
    size_t to = t.kind == Tok::kEnd ? t.end : Peek(1).kind == Tok::kEnd ? t.end : Peek(1).end;
    return Status::InvalidArgument("Syntax error; token: \"" + t.text + "\", near: \"" +
                                   std::string(text_.substr(from, to - from)) + "\"");
  }
  Status SyntaxErrorAt(size_t begin, size_t end) const {
    size_t from = tokens_.empty() ? begin : tokens_.back().begin;
    size_t to = end;
    return Status::InvalidArgument("Syntax error; token: \"" + std::string(text_.substr(begin, end - begin)) +
                                   "\", near: \"" + std::string(text_.substr(from, to - from)) + "\"");
  }

  void Report(Severity s, std::string message) {
    if (!error_ || s < error_->first) error_.emplace(s, std::move(message));
  }
  Status Reported() const { return error_ ? Status::InvalidArgument(error_->second) : Status::Ok(); }

  Operand ValueOperand(const Token& t) {
    Operand op;
    op.kind = Operand::Kind::kValue;
    auto it = ctx_.values.find(t.text);
    if (it == ctx_.values.end()) {
      Report(Severity::kPlaceholder,
             "An expression attribute value used in expression is not defined; attribute value: " + t.text);
    } else {
      ctx_.used_values.insert(t.text);
      op.value = it->second;
    }
    return op;
  }

  Result<std::string> PathName() {
    const Token& t = Peek();
    if (t.kind == Tok::kNamePlaceholder) {
      Next();
      auto it = ctx_.names.find(t.text);
      if (it == ctx_.names.end()) {
        Report(Severity::kPlaceholder,
               "An expression attribute name used in the document path is not defined; attribute name: " + t.text);
        return t.text;
      }
      ctx_.used_names.insert(t.text);
      return it->second;
    }
    if (t.kind != Tok::kName) return SyntaxError();
    Next();
    if (IsReservedWord(t.text)) {
      Report(Severity::kReserved, "Attribute name is a reserved keyword; reserved keyword: " + t.text);
    }
    return t.text;
  }

  Result<Path> ParsePath() {
    Path path;
    auto first = PathName();
    if (!first.ok()) return first.status();
    path.elements.push_back({std::move(first).value(), 0, false});
    while (true) {
      if (Accept(".")) {
        auto name = PathName();
        if (!name.ok()) return name.status();
        path.elements.push_back({std::move(name).value(), 0, false});
      } else if (IsPunct(Peek(), "[")) {
        Next();
        if (Peek().kind != Tok::kNumber) return SyntaxError();
        const Token& n = Next();
        int64_t index = 0;
        for (char c : n.text) index = std::min<int64_t>(index * 10 + (c - '0'), int64_t{1} << 40);
        if (!Accept("]")) return SyntaxError();
        path.elements.push_back({"", index, true});
      } else {
        return path;
      }
    }
  }

  bool IsFunctionCall() const { return Peek().kind == Tok::kName && IsPunct(Peek(1), "("); }

  // A function call's name and arguments (operands).
  Result<std::pair<std::string, std::vector<Operand>>> ParseCall() {
    ++operators_;
    std::string name = Next().text;
    Next();  // (
    std::vector<Operand> args;
    if (!IsPunct(Peek(), ")")) {
      while (true) {
        auto arg = ParseOperand();
        if (!arg.ok()) return arg.status();
        args.push_back(std::move(arg).value());
        if (!Accept(",")) break;
      }
    }
    if (!Accept(")")) return SyntaxError();
    return std::make_pair(std::move(name), std::move(args));
  }

  static bool IsConditionFunction(const std::string& n) {
    return n == "attribute_exists" || n == "attribute_not_exists" || n == "attribute_type" || n == "begins_with" ||
           n == "contains";
  }

  void CheckArgCount(const std::string& name, const std::vector<Operand>& args, size_t want) {
    if (args.size() != want) {
      Report(Severity::kOperand, "Incorrect number of operands for operator or function; operator or function: " +
                                     name + ", number of operands: " + std::to_string(args.size()));
    }
  }

  // path | :value | size(path)
  Result<Operand> ParseOperand() {
    DepthGuard guard(depth_);
    if (depth_ > kMaxDepth) return SyntaxError();
    if (Peek().kind == Tok::kValuePlaceholder) return ValueOperand(Next());
    if (IsFunctionCall()) {
      auto call = ParseCall();
      if (!call.ok()) return call.status();
      auto& [name, args] = call.value();
      Operand op;
      op.kind = Operand::Kind::kSize;
      if (name == "size") {
        CheckArgCount(name, args, 1);
        if (!args.empty() && args[0].kind == Operand::Kind::kValue) {
          AttributeType t = args[0].value.type();
          if (t == AttributeType::kN || t == AttributeType::kBool || t == AttributeType::kNull) {
            Report(Severity::kFunction,
                   "Incorrect operand type for operator or function; operator or function: size, operand type: " +
                       std::string(TypeName(t)));
          }
        }
      } else if (IsConditionFunction(name)) {
        Report(Severity::kMisusedFunction,
               "The function is not allowed to be used this way in an expression; function: " + name);
      } else {
        Report(Severity::kUnknownFunction, "Invalid function name; function: " + name);
      }
      op.args = std::move(args);
      return op;
    }
    if (Peek().kind == Tok::kName || Peek().kind == Tok::kNamePlaceholder) {
      auto path = ParsePath();
      if (!path.ok()) return path.status();
      Operand op;
      op.kind = Operand::Kind::kPath;
      op.path = std::move(path).value();
      return op;
    }
    return SyntaxError();
  }

  // a AND b AND c is one node with three children, so that long chains do
  // not make deep trees.
  ConditionNode Join(ConditionNode::Kind kind, ConditionNode left, ConditionNode right) {
    ++operators_;
    if (left.kind == kind) {
      left.children.push_back(std::move(right));
      return left;
    }
    ConditionNode n;
    n.kind = kind;
    n.children.push_back(std::move(left));
    n.children.push_back(std::move(right));
    return n;
  }

  // Nesting deeper than this (parentheses, NOT, function arguments) is
  // refused as a syntax error rather than recursing without bound.
  static constexpr int kMaxDepth = 200;

  struct DepthGuard {
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    int& depth_;
  };

  Result<ConditionNode> ParseOr() {
    DepthGuard guard(depth_);
    if (depth_ > kMaxDepth) return SyntaxError();
    auto left = ParseAnd();
    if (!left.ok()) return left;
    while (IsKeyword(Peek(), "OR")) {
      Next();
      auto right = ParseAnd();
      if (!right.ok()) return right;
      left = Join(ConditionNode::Kind::kOr, std::move(left).value(), std::move(right).value());
    }
    return left;
  }

  Result<ConditionNode> ParseAnd() {
    auto left = ParseNot();
    if (!left.ok()) return left;
    while (IsKeyword(Peek(), "AND")) {
      Next();
      auto right = ParseNot();
      if (!right.ok()) return right;
      left = Join(ConditionNode::Kind::kAnd, std::move(left).value(), std::move(right).value());
    }
    return left;
  }

  Result<ConditionNode> ParseNot() {
    DepthGuard guard(depth_);
    if (depth_ > kMaxDepth) return SyntaxError();
    if (IsKeyword(Peek(), "NOT")) {
      Next();
      ++operators_;
      auto inner = ParseNot();
      if (!inner.ok()) return inner;
      ConditionNode n;
      n.kind = ConditionNode::Kind::kNot;
      n.children = {std::move(inner).value()};
      return n;
    }
    return ParsePrimary();
  }

  Result<ConditionNode> ParsePrimary() {
    if (IsPunct(Peek(), "(")) {
      Next();
      bool doubled = IsPunct(Peek(), "(");
      auto inner = ParseOr();
      if (!inner.ok()) return inner;
      if (!Accept(")")) return SyntaxError();
      if (doubled && IsPunct(tokens_[pos_ - 2], ")"))
        Report(Severity::kParens, "The expression has redundant parentheses;");
      return inner;
    }
    if (IsFunctionCall() && IsConditionFunction(Peek().text)) return ParseConditionFunction();
    auto left = ParseOperand();
    if (!left.ok()) return left.status();
    const Token& t = Peek();
    ConditionNode n;
    n.operands.push_back(std::move(left).value());
    static const std::pair<const char*, Comparator> kComparators[] = {{"=", Comparator::kEq}, {"<>", Comparator::kNe},
                                                                      {"<", Comparator::kLt}, {"<=", Comparator::kLe},
                                                                      {">", Comparator::kGt}, {">=", Comparator::kGe}};
    for (const auto& [text, cmp] : kComparators) {
      if (IsPunct(t, text)) {
        Next();
        ++operators_;
        auto right = ParseOperand();
        if (!right.ok()) return right.status();
        n.kind = ConditionNode::Kind::kCompare;
        n.comparator = cmp;
        n.operands.push_back(std::move(right).value());
        CheckDistinct(text, n.operands);
        return n;
      }
    }
    if (IsKeyword(t, "BETWEEN")) {
      Next();
      ++operators_;
      auto low = ParseOperand();
      if (!low.ok()) return low.status();
      if (!IsKeyword(Peek(), "AND")) return SyntaxError();
      Next();
      auto high = ParseOperand();
      if (!high.ok()) return high.status();
      n.kind = ConditionNode::Kind::kBetween;
      n.operands.push_back(std::move(low).value());
      n.operands.push_back(std::move(high).value());
      CheckBetweenBounds(n.operands[1], n.operands[2]);
      return n;
    }
    if (IsKeyword(t, "IN")) {
      Next();
      ++operators_;
      if (!Accept("(")) return SyntaxError();
      while (true) {
        auto op = ParseOperand();
        if (!op.ok()) return op.status();
        n.operands.push_back(std::move(op).value());
        if (!Accept(",")) break;
      }
      if (!Accept(")")) return SyntaxError();
      n.kind = ConditionNode::Kind::kIn;
      if (n.operands.size() - 1 > 100) {
        Report(Severity::kOperand, "The IN operator is provided with too many operands; number of operands: " +
                                       std::to_string(n.operands.size() - 1));
      }
      return n;
    }
    // An operand alone is no condition.
    if (n.operands[0].kind == Operand::Kind::kSize) {
      Report(Severity::kMisusedFunction,
             "The function is not allowed to be used this way in an expression; function: size");
      if (t.kind == Tok::kEnd || IsPunct(t, ")") || IsKeyword(t, "AND") || IsKeyword(t, "OR")) {
        n.kind = ConditionNode::Kind::kAttributeExists;
        return n;
      }
    }
    return SyntaxError();
  }

  void CheckDistinct(const std::string& op, const std::vector<Operand>& operands) {
    if (operands.size() == 2 && operands[0].kind == Operand::Kind::kPath && operands[1].kind == Operand::Kind::kPath &&
        operands[0].path == operands[1].path) {
      Report(
          Severity::kOperand,
          "The first operand must be distinct from the remaining operands for this operator or function; operator: " +
              op + ", first operand: " + operands[0].path.ToString());
    }
  }

  void CheckBetweenBounds(const Operand& low, const Operand& high) {
    if (low.kind != Operand::Kind::kValue || high.kind != Operand::Kind::kValue) return;
    auto show = [](const AttributeValue& v) {
      std::string text = v.is(AttributeType::kS) ? v.s() : v.is(AttributeType::kN) ? v.n().ToString() : "";
      return "AttributeValue: {" + std::string(TypeName(v.type())) + ":" + text + "}";
    };
    const AttributeValue& a = low.value;
    const AttributeValue& b = high.value;
    bool greater = false;
    if (a.type() != b.type()) {
      Report(Severity::kFunction,
             "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: " +
                 show(a) + ", upper bound operand: " + show(b));
      return;
    }
    if (a.is(AttributeType::kN)) greater = b.n() < a.n();
    if (a.is(AttributeType::kS)) greater = b.s() < a.s();
    if (a.is(AttributeType::kB)) greater = b.b() < a.b();
    if (greater) {
      Report(Severity::kFunction,
             "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound "
             "operand: " +
                 show(a) + ", upper bound operand: " + show(b));
    }
  }

  Result<ConditionNode> ParseConditionFunction() {
    auto call = ParseCall();
    if (!call.ok()) return call.status();
    auto& [name, args] = call.value();
    ConditionNode n;
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      n.kind =
          name == "attribute_exists" ? ConditionNode::Kind::kAttributeExists : ConditionNode::Kind::kAttributeNotExists;
      CheckArgCount(name, args, 1);
      if (!args.empty() && args[0].kind != Operand::Kind::kPath) {
        Report(Severity::kFunction, "Operator or function requires a document path; operator or function: " + name);
      }
    } else if (name == "attribute_type") {
      n.kind = ConditionNode::Kind::kAttributeType;
      CheckArgCount(name, args, 2);
      if (args.size() == 2) {
        if (args[0].kind != Operand::Kind::kPath) {
          Report(Severity::kFunction, "Operator or function requires a document path; operator or function: " + name);
        }
        AttributeType ignored;
        if (args[1].kind != Operand::Kind::kValue || !args[1].value.is(AttributeType::kS)) {
          std::string type = args[1].kind == Operand::Kind::kValue ? std::string(TypeName(args[1].value.type()))
                                                                   : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}";
          Report(Severity::kFunction, "Incorrect operand type for operator or function; operator or function: " + name +
                                          ", operand type: " + type);
        } else if (!ParseTypeName(args[1].value.s(), &ignored)) {
          Report(Severity::kFunction, "Invalid attribute type name found; type: " + args[1].value.s() +
                                          ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
        }
      }
    } else {
      n.kind = name == "begins_with" ? ConditionNode::Kind::kBeginsWith : ConditionNode::Kind::kContains;
      CheckArgCount(name, args, 2);
      if (name == "begins_with") {
        for (const auto& a : args) {
          if (a.kind == Operand::Kind::kValue && !a.value.is(AttributeType::kS) && !a.value.is(AttributeType::kB)) {
            Report(Severity::kFunction, "Incorrect operand type for operator or function; operator or function: " +
                                            name + ", operand type: " + std::string(TypeName(a.value.type())));
          }
        }
      }
      CheckDistinct(name, args);
    }
    n.operands = std::move(args);
    return n;
  }

  // SET values: operand [(+|-) operand]
  Result<Operand> ParseSetValue() {
    auto left = ParseSetOperand();
    if (!left.ok()) return left;
    if (IsPunct(Peek(), "+") || IsPunct(Peek(), "-")) {
      ++operators_;
      bool plus = Next().text == "+";
      auto right = ParseSetOperand();
      if (!right.ok()) return right;
      Operand op;
      op.kind = plus ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      CheckArithmeticOperand(plus ? "+" : "-", left.value());
      CheckArithmeticOperand(plus ? "+" : "-", right.value());
      op.args = {std::move(left).value(), std::move(right).value()};
      return op;
    }
    return left;
  }

  void CheckArithmeticOperand(const std::string& op, const Operand& operand) {
    if (operand.kind == Operand::Kind::kValue && !operand.value.is(AttributeType::kN)) {
      Report(Severity::kOperand, "Incorrect operand type for operator or function; operator: " + op +
                                     ", operand type: " + TypeWord(operand.value.type()));
    }
  }

  void CheckAddDeleteOperand(const std::string& op, const Operand& operand) {
    AttributeType t = operand.value.type();
    bool is_set = t == AttributeType::kSS || t == AttributeType::kNS || t == AttributeType::kBS;
    if (operand.kind == Operand::Kind::kValue && !is_set && !(op == "ADD" && t == AttributeType::kN)) {
      Report(Severity::kOperand,
             "Incorrect operand type for operator or function; operator: " + op + ", operand type: " + TypeWord(t));
    }
  }

  static std::string TypeWord(AttributeType t) {
    switch (t) {
      case AttributeType::kS: return "STRING";
      case AttributeType::kN: return "NUMBER";
      case AttributeType::kB: return "BINARY";
      case AttributeType::kNull: return "NULL";
      case AttributeType::kBool: return "BOOLEAN";
      case AttributeType::kL: return "LIST";
      case AttributeType::kM: return "MAP";
      default: return std::string(TypeName(t));
    }
  }

  // path | :value | if_not_exists(path, value) | list_append(a, b)
  Result<Operand> ParseSetOperand() {
    DepthGuard guard(depth_);
    if (depth_ > kMaxDepth) return SyntaxError();
    if (!IsFunctionCall()) {
      if (Peek().kind == Tok::kValuePlaceholder) return ValueOperand(Next());
      auto path = ParsePath();
      if (!path.ok()) return path.status();
      Operand op;
      op.kind = Operand::Kind::kPath;
      op.path = std::move(path).value();
      return op;
    }
    ++operators_;
    std::string name = Next().text;
    Next();  // (
    std::vector<Operand> args;
    if (!IsPunct(Peek(), ")")) {
      while (true) {
        auto arg = ParseSetOperand();
        if (!arg.ok()) return arg;
        args.push_back(std::move(arg).value());
        if (!Accept(",")) break;
      }
    }
    if (!Accept(")")) return SyntaxError();
    Operand op;
    if (name == "if_not_exists") {
      op.kind = Operand::Kind::kIfNotExists;
      CheckArgCount(name, args, 2);
      if (!args.empty() && args[0].kind != Operand::Kind::kPath) {
        Report(Severity::kFunction, "Operator or function requires a document path; operator or function: " + name);
      }
    } else if (name == "list_append") {
      op.kind = Operand::Kind::kListAppend;
      CheckArgCount(name, args, 2);
      for (const auto& a : args) {
        if (a.kind == Operand::Kind::kValue && !a.value.is(AttributeType::kL)) {
          Report(Severity::kFunction, "Incorrect operand type for operator or function; operator or function: " + name +
                                          ", operand type: " + std::string(TypeName(a.value.type())));
        }
      }
    } else if (name == "size" || IsConditionFunction(name)) {
      Report(Severity::kMisusedFunction, "The function is not allowed in an update expression; function: " + name);
    } else {
      Report(Severity::kUnknownFunction, "Invalid function name; function: " + name);
    }
    while (args.size() < 2) args.emplace_back();  // arity already reported
    op.args = std::move(args);
    return op;
  }

  std::string_view text_;
  ParseContext& ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  int operators_ = 0;
  std::optional<std::pair<Severity, std::string>> error_;
};

template <typename T, typename F>
Result<T> Run(std::string_view text, ParseContext& ctx, F parse) {
  if (text.empty()) return Status::InvalidArgument("The expression can not be empty;");
  if (text.size() > kMaxExpressionBytes) {
    return Status::InvalidArgument("Expression size has exceeded the maximum allowed size; expression size: " +
                                   std::to_string(text.size()));
  }
  Parser p(text, ctx);
  SLUICE_RETURN_IF_ERROR(p.Tokenize());
  return parse(p);
}

}  // namespace

Result<ConditionNode> ParseCondition(std::string_view text, ParseContext& ctx) {
  return Run<ConditionNode>(text, ctx, [](Parser& p) { return p.ParseWholeCondition(); });
}

Result<std::vector<UpdateAction>> ParseUpdate(std::string_view text, ParseContext& ctx) {
  return Run<std::vector<UpdateAction>>(text, ctx, [](Parser& p) { return p.ParseWholeUpdate(); });
}

Result<std::vector<Path>> ParseProjection(std::string_view text, ParseContext& ctx) {
  return Run<std::vector<Path>>(text, ctx, [](Parser& p) { return p.ParseWholeProjection(); });
}

Status CheckPathsDisjoint(const std::vector<Path>& paths) {
  for (size_t j = 1; j < paths.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const auto& a = paths[i].elements;
      const auto& b = paths[j].elements;
      size_t k = 0;
      bool diverge = false;
      for (; k < a.size() && k < b.size(); ++k) {
        if (a[k].is_index != b[k].is_index) {
          return Status::InvalidArgument(
              "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
              paths[i].ToString() + ", path two: " + paths[j].ToString());
        }
        if (!(a[k] == b[k])) {
          diverge = true;
          break;
        }
      }
      if (!diverge) {
        return Status::InvalidArgument(
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
            paths[i].ToString() + ", path two: " + paths[j].ToString());
      }
    }
  }
  return Status::Ok();
}

}  // namespace sluice::dynamodb::expr
