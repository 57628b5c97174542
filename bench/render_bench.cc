// Rendering speed with warm caches, in-process: the whole pipeline and its
// stages. Run: build/bench/render_bench (from the source root).
#include <benchmark/benchmark.h>

#include <variant>

#include "sample_reports.h"
#include "saraban/layout/layout.h"
#include "saraban/model/json.h"
#include "saraban/model/validate.h"
#include "saraban/pdf/writer.h"
#include "saraban/report/compose.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/text/font.h"
#include "saraban/text/line_breaker.h"
#include "saraban/text/shaper.h"

namespace {

using saraban::v1::Report;

Report Load(const std::string& path, int measures = 0) {
  auto r = measures > 0 ? saraban::bench::SampleReport(path, measures)
                        : saraban::model::LoadReportFile(path);
  if (!r.ok()) std::abort();
  return *r;
}

void RenderReport(benchmark::State& state, const Report& report,
                  const std::string& template_path = {}) {
  auto renderer = saraban::report::ReportRenderer::Create();
  auto tmpl = template_path.empty() ? saraban::report::DefaultTemplate()
                                    : saraban::model::LoadTemplateFile(template_path);
  if (!renderer.ok() || !tmpl.ok()) std::abort();
  int pages = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    auto pdf = (*renderer)->Render(report, *tmpl);
    if (!pdf.ok()) std::abort();
    pages += pdf->page_count;
    bytes = pdf->bytes.size();
    benchmark::DoNotOptimize(pdf->bytes.data());
  }
  state.counters["pages/s"] = benchmark::Counter(pages, benchmark::Counter::kIsRate);
  state.counters["pdf_bytes"] = static_cast<double>(bytes);
}

void BM_RenderSeed004(benchmark::State& state) {
  RenderReport(state, Load("examples/004_bueng_khla.json"));
}
void BM_RenderSeed000(benchmark::State& state) {
  RenderReport(state, Load("examples/000_taluboh.json"));
}
void BM_Render60Measures(benchmark::State& state) {
  RenderReport(state, Load("examples/004_bueng_khla.json", 60));
}
// Seed 004 with its sign-off on one line a person, as before the block
// form: the same content as the renders before it, for comparisons.
void BM_RenderSeed004OneLineSignOff(benchmark::State& state) {
  RenderReport(state, Load("examples/004_bueng_khla.json"),
               "templates/ita_landscape_one_line_sign_off.json");
}

// The stages of seed 004 one by one.
void BM_Stages004(benchmark::State& state) {
  Report report = Load("examples/004_bueng_khla.json");
  auto tmpl = saraban::report::DefaultTemplate();
  auto regular = saraban::text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman.ttf");
  auto bold = saraban::text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf");
  saraban::layout::Typesetter ts({*regular, *bold});
  const int stage = static_cast<int>(state.range(0));
  auto doc = saraban::report::Compose(report, *tmpl);
  auto pages = ts.Layout(*doc);
  saraban::pdf::Document pdf;
  pdf.fonts = ts.fonts();
  pdf.pages = *pages;
  for (auto _ : state) {
    if (stage == 0) {
      Report copy = report;
      benchmark::DoNotOptimize(saraban::model::ValidateReport(&copy));
    } else if (stage == 1) {
      benchmark::DoNotOptimize(saraban::report::Compose(report, *tmpl));
    } else if (stage == 2) {
      benchmark::DoNotOptimize(ts.Layout(*doc));
    } else {
      benchmark::DoNotOptimize(saraban::pdf::WritePdf(pdf));
    }
  }
  static const char* const kNames[] = {"validate", "compose", "layout", "write_pdf"};
  state.SetLabel(kNames[stage]);
}

// Seed 000's results and outcomes as one text, for the breakers.
std::string ResultsText() {
  Report report = Load("examples/000_taluboh.json");
  std::string text;
  for (const auto& m : report.measures()) {
    for (const auto& b : m.results().blocks()) text += b.paragraph() + " ";
    for (const auto& b : m.outcomes().blocks()) text += b.paragraph() + " ";
  }
  return text;
}

// Line breaking of Thai text (ICU dictionary + Thai rules).
void BM_LineBreak(benchmark::State& state) {
  const std::string text = ResultsText();
  saraban::text::LineBreaker breaker;
  for (auto _ : state) benchmark::DoNotOptimize(breaker.Opportunities(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// The same text graded (both dictionaries, links, the compound lexicon):
// what the layout calls.
void BM_LineBreakGraded(benchmark::State& state) {
  const std::string text = ResultsText();
  saraban::text::LineBreaker breaker;
  for (auto _ : state) benchmark::DoNotOptimize(breaker.Graded(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

// One paragraph of `range(0)` bytes of Thai in a 200 pt cell: optimal line
// breaking is linear in the words; past 4,000 words it is greedy.
void BM_LongParagraph(benchmark::State& state) {
  Report report = Load("examples/000_taluboh.json");
  std::string all;
  for (const auto& m : report.measures()) {
    for (const auto& b : m.method().blocks()) all += b.paragraph() + " ";
    for (const auto& b : m.results().blocks()) all += b.paragraph() + " ";
  }
  std::string text;
  while (text.size() < static_cast<size_t>(state.range(0))) text += all;
  // Cut at a space so that the text stays valid UTF-8.
  text.resize(text.rfind(' ', static_cast<size_t>(state.range(0))));
  auto regular = saraban::text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman.ttf");
  auto bold = saraban::text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf");
  saraban::layout::Typesetter ts({*regular, *bold});
  saraban::layout::DocumentLayout doc;
  doc.setup.height = 14400;
  doc.setup.margin_right = doc.setup.width - doc.setup.margin_left - 200;
  doc.setup.page_number_format.clear();
  doc.blocks.push_back(saraban::layout::Paragraph{
      text, {saraban::layout::FontRole::kRegular, 14, saraban::layout::Align::kLeft}});
  for (auto _ : state) {
    auto pages = ts.Layout(doc);
    if (!pages.ok()) std::abort();
    benchmark::DoNotOptimize(pages->size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_ShapeWord(benchmark::State& state) {
  auto font = saraban::text::Font::Load("/usr/share/fonts/truetype/tlwg/Laksaman.ttf");
  saraban::text::Shaper shaper(*font);
  const bool cached = state.range(0) != 0;
  for (auto _ : state) {
    if (cached) {
      benchmark::DoNotOptimize(shaper.Shape("ปีงบประมาณ"));
    } else {
      benchmark::DoNotOptimize(shaper.ShapeUncached("ปีงบประมาณ"));
    }
  }
  state.SetLabel(cached ? "cached" : "uncached");
}

BENCHMARK(BM_RenderSeed004)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderSeed000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Render60Measures)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderSeed004OneLineSignOff)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Stages004)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LineBreak)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LineBreakGraded)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LongParagraph)->Arg(4 << 10)->Arg(16 << 10)->Arg(32 << 10)->Arg(64 << 10)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ShapeWord)->Arg(0)->Arg(1);

}  // namespace

// What a worker process does at start (saraban::report::KeepFreedMemory),
// so that these numbers are a worker thread's.
int main(int argc, char** argv) {
  saraban::report::KeepFreedMemory();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
