// A report from JSON as `saraban import`, `saraban validate` and
// report-service take it: model::ParseReportJson, then model::ValidateReport
// (which normalises every string) and model::ValidateAgency. Anything may
// be rejected with an error; what is accepted must print back to JSON that
// parses and validates again to the same report (normalisation is a fixed
// point), since the store keeps the printed form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "saraban/model/json.h"
#include "saraban/model/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace saraban;
  // The files are capped at 8 MiB; the fuzzer's inputs are far smaller.
  if (size > (1u << 20)) return -1;
  const std::string_view json(reinterpret_cast<const char*>(data), size);

  (void)model::ParseTemplateJson(json);  // the same parser with the other message

  Result<v1::Report> parsed = model::ParseReportJson(json);
  if (!parsed.ok()) return 0;
  v1::Report report = std::move(parsed).value();
  if (!model::ValidateReport(&report).empty()) return 0;
  v1::Agency agency = report.agency();
  (void)model::ValidateAgency(&agency);

  const std::string printed = model::ReportToJson(report);
  SARABAN_FUZZ_CHECK(!printed.empty(), "a valid report prints");
  Result<v1::Report> again = model::ParseReportJson(printed);
  SARABAN_FUZZ_CHECK(again.ok(), "a valid report's JSON parses");
  SARABAN_FUZZ_CHECK(model::ValidateReport(&again.value()).empty(), "a normalised report is valid");
  SARABAN_FUZZ_CHECK(model::ReportToJson(*again) == printed, "normalisation is idempotent");
  return 0;
}
