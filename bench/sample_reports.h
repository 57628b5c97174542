// Reports of a chosen size for benchmarks and load tests, made from the
// examples' measures so the words are real Thai.
#pragma once

#include <string>

#include "saraban/model/json.h"
#include "saraban/status.h"
#include "saraban/v1/report.pb.h"

namespace saraban::bench {

// Seed 004 (6 measures) with its measures repeated and renumbered until it
// has `measures` of them.
inline Result<v1::Report> SampleReport(const std::string& example, int measures) {
  Result<v1::Report> base = model::LoadReportFile(example);
  if (!base.ok()) return base.status();
  v1::Report report = *base;
  const int originals = report.measures_size();
  if (originals == 0) return report;
  report.clear_measures();
  for (int i = 0; i < measures; ++i) {
    v1::Measure* m = report.add_measures();
    *m = base->measures(i % originals);
    m->set_number(i + 1);
  }
  return report;
}

}  // namespace saraban::bench
