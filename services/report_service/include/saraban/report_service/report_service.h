// saraban.v1.ReportService over the report store: resource names, field
// masks, etags and error translation. The store validates and stores.
#pragma once

#include "saraban/authz/caller.h"
#include "saraban/store/report_store.h"
#include "saraban/v1/report_service.grpc.pb.h"

namespace saraban::report_service {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // Every call is checked against `auth`'s policy (none: all allowed).
  ReportServiceImpl(store::ReportStore& store, authz::Authenticator auth)
      : store_(store), auth_(std::move(auth)) {}

  grpc::Status CreateAgency(grpc::ServerContext*, const v1::CreateAgencyRequest*,
                            v1::AgencyResource*) override;
  grpc::Status GetAgency(grpc::ServerContext*, const v1::GetAgencyRequest*,
                         v1::AgencyResource*) override;
  grpc::Status ListAgencies(grpc::ServerContext*, const v1::ListAgenciesRequest*,
                            v1::ListAgenciesResponse*) override;
  grpc::Status UpdateAgency(grpc::ServerContext*, const v1::UpdateAgencyRequest*,
                            v1::AgencyResource*) override;
  grpc::Status DeleteAgency(grpc::ServerContext*, const v1::DeleteAgencyRequest*,
                            google::protobuf::Empty*) override;

  grpc::Status CreateReport(grpc::ServerContext*, const v1::CreateReportRequest*,
                            v1::ReportResource*) override;
  grpc::Status GetReport(grpc::ServerContext*, const v1::GetReportRequest*,
                         v1::ReportResource*) override;
  grpc::Status ListReports(grpc::ServerContext*, const v1::ListReportsRequest*,
                           v1::ListReportsResponse*) override;
  grpc::Status UpdateReport(grpc::ServerContext*, const v1::UpdateReportRequest*,
                            v1::ReportResource*) override;
  grpc::Status DeleteReport(grpc::ServerContext*, const v1::DeleteReportRequest*,
                            google::protobuf::Empty*) override;
  // Each report is stored or refused on its own. A message that does not
  // parse (e.g. a string that is not UTF-8) ends the stream inside gRPC
  // before it reaches this method: the response counts only the messages
  // read, so a caller compares created + updated + failed with what it sent.
  grpc::Status ImportReports(grpc::ServerContext*,
                             grpc::ServerReader<v1::ImportReportsRequest>*,
                             v1::ImportReportsResponse*) override;

 private:
  // OK when the caller may read agency `code` (its province looked up for
  // provincial callers), write it, or list with these filters; else the
  // logged denial.
  grpc::Status AllowRead(grpc::ServerContext* context, const std::string& code);
  grpc::Status AllowWrite(grpc::ServerContext* context, const std::string& code);
  grpc::Status AllowList(grpc::ServerContext* context, const std::string& code,
                         const std::string& province);

  store::ReportStore& store_;
  authz::Authenticator auth_;
};

}  // namespace saraban::report_service
