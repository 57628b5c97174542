// PAdES signatures on a rendered report, checked by real verifiers:
// poppler's pdfsig, `openssl cms -verify` on each extracted signature,
// PDFBox Preflight (PDF/A-1b after every signature) and qpdf. The
// certificates come from a throwaway CA made with the openssl command for
// this test process: root -> intermediate -> three signers, and a
// stranger's root that no one trusts.
#include "saraban/sign/pades.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "saraban/digest.h"
#include "saraban/model/json.h"
#include "saraban/pdf/incremental.h"
#include "saraban/report/default_template.h"
#include "saraban/report/render.h"
#include "saraban/testing/test_ca.h"
#include "test_support.h"

namespace saraban::sign {
namespace {

using test::ReadFile;
using test::RunCommand;
using test::TempPath;
using test::WriteFile;

class SignTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempPath("ca"));
    std::filesystem::create_directories(*dir_);
    *error_ = saraban::testing::MakeTestCa(*dir_, {"reporter", "reviewer", "executive"});
    auto report = model::LoadReportFile("examples/004_bueng_khla.json");
    auto renderer = report::ReportRenderer::Create({});
    if (report.ok() && renderer.ok()) {
      auto pdf = (*renderer)->Render(*report, *report::DefaultTemplate());
      if (pdf.ok()) *unsigned_ = pdf->bytes;
    }
  }

  void SetUp() override {
    ASSERT_TRUE(error_->empty()) << "making the test CA failed:\n" << *error_;
    ASSERT_FALSE(unsigned_->empty()) << "rendering the seed failed";
  }

  static Identity Load(const std::string& who) {
    auto id = Identity::FromPkcs12(ReadFile(*dir_ + "/" + who + ".p12"), "secret");
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return std::move(id).value();
  }

  static pdf::SignatureField Field(const std::string& name) {
    pdf::SignatureField f;
    f.name = name;
    f.signing_time = "D:20261207090000+00'00'";
    return f;
  }

  // Reporter (seal), reviewer (external: prepare, sign elsewhere,
  // complete), executive (seal), in that order.
  static std::string SignedByThree() {
    auto reporter = Seal(*unsigned_, Field("reporter"), Load("reporter"));
    EXPECT_TRUE(reporter.ok()) << reporter.status().ToString();
    auto reviewer_key = Load("reviewer");
    auto reviewer_cert = Identity::FromCertificatePem(ReadFile(*dir_ + "/reviewer.chain.pem"));
    EXPECT_TRUE(reviewer_cert.ok());
    auto pending = Prepare(*reporter, Field("reviewer"), *reviewer_cert);
    EXPECT_TRUE(pending.ok()) << pending.status().ToString();
    // The signer's own software: here the key of the same certificate.
    auto value = SignDigest(reviewer_key, pending->to_be_signed_sha256);
    EXPECT_TRUE(value.ok());
    auto reviewed = Complete(*pending, *reviewer_cert, *value);
    EXPECT_TRUE(reviewed.ok()) << reviewed.status().ToString();
    auto executive = Seal(*reviewed, Field("executive"), Load("executive"));
    EXPECT_TRUE(executive.ok()) << executive.status().ToString();
    return executive.ok() ? *executive : std::string();
  }

  static std::string Root() { return ReadFile(*dir_ + "/root.pem"); }

  static std::string* dir_;
  static std::string* error_;
  static std::string* unsigned_;
};

std::string* SignTest::dir_ = nullptr;
std::string* SignTest::error_ = new std::string;
std::string* SignTest::unsigned_ = new std::string;

// How many times `needle` occurs in `haystack`.
int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(SignTest, ThreeSignaturesInOrderAreEachValidAndTheRenderStaysAPrefix) {
  const std::string signed_pdf = SignedByThree();
  ASSERT_FALSE(signed_pdf.empty());
  EXPECT_EQ(signed_pdf.compare(0, unsigned_->size(), *unsigned_), 0)
      << "the unsigned render is not a prefix of the signed file";

  const std::string path = TempPath("signed.pdf");
  WriteFile(path, signed_pdf);
  const test::CommandResult pdfsig = RunCommand("pdfsig " + path);
  EXPECT_EQ(Count(pdfsig.output, "Signature is Valid."), 3) << pdfsig.output;
  EXPECT_EQ(Count(pdfsig.output, "Total document signed"), 1) << pdfsig.output;
  EXPECT_EQ(Count(pdfsig.output, "Not total document signed"), 2) << pdfsig.output;
  EXPECT_EQ(Count(pdfsig.output, "ETSI.CAdES.detached"), 3) << pdfsig.output;

  // Each signature on its own, by OpenSSL's verifier, against the root.
  auto found = pdf::FindSignatures(signed_pdf);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].field, "reporter");
  EXPECT_EQ((*found)[2].field, "executive");
  for (size_t i = 0; i < found->size(); ++i) {
    const std::string der = TempPath("sig" + std::to_string(i) + ".der");
    const std::string content = TempPath("signed" + std::to_string(i) + ".bin");
    WriteFile(der, (*found)[i].der);
    WriteFile(content, pdf::SignedBytes(signed_pdf, (*found)[i]));
    const test::CommandResult cms = RunCommand(
        "openssl cms -verify -binary -inform DER -in " + der + " -content " + content +
        " -CAfile " + *dir_ + "/root.pem -purpose any -out /dev/null");
    EXPECT_EQ(cms.exit_code, 0) << (*found)[i].field << ": " << cms.output;
    EXPECT_NE(cms.output.find("Verification successful"), std::string::npos) << cms.output;
    // PAdES B-B: the time is /M's, not a CMS signing-time attribute.
    const test::CommandResult print =
        RunCommand("openssl cms -cmsout -print -inform DER -in " + der);
    EXPECT_NE(print.output.find("signingCertificateV2"), std::string::npos) << print.output;
    EXPECT_EQ(print.output.find("signingTime"), std::string::npos) << print.output;
  }

  auto verdict = VerifyPdf(signed_pdf, Root());
  ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
  ASSERT_EQ(verdict->signatures.size(), 3u);
  for (const auto& v : verdict->signatures) {
    EXPECT_TRUE(v.intact) << v.field << ": " << v.problem;
    EXPECT_TRUE(v.trusted) << v.field << ": " << v.problem;
  }
  EXPECT_NE(verdict->signatures[1].signer.find("CN=reviewer of Bueng Khla"), std::string::npos)
      << verdict->signatures[1].signer;
  EXPECT_TRUE(verdict->signatures[2].whole_file);
  EXPECT_FALSE(verdict->modified_after_last_signature);
  EXPECT_EQ(verdict->unsigned_size, unsigned_->size());
  EXPECT_EQ(verdict->unsigned_sha256, Sha256Hex(*unsigned_));

  // Signing is deterministic with RSA and a given time.
  EXPECT_EQ(SignedByThree(), signed_pdf);
}

TEST_F(SignTest, EachSignerSignsIntoTheFieldMadeForThemInTheSignOff) {
  auto report = model::LoadReportFile("examples/004_bueng_khla.json");
  auto renderer = report::ReportRenderer::Create({});
  ASSERT_TRUE(report.ok() && renderer.ok());
  auto rendered = (*renderer)->Render(*report, *report::DefaultTemplate());
  ASSERT_TRUE(rendered.ok());
  ASSERT_EQ(rendered->bytes, *unsigned_);
  // Seed 004's sign-off: a reporter, two reviewers, the executive.
  std::vector<std::string> names;
  for (const auto& place : rendered->signature_places) names.push_back(place.field);
  EXPECT_EQ(names, (std::vector<std::string>{"reporter", "reviewer-1", "reviewer-2", "executive"}));
  for (size_t i = 1; i < rendered->signature_places.size(); ++i) {
    EXPECT_LT(rendered->signature_places[i].rect[1], rendered->signature_places[i - 1].rect[1])
        << "the places are not top to bottom";
  }
  auto published = report::WithSignatureFields(*rendered);
  ASSERT_TRUE(published.ok()) << published.status().ToString();
  EXPECT_EQ(published->compare(0, unsigned_->size(), *unsigned_), 0);
  const std::string fields_path = TempPath("with-fields.pdf");
  WriteFile(fields_path, *published);
  EXPECT_EQ(RunCommand("qpdf --check " + fields_path).exit_code, 0);

  std::string pdf = *published;
  const char* signers[] = {"reporter", "reviewer", "reviewer", "executive"};
  for (size_t i = 0; i < names.size(); ++i) {
    auto next = Seal(pdf, Field(names[i]), Load(signers[i]));
    ASSERT_TRUE(next.ok()) << names[i] << ": " << next.status().ToString();
    pdf = *next;
  }
  // A field signs once.
  EXPECT_EQ(Seal(pdf, Field("reporter"), Load("reporter")).status().code(),
            StatusCode::kInvalidArgument);
  const std::string path = TempPath("signed-in-fields.pdf");
  WriteFile(path, pdf);
  const test::CommandResult pdfsig = RunCommand("pdfsig " + path);
  EXPECT_EQ(Count(pdfsig.output, "Signature is Valid."), 4) << pdfsig.output;
  auto verdict = VerifyPdf(pdf, Root());
  ASSERT_TRUE(verdict.ok());
  ASSERT_EQ(verdict->signatures.size(), 4u);
  for (const auto& v : verdict->signatures) EXPECT_TRUE(v.intact && v.trusted) << v.field;
  // The document before the first signature is the published one.
  EXPECT_EQ(verdict->unsigned_sha256, Sha256Hex(*published));
  if (std::filesystem::exists("/usr/share/java/preflight.jar")) {
    const test::CommandResult preflight = RunCommand("scripts/preflight.sh " + path);
    EXPECT_EQ(preflight.exit_code, 0) << preflight.output;
  }
}

TEST_F(SignTest, EverySignedRevisionIsStillPdfA1bAndWellFormed) {
  if (!std::filesystem::exists("/usr/share/java/preflight.jar")) {
    GTEST_SKIP() << "PDFBox Preflight (libpdfbox2-java) is not installed";
  }
  const std::string signed_pdf = SignedByThree();
  auto found = pdf::FindSignatures(signed_pdf);
  ASSERT_TRUE(found.ok());
  for (const auto& s : *found) {
    const std::string path = TempPath("revision-" + s.field + ".pdf");
    WriteFile(path, signed_pdf.substr(0, s.revision_end));
    const test::CommandResult preflight = RunCommand("scripts/preflight.sh " + path);
    EXPECT_EQ(preflight.exit_code, 0) << s.field << ": " << preflight.output;
    const test::CommandResult qpdf = RunCommand("qpdf --check " + path);
    EXPECT_EQ(qpdf.exit_code, 0) << s.field << ": " << qpdf.output;
  }
}

TEST_F(SignTest, OneChangedByteAnywhereIsReportedByBothVerifiers) {
  const std::string signed_pdf = SignedByThree();
  ASSERT_FALSE(signed_pdf.empty());
  // A byte inside the rendered document (the first revision), and a digit
  // of the last signature's widget box, inside its own update.
  const size_t last_rect = signed_pdf.rfind("/Rect [") + 7;
  for (size_t at : {unsigned_->size() / 2, last_rect}) {
    std::string changed = signed_pdf;
    changed[at] = changed[at] == '0' ? '1' : '0';
    if (changed == signed_pdf) changed[at] ^= 1;
    auto verdict = VerifyPdf(changed, Root());
    ASSERT_TRUE(verdict.ok()) << verdict.status().ToString();
    int broken = 0;
    for (const auto& v : verdict->signatures) broken += v.intact ? 0 : 1;
    EXPECT_GE(broken, 1) << "a change at byte " << at << " went unnoticed";
    const std::string path = TempPath("changed.pdf");
    WriteFile(path, changed);
    const test::CommandResult pdfsig = RunCommand("pdfsig " + path);
    EXPECT_LT(Count(pdfsig.output, "Signature is Valid."), 3) << pdfsig.output;
  }
}

TEST_F(SignTest, AStrangersSignatureIsIntactButNotTrusted) {
  auto signed_pdf = Seal(*unsigned_, Field("seal"), Load("stranger"));
  ASSERT_TRUE(signed_pdf.ok()) << signed_pdf.status().ToString();
  auto verdict = VerifyPdf(*signed_pdf, Root());
  ASSERT_TRUE(verdict.ok());
  ASSERT_EQ(verdict->signatures.size(), 1u);
  EXPECT_TRUE(verdict->signatures[0].intact);
  EXPECT_FALSE(verdict->signatures[0].trusted);
  EXPECT_NE(verdict->signatures[0].problem.find("not trusted"), std::string::npos);
}

TEST_F(SignTest, AnExternalSignatureOverTheWrongDigestIsRefused) {
  auto cert = Identity::FromCertificatePem(ReadFile(*dir_ + "/reviewer.chain.pem"));
  ASSERT_TRUE(cert.ok());
  auto pending = Prepare(*unsigned_, Field("reviewer"), *cert);
  ASSERT_TRUE(pending.ok());
  std::string wrong = pending->to_be_signed_sha256;
  wrong[0] ^= 1;
  auto value = SignDigest(Load("reviewer"), wrong);
  ASSERT_TRUE(value.ok());
  auto done = Complete(*pending, *cert, *value);
  EXPECT_EQ(done.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(done.status().reason(), "SIGNATURE_INVALID");
  // Another signer's key over the right digest is refused too.
  auto theirs = SignDigest(Load("executive"), pending->to_be_signed_sha256);
  EXPECT_EQ(Complete(*pending, *cert, *theirs).status().reason(), "SIGNATURE_INVALID");
}

TEST_F(SignTest, APdfRewrittenByAnotherToolNoLongerVerifies) {
  auto signed_pdf = Seal(*unsigned_, Field("seal"), Load("reporter"));
  ASSERT_TRUE(signed_pdf.ok());
  const std::string in = TempPath("sealed.pdf"), out = TempPath("rewritten.pdf");
  WriteFile(in, *signed_pdf);
  const test::CommandResult qpdf = RunCommand("qpdf " + in + " " + out);
  ASSERT_EQ(qpdf.exit_code, 0) << qpdf.output;
  const std::string rewritten = ReadFile(out);
  auto verdict = VerifyPdf(rewritten, Root());
  if (!verdict.ok()) return;  // not even readable as saraban's: a mismatch too
  bool all_good = !verdict->signatures.empty() && !verdict->modified_after_last_signature;
  for (const auto& v : verdict->signatures) all_good = all_good && v.intact;
  EXPECT_FALSE(all_good) << "a rewritten file still verified";
  EXPECT_NE(verdict->unsigned_sha256, Sha256Hex(*unsigned_));
}

TEST_F(SignTest, AFieldNameIsUniqueAndTheBadInputIsRefused) {
  auto once = Seal(*unsigned_, Field("seal"), Load("reporter"));
  ASSERT_TRUE(once.ok());
  EXPECT_EQ(Seal(*once, Field("seal"), Load("reporter")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Seal(*unsigned_, Field("bad name"), Load("reporter")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Seal("not a pdf", Field("seal"), Load("reporter")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Identity::FromPkcs12(ReadFile(*dir_ + "/reporter.p12"), "wrong").status().code(),
            StatusCode::kInvalidArgument);
  auto unsigned_verdict = VerifyPdf(*unsigned_, Root());
  ASSERT_TRUE(unsigned_verdict.ok());
  EXPECT_TRUE(unsigned_verdict->signatures.empty());
  EXPECT_EQ(unsigned_verdict->unsigned_sha256, Sha256Hex(*unsigned_));
}

}  // namespace
}  // namespace saraban::sign
