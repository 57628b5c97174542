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

void CheckString(const std::string& s, const std::string& path, const text::Font& regular,
                 const text::Font& bold, std::vector<Status>* errors) {
  if (text::ValidateUtf8(s).ok() == false) return;  // validation reports it
  for (size_t pos = 0; pos < s.size();) {
    const size_t at = pos;
    const char32_t cp = text::DecodeUtf8(s, pos);
    if (cp == '\n') continue;
    const bool in_regular = regular.HasGlyph(cp);
    if (in_regular && bold.HasGlyph(cp)) continue;
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
    const text::Font& lacking = in_regular ? bold : regular;
    errors->push_back(InvalidArgument("character " + std::string(code) + " \"" +
                                          s.substr(at, pos - at) + "\" is not in the font " +
                                          lacking.family_name() + " and would print as a box",
                                      path));
    return;  // one error a field
  }
}

void Walk(const pb::Message& m, const std::string& prefix, const text::Font& regular,
          const text::Font& bold, std::vector<Status>* errors) {
  const pb::Reflection* r = m.GetReflection();
  std::vector<const pb::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const pb::FieldDescriptor* f : fields) {
    if (errors->size() >= kMaxErrors) return;
    const std::string name = prefix.empty() ? f->json_name() : prefix + "." + f->json_name();
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        const std::string path = name + "[" + std::to_string(i) + "]";
        if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
          Walk(r->GetRepeatedMessage(m, f, i), path, regular, bold, errors);
        } else if (f->type() == pb::FieldDescriptor::TYPE_STRING) {
          CheckString(r->GetRepeatedString(m, f, i), path, regular, bold, errors);
        }
      }
    } else if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      Walk(r->GetMessage(m, f), name, regular, bold, errors);
    } else if (f->type() == pb::FieldDescriptor::TYPE_STRING) {
      CheckString(r->GetString(m, f), name, regular, bold, errors);
    }
  }
}

}  // namespace

std::vector<Status> CheckFontCoverage(const v1::Report& report, const text::Font& regular,
                                      const text::Font& bold) {
  std::vector<Status> errors;
  Walk(report, "", regular, bold, &errors);
  return errors;
}

}  // namespace saraban::report
