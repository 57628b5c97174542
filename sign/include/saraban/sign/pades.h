// PAdES baseline signatures (ETSI EN 319 142-1, B-B) over OpenSSL's CMS:
// a CAdES-detached SignedData with SHA-256, the signed attributes
// content-type, message-digest and ESS signing-certificate-v2 (no
// signing-time: PAdES puts the claimed time in the signature dictionary's
// /M), and the signer's chain. Each signature is an incremental update
// (saraban/pdf/incremental.h), so the document signed before stays an
// exact prefix and every earlier signature stays valid.
//
// Two ways to sign: with a key held here (a server seal from a PKCS#12
// file), or externally, where the signer's own software signs a digest:
// Prepare returns the bytes to sign, Complete takes the signature value
// back and embeds it after checking it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "saraban/pdf/incremental.h"
#include "saraban/status.h"

namespace saraban::sign {

// A signer's certificate and chain (and, for a seal, its private key).
// Move only; holds OpenSSL objects.
class Identity {
 public:
  // From the bytes of a PKCS#12 file (.p12/.pfx) and its password: the
  // certificate, its private key and the CA certificates it carries.
  static Result<Identity> FromPkcs12(std::string_view p12, const std::string& password);
  // From PEM: the signer's certificate first, then its chain; no key (for
  // external signing).
  static Result<Identity> FromCertificatePem(std::string_view pem);

  Identity(Identity&&) noexcept;
  Identity& operator=(Identity&&) noexcept;
  ~Identity();

  bool has_key() const;
  // The signer's subject as one line ("CN=..., O=...").
  std::string subject() const;
  // The certificate, then the chain, as PEM (what PrepareSignature takes).
  std::string CertificateChainPem() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Identity(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A signature being made: the PDF with its placeholder, and the DER of the
// signed attributes, whose SHA-256 the signer signs (RSA PKCS#1 v1.5 or
// ECDSA over SHA-256).
struct PendingSignature {
  pdf::PreparedSignature pdf;
  std::string signed_attributes;  // DER SET OF Attribute
  std::string to_be_signed_sha256;  // raw 32 bytes: SHA-256 of signed_attributes
};

// Adds `field` to `pdf` and builds the signed attributes for `signer`.
Result<PendingSignature> Prepare(std::string_view pdf, const pdf::SignatureField& field,
                                 const Identity& signer);
// Puts `signature_value` in, checks it against the signer's public key,
// and returns the signed PDF. INVALID_ARGUMENT (reason SIGNATURE_INVALID)
// when the value does not verify: nothing is returned.
Result<std::string> Complete(const PendingSignature& pending, const Identity& signer,
                             std::string_view signature_value);
// Signs with the identity's own key (a seal): Prepare and Complete.
Result<std::string> Seal(std::string_view pdf, const pdf::SignatureField& field,
                         const Identity& signer);
// The signature value `signer`'s key gives for a to-be-signed digest (what
// an external signer's software does; used by Seal and by tests).
Result<std::string> SignDigest(const Identity& signer, std::string_view sha256);

// What VerifyPdf says of one signature.
struct SignatureVerdict {
  std::string field;
  std::string signer;        // subject of the signing certificate
  std::string signing_time;  // /M
  bool intact = false;   // the signed bytes and the CMS signature agree
  bool trusted = false;  // the signer's chain ends at a trust anchor
  bool whole_file = false;  // it covers the whole file as given
  std::string problem;      // why not intact or not trusted; empty when both
  size_t revision_end = 0;  // bytes [0, revision_end) are what it signed
};

struct Verdict {
  std::vector<SignatureVerdict> signatures;  // in field order
  // The bytes before the first signature's update: the document as it was
  // rendered (the whole file when unsigned), through the end of line after
  // its %%EOF, as saraban writes it.
  size_t unsigned_size = 0;
  std::string unsigned_sha256;  // lowercase hex
  // Bytes were added after the last signature (an edit, or a signature
  // this verifier could not read).
  bool modified_after_last_signature = false;
};

// Checks every signature of `pdf` against `trust_anchors_pem` (PEM
// certificates; none: no signature is trusted).
Result<Verdict> VerifyPdf(std::string_view pdf, std::string_view trust_anchors_pem);

}  // namespace saraban::sign
