#include "saraban/model/validate.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "saraban/text/normalize.h"

namespace saraban::model {
namespace {

constexpr int kMinFiscalYear = 2500;  // Buddhist era
constexpr int kMaxFiscalYear = 2700;
constexpr int kBuddhistEraOffset = 543;
// Dates are CE; these bounds are the fiscal-year bounds converted, so that a
// Buddhist-era year typed into a Date is caught.
constexpr int kMinDateYear = kMinFiscalYear - kBuddhistEraOffset;
constexpr int kMaxDateYear = kMaxFiscalYear - kBuddhistEraOffset;
// Template bounds: the layout and the PDF writer refuse anything outside
// them, so a template that passes renders.
// PDF/A-1 allows pages up to 14,400 pt (200 in, 5080 mm) a side.
constexpr double kMinPageMm = 50;
constexpr double kMaxPageMm = 5080;
// The layout needs one inch of text area across and down. The slack absorbs
// the rounding of page - margins (297 - 2 * 135.8 is 25.39999999999998).
constexpr double kMinPrintableMm = 25.4;
constexpr double kPrintableSlackMm = 1e-7;
constexpr double kMinFontSize = 4;  // TH Sarabun pt
constexpr double kMaxFontSize = 72;
// Line spacing is an open interval: the layout refuses 0.5 and 4 themselves.
constexpr double kMinLineSpacing = 0.5;
constexpr double kMaxLineSpacing = 4;
constexpr double kMaxCellPaddingMm = 10;
constexpr double kMaxListIndentMm = 30;
constexpr double kMaxParagraphIndentMm = 50;
constexpr double kMinColumnEm = 1;
constexpr double kMaxColumnEm = 10;

constexpr std::string_view kReportPlaceholders[] = {
    "agency", "fiscal_year", "assessed_fiscal_year", "ita_score", "ita_level"};
constexpr std::string_view kPagePlaceholders[] = {"page", "pages"};
constexpr std::string_view kTitlePlaceholders[] = {"title", "agency", "district", "province",
                                                   "fiscal_year"};

std::string Index(std::string_view name, int i) {
  return std::string(name) + "[" + std::to_string(i) + "]";
}

std::string FormatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n') return false;
  }
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The placeholders ("{name}" with name in [a-z_]) that `s` uses.
std::vector<std::string> Placeholders(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = s.find('{', pos)) != std::string_view::npos) {
    size_t end = pos + 1;
    while (end < s.size() && ((s[end] >= 'a' && s[end] <= 'z') || s[end] == '_')) ++end;
    if (end < s.size() && s[end] == '}' && end > pos + 1) {
      out.emplace_back(s.substr(pos + 1, end - pos - 1));
    }
    pos = end;
  }
  return out;
}

template <size_t N>
std::string ListNames(const std::string_view (&names)[N]) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i) out += ", ";
    out += "{" + std::string(names[i]) + "}";
  }
  return out;
}

template <size_t N>
bool Contains(const std::string_view (&names)[N], std::string_view name) {
  for (auto n : names) {
    if (n == name) return true;
  }
  return false;
}

// Collects problems. Past kMaxReportedErrors it only counts, so that a
// pathological report cannot make the error list itself exhaust memory.
class Problems {
 public:
  void Add(Status s) {
    if (kept_.size() < kMaxReportedErrors) {
      kept_.push_back(std::move(s));
    } else {
      ++dropped_;
    }
  }
  void Invalid(const std::string& path, std::string message) {
    Add(InvalidArgument(std::move(message), path));
  }
  void Exhausted(const std::string& path, std::string message) {
    Add(Status(StatusCode::kResourceExhausted, std::move(message), path));
  }

  // At most kMaxReportedErrors entries; the last one says how many were left out.
  std::vector<Status> Take() && {
    if (dropped_ == 0) return std::move(kept_);
    const size_t omitted = dropped_ + 1;
    kept_.back() = Status(kept_.back().code(),
                          "... and " + std::to_string(omitted) + " more problems");
    return std::move(kept_);
  }

 private:
  std::vector<Status> kept_;
  size_t dropped_ = 0;
};

class ReportChecker {
 public:
  ReportChecker(const Limits& limits, Problems* problems) : limits_(limits), p_(*problems) {}

  void Check(v1::Report* r) {
    CheckAgency(r->mutable_agency());
    if (r->fiscal_year() < kMinFiscalYear || r->fiscal_year() > kMaxFiscalYear) {
      p_.Invalid("fiscalYear", "fiscal year " + std::to_string(r->fiscal_year()) +
                                   " is not a Buddhist-era year in " +
                                   std::to_string(kMinFiscalYear) + ".." +
                                   std::to_string(kMaxFiscalYear) + " (e.g. 2567)");
    }
    Text(r->mutable_title(), "title", /*required=*/true, limits_.max_title_bytes);
    if (Text(r->mutable_heading(), "heading", false, limits_.max_title_bytes)) {
      CheckPlaceholders(r->heading(), "heading", *r);
    }
    if (r->has_introduction()) CheckIntroduction(r->mutable_introduction(), *r);
    CheckLayout(r->mutable_layout());
    CheckMeasures(r);
    if (r->has_sign_off()) CheckSignOff(r->mutable_sign_off());
  }

  // The agency a report is printed under; its code is not checked here
  // (ValidateAgencyCode is the stored agency's rule).
  void CheckAgency(v1::Agency* a) {
    Text(a->mutable_code(), "agency.code", false);
    // The name also goes into the PDF's title and author metadata.
    Text(a->mutable_name(), "agency.name", true, limits_.max_title_bytes);
    if (a->type() == v1::AGENCY_TYPE_UNSPECIFIED) {
      p_.Invalid("agency.type",
                 "agency type is required, e.g. AGENCY_TYPE_SUBDISTRICT_ADMINISTRATIVE_ORGANIZATION");
    } else if (!v1::AgencyType_IsValid(a->type())) {
      p_.Invalid("agency.type", "unknown agency type " + std::to_string(a->type()) +
                                    ", e.g. AGENCY_TYPE_SUBDISTRICT_ADMINISTRATIVE_ORGANIZATION");
    }
    Text(a->mutable_district(), "agency.district", false);
    Text(a->mutable_province(), "agency.province", true);
  }

 private:
  // Checks the size of `*s` and replaces it by its normalised form. Returns
  // false when the string has a problem (it is then left as it was).
  // `max_bytes` is a field's own limit, tighter than max_field_bytes; it
  // applies to the normalised text, which the renderer gets.
  bool Text(std::string* s, const std::string& path, bool required,
            size_t max_bytes = std::numeric_limits<size_t>::max()) {
    if (s->size() > limits_.max_field_bytes) {
      p_.Exhausted(path, "text is " + std::to_string(s->size()) +
                             " bytes; the limit for one field is " +
                             std::to_string(limits_.max_field_bytes) + " bytes");
      return false;
    }
    Result<std::string> normalized = text::Normalize(*s);
    if (!normalized.ok()) {
      p_.Invalid(path, normalized.status().message());
      return false;
    }
    if (normalized->size() > max_bytes) {
      p_.Exhausted(path, "text is " + std::to_string(normalized->size()) +
                             " bytes; the limit for this field is " + std::to_string(max_bytes) +
                             " bytes");
      return false;
    }
    const auto lines = std::count(normalized->begin(), normalized->end(), '\n') + 1;
    if (lines > limits_.max_field_lines) {
      p_.Exhausted(path, "text has " + std::to_string(lines) +
                             " lines; the limit for one field is " +
                             std::to_string(limits_.max_field_lines) + " lines");
      return false;
    }
    *s = std::move(normalized).value();
    if (required && IsBlank(*s)) {
      p_.Invalid(path, "is required and must not be empty");
      return false;
    }
    return true;
  }

  bool Count(int n, int limit, const std::string& path, std::string_view what) {
    if (n <= limit) return true;
    p_.Exhausted(path, std::to_string(n) + " " + std::string(what) + "; the limit is " +
                           std::to_string(limit));
    return false;
  }

  void Score(double v, const std::string& path) {
    if (!std::isfinite(v) || v < 0 || v > 100) {
      p_.Invalid(path, "score " + FormatNumber(v) + " is not in 0..100");
    }
  }

  void Year(int year, const std::string& path) {
    if (year < kMinFiscalYear || year > kMaxFiscalYear) {
      p_.Invalid(path, "fiscal year " + std::to_string(year) + " is not a Buddhist-era year in " +
                           std::to_string(kMinFiscalYear) + ".." +
                           std::to_string(kMaxFiscalYear));
    }
  }


  void CheckPlaceholders(const std::string& s, const std::string& path, const v1::Report& r) {
    for (const std::string& name : Placeholders(s)) {
      if (!Contains(kReportPlaceholders, name)) {
        p_.Invalid(path, "unknown placeholder {" + name + "}; the known ones are " +
                             ListNames(kReportPlaceholders));
        continue;
      }
      const v1::Introduction& in = r.introduction();
      const bool missing = (name == "ita_score" && in.ita_score() == 0) ||
                           (name == "ita_level" && in.ita_level().empty()) ||
                           (name == "assessed_fiscal_year" && in.assessed_fiscal_year() == 0);
      if (missing) {
        p_.Invalid(path, "uses {" + name + "} but the introduction does not give it");
      }
    }
  }

  void CheckIntroduction(v1::Introduction* in, const v1::Report& r) {
    const int assessed = in->assessed_fiscal_year();
    if (assessed != 0) {
      Year(assessed, "introduction.assessedFiscalYear");
      if (assessed > r.fiscal_year()) {
        p_.Invalid("introduction.assessedFiscalYear",
                   "the assessed fiscal year " + std::to_string(assessed) +
                       " is after the report's fiscal year " + std::to_string(r.fiscal_year()));
      }
    }
    Score(in->ita_score(), "introduction.itaScore");
    Text(in->mutable_ita_level(), "introduction.itaLevel", false);
    if (!Count(in->paragraphs_size(), limits_.max_blocks_per_cell, "introduction.paragraphs",
               "paragraphs")) {
      return;
    }
    for (int i = 0; i < in->paragraphs_size(); ++i) {
      const std::string path = "introduction." + Index("paragraphs", i);
      if (Text(in->mutable_paragraphs(i), path, true)) {
        CheckPlaceholders(in->paragraphs(i), path, r);
      }
    }
  }

  void CheckLayout(v1::TableLayout* layout) {
    std::map<int, int> seen;  // kind -> first column index
    bool has_measure = false;
    for (int i = 0; i < layout->columns_size(); ++i) {
      v1::Column* c = layout->mutable_columns(i);
      const std::string path = "layout." + Index("columns", i);
      Text(c->mutable_heading(), path + ".heading", false, limits_.max_column_heading_bytes);
      if (c->kind() == v1::COLUMN_KIND_UNSPECIFIED || !v1::ColumnKind_IsValid(c->kind())) {
        p_.Invalid(path + ".kind", c->kind() == v1::COLUMN_KIND_UNSPECIFIED
                                       ? "column kind is required, e.g. COLUMN_KIND_MEASURE"
                                       : "unknown column kind " + std::to_string(c->kind()) +
                                             ", e.g. COLUMN_KIND_MEASURE");
        continue;
      }
      has_measure |= c->kind() == v1::COLUMN_KIND_MEASURE;
      auto [it, inserted] = seen.emplace(c->kind(), i);
      if (!inserted) {
        p_.Invalid(path + ".kind", "column " + v1::ColumnKind_Name(c->kind()) +
                                       " already appears as layout." +
                                       Index("columns", it->second));
      }
    }
    if (!has_measure) {
      p_.Invalid("layout.columns", "the table needs a COLUMN_KIND_MEASURE column");
    }
  }

  void CheckMeasures(v1::Report* r) {
    const int n = r->measures_size();
    if (n == 0) {
      p_.Invalid("measures", "a report needs at least one measure");
      return;
    }
    if (n > limits_.max_measures) {
      // One error for the whole list: the report is refused as a whole, and
      // one line per measure would bury the reason.
      p_.Exhausted("measures", "the report has " + std::to_string(n) +
                                   " measures; the limit is " +
                                   std::to_string(limits_.max_measures));
      return;
    }
    std::map<int, int> numbers;  // number -> first index
    for (int i = 0; i < n; ++i) {
      v1::Measure* m = r->mutable_measures(i);
      const std::string path = Index("measures", i);
      if (m->number() <= 0) {
        p_.Invalid(path + ".number",
                   "measure number must be positive, got " + std::to_string(m->number()));
      } else if (auto [it, inserted] = numbers.emplace(m->number(), i); !inserted) {
        p_.Invalid(path + ".number", "measure number " + std::to_string(m->number()) +
                                         " is already used by " + Index("measures", it->second));
      }
      CheckMeasure(m, path);
    }
  }

  void CheckMeasure(v1::Measure* m, const std::string& path) {
    Text(m->mutable_title(), path + ".title", true);
    if (m->has_finding()) CheckFinding(m->mutable_finding(), path + ".finding");
    // Only cells that are present: a mutable_ accessor would add empty ones.
    if (m->has_method()) CheckContent(m->mutable_method(), path + ".method");
    if (m->has_period()) CheckPeriod(*m->mutable_period(), path + ".period");
    if (Count(m->responsible_size(), limits_.max_list_items, path + ".responsible",
              "responsible units")) {
      for (int i = 0; i < m->responsible_size(); ++i) {
        v1::ResponsibleUnit* u = m->mutable_responsible(i);
        const std::string upath = path + "." + Index("responsible", i);
        Text(u->mutable_unit(), upath + ".unit", true);
        Text(u->mutable_sub_unit(), upath + ".subUnit", false);
      }
    }
    if (m->has_results()) CheckContent(m->mutable_results(), path + ".results");
    if (m->has_outcomes()) CheckContent(m->mutable_outcomes(), path + ".outcomes");
  }

  void CheckFinding(v1::Finding* f, const std::string& path) {
    if (Text(f->mutable_indicator(), path + ".indicator", true)) {
      // Stored with ASCII digits ("9.4"); Thai digits are a rendering choice.
      const std::string& ind = f->indicator();
      bool ok = ind.front() != '.' && ind.back() != '.';
      for (char c : ind) ok = ok && ((c >= '0' && c <= '9') || c == '.');
      if (!ok) {
        p_.Invalid(path + ".indicator",
                   "indicator \"" + ind + "\" must be numbers such as \"9.4\" (ASCII digits)");
      }
    }
    Text(f->mutable_indicator_name(), path + ".indicatorName", false);
    Text(f->mutable_issue(), path + ".issue", false);
  }

  // Returns false when the date has a problem.
  bool CheckDate(const v1::Date& d, const std::string& path) {
    bool ok = true;
    if (d.year() < kMinDateYear || d.year() > kMaxDateYear) {
      ok = false;
      std::string msg = "year " + std::to_string(d.year()) + " is not a CE year in " +
                        std::to_string(kMinDateYear) + ".." + std::to_string(kMaxDateYear);
      if (d.year() >= kMinFiscalYear && d.year() <= kMaxFiscalYear) {
        msg += " (dates are stored in CE: " + std::to_string(d.year()) + " BE is " +
               std::to_string(d.year() - kBuddhistEraOffset) + ")";
      }
      p_.Invalid(path + ".year", msg);
    }
    if (d.month() < 1 || d.month() > 12) {
      p_.Invalid(path + ".month", "month " + std::to_string(d.month()) + " is not in 1..12");
      return false;
    }
    if (d.day() < 0 || d.day() > DaysInMonth(d.year(), d.month())) {
      p_.Invalid(path + ".day", "day " + std::to_string(d.day()) + " is not in 1.." +
                                    std::to_string(DaysInMonth(d.year(), d.month())) +
                                    " for month " + std::to_string(d.month()) +
                                    " (0 means the whole month)");
      return false;
    }
    return ok;
  }

  void CheckPeriod(const v1::Period& period, const std::string& path) {
    switch (period.kind_case()) {
      case v1::Period::kThroughoutFiscalYear:
        if (!period.throughout_fiscal_year()) {
          p_.Invalid(path + ".throughoutFiscalYear",
                     "throughoutFiscalYear must be true when set; leave the period out instead");
        }
        return;
      case v1::Period::kRange:
        break;
      case v1::Period::KIND_NOT_SET:
        return;
    }
    const v1::DateRange& range = period.range();
    const std::string rpath = path + ".range";
    if (!range.has_start()) p_.Invalid(rpath + ".start", "the period needs a start date");
    if (!range.has_end()) p_.Invalid(rpath + ".end", "the period needs an end date");
    if (!range.has_start() || !range.has_end()) return;
    const bool start_ok = CheckDate(range.start(), rpath + ".start");
    const bool end_ok = CheckDate(range.end(), rpath + ".end");
    // The order of a bad date means nothing; its error is enough.
    if (!start_ok || !end_ok) return;
    // A month-precision date (day 0) starts on the 1st and ends on the last day.
    auto key = [](const v1::Date& d, int day0) -> int64_t {
      return (int64_t{d.year()} * 13 + d.month()) * 32 + (d.day() == 0 ? day0 : d.day());
    };
    if (key(range.start(), 1) > key(range.end(), 31)) {
      p_.Invalid(rpath, "the period starts after it ends");
    }
  }

  void CheckContent(v1::Content* c, const std::string& path) {
    if (!Count(c->blocks_size(), limits_.max_blocks_per_cell, path + ".blocks", "blocks")) return;
    for (int i = 0; i < c->blocks_size(); ++i) {
      v1::Block* b = c->mutable_blocks(i);
      const std::string bpath = path + "." + Index("blocks", i);
      switch (b->kind_case()) {
        case v1::Block::kParagraph:
          Text(b->mutable_paragraph(), bpath + ".paragraph", true);
          break;
        case v1::Block::kList:
          CheckList(b->mutable_list(), bpath + ".list", /*nested=*/false);
          break;
        case v1::Block::kScore:
          CheckScore(b->mutable_score(), bpath + ".score");
          break;
        case v1::Block::KIND_NOT_SET:
          p_.Invalid(bpath, "empty block: give a paragraph, a list or a score");
          break;
      }
    }
  }

  void CheckList(v1::TextList* list, const std::string& path, bool nested) {
    if (list->style() == v1::LIST_STYLE_UNSPECIFIED || !v1::ListStyle_IsValid(list->style())) {
      p_.Invalid(path + ".style", "list style is required: LIST_STYLE_NUMBERED, LIST_STYLE_BULLET or LIST_STYLE_DASH");
    }
    if (list->start() < 0) {
      p_.Invalid(path + ".start", "start must not be negative, got " + std::to_string(list->start()));
    } else if (list->start() > limits_.max_list_start) {
      p_.Invalid(path + ".start", "start must be at most " + std::to_string(limits_.max_list_start) +
                                      ", got " + std::to_string(list->start()));
    }
    if (list->items_size() == 0) {
      p_.Invalid(path + ".items", "a list needs at least one item");
      return;
    }
    if (!Count(list->items_size(), limits_.max_list_items, path + ".items", "list items")) return;
    for (int i = 0; i < list->items_size(); ++i) {
      v1::ListItem* item = list->mutable_items(i);
      const std::string ipath = path + "." + Index("items", i);
      Text(item->mutable_text(), ipath + ".text", true);
      if (!item->has_sublist()) continue;
      if (nested) {
        p_.Invalid(ipath + ".sublist", "lists nest at most one level");
      } else {
        CheckList(item->mutable_sublist(), ipath + ".sublist", /*nested=*/true);
      }
    }
  }

  void CheckScore(v1::ScoreComparison* s, const std::string& path) {
    Text(s->mutable_question_code(), path + ".questionCode", false);
    Text(s->mutable_question(), path + ".question", true);
    Year(s->previous_fiscal_year(), path + ".previousFiscalYear");
    Year(s->current_fiscal_year(), path + ".currentFiscalYear");
    if (s->previous_fiscal_year() >= s->current_fiscal_year()) {
      p_.Invalid(path + ".previousFiscalYear",
                 "the previous fiscal year " + std::to_string(s->previous_fiscal_year()) +
                     " must be before the current one " +
                     std::to_string(s->current_fiscal_year()));
    }
    Score(s->previous_score(), path + ".previousScore");
    Score(s->current_score(), path + ".currentScore");
  }

  void CheckPerson(v1::Person* person, const std::string& path) {
    Text(person->mutable_name(), path + ".name", true);
    Text(person->mutable_position(), path + ".position", false);
  }

  void CheckSignOff(v1::SignOff* s) {
    Text(s->mutable_reporting_unit(), "signOff.reportingUnit", false);
    if (s->has_reporter()) CheckPerson(s->mutable_reporter(), "signOff.reporter");
    if (Count(s->reviewers_size(), limits_.max_list_items, "signOff.reviewers", "reviewers")) {
      for (int i = 0; i < s->reviewers_size(); ++i) {
        CheckPerson(s->mutable_reviewers(i), "signOff." + Index("reviewers", i));
      }
    }
    if (s->has_acknowledged_by()) CheckPerson(s->mutable_acknowledged_by(), "signOff.acknowledgedBy");
    if (s->has_date()) CheckDate(s->date(), "signOff.date");
  }

  const Limits& limits_;
  Problems& p_;
};

class TemplateChecker {
 public:
  explicit TemplateChecker(Problems* problems) : p_(*problems) {}

  void Check(const v1::Template& t) {
    Text(t.name(), "name");
    const bool page_ok = Between(t.page_width_mm(), kMinPageMm, kMaxPageMm, "pageWidthMm", " mm") &
                         Between(t.page_height_mm(), kMinPageMm, kMaxPageMm, "pageHeightMm", " mm");
    const bool margins_ok = NonNegative(t.margin_top_mm(), "marginTopMm") &
                            NonNegative(t.margin_bottom_mm(), "marginBottomMm") &
                            NonNegative(t.margin_left_mm(), "marginLeftMm") &
                            NonNegative(t.margin_right_mm(), "marginRightMm");
    if (page_ok && margins_ok) {
      Printable(t.page_width_mm() - t.margin_left_mm() - t.margin_right_mm(), "marginLeftMm",
                "left and right margins", "width");
      Printable(t.page_height_mm() - t.margin_top_mm() - t.margin_bottom_mm(), "marginTopMm",
                "top and bottom margins", "height");
    }
    Between(t.title_size(), kMinFontSize, kMaxFontSize, "titleSize", " pt");
    Between(t.body_size(), kMinFontSize, kMaxFontSize, "bodySize", " pt");
    Between(t.table_size(), kMinFontSize, kMaxFontSize, "tableSize", " pt");
    Between(t.footer_size(), kMinFontSize, kMaxFontSize, "footerSize", " pt");
    const double spacing = t.line_spacing();
    if (!std::isfinite(spacing) || spacing <= kMinLineSpacing || spacing >= kMaxLineSpacing) {
      p_.Invalid("lineSpacing", "must be greater than " + FormatNumber(kMinLineSpacing) +
                                    " and less than " + FormatNumber(kMaxLineSpacing) + ", got " +
                                    FormatNumber(spacing));
    }
    Between(t.cell_padding_mm(), 0, kMaxCellPaddingMm, "cellPaddingMm", " mm");
    Between(t.list_indent_mm(), 0, kMaxListIndentMm, "listIndentMm", " mm");
    Between(t.paragraph_indent_mm(), 0, kMaxParagraphIndentMm, "paragraphIndentMm", " mm");
    Between(t.min_column_em(), kMinColumnEm, kMaxColumnEm, "minColumnEm", " em");
    if (!std::isfinite(t.header_gray()) || t.header_gray() < 0 || t.header_gray() > 1) {
      p_.Invalid("headerGray", "header gray " + FormatNumber(t.header_gray()) +
                                   " is not in 0 (black)..1 (white)");
    }
    std::set<int> kinds;
    for (int i = 0; i < t.columns_size(); ++i) {
      const v1::ColumnWidth& c = t.columns(i);
      const std::string path = Index("columns", i);
      if (c.kind() == v1::COLUMN_KIND_UNSPECIFIED) {
        p_.Invalid(path + ".kind", "column kind is required, e.g. COLUMN_KIND_MEASURE");
      } else if (!v1::ColumnKind_IsValid(c.kind())) {
        p_.Invalid(path + ".kind", "unknown column kind " + std::to_string(c.kind()) +
                                       ", e.g. COLUMN_KIND_MEASURE");
      } else if (!kinds.insert(c.kind()).second) {
        p_.Invalid(path + ".kind",
                   "column " + v1::ColumnKind_Name(c.kind()) + " has a width twice");
      }
      if (!std::isfinite(c.weight()) || c.weight() <= 0) {
        p_.Invalid(path + ".weight", "must be greater than 0, got " + FormatNumber(c.weight()));
      }
    }
    for (int i = 0; i < t.title_lines_size(); ++i) {
      const v1::TitleLine& line = t.title_lines(i);
      const std::string path = Index("titleLines", i);
      if (Text(line.text(), path + ".text")) {
        for (const std::string& name : Placeholders(line.text())) {
          if (!Contains(kTitlePlaceholders, name)) {
            p_.Invalid(path + ".text", "unknown placeholder {" + name + "}; the known ones are " +
                                           ListNames(kTitlePlaceholders));
          }
        }
      }
      if (line.size() != 0) Between(line.size(), kMinFontSize, kMaxFontSize, path + ".size", " pt");
    }
    if (!v1::SignOffForm_IsValid(t.sign_off_form())) {
      p_.Invalid("signOffForm", "unknown sign-off form " + std::to_string(t.sign_off_form()) +
                                    "; SIGN_OFF_FORM_LINE or SIGN_OFF_FORM_BLOCK");
    }
    if (!v1::TextAlign_IsValid(t.body_align())) {
      p_.Invalid("bodyAlign", "unknown alignment " + std::to_string(t.body_align()));
    }
    if (!v1::TextAlign_IsValid(t.table_align())) {
      p_.Invalid("tableAlign", "unknown alignment " + std::to_string(t.table_align()));
    }
    Text(t.continuation_mark(), "continuationMark");
    if (Text(t.page_number_format(), "pageNumberFormat")) {
      for (const std::string& name : Placeholders(t.page_number_format())) {
        if (!Contains(kPagePlaceholders, name)) {
          p_.Invalid("pageNumberFormat", "unknown placeholder {" + name +
                                             "}; the known ones are " +
                                             ListNames(kPagePlaceholders));
        }
      }
    }
  }

 private:
  bool Text(const std::string& s, const std::string& path) {
    Result<std::string> normalized = text::Normalize(s);
    if (!normalized.ok()) {
      p_.Invalid(path, normalized.status().message());
      return false;
    }
    return true;
  }

  // Finite and lo <= v <= hi.
  bool Between(double v, double lo, double hi, const std::string& path, std::string_view unit) {
    if (std::isfinite(v) && v >= lo && v <= hi) return true;
    p_.Invalid(path, "must be between " + FormatNumber(lo) + " and " + FormatNumber(hi) +
                         std::string(unit) + ", got " + FormatNumber(v));
    return false;
  }

  bool NonNegative(double v, const std::string& path) {
    if (std::isfinite(v) && v >= 0) return true;
    p_.Invalid(path, std::string(std::isfinite(v) ? "must not be negative" : "must be a number") +
                         ", got " + FormatNumber(v));
    return false;
  }

  void Printable(double mm, const std::string& path, std::string_view margins,
                 std::string_view dimension) {
    if (mm >= kMinPrintableMm - kPrintableSlackMm) return;
    p_.Invalid(path, "the " + std::string(margins) + " leave " + FormatNumber(mm) +
                         " mm of the page " + std::string(dimension) + "; at least " +
                         FormatNumber(kMinPrintableMm) + " mm (one inch) must be printable");
  }

  Problems& p_;
};

}  // namespace

std::vector<Status> ValidateReport(v1::Report* report, const Limits& limits) {
  Problems problems;
  ReportChecker(limits, &problems).Check(report);
  return std::move(problems).Take();
}

Status ValidateAgencyCode(const std::string& code) {
  const bool ok = !code.empty() && code.size() <= kMaxAgencyCodeBytes &&
                  std::all_of(code.begin(), code.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                  });
  if (ok) return Status::Ok();
  if (code.empty()) return InvalidArgument("agency code is required");
  const std::string shown = code.size() > 80 ? code.substr(0, 80) + "..." : code;
  return InvalidArgument("agency code \"" + shown + "\" must be 1.." +
                         std::to_string(kMaxAgencyCodeBytes) + " characters of a-z, 0-9 and -");
}

std::vector<Status> ValidateAgency(v1::Agency* agency, const Limits& limits) {
  std::vector<Status> errors;
  if (Status s = ValidateAgencyCode(agency->code()); !s.ok()) {
    errors.emplace_back(s.code(), s.message(), "agency.code");
  }
  Problems problems;
  ReportChecker(limits, &problems).CheckAgency(agency);
  for (Status& e : std::move(problems).Take()) {
    if (e.field() != "agency.code") errors.push_back(std::move(e));
  }
  return errors;
}

std::vector<Status> ValidateTemplate(const v1::Template& tmpl) {
  Problems problems;
  TemplateChecker(&problems).Check(tmpl);
  return std::move(problems).Take();
}

std::string FormatErrors(const std::vector<Status>& errors) {
  std::string out;
  for (const Status& s : errors) {
    out += s.ToString();
    out += '\n';
  }
  return out;
}

}  // namespace saraban::model
