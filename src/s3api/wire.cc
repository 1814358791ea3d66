#include "s3api/wire.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "auth/aws_chunked.h"
#include "codec/hex.h"
#include "codec/url.h"

namespace sluice::s3api {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

bool Target::Has(std::string_view key) const {
  return std::any_of(query.begin(), query.end(), [&](const auto& kv) { return kv.first == key; });
}

std::optional<std::string> Target::Get(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return std::nullopt;
}

Result<Target> ParseTarget(std::string_view target) {
  Target t;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  // Absolute-form request targets ("http://host/path").
  if (size_t scheme = path.find("://"); scheme != std::string_view::npos && path.front() != '/') {
    size_t slash = path.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  bool malformed = false;
  t.path = codec::UrlDecode(path, codec::UrlPart::kPath, &malformed);
  if (t.path.empty() || t.path.front() != '/') t.path.insert(t.path.begin(), '/');
  // The query as the verifier reads it (codec/url.h): one decoding for both.
  if (q != std::string_view::npos) t.query = codec::ParseQuery(target.substr(q + 1), &malformed);
  if (malformed) return Status::InvalidArgument("Couldn't parse the specified URI.");
  return t;
}

std::optional<std::string> VirtualHostBucket(std::string_view host_header, const std::vector<std::string>& bases) {
  std::string_view h = host_header;
  while (!h.empty() && h.back() == ' ') h.remove_suffix(1);
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.empty() || h.front() == '[') return std::nullopt;  // IPv6 literal
  if (size_t colon = h.rfind(':'); colon != std::string_view::npos) h = h.substr(0, colon);
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);
  std::string host = Lower(h);
  if (host.empty()) return std::nullopt;
  if (std::all_of(host.begin(), host.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }))
    return std::nullopt;  // IPv4 literal
  std::vector<std::string> all;
  for (const auto& b : bases) {
    if (b.empty()) continue;
    std::string lb = Lower(b);
    all.push_back("s3." + lb);
    all.push_back(lb);
  }
  std::sort(all.begin(), all.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& base : all) {
    if (host == base) return std::nullopt;
    if (host.size() > base.size() + 1 && host.compare(host.size() - base.size(), base.size(), base) == 0 &&
        host[host.size() - base.size() - 1] == '.')
      return host.substr(0, host.size() - base.size() - 1);
  }
  return std::nullopt;
}

RangeSpec ParseRange(std::string_view header, uint64_t size) {
  RangeSpec r;
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
  };
  header = trim(header);
  if (header.size() < 6 || Lower(header.substr(0, 6)) != "bytes=") return r;
  std::string_view spec = trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return r;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return r;
  auto parse = [](std::string_view s, uint64_t* v) {
    if (s.empty() || s.size() > 19) return false;
    uint64_t x = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      x = x * 10 + static_cast<uint64_t>(c - '0');
    }
    *v = x;
    return true;
  };
  std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix: last n bytes
    if (!parse(b, &last)) return r;
    if (last == 0 || size == 0) {
      r.kind = RangeSpec::kUnsatisfiable;
      return r;
    }
    r.kind = RangeSpec::kSatisfiable;
    r.first = last >= size ? 0 : size - last;
    r.last = size - 1;
    return r;
  }
  if (!parse(a, &first)) return r;
  if (b.empty()) {
    last = UINT64_MAX;
  } else if (!parse(b, &last) || last < first) {
    return r;
  }
  if (first >= size) {
    r.kind = RangeSpec::kUnsatisfiable;
    return r;
  }
  r.kind = RangeSpec::kSatisfiable;
  r.first = first;
  r.last = std::min<uint64_t>(last, size - 1);
  return r;
}

Result<std::string> DecodeAwsChunked(std::string_view body) { return auth::DecodeAwsChunked(body); }

std::string Rfc1123(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string Iso8601(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "&#x%X;", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

const XmlNode* XmlNode::Child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::vector<const XmlNode*> XmlNode::All(std::string_view n) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children)
    if (c.name == n) out.push_back(&c);
  return out;
}

namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

// Decodes entity references in character data.
bool DecodeText(std::string_view s, std::string* out) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out->push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) return false;
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "lt") out->push_back('<');
    else if (ent == "gt") out->push_back('>');
    else if (ent == "amp") out->push_back('&');
    else if (ent == "quot") out->push_back('"');
    else if (ent == "apos") out->push_back('\'');
    else if (ent.size() >= 2 && ent[0] == '#') {
      uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) return false;
      for (char c : digits) {
        int v = hex ? codec::HexDigitValue(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
        if (v < 0) return false;
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
        if (cp > 0x10FFFF) return false;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
      AppendUtf8(cp, out);
    } else {
      return false;
    }
    i = semi;
  }
  return true;
}

}  // namespace

Result<XmlNode> ParseXml(std::string_view doc) {
  auto bad = [](const std::string& why) { return Status::InvalidArgument("malformed XML: " + why); };
  constexpr size_t kMaxDepth = 64;
  constexpr size_t kMaxNodes = 200000;
  size_t pos = 0, nodes = 0;
  if (doc.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  XmlNode root;
  bool have_root = false, root_closed = false;
  std::vector<XmlNode*> stack;
  while (pos < doc.size()) {
    if (doc[pos] != '<') {
      size_t lt = doc.find('<', pos);
      std::string_view text = doc.substr(pos, lt == std::string_view::npos ? std::string_view::npos : lt - pos);
      if (stack.empty()) {
        if (text.find_first_not_of(" \t\r\n") != std::string_view::npos) return bad("text outside the root element");
      } else if (!DecodeText(text, &stack.back()->text)) {
        return bad("bad entity reference");
      }
      if (lt == std::string_view::npos) break;
      pos = lt;
      continue;
    }
    std::string_view rest = doc.substr(pos);
    if (rest.substr(0, 4) == "<!--") {
      size_t end = doc.find("-->", pos + 4);
      if (end == std::string_view::npos) return bad("unterminated comment");
      pos = end + 3;
      continue;
    }
    if (rest.substr(0, 2) == "<?") {
      size_t end = doc.find("?>", pos + 2);
      if (end == std::string_view::npos) return bad("unterminated processing instruction");
      pos = end + 2;
      continue;
    }
    if (rest.substr(0, 9) == "<![CDATA[") {
      size_t end = doc.find("]]>", pos + 9);
      if (end == std::string_view::npos || stack.empty()) return bad("bad CDATA section");
      stack.back()->text.append(doc.substr(pos + 9, end - pos - 9));
      pos = end + 3;
      continue;
    }
    if (rest.substr(0, 2) == "<!") return bad("declarations are not allowed");
    bool closing = rest.size() > 1 && rest[1] == '/';
    size_t p = pos + (closing ? 2 : 1);
    size_t name_start = p;
    while (p < doc.size() && IsNameChar(doc[p])) ++p;
    std::string_view qname = doc.substr(name_start, p - name_start);
    if (qname.empty()) return bad("bad tag");
    std::string_view local = qname.substr(qname.rfind(':') == std::string_view::npos ? 0 : qname.rfind(':') + 1);
    if (closing) {
      while (p < doc.size() && std::isspace(static_cast<unsigned char>(doc[p]))) ++p;
      if (p >= doc.size() || doc[p] != '>') return bad("bad end tag");
      if (stack.empty() || stack.back()->name != local) return bad("mismatched end tag");
      stack.pop_back();
      if (stack.empty()) root_closed = true;
      pos = p + 1;
      continue;
    }
    // Attributes: skip, honouring quotes.
    bool self_closing = false;
    while (true) {
      if (p >= doc.size()) return bad("unterminated tag");
      char c = doc[p];
      if (c == '"' || c == '\'') {
        size_t end = doc.find(c, p + 1);
        if (end == std::string_view::npos) return bad("unterminated attribute");
        p = end + 1;
      } else if (c == '>') {
        ++p;
        break;
      } else if (c == '/' && p + 1 < doc.size() && doc[p + 1] == '>') {
        self_closing = true;
        p += 2;
        break;
      } else if (c == '<') {
        return bad("'<' in tag");
      } else {
        ++p;
      }
    }
    if (++nodes > kMaxNodes) return bad("too many elements");
    XmlNode* node;
    if (stack.empty()) {
      if (have_root) return bad("more than one root element");
      have_root = true;
      root.name = std::string(local);
      node = &root;
    } else {
      if (stack.size() >= kMaxDepth) return bad("nested too deeply");
      stack.back()->children.push_back(XmlNode{std::string(local), {}, {}});
      node = &stack.back()->children.back();
    }
    if (!self_closing) stack.push_back(node);
    else if (node == &root) root_closed = true;
    pos = p;
    (void)root_closed;
  }
  if (!have_root) return bad("no root element");
  if (!stack.empty()) return bad("unclosed element");
  return root;
}

}  // namespace sluice::s3api
