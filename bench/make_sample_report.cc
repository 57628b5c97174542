// Writes a report with N measures (JSON) for whole-process timing:
//   make_sample_report examples/004_bueng_khla.json 60 > /tmp/r60.json
#include <cstdlib>
#include <iostream>

#include "sample_reports.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_sample_report EXAMPLE.json MEASURES\n";
    return 2;
  }
  auto report = saraban::bench::SampleReport(argv[1], std::atoi(argv[2]));
  if (!report.ok()) {
    std::cerr << report.status().ToString() << "\n";
    return 1;
  }
  std::cout << saraban::model::ReportToJson(*report);
  return 0;
}
