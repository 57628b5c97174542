#include "saraban/publication/publication_store.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "saraban/digest.h"
#include "saraban/model/validate.h"
#include "saraban/page_token.h"
#include "saraban/redis/clock.h"

namespace saraban::publication {

namespace {

using redis::Command;
using redis::Reply;

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

// KEYS: counter, sha256 index. ARGV: hash key prefix (the key without n),
// revision, sha256, record, snapshot, now_ms override, name prefix.
// Returns {"exists", n} when the latest publication holds this revision
// with these bytes and is not withdrawn, else {"created", n}.
constexpr std::string_view kPublishLua = R"lua(
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if last > 0 then
  local cur = redis.call('HMGET', ARGV[1] .. last, 'revision', 'sha256', 'withdrawn_ms')
  if cur[1] == ARGV[2] and cur[2] == ARGV[3] and not cur[3] then return {'exists', last} end
end
local n = redis.call('INCR', KEYS[1])
redis.call('HSET', ARGV[1] .. n, 'record', ARGV[4], 'snapshot', ARGV[5], 'revision', ARGV[2],
           'sha256', ARGV[3], 'create_ms', now_ms(ARGV[6]))
if last > 0 then redis.call('HSET', ARGV[1] .. last, 'superseded_by', n) end
redis.call('HSETNX', KEYS[2], ARGV[3], ARGV[7] .. n)
return {'created', n}
)lua";

// KEYS: publication. ARGV: operator, reason. Returns "ok", "missing" or
// "withdrawn" (already; its first withdrawal stands).
constexpr std::string_view kWithdrawLua = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HEXISTS', KEYS[1], 'withdrawn_ms') == 1 then return 'withdrawn' end
redis.call('HSET', KEYS[1], 'withdrawn_ms', now_ms(''), 'withdrawn_by', ARGV[1],
           'withdraw_reason', ARGV[2])
return 'ok'
)lua";

// KEYS: publication, sha256 index, the PDF key of the expected signed
// sha256. ARGV: expected signed sha256, new sha256, signature (a
// Publication holding it), signed document, name. The signed revision it
// replaces is deleted (the new one holds it as a prefix); the published
// document never is. Returns "ok", "missing", "withdrawn" or "stale".
constexpr std::string_view kAddSignatureLua = R"lua(
local p = redis.call('HMGET', KEYS[1], 'sha256', 'signed_sha256', 'withdrawn_ms')
if not p[1] then return 'missing' end
if p[3] then return 'withdrawn' end
local current = p[2] or p[1]
if current ~= ARGV[1] then return 'stale' end
local list = redis.call('HGET', KEYS[1], 'signatures') or ''
redis.call('HSET', KEYS[1], 'signed_sha256', ARGV[2], 'signatures', list .. ARGV[3],
           'signed_document', ARGV[4])
redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[5])
if current ~= p[1] then redis.call('DEL', KEYS[3]) end
return 'ok'
)lua";

constexpr int kPreparationTtlSeconds = 3600;

Command Eval(std::string_view body, std::vector<std::string> keys,
             std::vector<std::string> args) {
  Command c{"EVAL", std::string(redis::kClockLua) + std::string(body),
            std::to_string(keys.size())};
  for (auto& k : keys) c.push_back(std::move(k));
  for (auto& a : args) c.push_back(std::move(a));
  return c;
}

std::string ReportName(const std::string& agency, int fiscal_year) {
  return "agencies/" + agency + "/reports/" + std::to_string(fiscal_year);
}

void SetTime(int64_t ms, google::protobuf::Timestamp* t) {
  t->set_seconds(ms / 1000);
  t->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

int64_t ToInt(const Reply& r) { return r.is_nil() ? 0 : r.AsInteger(); }

// The fields a read takes, in this order; the snapshot last, so that a
// listing can leave it out.
const std::vector<std::string> kReadFields = {
    "record",          "create_ms",  "superseded_by",   "withdrawn_ms", "withdrawn_by",
    "withdraw_reason", "signatures", "signed_document", "snapshot"};
enum ReadField {
  kRecord,
  kCreateMs,
  kSupersededBy,
  kWithdrawnMs,
  kWithdrawnBy,
  kReason,
  kSignatures,
  kSignedDocument,
  kSnapshot
};

Command Read(const std::string& key, bool with_snapshot) {
  Command c{"HMGET", key};
  c.insert(c.end(), kReadFields.begin(), kReadFields.end() - (with_snapshot ? 0 : 1));
  return c;
}

Status NotFoundStatus(const PublicationRef& ref) {
  return NotFound(PublicationName(ref) + " does not exist").WithReason("PUBLICATION_NOT_FOUND");
}

// The API's view of a stored publication; false when it does not exist.
Result<bool> Parse(const Reply& r, const PublicationRef& ref, v1::Publication* out) {
  if (!r.is_array() || r.elements.size() < kSnapshot) {
    return Internal("publications: unexpected reply from HMGET");
  }
  const auto& v = r.elements;
  if (v[kRecord].is_nil()) return false;
  if (!out->ParseFromString(v[kRecord].str)) {
    return Internal(PublicationName(ref) + " does not parse; the data in Redis is damaged");
  }
  out->set_name(PublicationName(ref));
  SetTime(ToInt(v[kCreateMs]), out->mutable_create_time());
  out->set_state(v1::PUBLICATION_STATE_CURRENT);
  if (const int64_t newer = ToInt(v[kSupersededBy]); newer > 0) {
    out->set_superseded_by(PublicationName({ref.agency, ref.fiscal_year, newer}));
    out->set_state(v1::PUBLICATION_STATE_SUPERSEDED);
  }
  if (const int64_t ms = ToInt(v[kWithdrawnMs]); ms > 0) {
    v1::Withdrawal* w = out->mutable_withdrawal();
    SetTime(ms, w->mutable_time());
    w->set_operator_name(v[kWithdrawnBy].str);
    w->set_reason(v[kReason].str);
    out->set_state(v1::PUBLICATION_STATE_WITHDRAWN);
  }
  // Each signature was appended as a Publication holding it alone:
  // merging the concatenation gives the list in order.
  if (!v[kSignatures].is_nil() && !out->MergeFromString(v[kSignatures].str)) {
    return Internal("the signatures of " + PublicationName(ref) + " do not parse");
  }
  if (!v[kSignedDocument].is_nil()) {
    if (!out->mutable_signed_document()->ParseFromString(v[kSignedDocument].str)) {
      return Internal("the signed document of " + PublicationName(ref) + " does not parse");
    }
  } else {
    *out->mutable_signed_document() = out->document();
  }
  if (v.size() > kSnapshot && !v[kSnapshot].is_nil() &&
      !out->mutable_snapshot()->ParseFromString(v[kSnapshot].str)) {
    return Internal("the snapshot of " + PublicationName(ref) + " does not parse");
  }
  return true;
}

}  // namespace

std::string PublicationName(const PublicationRef& ref) {
  return ReportName(ref.agency, ref.fiscal_year) + "/publications/" + std::to_string(ref.number);
}

Result<PublicationRef> ParsePublicationName(const std::string& name, const std::string& field) {
  auto bad = [&] {
    return InvalidArgument(
        "must look like agencies/{agency}/reports/{fiscal_year}/publications/{n}, e.g. "
        "agencies/bueng-khla/reports/2567/publications/1, got \"" +
            name.substr(0, 200) + "\"",
        field);
  };
  std::string_view n(name);
  constexpr std::string_view kPrefix = "agencies/";
  constexpr std::string_view kReports = "/reports/";
  constexpr std::string_view kPublications = "/publications/";
  if (n.substr(0, kPrefix.size()) != kPrefix) return bad();
  n.remove_prefix(kPrefix.size());
  const size_t reports = n.find(kReports);
  if (reports == std::string_view::npos) return bad();
  PublicationRef ref;
  ref.agency = std::string(n.substr(0, reports));
  if (!model::ValidateAgencyCode(ref.agency).ok()) return bad();
  n.remove_prefix(reports + kReports.size());
  const size_t pubs = n.find(kPublications);
  if (pubs == std::string_view::npos) return bad();
  auto number = [](std::string_view s, auto* out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size() && s[0] != '0';
  };
  if (!number(n.substr(0, pubs), &ref.fiscal_year) || ref.fiscal_year < 2400 ||
      ref.fiscal_year > 2700) {
    return bad();
  }
  if (!number(n.substr(pubs + kPublications.size()), &ref.number) || ref.number < 1) return bad();
  return ref;
}

Result<v1::Publication> PublicationStore::Publish(const NewPublication& p, bool* created) {
  // The record: what never changes. Name, time and state are the hash's.
  v1::Publication record;
  record.set_report(ReportName(p.agency, p.fiscal_year));
  record.set_report_revision(p.report_revision);
  *record.mutable_template_() = p.template_used;
  for (const auto& f : p.fonts) *record.add_fonts() = f;
  const std::string sha = Sha256Hex(p.pdf);
  v1::Document* d = record.mutable_document();
  d->set_sha256(sha);
  d->set_size_bytes(static_cast<int64_t>(p.pdf.size()));
  d->set_page_count(p.page_count);
  record.set_publisher(p.publisher);
  for (const auto& f : p.signature_fields) record.add_signature_fields(f);
  const std::string prefix = keys_.Publication(p.agency, p.fiscal_year, 0);
  const std::string key_prefix = prefix.substr(0, prefix.size() - 1);  // without the "0"
  // The PDF first, content addressed and without a time-to-live, then the
  // script, in one transaction: a publication never exists without its PDF.
  std::vector<Command> commands;
  commands.push_back({"SET", keys_.PublicationPdf(sha), p.pdf});
  commands.push_back(Eval(kPublishLua,
                          {keys_.Publications(p.agency, p.fiscal_year),
                           keys_.PublicationsBySha256()},
                          {key_prefix, std::to_string(p.report_revision), sha,
                           record.SerializeAsString(), p.snapshot, "",
                           ReportName(p.agency, p.fiscal_year) + "/publications/"}));
  auto replies = [&] {
    auto c = pool_.Acquire();
    return c->Transaction(commands);
  }();
  if (!replies.ok()) return replies.status();
  const Reply& r = replies->back();
  if (!r.is_array() || r.elements.size() != 2) {
    return Internal("publications: unexpected reply from the publish script");
  }
  if (created != nullptr) *created = r.elements[0].str == "created";
  return Get({p.agency, p.fiscal_year, r.elements[1].AsInteger()});
}

Result<v1::Publication> PublicationStore::Get(const PublicationRef& ref, bool with_snapshot) {
  auto r = redis::Run(pool_, Read(keys_.Publication(ref.agency, ref.fiscal_year, ref.number),
                                  with_snapshot));
  if (!r.ok()) return r.status();
  v1::Publication out;
  auto found = Parse(*r, ref, &out);
  if (!found.ok()) return found.status();
  if (!*found) return NotFoundStatus(ref);
  return out;
}

Result<PublicationPage> PublicationStore::List(const std::string& agency, int fiscal_year,
                                               int page_size, const std::string& page_token) {
  if (page_size < 0) {
    return InvalidArgument("page size " + std::to_string(page_size) + " is negative", "page_size");
  }
  const int64_t size = page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize);
  const std::string query = PageQuery({"publications", agency, std::to_string(fiscal_year)});
  auto c = pool_.Acquire();
  int64_t start = 0;
  if (page_token.empty()) {
    auto last = c->Run({"GET", keys_.Publications(agency, fiscal_year)});
    if (!last.ok()) return last.status();
    start = ToInt(*last);
  } else {
    auto position = DecodePageToken(page_token, query);
    if (!position.ok()) return position.status();
    auto [p, ec] = std::from_chars(position->data(), position->data() + position->size(), start);
    if (ec != std::errc() || p != position->data() + position->size() || start < 1) {
      return ForeignPageToken();
    }
  }
  PublicationPage page;
  const int64_t end = std::max<int64_t>(0, start - size);  // exclusive
  std::vector<Command> reads;
  for (int64_t n = start; n > end; --n) {
    reads.push_back(Read(keys_.Publication(agency, fiscal_year, n), false));
  }
  if (reads.empty()) return page;
  auto replies = c->Pipeline(reads);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    const PublicationRef ref{agency, fiscal_year, start - static_cast<int64_t>(i)};
    v1::Publication p;
    auto found = Parse((*replies)[i], ref, &p);
    if (!found.ok()) return found.status();
    if (*found) page.publications.push_back(std::move(p));
  }
  if (end > 0) page.next = EncodePageToken(query, std::to_string(end));
  return page;
}

Result<std::string> PublicationStore::GetPdf(const std::string& sha256) {
  auto r = redis::Run(pool_, {"GET", keys_.PublicationPdf(sha256)});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return Internal("the PDF " + sha256 + " of a publication is missing in Redis");
  return std::move(r->str);
}

Result<v1::Publication> PublicationStore::Withdraw(const PublicationRef& ref,
                                                   const std::string& operator_name,
                                                   const std::string& reason) {
  auto r = redis::Run(pool_, Eval(kWithdrawLua,
                                  {keys_.Publication(ref.agency, ref.fiscal_year, ref.number)},
                                  {operator_name, reason}));
  if (!r.ok()) return r.status();
  if (r->str == "missing") return NotFoundStatus(ref);
  if (r->str == "withdrawn") {
    return Status(StatusCode::kFailedPrecondition,
                  PublicationName(ref) + " is already withdrawn; its first withdrawal stands")
        .WithReason("PUBLICATION_WITHDRAWN");
  }
  return Get(ref, false);
}

Result<v1::Publication> PublicationStore::AddSignature(const PublicationRef& ref,
                                                       const std::string& base_sha256,
                                                       const std::string& signed_pdf,
                                                       int page_count, v1::Signature signature) {
  const std::string sha = Sha256Hex(signed_pdf);
  signature.set_document_sha256(sha);
  v1::Publication one;
  *one.add_signatures() = std::move(signature);
  v1::Document document;
  document.set_sha256(sha);
  document.set_size_bytes(static_cast<int64_t>(signed_pdf.size()));
  document.set_page_count(page_count);
  std::vector<Command> commands;
  commands.push_back({"SET", keys_.PublicationPdf(sha), signed_pdf});
  commands.push_back(Eval(kAddSignatureLua,
                          {keys_.Publication(ref.agency, ref.fiscal_year, ref.number),
                           keys_.PublicationsBySha256(), keys_.PublicationPdf(base_sha256)},
                          {base_sha256, sha, one.SerializeAsString(), document.SerializeAsString(),
                           PublicationName(ref)}));
  auto replies = [&] {
    auto c = pool_.Acquire();
    return c->Transaction(commands);
  }();
  if (!replies.ok()) return replies.status();
  const std::string& outcome = replies->back().str;
  if (outcome == "missing") return NotFoundStatus(ref);
  if (outcome == "withdrawn") {
    return Status(StatusCode::kFailedPrecondition, PublicationName(ref) + " is withdrawn")
        .WithReason("PUBLICATION_WITHDRAWN");
  }
  if (outcome == "stale") {
    return Status(StatusCode::kAborted, "another signature of " + PublicationName(ref) +
                                            " landed first; prepare this one again");
  }
  return Get(ref, false);
}

Status PublicationStore::SavePreparation(const std::string& id, const Preparation& p) {
  const auto& r = p.byte_range;
  auto c = pool_.Acquire();
  auto replies = c->Transaction(
      {{"HSET", keys_.Signing(id), "publication", p.publication, "field", p.field, "base_sha256",
        p.base_sha256, "pdf", p.pdf, "range",
        std::to_string(r[0]) + " " + std::to_string(r[1]) + " " + std::to_string(r[2]) + " " +
            std::to_string(r[3]),
        "capacity", std::to_string(p.capacity), "attributes", p.signed_attributes, "certificate",
        p.certificate_pem, "signing_time_s", std::to_string(p.signing_time_s), "pages",
        std::to_string(p.page_count)},
       {"EXPIRE", keys_.Signing(id), std::to_string(kPreparationTtlSeconds)}});
  return replies.ok() ? Status::Ok() : replies.status();
}

Result<Preparation> PublicationStore::LoadPreparation(const std::string& id) {
  auto r = redis::Run(pool_, {"HMGET", keys_.Signing(id), "publication", "field", "base_sha256",
                              "pdf", "range", "capacity", "attributes", "certificate",
                              "signing_time_s", "pages"});
  if (!r.ok()) return r.status();
  if (!r->is_array() || r->elements.size() != 10) {
    return Internal("publications: unexpected reply from HMGET");
  }
  const auto& v = r->elements;
  if (v[0].is_nil()) {
    return NotFound("this preparation expired (after an hour) or was used; prepare again",
                    "preparation")
        .WithReason("PREPARATION_NOT_FOUND");
  }
  Preparation p;
  p.publication = v[0].str;
  p.field = v[1].str;
  p.base_sha256 = v[2].str;
  p.pdf = v[3].str;
  std::sscanf(v[4].str.c_str(), "%zu %zu %zu %zu", &p.byte_range[0], &p.byte_range[1],
              &p.byte_range[2], &p.byte_range[3]);
  p.capacity = static_cast<size_t>(std::atoll(v[5].str.c_str()));
  p.signed_attributes = v[6].str;
  p.certificate_pem = v[7].str;
  p.signing_time_s = std::atoll(v[8].str.c_str());
  p.page_count = std::atoi(v[9].str.c_str());
  return p;
}

Status PublicationStore::DeletePreparation(const std::string& id) {
  auto r = redis::Run(pool_, {"DEL", keys_.Signing(id)});
  return r.ok() ? Status::Ok() : r.status();
}

Result<std::optional<std::string>> PublicationStore::FindBySha256(const std::string& sha256) {
  auto r = redis::Run(pool_, {"HGET", keys_.PublicationsBySha256(), sha256});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(r->str));
}

}  // namespace saraban::publication
