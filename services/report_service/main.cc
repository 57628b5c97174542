// report-service: the saraban.v1.ReportService gRPC server. Parses flags,
// connects to Redis, serves until SIGTERM.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "saraban/report_service/report_service.h"
#include "saraban/observe/log.h"
#include "saraban/server/redis_setup.h"
#include "saraban/server/serve.h"

int main(int argc, char** argv) {
  CLI::App app{"saraban report-service: agencies and their ITA reports, stored in Redis"};
  saraban::server::ServerOptions options;
  saraban::server::AddServerFlags(app, &options, "127.0.0.1:50051");
  CLI11_PARSE(app, argc, argv);
  if (auto s = saraban::observe::SetUpLogging("report-service", options.log); !s.ok()) {
    spdlog::error("report-service: {}", s.ToString());
    return 2;
  }

  auto endpoint = saraban::server::PrepareRedis(options.redis);
  if (!endpoint.ok()) {
    spdlog::error("report-service: {}", endpoint.status().ToString());
    return 1;
  }
  saraban::redis::Pool pool(*endpoint, {}, options.redis_connections);
  saraban::store::ReportStore store(pool, saraban::keyspace::Keys(options.redis.key_prefix));
  auto auth = saraban::server::LoadAuthenticator(options, "report-service");
  if (!auth.ok()) {
    spdlog::error("report-service: {}", auth.status().ToString());
    return 2;
  }
  saraban::report_service::ReportServiceImpl service(store, std::move(auth).value());
  return saraban::server::Serve("report-service", options, pool,
                                  {{saraban::v1::ReportService::service_full_name(), &service}});
}
