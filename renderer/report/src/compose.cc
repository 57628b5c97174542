#include "saraban/report/compose.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include "saraban/report/thai_format.h"
#include "saraban/strings.h"
#include "saraban/text/digits.h"
#include "saraban/text/normalize.h"

namespace saraban::report {
namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;

using layout::Align;
using layout::FontRole;
using layout::Paragraph;
using layout::TextStyle;

// The layout's alignment for a template's, `fallback` when unspecified.
Align AlignOf(v1::TextAlign align, Align fallback) {
  switch (align) {
    case v1::TEXT_ALIGN_LEFT: return Align::kLeft;
    case v1::TEXT_ALIGN_JUSTIFY: return Align::kJustify;
    case v1::TEXT_ALIGN_THAI_DISTRIBUTED: return Align::kThaiDistributed;
    default: return fallback;
  }
}

// The title block's lines: the template's, or the default one.
std::vector<v1::TitleLine> TitleLines(const v1::Template& t) {
  if (t.title_lines_size() > 0) return {t.title_lines().begin(), t.title_lines().end()};
  std::vector<v1::TitleLine> lines(3);
  lines[0].set_text("{title}");
  lines[0].set_bold(true);
  lines[1].set_text("{agency} ประจำปีงบประมาณ พ.ศ. {fiscal_year}");
  lines[1].set_bold(true);
  lines[2].set_text("{district} {province}");
  return lines;
}

std::string StripSpaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

// A title line's text with its placeholders filled; the spaces an empty
// one leaves doubled or at an end are closed up.
std::string FillTitle(std::string text, const v1::Report& r) {
  const v1::Agency& a = r.agency();
  std::string district;
  if (!a.district().empty()) {
    district = (a.type() == v1::AGENCY_TYPE_SPECIAL_LOCAL_ADMINISTRATION ? "เขต" : "อำเภอ") + a.district();
  }
  text = ReplaceAll(std::move(text), "{title}", r.title());
  text = ReplaceAll(std::move(text), "{agency}", a.name());
  text = ReplaceAll(std::move(text), "{district}", district);
  text = ReplaceAll(std::move(text), "{province}", a.province().empty() ? "" : "จังหวัด" + a.province());
  text = ReplaceAll(std::move(text), "{fiscal_year}", ThaiInteger(r.fiscal_year()));
  std::string out;
  for (char c : text) {
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Turns a Content into cell paragraphs: lists get hanging markers, score
// comparisons become their computed sentence.
class CellWriter {
 public:
  CellWriter(const TextStyle& style, double list_indent) : style_(style), indent_(list_indent) {}

  // A paragraph in the cell's style, or aligned as `align` says.
  void Text(std::string text, std::optional<Align> align = std::nullopt) {
    Paragraph p{std::move(text), style_};
    if (align) p.style.align = *align;
    out_.paragraphs.push_back(std::move(p));
  }

  void Content(const v1::Content& content) {
    for (const v1::Block& block : content.blocks()) {
      switch (block.kind_case()) {
        case v1::Block::kParagraph:
          Text(block.paragraph());
          break;
        case v1::Block::kList:
          List(block.list(), 1);
          break;
        case v1::Block::kScore: {
          std::string sentence = ScoreSentence(block.score());
          if (block.score().continues_paragraph() && !out_.paragraphs.empty()) {
            out_.paragraphs.back().text += sentence;
          } else {
            Text(std::move(sentence));
          }
          break;
        }
        case v1::Block::KIND_NOT_SET:
          break;
      }
    }
  }

  void List(const v1::TextList& list, int level) {
    int n = list.start() > 0 ? list.start() : 1;
    for (const v1::ListItem& item : list.items()) {
      Paragraph p{item.text(), style_};
      p.indent = indent_ * level;
      switch (list.style()) {
        case v1::LIST_STYLE_BULLET: p.marker = "•"; break;
        case v1::LIST_STYLE_DASH: p.marker = "-"; break;
        default: p.marker = ThaiInteger(n++) + "."; break;
      }
      out_.paragraphs.push_back(std::move(p));
      if (item.has_sublist()) List(item.sublist(), level + 1);
    }
  }

  layout::Cell Take() { return std::move(out_); }

 private:
  TextStyle style_;
  double indent_;
  layout::Cell out_;
};

std::string ResponsibleText(const v1::ResponsibleUnit& u) {
  return u.sub_unit().empty() ? u.unit() : u.unit() + " - " + u.sub_unit();
}

layout::Cell MeasureCell(v1::ColumnKind kind, const v1::Measure& m, bool numbered_title,
                         const TextStyle& style, double list_indent) {
  CellWriter cell(style, list_indent);
  switch (kind) {
    case v1::COLUMN_KIND_SEQUENCE:
      cell.Text(ThaiInteger(m.number()), Align::kCenter);
      break;
    case v1::COLUMN_KIND_MEASURE:
      cell.Text(numbered_title ? ThaiInteger(m.number()) + ". " + m.title() : m.title());
      break;
    case v1::COLUMN_KIND_METHOD:
      if (m.has_finding()) {
        const v1::Finding& f = m.finding();
        std::string s = "จากผลการประเมิน ITA";
        if (!f.indicator().empty()) s += " ตัวชี้วัดที่ " + text::ThaiDigits(f.indicator());
        if (!f.indicator_name().empty()) s += " " + f.indicator_name();
        if (!f.issue().empty()) s += " ประเด็น " + f.issue();
        cell.Text(std::move(s));
      }
      cell.Content(m.method());
      break;
    case v1::COLUMN_KIND_PERIOD:
      cell.Text(ThaiPeriod(m.period()), Align::kCenter);
      break;
    case v1::COLUMN_KIND_RESPONSIBLE:
      if (m.responsible_size() == 1) {
        cell.Text(ResponsibleText(m.responsible(0)));
      } else {
        v1::TextList list;
        list.set_style(v1::LIST_STYLE_NUMBERED);
        for (const auto& u : m.responsible()) list.add_items()->set_text(ResponsibleText(u));
        cell.List(list, 1);
      }
      break;
    case v1::COLUMN_KIND_RESULTS:
      cell.Content(m.results());
      break;
    case v1::COLUMN_KIND_OUTCOMES:
      cell.Content(m.outcomes());
      break;
    default:
      break;
  }
  return cell.Take();
}

std::string PersonLine(const std::string& label, const v1::Person& p) {
  std::string s = label.empty() ? p.name() : label + " : " + p.name();
  if (!p.position().empty()) s += " ตำแหน่ง " + p.position();
  return s;
}

// The sign-off's people in order, each with its label: every reviewer
// has one, not only the first.
std::vector<std::pair<std::string, const v1::Person*>> Signers(const v1::SignOff& so) {
  std::vector<std::pair<std::string, const v1::Person*>> out;
  if (so.has_reporter()) out.emplace_back("เจ้าหน้าที่ผู้รายงาน", &so.reporter());
  for (const v1::Person& p : so.reviewers()) out.emplace_back("เจ้าหน้าที่ผู้ตรวจสอบ", &p);
  if (so.has_acknowledged_by()) out.emplace_back("ผู้บริหารรับทราบ", &so.acknowledged_by());
  return out;
}

void AddSignOff(const v1::SignOff& so, v1::SignOffForm form, const TextStyle& style,
                double content_width, std::vector<layout::Block>* out) {
  out->push_back(layout::Spacer{style.size});
  if (!so.reporting_unit().empty()) {
    Paragraph p{"หน่วยงานรับผิดชอบรายงานผลการดำเนินงานตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสในการดำเนินงาน : " +
                    so.reporting_unit(),
                style};
    p.keep_with_next = true;
    out->push_back(std::move(p));
  }
  const auto signers = Signers(so);
  if (form == v1::SIGN_OFF_FORM_LINE) {
    for (size_t i = 0; i < signers.size(); ++i) {
      layout::SignatureLine s;
      // As seed 004 writes it: the label on the first reviewer only.
      const bool later_reviewer = i > 0 && signers[i].first == signers[i - 1].first;
      s.text = Paragraph{PersonLine(later_reviewer ? "" : signers[i].first, *signers[i].second),
                         style};
      s.text.space_before = style.size * 0.6;
      // The sign-off is one unit: the executive's line never stands alone.
      s.keep_with_next = i + 1 < signers.size();
      out->push_back(std::move(s));
    }
    return;
  }
  // A block per signer in the right half of the page, centred there.
  TextStyle centred = style;
  centred.align = Align::kCenter;
  for (size_t i = 0; i < signers.size(); ++i) {
    const v1::Person& person = *signers[i].second;
    std::vector<std::string> lines = {signers[i].first, std::string(kSignHere),
                                      "(" + person.name() + ")"};
    if (!person.position().empty()) lines.push_back("ตำแหน่ง " + person.position());
    for (size_t k = 0; k < lines.size(); ++k) {
      Paragraph p{std::move(lines[k]), centred};
      p.indent = content_width / 2;
      if (k == 0) p.space_before = style.size * 0.8;
      if (k == 1) p.space_before = style.size * 0.4;
      p.keep_with_next = i + 1 < signers.size() || k + 1 < lines.size();
      out->push_back(std::move(p));
    }
  }
}

// The names a report's text spells out, as the layout should keep them:
// people's given names and surnames never broken, agencies, places and
// units kept whole where a line can hold them.
struct Name {
  std::string text;
  bool strict = false;
};

std::vector<Name> NamesOf(const v1::Report& r) {
  std::vector<Name> names;
  auto person = [&](const v1::Person& p) {
    // Given name and surname apart: a line may end between them.
    size_t start = 0;
    const std::string& n = p.name();
    while (start < n.size()) {
      size_t space = n.find(' ', start);
      if (space == std::string::npos) space = n.size();
      if (space > start) names.push_back({n.substr(start, space - start), true});
      start = space + 1;
    }
  };
  const v1::SignOff& so = r.sign_off();
  if (so.has_reporter()) person(so.reporter());
  for (const v1::Person& p : so.reviewers()) person(p);
  if (so.has_acknowledged_by()) person(so.acknowledged_by());
  names.push_back({r.agency().name(), false});
  names.push_back({r.agency().district(), false});
  names.push_back({r.agency().province(), false});
  names.push_back({so.reporting_unit(), false});
  for (const v1::Measure& m : r.measures()) {
    for (const v1::ResponsibleUnit& u : m.responsible()) {
      names.push_back({u.unit(), false});
      names.push_back({u.sub_unit(), false});
    }
  }
  return names;
}

// Finds the names in paragraphs in one pass over each: the distinct names
// are indexed by their first two letters, so a paragraph that holds none
// (most do) costs one look-up a letter. A name that does not start with
// two Thai letters is searched for on its own.
class NameFinder {
 public:
  explicit NameFinder(std::vector<Name> names) : by_start_(128 * 128) {
    std::sort(names.begin(), names.end(), [](const Name& a, const Name& b) {
      return a.text != b.text ? a.text < b.text : a.strict > b.strict;
    });
    for (Name& name : names) {
      if (name.text.size() < 6) continue;  // one or two letters: nothing to split
      if (!names_.empty() && names_.back().text == name.text) continue;  // strict first
      names_.push_back(std::move(name));
    }
    for (size_t i = 0; i < names_.size(); ++i) {
      const int a = text::ThaiIndexAt(names_[i].text, 0), b = text::ThaiIndexAt(names_[i].text, 3);
      if (a >= 0 && b >= 0) {
        by_start_[static_cast<size_t>(a * 128 + b)].push_back(i);
      } else {
        others_.push_back(i);
      }
    }
  }

  // Marks every occurrence of the names in `p` as a keep.
  void Mark(Paragraph* p) const {
    const std::string& t = p->text;
    for (size_t at = 0; at + 6 <= t.size(); ++at) {
      const int a = text::ThaiIndexAt(t, at);
      if (a < 0) continue;
      const int b = text::ThaiIndexAt(t, at + 3);
      if (b < 0) continue;
      for (size_t i : by_start_[static_cast<size_t>(a * 128 + b)]) {
        if (t.compare(at, names_[i].text.size(), names_[i].text) == 0) {
          p->keeps.push_back({at, at + names_[i].text.size(), names_[i].strict});
        }
      }
    }
    for (size_t i : others_) {
      for (size_t at = t.find(names_[i].text); at != std::string::npos;
           at = t.find(names_[i].text, at + names_[i].text.size())) {
        p->keeps.push_back({at, at + names_[i].text.size(), names_[i].strict});
      }
    }
  }

  void Mark(std::vector<layout::Block>* blocks) const {
    for (layout::Block& block : *blocks) {
      if (auto* p = std::get_if<Paragraph>(&block)) Mark(p);
      if (auto* s = std::get_if<layout::SignatureLine>(&block)) Mark(&s->text);
      if (auto* t = std::get_if<layout::Table>(&block)) {
        for (auto& row : t->rows) {
          for (auto& cell : row) {
            for (auto& p : cell.paragraphs) Mark(&p);
          }
        }
      }
    }
  }

 private:
  std::vector<Name> names_;
  std::vector<std::vector<size_t>> by_start_;  // name indices by first two letters
  std::vector<size_t> others_;
};

}  // namespace

std::string FillPlaceholders(std::string text, const v1::Report& r) {
  if (text.find('{') == std::string::npos) return text;
  text = ReplaceAll(std::move(text), "{agency}", r.agency().name());
  text = ReplaceAll(std::move(text), "{fiscal_year}", ThaiInteger(r.fiscal_year()));
  text = ReplaceAll(std::move(text), "{assessed_fiscal_year}",
                    ThaiInteger(r.introduction().assessed_fiscal_year()));
  text = ReplaceAll(std::move(text), "{ita_score}", ThaiNumber(r.introduction().ita_score(), 2));
  text = ReplaceAll(std::move(text), "{ita_level}", r.introduction().ita_level());
  return text;
}

std::string DocumentTitle(const v1::Report& r) {
  return r.title() + " " + r.agency().name() + " ประจำปีงบประมาณ พ.ศ. " + ThaiInteger(r.fiscal_year());
}

Result<std::vector<double>> ColumnWidths(const v1::Report& report, const v1::Template& t) {
  const double content = (t.page_width_mm() - t.margin_left_mm() - t.margin_right_mm()) * kPointsPerMm;
  std::vector<double> weights;
  double sum = 0;
  for (int i = 0; i < report.layout().columns_size(); ++i) {
    const v1::ColumnKind kind = report.layout().columns(i).kind();
    const auto it = std::find_if(t.columns().begin(), t.columns().end(),
                                 [&](const v1::ColumnWidth& c) { return c.kind() == kind; });
    if (it == t.columns().end() || !(it->weight() > 0)) {
      return InvalidArgument("the template has no width for column " + v1::ColumnKind_Name(kind),
                             "columns");
    }
    weights.push_back(it->weight());
    sum += it->weight();
  }
  std::vector<double> widths;
  // Each column must hold a few Thai characters at table size inside its
  // padding, and columns that hold lists must do so at two levels of indent.
  const double min_text = t.min_column_em() * t.table_size();
  const double padding = 2 * t.cell_padding_mm() * kPointsPerMm;
  const double indent = 2 * t.list_indent_mm() * kPointsPerMm;
  for (size_t i = 0; i < weights.size(); ++i) {
    const v1::ColumnKind kind = report.layout().columns(static_cast<int>(i)).kind();
    const bool lists = kind == v1::COLUMN_KIND_METHOD || kind == v1::COLUMN_KIND_RESPONSIBLE || kind == v1::COLUMN_KIND_RESULTS ||
                       kind == v1::COLUMN_KIND_OUTCOMES;
    widths.push_back(content * weights[i] / sum);
    const double text = widths.back() - padding - (lists ? indent : 0);
    if (text < min_text) {
      char buf[240];
      std::snprintf(buf, sizeof buf,
                    "column %s would leave %.1f pt for text (width %.1f pt less padding%s), "
                    "less than minColumnEm x tableSize = %.1f pt",
                    v1::ColumnKind_Name(kind).c_str(), text, widths.back(),
                    lists ? " and two list indents" : "", min_text);
      return InvalidArgument(buf, "columns");
    }
  }
  return widths;
}

Result<layout::DocumentLayout> Compose(const v1::Report& r, const v1::Template& t,
                                       const ComposeOptions& options) {
  const double f = options.size_factor;
  layout::DocumentLayout doc;
  layout::PageSetup& s = doc.setup;
  s.width = t.page_width_mm() * kPointsPerMm;
  s.height = t.page_height_mm() * kPointsPerMm;
  s.margin_top = t.margin_top_mm() * kPointsPerMm;
  s.margin_bottom = t.margin_bottom_mm() * kPointsPerMm;
  s.margin_left = t.margin_left_mm() * kPointsPerMm;
  s.margin_right = t.margin_right_mm() * kPointsPerMm;
  s.line_spacing = t.line_spacing() > 0 ? t.line_spacing() : 1.0;
  s.page_number_format = t.page_number_format();
  s.footer_style = {FontRole::kRegular, t.footer_size() * f, Align::kRight};

  const TextStyle body{FontRole::kRegular, t.body_size() * f,
                       AlignOf(t.body_align(), Align::kThaiDistributed)};
  const TextStyle cell{FontRole::kRegular, t.table_size() * f,
                       AlignOf(t.table_align(), Align::kLeft)};
  const TextStyle header{FontRole::kBold, t.table_size() * f, Align::kCenter};

  // Title block.
  for (const v1::TitleLine& line : TitleLines(t)) {
    std::string text = FillTitle(line.text(), r);
    if (StripSpaces(text).empty()) continue;
    const double size = line.size() > 0 ? line.size() : line.bold() ? t.title_size() : t.body_size();
    doc.blocks.push_back(Paragraph{
        std::move(text),
        {line.bold() ? FontRole::kBold : FontRole::kRegular, size * f, Align::kCenter}});
  }

  if (!r.heading().empty()) {
    Paragraph heading{FillPlaceholders(r.heading(), r), {FontRole::kBold, t.body_size() * f, Align::kCenter}};
    heading.space_before = t.body_size() * f * 0.5;
    heading.keep_with_next = true;  // never the last thing on a page
    doc.blocks.push_back(std::move(heading));
  }
  for (const std::string& text : r.introduction().paragraphs()) {
    Paragraph p{FillPlaceholders(text, r), body};
    p.first_line_indent = t.paragraph_indent_mm() * kPointsPerMm;
    p.space_before = t.body_size() * f * 0.4;
    doc.blocks.push_back(std::move(p));
  }

  // The measures table.
  Result<std::vector<double>> widths = ColumnWidths(r, t);
  if (!widths.ok()) return widths.status();
  layout::Table table;
  table.column_widths = *widths;
  table.padding = t.cell_padding_mm() * kPointsPerMm;
  table.header_gray = t.header_gray();
  table.continuation_mark = t.continuation_mark();
  table.continuation_style = cell;
  table.space_before = t.body_size() * f * 0.5;
  bool has_sequence = false;
  for (const v1::Column& c : r.layout().columns()) {
    table.header.push_back(layout::Cell{{Paragraph{c.heading(), header}}});
    has_sequence = has_sequence || c.kind() == v1::COLUMN_KIND_SEQUENCE;
  }
  const double list_indent = t.list_indent_mm() * kPointsPerMm;
  for (const v1::Measure& m : r.measures()) {
    std::vector<layout::Cell> row;
    for (const v1::Column& c : r.layout().columns()) {
      row.push_back(MeasureCell(c.kind(), m, !has_sequence, cell, list_indent));
    }
    table.rows.push_back(std::move(row));
  }
  doc.blocks.push_back(std::move(table));

  if (r.has_sign_off()) {
    const double content = (t.page_width_mm() - t.margin_left_mm() - t.margin_right_mm()) * kPointsPerMm;
    AddSignOff(r.sign_off(), t.sign_off_form(), {FontRole::kRegular, t.body_size() * f, Align::kLeft},
               content, &doc.blocks);
  }
  NameFinder(NamesOf(r)).Mark(&doc.blocks);
  return doc;
}

}  // namespace saraban::report
