#include "saraban/pdf/incremental.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

#include "saraban/digest.h"

namespace saraban::pdf {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}
bool IsDelimiter(char c) { return c != '\0' && std::strchr("()<>[]{}/%", c) != nullptr; }

// Reads PDF tokens and values from `s`, keeping each value's raw text so
// that a rewritten dictionary copies the entries it does not change byte
// for byte. The first problem sticks: later calls return empty values and
// `error()` says what went wrong.
class Lexer {
 public:
  Lexer(std::string_view s, size_t pos) : s_(s), pos_(pos) {}

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  size_t pos() const { return pos_; }
  void Skip(size_t n) { pos_ += n; }

  void SkipSpace() {
    while (pos_ < s_.size()) {
      if (IsSpace(s_[pos_])) {
        ++pos_;
      } else if (s_[pos_] == '%') {
        while (pos_ < s_.size() && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
      } else {
        break;
      }
    }
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= s_.size();
  }
  bool LooksAt(std::string_view t) {
    SkipSpace();
    return s_.substr(pos_, t.size()) == t;
  }
  char Peek() {
    SkipSpace();
    if (pos_ >= s_.size()) return Fail("unexpected end"), '\0';
    return s_[pos_];
  }
  // A run of regular characters: a number or a keyword.
  std::string_view Token() {
    SkipSpace();
    const size_t b = pos_;
    while (pos_ < s_.size() && !IsSpace(s_[pos_]) && !IsDelimiter(s_[pos_])) ++pos_;
    if (b == pos_) Fail("expected a token at offset " + std::to_string(b));
    return s_.substr(b, pos_ - b);
  }
  std::string_view Name() {
    if (Peek() != '/') return Fail("expected a name at offset " + std::to_string(pos_)), "";
    const size_t b = ++pos_;
    while (pos_ < s_.size() && !IsSpace(s_[pos_]) && !IsDelimiter(s_[pos_])) ++pos_;
    return s_.substr(b, pos_ - b);
  }
  int64_t Integer() {
    const std::string_view t = Token();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
      Fail("expected an integer, got \"" + std::string(t) + "\"");
    }
    return v;
  }
  // Skips one value of any kind and returns its raw text.
  std::string_view Value() {
    if (failed()) return {};
    const char c = Peek();
    const size_t b = pos_;
    if (c == '<' && s_.substr(pos_, 2) == "<<") {
      pos_ += 2;
      while (!failed() && !LooksAt(">>")) {
        Name();
        Value();
      }
      pos_ += 2;
    } else if (c == '<') {
      const size_t e = s_.find('>', pos_);
      if (e == std::string_view::npos) return Fail("unterminated hex string"), "";
      pos_ = e + 1;
    } else if (c == '[') {
      ++pos_;
      while (!failed() && Peek() != ']') Value();
      ++pos_;
    } else if (c == '(') {
      int depth = 0;
      for (; pos_ < s_.size(); ++pos_) {
        if (s_[pos_] == '\\') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == '(') ++depth;
        if (s_[pos_] == ')' && --depth == 0) {
          ++pos_;
          break;
        }
      }
    } else if (c == '/') {
      Name();
    } else {
      // A number, true/false/null, or a reference "n g R".
      Token();
      const size_t after_first = pos_;
      SkipSpace();
      if (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        Token();
        SkipSpace();
        if (s_.substr(pos_, 1) == "R" &&
            (pos_ + 1 == s_.size() || IsSpace(s_[pos_ + 1]) || IsDelimiter(s_[pos_ + 1]))) {
          ++pos_;
          return s_.substr(b, pos_ - b);
        }
      }
      pos_ = after_first;
    }
    if (pos_ > s_.size()) Fail("unexpected end");
    return failed() ? std::string_view() : s_.substr(b, pos_ - b);
  }

  void Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    pos_ = s_.size();
  }

 private:
  std::string_view s_;
  size_t pos_;
  std::string error_;
};

// A dictionary as (key, raw value) pairs in their order.
struct Entry {
  std::string key;
  std::string value;
};
using Dict = std::vector<Entry>;

std::optional<Dict> ParseDict(std::string_view raw, std::string* error) {
  Lexer lx(raw, 0);
  if (!lx.LooksAt("<<")) {
    *error = "expected a dictionary";
    return std::nullopt;
  }
  lx.Skip(2);
  Dict d;
  while (!lx.failed() && !lx.LooksAt(">>")) {
    std::string key(lx.Name());
    std::string value(lx.Value());
    d.push_back({std::move(key), std::move(value)});
  }
  if (lx.failed()) {
    *error = lx.error();
    return std::nullopt;
  }
  return d;
}

const std::string* Find(const Dict& d, std::string_view key) {
  for (const auto& e : d) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

void Put(Dict* d, const std::string& key, std::string value) {
  for (auto& e : *d) {
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  }
  d->push_back({key, std::move(value)});
}

std::string Serialize(const Dict& d) {
  std::string s = "<<";
  for (const auto& e : d) s += " /" + e.key + " " + e.value;
  return s + " >>";
}

// The object number of a reference "n 0 R".
std::optional<int> RefNumber(std::string_view raw) {
  Lexer lx(raw, 0);
  const int64_t num = lx.Integer();
  lx.Integer();
  const std::string_view r = lx.Token();
  if (lx.failed() || r != "R" || !lx.AtEnd() || num <= 0) return std::nullopt;
  return static_cast<int>(num);
}

std::string Ref(int num) { return std::to_string(num) + " 0 R"; }

std::vector<std::string> ArrayItems(std::string_view raw, std::string* error) {
  Lexer lx(raw, 0);
  std::vector<std::string> items;
  if (lx.Peek() != '[') {
    *error = "expected an array";
    return items;
  }
  lx.Skip(1);
  while (!lx.failed() && lx.Peek() != ']') items.emplace_back(lx.Value());
  if (lx.failed()) *error = lx.error();
  return items;
}

std::string Array(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? " " : "") + items[i];
  return s + "]";
}

std::string Number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2f", v);
  std::string s(b);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    s += kDigits[c >> 4];
    s += kDigits[c & 15];
  }
  return s;
}

// The file's objects as its newest cross-reference sections give them.
class PdfFile {
 public:
  static Result<PdfFile> Open(std::string_view data) {
    PdfFile f(data);
    const size_t at = data.rfind("startxref");
    if (at == std::string_view::npos || data.size() - at > 1024) {
      return InvalidArgument("not a PDF saraban can read: no startxref near the end");
    }
    Lexer lx(data, at + 9);
    f.startxref_ = static_cast<size_t>(lx.Integer());
    if (lx.failed()) return InvalidArgument("not a PDF saraban can read: " + lx.error());
    if (Status s = f.ReadXref(f.startxref_, /*newest=*/true, 0); !s.ok()) return s;
    for (const char* key : {"Size", "Root", "ID"}) {
      if (Find(f.trailer_, key) == nullptr) {
        return InvalidArgument(std::string("not a PDF saraban can read: the trailer has no /") +
                               key);
      }
    }
    return f;
  }

  const Dict& trailer() const { return trailer_; }
  size_t startxref() const { return startxref_; }
  int size() const { return std::atoi(Find(trailer_, "Size")->c_str()); }

  // The raw value of object `num` (between "n g obj" and "endobj").
  Result<std::string_view> Object(int num) const {
    auto it = offsets_.find(num);
    if (it == offsets_.end() || it->second >= data_.size()) {
      return InvalidArgument("object " + std::to_string(num) + " is not in the xref");
    }
    Lexer lx(data_, it->second);
    const int64_t n = lx.Integer();
    lx.Integer();
    const std::string_view obj = lx.Token();
    if (lx.failed() || n != num || obj != "obj") {
      return InvalidArgument("the xref offset of object " + std::to_string(num) + " is wrong");
    }
    lx.SkipSpace();
    const size_t b = lx.pos();
    lx.Value();
    if (lx.failed()) return InvalidArgument("object " + std::to_string(num) + ": " + lx.error());
    return data_.substr(b, lx.pos() - b);
  }
  Result<Dict> ObjectDict(int num) const {
    auto raw = Object(num);
    if (!raw.ok()) return raw.status();
    std::string error;
    auto d = ParseDict(*raw, &error);
    if (!d) return InvalidArgument("object " + std::to_string(num) + ": " + error);
    return *d;
  }
  // A value that may be a reference, resolved one level.
  Result<std::string> Resolve(const std::string& raw) const {
    if (auto num = RefNumber(raw)) {
      auto obj = Object(*num);
      if (!obj.ok()) return obj.status();
      return std::string(*obj);
    }
    return raw;
  }

 private:
  explicit PdfFile(std::string_view data) : data_(data) {}

  Status ReadXref(size_t at, bool newest, int depth) {
    if (depth > 64) return InvalidArgument("not a PDF saraban can read: /Prev loops");
    Lexer lx(data_, at);
    if (!lx.LooksAt("xref")) {
      return InvalidArgument(
          "not a PDF saraban can read: no classic xref table at offset " + std::to_string(at) +
          " (cross-reference streams are not supported)");
    }
    lx.Skip(4);
    while (!lx.failed() && !lx.LooksAt("trailer")) {
      const int64_t first = lx.Integer(), count = lx.Integer();
      for (int64_t i = 0; i < count && !lx.failed(); ++i) {
        const int64_t offset = lx.Integer();
        lx.Integer();
        const std::string_view type = lx.Token();
        const int num = static_cast<int>(first + i);
        if (type == "n") {
          offsets_.emplace(num, static_cast<size_t>(offset));  // the newest stays
        } else if (type != "f") {
          lx.Fail("bad xref entry");
        }
      }
    }
    lx.Skip(7);
    const size_t b = lx.pos();
    lx.Value();
    if (lx.failed()) return InvalidArgument("not a PDF saraban can read: " + lx.error());
    std::string error;
    auto trailer = ParseDict(data_.substr(b, lx.pos() - b), &error);
    if (!trailer) return InvalidArgument("not a PDF saraban can read: the trailer: " + error);
    if (Find(*trailer, "XRefStm") != nullptr) {
      return InvalidArgument("not a PDF saraban can read: hybrid cross-references (/XRefStm)");
    }
    if (newest) trailer_ = *trailer;
    if (const std::string* prev = Find(*trailer, "Prev")) {
      return ReadXref(static_cast<size_t>(std::atoll(prev->c_str())), false, depth + 1);
    }
    return Status::Ok();
  }

  std::string_view data_;
  size_t startxref_ = 0;
  Dict trailer_;
  std::map<int, size_t> offsets_;
};

// The catalog, its AcroForm and its fields.
struct Form {
  int catalog_num = 0;
  Dict catalog;
  std::optional<int> acroform_num;  // when the AcroForm is its own object
  Dict acroform;
  std::vector<std::string> fields;  // references
};

Result<Form> ReadForm(const PdfFile& f) {
  Form form;
  auto root = RefNumber(*Find(f.trailer(), "Root"));
  if (!root) return InvalidArgument("not a PDF saraban can read: /Root is not a reference");
  form.catalog_num = *root;
  auto catalog = f.ObjectDict(*root);
  if (!catalog.ok()) return catalog.status();
  form.catalog = std::move(catalog).value();
  if (const std::string* af = Find(form.catalog, "AcroForm")) {
    form.acroform_num = RefNumber(*af);
    auto raw = f.Resolve(*af);
    if (!raw.ok()) return raw.status();
    std::string error;
    auto d = ParseDict(*raw, &error);
    if (!d) return InvalidArgument("the AcroForm: " + error);
    form.acroform = std::move(*d);
    if (const std::string* fields = Find(form.acroform, "Fields")) {
      auto list = f.Resolve(*fields);
      if (!list.ok()) return list.status();
      form.fields = ArrayItems(*list, &error);
      if (!error.empty()) return InvalidArgument("the AcroForm's fields: " + error);
    }
  }
  return form;
}

// The last page of the page tree, and its media box.
struct LastPage {
  int num = 0;
  Dict dict;
  std::array<double, 4> media_box{0, 0, 595.276, 841.89};
};

Result<LastPage> FindLastPage(const PdfFile& f, const Dict& catalog) {
  const std::string* pages = Find(catalog, "Pages");
  std::optional<int> num = pages ? RefNumber(*pages) : std::nullopt;
  if (!num) return InvalidArgument("not a PDF saraban can read: the catalog has no /Pages");
  std::string media_box;
  for (int depth = 0; depth < 64; ++depth) {
    auto node = f.ObjectDict(*num);
    if (!node.ok()) return node.status();
    if (const std::string* mb = Find(*node, "MediaBox")) {
      auto raw = f.Resolve(*mb);
      if (!raw.ok()) return raw.status();
      media_box = *raw;
    }
    const std::string* type = Find(*node, "Type");
    std::string error;
    if (type != nullptr && *type == "/Page") {
      LastPage page;
      page.num = *num;
      page.dict = std::move(node).value();
      const auto box = ArrayItems(media_box.empty() ? "[0 0 595.276 841.89]" : media_box, &error);
      if (!error.empty() || box.size() != 4) return InvalidArgument("a bad /MediaBox");
      for (int i = 0; i < 4; ++i) page.media_box[i] = std::atof(box[i].c_str());
      return page;
    }
    const std::string* kids = Find(*node, "Kids");
    if (kids == nullptr) return InvalidArgument("a page tree node without /Kids");
    auto raw = f.Resolve(*kids);
    if (!raw.ok()) return raw.status();
    const auto items = ArrayItems(*raw, &error);
    if (!error.empty() || items.empty()) return InvalidArgument("an empty page tree node");
    num = RefNumber(items.back());
    if (!num) return InvalidArgument("a page tree kid that is not a reference");
  }
  return InvalidArgument("the page tree is too deep");
}

bool ValidFieldName(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '-' || c == '_';
         });
}

// The objects of one update, at their offsets in the new file.
struct Update {
  size_t base = 0;
  std::string out;
  std::map<int, size_t> offsets;

  void Object(int num, const std::string& body) {
    offsets[num] = base + out.size();
    out += std::to_string(num) + " 0 obj\n" + body + "\nendobj\n";
  }
  // The cross-reference section of exactly these objects, in runs.
  void Xref() {
    out += "xref\n";
    for (auto it = offsets.begin(); it != offsets.end();) {
      auto end = it;
      int count = 0;
      while (end != offsets.end() && end->first == it->first + count) {
        ++end;
        ++count;
      }
      out += std::to_string(it->first) + " " + std::to_string(count) + "\n";
      for (; it != end; ++it) {
        char entry[24];
        std::snprintf(entry, sizeof entry, "%010zu 00000 n\r\n", it->second);
        out += entry;
      }
    }
  }
};

constexpr std::string_view kByteRangePlaceholder = "[0 0000000000 0000000000 0000000000]";

// The length of the DER value at the start of `der`, or 0.
size_t DerLength(std::string_view der) {
  if (der.size() < 2) return 0;
  const auto len = static_cast<unsigned char>(der[1]);
  if (len < 0x80) return 2 + len;
  const size_t n = len & 0x7f;
  if (n == 0 || n > 4 || der.size() < 2 + n) return 0;
  size_t value = 0;
  for (size_t i = 0; i < n; ++i) value = (value << 8) | static_cast<unsigned char>(der[2 + i]);
  return 2 + n + value;
}

std::string Unhex(std::string_view hex, bool* ok) {
  std::string out;
  out.reserve(hex.size() / 2);
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  *ok = hex.size() % 2 == 0;
  for (size_t i = 0; *ok && i + 1 < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) *ok = false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string Unquote(const std::string& literal) {
  if (literal.size() >= 2 && literal.front() == '(' && literal.back() == ')') {
    return literal.substr(1, literal.size() - 2);
  }
  return literal;
}

}  // namespace

namespace {

// What an update starts from: the file, its form and its last page.
struct Document {
  PdfFile file;
  Form form;
  LastPage page;
};

Result<Document> OpenDocument(std::string_view pdf) {
  auto f = PdfFile::Open(pdf);
  if (!f.ok()) return f.status();
  auto form = ReadForm(*f);
  if (!form.ok()) return form.status();
  auto page = FindLastPage(*f, form->catalog);
  if (!page.ok()) return page.status();
  return Document{std::move(f).value(), std::move(form).value(), std::move(page).value()};
}

// The field of the form named `name`: its number and dictionary.
struct NamedField {
  int num = 0;
  Dict dict;
};
Result<std::optional<NamedField>> FindField(const Document& doc, const std::string& name) {
  for (const std::string& ref : doc.form.fields) {
    auto num = RefNumber(ref);
    if (!num) continue;
    auto dict = doc.file.ObjectDict(*num);
    if (!dict.ok()) return dict.status();
    const std::string* t = Find(*dict, "T");
    if (t != nullptr && Unquote(*t) == name) {
      return std::optional<NamedField>(NamedField{*num, std::move(dict).value()});
    }
  }
  return std::optional<NamedField>();
}

std::string RectText(const std::array<double, 4>& r) {
  return "[" + Number(r[0]) + " " + Number(r[1]) + " " + Number(r[2]) + " " + Number(r[3]) + "]";
}

// A widget's appearance: a border inside its box.
std::string BorderAppearance(const std::array<double, 4>& rect) {
  const double w = rect[2] - rect[0], h = rect[3] - rect[1];
  const std::string border =
      "q 0 G 0.5 w 0.25 0.25 " + Number(w - 0.5) + " " + Number(h - 0.5) + " re S Q\n";
  return "<< /Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 " + Number(w) + " " +
         Number(h) + "] /Resources << >> /Length " + std::to_string(border.size()) +
         " >>\nstream\n" + border + "\nendstream";
}

// A signature field merged with its widget: printed and locked (PDF/A
// wants the Print flag and a normal appearance stream, nothing else).
Dict Widget(const std::string& name, const std::array<double, 4>& rect, int page,
            int appearance) {
  return {{"Type", "/Annot"}, {"Subtype", "/Widget"},     {"FT", "/Sig"},
          {"T", "(" + name + ")"}, {"F", "132"},           {"Rect", RectText(rect)},
          {"P", Ref(page)},       {"AP", "<< /N " + Ref(appearance) + " >>"}};
}

// Writes the update's AcroForm (its own object, so that later updates
// rewrite it and not the catalog), the catalog when the AcroForm is new,
// and the last page with `added` widgets in its /Annots.
Status WriteFormAndPage(const Document& doc, const std::vector<std::string>& added,
                        bool signed_now, int* next, Update* u) {
  const bool new_acroform = !doc.form.acroform_num.has_value();
  const int acroform_num = new_acroform ? (*next)++ : *doc.form.acroform_num;
  std::vector<std::string> fields = doc.form.fields;
  fields.insert(fields.end(), added.begin(), added.end());
  Dict acroform = doc.form.acroform;
  Put(&acroform, "Fields", Array(fields));
  if (signed_now) Put(&acroform, "SigFlags", "3");  // signatures exist; append only
  u->Object(acroform_num, Serialize(acroform));
  if (new_acroform) {
    Dict catalog = doc.form.catalog;
    Put(&catalog, "AcroForm", Ref(acroform_num));
    u->Object(doc.form.catalog_num, Serialize(catalog));
  }
  if (added.empty()) return Status::Ok();
  std::vector<std::string> annots;
  if (const std::string* a = Find(doc.page.dict, "Annots")) {
    auto raw = doc.file.Resolve(*a);
    if (!raw.ok()) return raw.status();
    std::string error;
    annots = ArrayItems(*raw, &error);
    if (!error.empty()) return InvalidArgument("the last page's /Annots: " + error);
  }
  annots.insert(annots.end(), added.begin(), added.end());
  Dict page = doc.page.dict;
  Put(&page, "Annots", Array(annots));
  u->Object(doc.page.num, Serialize(page));
  return Status::Ok();
}

// The update's cross-reference section and trailer: ID[0] stays (the
// document's identity); ID[1] is new and deterministic, from the earlier
// bytes and `salt`.
Status FinishUpdate(std::string_view pdf, const Document& doc, int next, const std::string& salt,
                    Update* u) {
  const size_t xref_at = u->base + u->out.size();
  u->Xref();
  std::string error;
  const auto ids = ArrayItems(*Find(doc.file.trailer(), "ID"), &error);
  if (!error.empty() || ids.size() != 2) return InvalidArgument("the trailer's /ID is not a pair");
  Sha256 id;
  id.Update(pdf);
  id.Update(salt);
  const auto digest = id.Final();
  const std::string new_id(reinterpret_cast<const char*>(digest.data()), 16);
  Dict trailer = {{"Size", std::to_string(next)}, {"Root", *Find(doc.file.trailer(), "Root")}};
  if (const std::string* info = Find(doc.file.trailer(), "Info")) Put(&trailer, "Info", *info);
  Put(&trailer, "ID", "[" + ids[0] + " <" + Hex(new_id) + ">]");
  Put(&trailer, "Prev", std::to_string(doc.file.startxref()));
  u->out += "trailer\n" + Serialize(trailer) + "\nstartxref\n" + std::to_string(xref_at) +
            "\n%%EOF\n";
  return Status::Ok();
}

Update StartUpdate(std::string_view pdf) {
  Update u;
  u.base = pdf.size();
  if (!pdf.empty() && pdf.back() != '\n' && pdf.back() != '\r') u.out += '\n';
  return u;
}

bool Degenerate(const std::array<double, 4>& r) { return r[2] - r[0] <= 2 || r[3] - r[1] <= 2; }

}  // namespace

Result<std::string> AddSignatureFields(std::string_view pdf,
                                       const std::vector<EmptySignatureField>& fields) {
  auto doc = OpenDocument(pdf);
  if (!doc.ok()) return doc.status();
  int next = doc->file.size();
  Update u = StartUpdate(pdf);
  std::vector<std::string> added;
  std::string salt;
  for (const EmptySignatureField& field : fields) {
    if (!ValidFieldName(field.name)) {
      return InvalidArgument("a signature field name is 1..64 of a-z A-Z 0-9 - _, got \"" +
                             field.name + "\"");
    }
    auto existing = FindField(*doc, field.name);
    if (!existing.ok()) return existing.status();
    if (existing->has_value() || salt.find("/" + field.name + "/") != std::string::npos) {
      return InvalidArgument("the document already has a field named " + field.name);
    }
    if (Degenerate(field.rect)) return InvalidArgument("the box of " + field.name + " is empty");
    const int widget = next++, appearance = next++;
    u.Object(widget, Serialize(Widget(field.name, field.rect, doc->page.num, appearance)));
    u.Object(appearance, BorderAppearance(field.rect));
    added.push_back(Ref(widget));
    salt += "/" + field.name + "/";
  }
  if (added.empty()) return std::string(pdf);
  if (Status s = WriteFormAndPage(*doc, added, /*signed_now=*/false, &next, &u); !s.ok()) return s;
  if (Status s = FinishUpdate(pdf, *doc, next, salt, &u); !s.ok()) return s;
  return std::string(pdf) + u.out;
}

Result<PreparedSignature> PrepareSignature(std::string_view pdf, const SignatureField& field) {
  if (!ValidFieldName(field.name)) {
    return InvalidArgument("a signature field name is 1..64 of a-z A-Z 0-9 - _, got \"" +
                           field.name + "\"");
  }
  auto doc = OpenDocument(pdf);
  if (!doc.ok()) return doc.status();
  auto existing = FindField(*doc, field.name);
  if (!existing.ok()) return existing.status();
  if (existing->has_value() && Find((*existing)->dict, "V") != nullptr) {
    return InvalidArgument("the field " + field.name + " is already signed");
  }

  int next = doc->file.size();
  Update u = StartUpdate(pdf);
  const int sig_num = next++;
  std::vector<std::string> added;
  if (existing->has_value()) {
    // The field made for this signer: the same box, now with its value.
    Dict widget = (*existing)->dict;
    Put(&widget, "V", Ref(sig_num));
    u.Object((*existing)->num, Serialize(widget));
  } else {
    std::array<double, 4> rect = field.rect;
    if (rect == std::array<double, 4>{}) {
      const double x2 =
          doc->page.media_box[2] - 40 - 160.0 * static_cast<double>(doc->form.fields.size());
      rect = {x2 - 150, doc->page.media_box[1] + 40, x2, doc->page.media_box[1] + 90};
    }
    if (Degenerate(rect)) return InvalidArgument("the signature box is too small");
    const int widget_num = next++, appearance_num = next++;
    Dict widget = Widget(field.name, rect, doc->page.num, appearance_num);
    Put(&widget, "V", Ref(sig_num));
    u.Object(widget_num, Serialize(widget));
    u.Object(appearance_num, BorderAppearance(rect));
    added.push_back(Ref(widget_num));
  }

  // The signature dictionary, with fixed-width placeholders.
  const size_t sig_at = u.out.size();
  u.Object(sig_num, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (" +
                        field.signing_time + ") /ByteRange " +
                        std::string(kByteRangePlaceholder) + " /Contents <" +
                        std::string(2 * field.contents_capacity, '0') + "> >>");
  const size_t byte_range_at = u.out.find(kByteRangePlaceholder, sig_at);
  const size_t contents_at = u.out.find("/Contents <", sig_at) + 10;  // the '<'
  const size_t contents_end = contents_at + 2 * field.contents_capacity + 2;

  if (Status s = WriteFormAndPage(*doc, added, /*signed_now=*/true, &next, &u); !s.ok()) return s;
  if (Status s = FinishUpdate(pdf, *doc, next, field.name, &u); !s.ok()) return s;

  PreparedSignature out;
  out.bytes = std::string(pdf) + u.out;
  out.prefix_size = pdf.size();
  out.capacity = field.contents_capacity;
  const size_t a = u.base + contents_at, b = u.base + contents_end;
  out.byte_range = {0, a, b, out.bytes.size() - b};
  std::string range = "[0 " + std::to_string(a) + " " + std::to_string(b) + " " +
                      std::to_string(out.byte_range[3]);
  range += std::string(kByteRangePlaceholder.size() - 1 - range.size(), ' ') + "]";
  out.bytes.replace(u.base + byte_range_at, range.size(), range);
  return out;
}

std::string SignedBytes(const PreparedSignature& p) {
  const auto& r = p.byte_range;
  return p.bytes.substr(r[0], r[1]) + p.bytes.substr(r[2], r[3]);
}

Status EmbedSignature(PreparedSignature* p, std::string_view der) {
  if (der.size() > p->capacity) {
    return Status(StatusCode::kResourceExhausted,
                  "the signature is " + std::to_string(der.size()) + " bytes; the field holds " +
                      std::to_string(p->capacity));
  }
  const std::string hex = Hex(der);
  p->bytes.replace(p->byte_range[1] + 1, hex.size(), hex);  // after the '<'
  return Status::Ok();
}

Result<std::vector<FoundSignature>> FindSignatures(std::string_view pdf) {
  auto f = PdfFile::Open(pdf);
  if (!f.ok()) return f.status();
  auto form = ReadForm(*f);
  if (!form.ok()) return form.status();
  std::vector<FoundSignature> out;
  for (const std::string& ref : form->fields) {
    auto num = RefNumber(ref);
    if (!num) continue;
    auto widget = f->ObjectDict(*num);
    if (!widget.ok()) return widget.status();
    const std::string* ft = Find(*widget, "FT");
    const std::string* v = Find(*widget, "V");
    if (ft == nullptr || *ft != "/Sig" || v == nullptr) continue;
    auto raw = f->Resolve(*v);
    if (!raw.ok()) return raw.status();
    std::string error;
    auto sig = ParseDict(*raw, &error);
    if (!sig) return InvalidArgument("signature " + ref + ": " + error);
    FoundSignature found;
    if (const std::string* t = Find(*widget, "T")) found.field = Unquote(*t);
    if (const std::string* m = Find(*sig, "M")) found.signing_time = Unquote(*m);
    if (const std::string* sf = Find(*sig, "SubFilter")) found.sub_filter = sf->substr(1);
    const std::string* range = Find(*sig, "ByteRange");
    const std::string* contents = Find(*sig, "Contents");
    if (range == nullptr || contents == nullptr || contents->size() < 2) {
      return InvalidArgument("signature " + found.field + " has no /ByteRange or /Contents");
    }
    const auto items = ArrayItems(*range, &error);
    if (!error.empty() || items.size() != 4) {
      return InvalidArgument("signature " + found.field + ": a bad /ByteRange");
    }
    for (int i = 0; i < 4; ++i) found.byte_range[i] = std::atoll(items[i].c_str());
    bool ok = false;
    const std::string bytes = Unhex(std::string_view(*contents).substr(1, contents->size() - 2), &ok);
    const size_t der = ok ? DerLength(bytes) : 0;
    if (der == 0 || der > bytes.size()) {
      return InvalidArgument("signature " + found.field + ": /Contents is not a DER value");
    }
    found.der = bytes.substr(0, der);
    found.padding_zero = std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(der),
                                     bytes.end(), [](char c) { return c == 0; });
    found.revision_end = static_cast<size_t>(found.byte_range[2] + found.byte_range[3]);
    out.push_back(std::move(found));
  }
  return out;
}

std::string SignedBytes(std::string_view pdf, const FoundSignature& s) {
  const auto& r = s.byte_range;
  if (r[0] != 0 || r[1] < 0 || r[2] < r[1] || r[3] < 0 ||
      static_cast<size_t>(r[2] + r[3]) > pdf.size()) {
    return {};
  }
  return std::string(pdf.substr(0, static_cast<size_t>(r[1]))) +
         std::string(pdf.substr(static_cast<size_t>(r[2]), static_cast<size_t>(r[3])));
}

}  // namespace saraban::pdf
