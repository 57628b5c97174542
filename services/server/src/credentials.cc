#include "saraban/server/credentials.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>

#include <CLI/CLI.hpp>

#include "saraban/files.h"

namespace saraban::server {

namespace {

constexpr size_t kMaxPemBytes = 1 << 20;
constexpr size_t kMaxTokenBytes = 8 << 10;

// The file's text when it can be read and holds a PEM block whose label ends
// with `label` ("CERTIFICATE", "PRIVATE KEY"); else INVALID_ARGUMENT naming
// `flag`.
Result<std::string> ReadPem(const std::string& path, const std::string& flag,
                            const std::string& label) {
  auto pem = ReadFileAtMost(path, kMaxPemBytes);
  if (!pem.ok()) return InvalidArgument(pem.status().message(), flag);
  const std::string begin = label + "-----";
  const size_t at = pem->find("-----BEGIN ");
  if (at == std::string::npos || pem->find(begin, at) == std::string::npos) {
    return InvalidArgument(path + " holds no PEM " + label, flag);
  }
  return pem;
}

// `s` without the white space around it (a token file's trailing newline).
std::string Trimmed(const std::string& s) {
  const char* space = " \t\r\n";
  const size_t first = s.find_first_not_of(space);
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

}  // namespace

void AddServerTlsFlags(CLI::App& app, ServerTlsOptions* o) {
  app.add_option("--tls-cert", o->cert_file, "Server certificate chain, PEM (enables TLS)")
      ->envname("SARABAN_TLS_CERT");
  app.add_option("--tls-key", o->key_file, "Server private key, PEM")
      ->envname("SARABAN_TLS_KEY");
  app.add_option("--tls-client-ca", o->client_ca_file,
                 "CA bundle, PEM: require client certificates signed by it (mutual TLS)")
      ->envname("SARABAN_TLS_CLIENT_CA");
  app.add_option("--tls-client-auth", o->client_auth,
                 "With --tls-client-ca: \"required\", or \"optional\" so that callers "
                 "without a certificate can present a bearer token (needs --policy)")
      ->envname("SARABAN_TLS_CLIENT_AUTH")
      ->check(CLI::IsMember({"required", "optional"}))
      ->capture_default_str();
  app.add_option("--tls-reload-s", o->reload_s,
                 "Seconds between checks of the certificate files for a rotation")
      ->envname("SARABAN_TLS_RELOAD_S")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("--plaintext", o->plaintext,
               "Serve without TLS (local development only; logged as a warning)")
      ->envname("SARABAN_PLAINTEXT");
}

Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& o) {
  const bool any_tls = !o.cert_file.empty() || !o.key_file.empty() || !o.client_ca_file.empty();
  if (o.plaintext) {
    if (any_tls) {
      return InvalidArgument("--plaintext cannot be combined with --tls-cert, --tls-key or "
                             "--tls-client-ca", "--plaintext");
    }
    return grpc::InsecureServerCredentials();
  }
  if (!any_tls) {
    return InvalidArgument("give --tls-cert and --tls-key (and --tls-client-ca for mutual TLS), "
                           "or --plaintext for local development", "--tls-cert");
  }
  if (o.cert_file.empty()) return InvalidArgument("required with --tls-key", "--tls-cert");
  if (o.key_file.empty()) return InvalidArgument("required with --tls-cert", "--tls-key");
  if (auto r = ReadPem(o.cert_file, "--tls-cert", "CERTIFICATE"); !r.ok()) return r.status();
  if (auto r = ReadPem(o.key_file, "--tls-key", "PRIVATE KEY"); !r.ok()) return r.status();
  const bool mutual = !o.client_ca_file.empty();
  if (mutual) {
    if (auto r = ReadPem(o.client_ca_file, "--tls-client-ca", "CERTIFICATE"); !r.ok()) {
      return r.status();
    }
  }
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      o.key_file, o.cert_file, o.client_ca_file, static_cast<unsigned>(o.reload_s));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (mutual) {
    options.watch_root_certs();
    options.set_cert_request_type(o.client_auth == "optional"
                                      ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY
                                      : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

std::string DescribeTransport(const ServerTlsOptions& o) {
  if (o.plaintext) return "plaintext";
  if (o.client_ca_file.empty()) return "TLS";
  return o.client_auth == "optional" ? "TLS, client certificates optional" : "mutual TLS";
}

void AddClientTlsFlags(CLI::App& app, ClientTlsOptions* o) {
  app.add_option("--tls-ca", o->ca_file,
                 "CA bundle, PEM, that signed the servers' certificates (default: the "
                 "system's roots)")
      ->envname("SARABAN_TLS_CA");
  app.add_option("--tls-cert", o->cert_file, "Client certificate chain, PEM, for mutual TLS")
      ->envname("SARABAN_TLS_CERT");
  app.add_option("--tls-key", o->key_file, "Client private key, PEM")
      ->envname("SARABAN_TLS_KEY");
  app.add_option("--tls-server-name", o->server_name,
                 "Name to verify in the server's certificate, when not the address's host")
      ->envname("SARABAN_TLS_SERVER_NAME");
  app.add_option("--token-file", o->token_file,
                 "File holding a bearer token, for callers without a client certificate")
      ->envname("SARABAN_TOKEN_FILE");
  app.add_flag("--plaintext", o->plaintext, "Connect without TLS (local development only)")
      ->envname("SARABAN_PLAINTEXT");
}

Result<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsOptions& o) {
  if (o.plaintext) {
    if (!o.ca_file.empty() || !o.cert_file.empty() || !o.key_file.empty()) {
      return InvalidArgument("--plaintext cannot be combined with --tls-ca, --tls-cert or "
                             "--tls-key", "--plaintext");
    }
    if (!o.token_file.empty()) {
      return InvalidArgument("a bearer token is never sent over plaintext", "--token-file");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (o.cert_file.empty() != o.key_file.empty()) {
    return InvalidArgument("--tls-cert and --tls-key go together",
                           o.cert_file.empty() ? "--tls-cert" : "--tls-key");
  }
  grpc::SslCredentialsOptions ssl;
  if (!o.ca_file.empty()) {
    auto ca = ReadPem(o.ca_file, "--tls-ca", "CERTIFICATE");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = std::move(ca).value();
  }
  if (!o.cert_file.empty()) {
    auto cert = ReadPem(o.cert_file, "--tls-cert", "CERTIFICATE");
    if (!cert.ok()) return cert.status();
    auto key = ReadPem(o.key_file, "--tls-key", "PRIVATE KEY");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = std::move(cert).value();
    ssl.pem_private_key = std::move(key).value();
  }
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::SslCredentials(ssl);
  if (!o.token_file.empty()) {
    auto token = ReadFileAtMost(o.token_file, kMaxTokenBytes);
    if (!token.ok()) return InvalidArgument(token.status().message(), "--token-file");
    std::string t = Trimmed(*token);
    if (t.empty()) return InvalidArgument(o.token_file + " is empty", "--token-file");
    creds = grpc::CompositeChannelCredentials(creds, grpc::AccessTokenCredentials(t));
  }
  return creds;
}

Result<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& address,
                                                   const ClientTlsOptions& options,
                                                   grpc::ChannelArguments args) {
  auto creds = MakeChannelCredentials(options);
  if (!creds.ok()) return creds.status();
  if (!options.server_name.empty()) args.SetSslTargetNameOverride(options.server_name);
  return grpc::CreateCustomChannel(address, *creds, args);
}

}  // namespace saraban::server
