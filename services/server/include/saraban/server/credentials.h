// Transport security for saraban's gRPC servers and clients: TLS, mutual TLS
// with a client CA, or plaintext when it is asked for by name. Server
// certificates are read through gRPC's file watcher, so a certificate and
// key rotated on disk (as Kubernetes does with a mounted Secret) are served
// from the next handshake on, without a restart.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "saraban/status.h"

namespace CLI {
class App;
}

namespace saraban::server {

struct ServerTlsOptions {
  std::string cert_file;       // --tls-cert / SARABAN_TLS_CERT: PEM chain
  std::string key_file;        // --tls-key / SARABAN_TLS_KEY: PEM private key
  std::string client_ca_file;  // --tls-client-ca / SARABAN_TLS_CLIENT_CA: require
                               // and verify client certificates (mTLS)
  // --tls-client-auth required|optional: with "optional", a client may
  // connect without a certificate (and identify itself with a bearer token);
  // one it presents is still verified. Only with an access policy.
  std::string client_auth = "required";
  bool plaintext = false;      // --plaintext / SARABAN_PLAINTEXT
  int reload_s = 30;           // --tls-reload-s: how often the files are re-read
};

// Adds --tls-cert, --tls-key, --tls-client-ca, --tls-client-auth,
// --tls-reload-s, --plaintext.
void AddServerTlsFlags(CLI::App& app, ServerTlsOptions* options);

// The server credentials the options ask for; INVALID_ARGUMENT naming the
// flag when they are incomplete, contradictory, or a file cannot be read or
// holds no PEM block of the right kind. Neither TLS nor --plaintext is an
// error: plaintext is never the silent default.
Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options);

// One line for the start-up log: "plaintext", "TLS" or "mutual TLS".
std::string DescribeTransport(const ServerTlsOptions& options);

struct ClientTlsOptions {
  std::string ca_file;      // --tls-ca / SARABAN_TLS_CA: CA that signed the servers
  std::string cert_file;    // --tls-cert / SARABAN_TLS_CERT: client certificate (mTLS)
  std::string key_file;     // --tls-key / SARABAN_TLS_KEY
  std::string server_name;  // --tls-server-name: the name to verify, if not the host
  std::string token_file;   // --token-file / SARABAN_TOKEN_FILE: bearer token
  bool plaintext = false;   // --plaintext / SARABAN_PLAINTEXT
};

void AddClientTlsFlags(CLI::App& app, ClientTlsOptions* options);

// Channel credentials for the options: TLS verified against the CA (the
// system's roots when none is given), with the client certificate when one
// is given, plus the bearer token as call credentials; plaintext only when
// asked for (a token is refused over plaintext: it would travel in clear).
Result<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsOptions& options);

// A channel to `address` with MakeChannelCredentials and `args` (plus the
// name to verify, when --tls-server-name gives one).
Result<std::shared_ptr<grpc::Channel>> MakeChannel(const std::string& address,
                                                   const ClientTlsOptions& options,
                                                   grpc::ChannelArguments args);

}  // namespace saraban::server
