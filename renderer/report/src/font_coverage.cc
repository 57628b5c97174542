#include "saraban/report/font_coverage.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstdio>
#include <string>

#include "saraban/text/normalize.h"

namespace saraban::report {
namespace {

namespace pb = google::protobuf;

// At most this many fields are reported: one missing glyph in a template
// column heading repeats on every measure.
constexpr size_t kMaxErrors = 20;

// Where a field is, kept as a chain and spelled out only for an error: a
// report has thousands of fields and nearly never a missing glyph.
struct Path {
  const Path* parent = nullptr;
  const pb::FieldDescriptor* field = nullptr;
  int index = -1;  // in a repeated field

  std::string ToString() const {
    std::string head = parent ? parent->ToString() : "";
    if (!field) return head;
    std::string s = head.empty() ? field->json_name() : head + "." + field->json_name();
    if (index >= 0) s += "[" + std::to_string(index) + "]";
    return s;
  }
};

void CheckString(const std::string& s, const Path& path, const text::Font& regular,
                 const text::Font& bold, std::vector<Status>* errors) {
  for (size_t pos = 0; pos < s.size();) {
    const size_t at = pos;
    // ASCII without a decode: most bytes of Latin, the spaces of Thai.
    const auto byte = static_cast<unsigned char>(s[pos]);
    const char32_t cp = byte < 0x80 ? (++pos, byte) : text::DecodeUtf8(s, pos);
    if (cp == '\n') continue;
    const bool in_regular = regular.HasGlyph(cp);
    if (in_regular && bold.HasGlyph(cp)) continue;
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
    const text::Font& lacking = in_regular ? bold : regular;
    errors->push_back(InvalidArgument("character " + std::string(code) + " \"" +
                                          s.substr(at, pos - at) + "\" is not in the font " +
                                          lacking.family_name() + " and would print as a box",
                                      path.ToString()));
    return;  // one error a field
  }
}

void Walk(const pb::Message& m, const Path* parent, const text::Font& regular,
          const text::Font& bold, std::vector<Status>* errors) {
  const pb::Reflection* r = m.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (errors->size() >= kMaxErrors) return;
    const bool message = f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE;
    const bool string = f->type() == pb::FieldDescriptor::TYPE_STRING;
    if (!message && !string) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        const Path path{parent, f, i};
        if (message) {
          Walk(r->GetRepeatedMessage(m, f, i), &path, regular, bold, errors);
        } else {
          std::string scratch;
          CheckString(r->GetRepeatedStringReference(m, f, i, &scratch), path, regular, bold,
                      errors);
        }
      }
    } else {
      const Path path{parent, f, -1};
      if (message) {
        Walk(r->GetMessage(m, f), &path, regular, bold, errors);
      } else {
        std::string scratch;
        CheckString(r->GetStringReference(m, f, &scratch), path, regular, bold, errors);
      }
    }
  }
}

}  // namespace

std::vector<Status> CheckFontCoverage(const v1::Report& report, const text::Font& regular,
                                      const text::Font& bold) {
  std::vector<Status> errors;
  Walk(report, nullptr, regular, bold, &errors);
  return errors;
}

}  // namespace saraban::report
