#include "saraban/sign/pades.h"

// Before OpenSSL's headers: it chooses how <openssl/sha.h> is declared.
#include "saraban/digest.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <utility>

namespace saraban::sign {

namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Cms = std::unique_ptr<CMS_ContentInfo, Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using KeyContext = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using P12 = std::unique_ptr<PKCS12, Deleter<PKCS12, PKCS12_free>>;

void FreeCertStack(STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); }
using CertStack = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), FreeCertStack>>;

// OpenSSL's error queue as text, emptied.
std::string OpenSslErrors() {
  std::string s;
  for (unsigned long e; (e = ERR_get_error()) != 0;) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    s += s.empty() ? "" : "; ";
    s += buf;
  }
  return s.empty() ? "no detail" : s;
}

Bio MemoryBio(std::string_view bytes) {
  return Bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string SubjectOf(X509* cert) {
  if (cert == nullptr) return {};
  Bio out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string Digest(std::string_view bytes) {
  Sha256 h;
  h.Update(bytes);
  const auto d = h.Final();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// DER "SET OF Attribute" of the signer info's signed attributes: what its
// signature covers (RFC 5652, 5.4). The encodings are sorted as DER wants.
Result<std::string> SignedAttributesDer(CMS_SignerInfo* si) {
  std::vector<std::string> encodings;
  for (int i = 0; i < CMS_signed_get_attr_count(si); ++i) {
    unsigned char* der = nullptr;
    const int n = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &der);
    if (n <= 0) return Internal("encoding a signed attribute: " + OpenSslErrors());
    encodings.emplace_back(reinterpret_cast<char*>(der), static_cast<size_t>(n));
    OPENSSL_free(der);
  }
  std::sort(encodings.begin(), encodings.end(), [](const std::string& a, const std::string& b) {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](char x, char y) { return static_cast<unsigned char>(x) < static_cast<unsigned char>(y); });
  });
  std::string body;
  for (const auto& e : encodings) body += e;
  std::string out(1, '\x31');
  if (body.size() < 0x80) {
    out += static_cast<char>(body.size());
  } else {
    std::string length;
    for (size_t n = body.size(); n != 0; n >>= 8) length.insert(length.begin(), static_cast<char>(n & 0xff));
    out += static_cast<char>(0x80 | length.size());
    out += length;
  }
  return out + body;
}

}  // namespace

struct Identity::Impl {
  Cert cert;
  CertStack chain{sk_X509_new_null()};
  Key key;  // null for external signing
};

Identity::Identity(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Identity::Identity(Identity&&) noexcept = default;
Identity& Identity::operator=(Identity&&) noexcept = default;
Identity::~Identity() = default;

bool Identity::has_key() const { return impl_->key != nullptr; }
std::string Identity::subject() const { return SubjectOf(impl_->cert.get()); }

std::string Identity::CertificateChainPem() const {
  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), impl_->cert.get());
  for (int i = 0; i < sk_X509_num(impl_->chain.get()); ++i) {
    PEM_write_bio_X509(out.get(), sk_X509_value(impl_->chain.get(), i));
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<Identity> Identity::FromPkcs12(std::string_view p12_bytes, const std::string& password) {
  Bio in = MemoryBio(p12_bytes);
  P12 p12(d2i_PKCS12_bio(in.get(), nullptr));
  if (!p12) return InvalidArgument("not a PKCS#12 file: " + OpenSslErrors());
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  if (PKCS12_parse(p12.get(), password.c_str(), &key, &cert, &ca) != 1) {
    return InvalidArgument("cannot open the PKCS#12 file (a wrong password?): " + OpenSslErrors());
  }
  auto impl = std::make_unique<Impl>();
  impl->key.reset(key);
  impl->cert.reset(cert);
  if (ca != nullptr) impl->chain.reset(ca);
  if (!impl->key || !impl->cert) return InvalidArgument("the PKCS#12 file has no key or certificate");
  return Identity(std::move(impl));
}

Result<Identity> Identity::FromCertificatePem(std::string_view pem) {
  Bio in = MemoryBio(pem);
  auto impl = std::make_unique<Impl>();
  impl->cert.reset(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  if (!impl->cert) return InvalidArgument("no PEM certificate: " + OpenSslErrors());
  while (X509* more = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(impl->chain.get(), more);
  }
  ERR_clear_error();  // the end of the PEM data
  return Identity(std::move(impl));
}

namespace {

// A SignedData for `signer` over `content_digest` (SHA-256, raw), without
// its signature value yet. With CMS_CADES, OpenSSL adds ESS
// signing-certificate-v2; CMS_final is never called, as it would add a
// signing-time attribute, which PAdES B-B leaves to /M.
Result<Cms> BuildSignedData(const Identity& signer, std::string_view content_digest,
                            CMS_SignerInfo** si) {
  constexpr unsigned kFlags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  const auto& id = signer.impl();
  Cms cms(CMS_sign(nullptr, nullptr, id.chain.get(), nullptr, kFlags));
  if (!cms) return Internal("CMS_sign: " + OpenSslErrors());
  // The public key suffices here (it is only compared with the
  // certificate's): the private key signs later, here or elsewhere.
  *si = CMS_add1_signer(cms.get(), id.cert.get(), X509_get0_pubkey(id.cert.get()), EVP_sha256(),
                        kFlags | CMS_CADES);
  if (*si == nullptr) return Internal("CMS_add1_signer: " + OpenSslErrors());
  if (CMS_signed_add1_attr_by_NID(*si, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                  OBJ_nid2obj(NID_pkcs7_data), -1) <= 0 ||
      CMS_signed_add1_attr_by_NID(*si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                  content_digest.data(),
                                  static_cast<int>(content_digest.size())) <= 0) {
    return Internal("adding the signed attributes: " + OpenSslErrors());
  }
  return cms;
}

}  // namespace

Result<PendingSignature> Prepare(std::string_view pdf, const pdf::SignatureField& field,
                                 const Identity& signer) {
  auto prepared = pdf::PrepareSignature(pdf, field);
  if (!prepared.ok()) return prepared.status();
  CMS_SignerInfo* si = nullptr;
  auto cms = BuildSignedData(signer, Digest(pdf::SignedBytes(*prepared)), &si);
  if (!cms.ok()) return cms.status();
  auto attributes = SignedAttributesDer(si);
  if (!attributes.ok()) return attributes.status();
  PendingSignature pending;
  pending.pdf = std::move(prepared).value();
  pending.to_be_signed_sha256 = Digest(*attributes);
  pending.signed_attributes = std::move(attributes).value();
  return pending;
}

Result<std::string> Complete(const PendingSignature& pending, const Identity& signer,
                             std::string_view signature_value) {
  CMS_SignerInfo* si = nullptr;
  auto cms = BuildSignedData(signer, Digest(pdf::SignedBytes(pending.pdf)), &si);
  if (!cms.ok()) return cms.status();
  auto attributes = SignedAttributesDer(si);
  if (!attributes.ok()) return attributes.status();
  if (*attributes != pending.signed_attributes) {
    return InvalidArgument("the signer's certificate is not the one the signature was prepared for")
        .WithReason("SIGNATURE_INVALID");
  }
  if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), signature_value.data(),
                      static_cast<int>(signature_value.size())) != 1) {
    return Internal("ASN1_STRING_set: " + OpenSslErrors());
  }
  unsigned char* der = nullptr;
  const int n = i2d_CMS_ContentInfo(cms->get(), &der);
  if (n <= 0) return Internal("encoding the CMS: " + OpenSslErrors());
  const std::string encoded(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  // Nothing is accepted that does not verify: the value must be the
  // signer's signature over these attributes. The encoded bytes are checked,
  // as a verifier will read them (OpenSSL does not verify a SignedData it
  // built partially until it is parsed again).
  {
    const auto* p = reinterpret_cast<const unsigned char*>(encoded.data());
    Cms parsed(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(encoded.size())));
    const std::string content = pdf::SignedBytes(pending.pdf);
    Bio data = MemoryBio(content);
    if (!parsed || CMS_verify(parsed.get(), nullptr, nullptr, data.get(), nullptr,
                              CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
      return InvalidArgument(
                 "the signature value does not verify with the signer's certificate over the "
                 "prepared digest; nothing was stored (" + OpenSslErrors() + ")")
          .WithReason("SIGNATURE_INVALID");
    }
  }
  pdf::PreparedSignature out = pending.pdf;
  if (Status s = pdf::EmbedSignature(&out, encoded); !s.ok()) return s;
  return std::move(out.bytes);
}

Result<std::string> SignDigest(const Identity& signer, std::string_view sha256) {
  EVP_PKEY* key = signer.impl().key.get();
  if (key == nullptr) return Status(StatusCode::kFailedPrecondition, "this identity has no key");
  KeyContext ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) <= 0 ||
      (EVP_PKEY_is_a(key, "RSA") &&
       EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0)) {
    return Internal("preparing the key: " + OpenSslErrors());
  }
  const auto* hash = reinterpret_cast<const unsigned char*>(sha256.data());
  size_t length = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &length, hash, sha256.size()) <= 0) {
    return Internal("signing: " + OpenSslErrors());
  }
  std::string value(length, '\0');
  if (EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(value.data()), &length, hash,
                    sha256.size()) <= 0) {
    return Internal("signing: " + OpenSslErrors());
  }
  value.resize(length);
  return value;
}

Result<std::string> Seal(std::string_view pdf, const pdf::SignatureField& field,
                         const Identity& signer) {
  auto pending = Prepare(pdf, field, signer);
  if (!pending.ok()) return pending.status();
  auto value = SignDigest(signer, pending->to_be_signed_sha256);
  if (!value.ok()) return value.status();
  return Complete(*pending, signer, *value);
}

Result<Verdict> VerifyPdf(std::string_view pdf, std::string_view trust_anchors_pem) {
  auto found = pdf::FindSignatures(pdf);
  if (!found.ok()) return found.status();
  Store anchors(X509_STORE_new());
  X509_STORE_set_purpose(anchors.get(), X509_PURPOSE_ANY);
  {
    Bio in = MemoryBio(trust_anchors_pem);
    while (X509* cert = PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(anchors.get(), cert);
      X509_free(cert);
    }
    ERR_clear_error();
  }
  Verdict verdict;
  size_t first_update = pdf.size();
  size_t last_end = 0;
  for (const pdf::FoundSignature& s : *found) {
    SignatureVerdict v;
    v.field = s.field;
    v.signing_time = s.signing_time;
    v.revision_end = s.revision_end;
    v.whole_file = s.revision_end == pdf.size();
    last_end = std::max(last_end, s.revision_end);
    const std::string content = pdf::SignedBytes(pdf, s);
    const auto& r = s.byte_range;
    const bool placed = !content.empty() && pdf[static_cast<size_t>(r[1])] == '<' &&
                        pdf[static_cast<size_t>(r[2]) - 1] == '>';
    if (placed) {
      // The document this signature was added to ends with the last
      // %%EOF before its /Contents.
      size_t eof = pdf.rfind("%%EOF", static_cast<size_t>(r[1]));
      if (eof != std::string_view::npos) {
        eof += 5;
        if (pdf.substr(eof, 2) == "\r\n") {
          eof += 2;
        } else if (eof < pdf.size() && (pdf[eof] == '\n' || pdf[eof] == '\r')) {
          eof += 1;
        }
        first_update = std::min(first_update, eof);
      }
    }
    const auto* der = reinterpret_cast<const unsigned char*>(s.der.data());
    Cms cms(d2i_CMS_ContentInfo(nullptr, &der, static_cast<long>(s.der.size())));
    if (!placed) {
      v.problem = "its byte range does not match the file";
    } else if (!cms) {
      v.problem = "its /Contents is not a CMS signature";
    } else if (!s.padding_zero) {
      v.problem = "bytes after the signature in /Contents were changed";
    } else {
      Bio data = MemoryBio(content);
      v.intact = CMS_verify(cms.get(), nullptr, nullptr, data.get(), nullptr,
                            CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) == 1;
      if (!v.intact) {
        v.problem = "the document was changed after it was signed (digest mismatch)";
        ERR_clear_error();
      }
    }
    if (cms) {
      if (STACK_OF(X509)* signers = CMS_get0_signers(cms.get())) {
        if (sk_X509_num(signers) > 0) v.signer = SubjectOf(sk_X509_value(signers, 0));
        sk_X509_free(signers);
      }
      ERR_clear_error();
    }
    if (v.intact) {
      Bio data = MemoryBio(content);
      v.trusted = CMS_verify(cms.get(), nullptr, anchors.get(), data.get(), nullptr,
                             CMS_BINARY) == 1;
      if (!v.trusted) v.problem = "the signer is not trusted: " + OpenSslErrors();
    }
    verdict.signatures.push_back(std::move(v));
  }
  verdict.unsigned_size = found->empty() ? pdf.size() : first_update;
  verdict.unsigned_sha256 = Sha256Hex(pdf.substr(0, verdict.unsigned_size));
  verdict.modified_after_last_signature = !found->empty() && last_end < pdf.size();
  return verdict;
}

}  // namespace saraban::sign
