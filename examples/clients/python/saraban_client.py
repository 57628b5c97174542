#!/usr/bin/python3
"""A saraban client in Python, with no generated code and no .proto files.

It learns the API from the servers themselves through gRPC server reflection
(grpc.reflection.v1alpha), builds message classes from the descriptors it is
sent, and then: imports a report (a saraban.v1.Report in the protobuf JSON
mapping, such as examples/004_bueng_khla.json) with ReportService.ImportReports,
renders it with DocumentService.RenderReport, watches the job with WatchJob
until it is final, downloads the PDF with DownloadDocument, checks its size
and SHA-256, and writes it to a file.

Needs only Debian's python3-grpcio and python3-protobuf (run it with
/usr/bin/python3). The services must serve plaintext (--plaintext), as on a
developer's machine:

    /usr/bin/python3 examples/clients/python/saraban_client.py \\
        examples/004_bueng_khla.json -o bueng-khla-2566.pdf \\
        --reports 127.0.0.1:50051 --documents 127.0.0.1:50052

On a gRPC error it prints the status code, the message and the
google.rpc.ErrorInfo (reason, domain, metadata) from the
grpc-status-details-bin trailer. Exit codes: 0 done, 1 a gRPC error, 2 bad
usage or input file, 3 the report was refused or the job did not succeed,
4 the downloaded document does not match its checksum.
"""

import argparse
import hashlib
import os
import sys
import uuid

import grpc
from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, json_format, message_factory

REFLECTION = "grpc.reflection.v1alpha.ServerReflection"
FDP = descriptor_pb2.FieldDescriptorProto


def build_file(name, package, messages, deps=(), service=None):
    """A FileDescriptorProto from {message: [(field, number, type, label, type_name, oneof)]}."""
    f = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3",
                                           dependency=list(deps))
    for msg_name, fields in messages.items():
        m = f.message_type.add(name=msg_name)
        for field, number, ftype, label, type_name, oneof in fields:
            fd = m.field.add(name=field, number=number, type=ftype, label=label)
            if type_name:
                fd.type_name = type_name
            if oneof:
                if oneof not in [o.name for o in m.oneof_decl]:
                    m.oneof_decl.add(name=oneof)
                fd.oneof_index = [o.name for o in m.oneof_decl].index(oneof)
    if service:
        s = f.service.add(name=service[0])
        for method, inp, out in service[1]:
            s.method.add(name=method, input_type=inp, output_type=out,
                         client_streaming=True, server_streaming=True)
    return f


def message_class(desc):
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(desc)
    return message_factory.MessageFactory(desc.file.pool).GetPrototype(desc)


S, I32, B, MSG = FDP.TYPE_STRING, FDP.TYPE_INT32, FDP.TYPE_BYTES, FDP.TYPE_MESSAGE
ONE, MANY = FDP.LABEL_OPTIONAL, FDP.LABEL_REPEATED
R = ".grpc.reflection.v1alpha."

# grpc/reflection/v1alpha/reflection.proto: the part this client uses.
REFLECTION_FILE = build_file("grpc/reflection/v1alpha/reflection.proto", R[1:-1], {
    "ServerReflectionRequest": [
        ("host", 1, S, ONE, None, None),
        ("file_by_filename", 3, S, ONE, None, "message_request"),
        ("file_containing_symbol", 4, S, ONE, None, "message_request"),
        ("list_services", 7, S, ONE, None, "message_request")],
    "FileDescriptorResponse": [("file_descriptor_proto", 1, B, MANY, None, None)],
    "ErrorResponse": [("error_code", 1, I32, ONE, None, None),
                      ("error_message", 2, S, ONE, None, None)],
    "ServerReflectionResponse": [
        ("valid_host", 1, S, ONE, None, None),
        ("original_request", 2, MSG, ONE, R + "ServerReflectionRequest", None),
        ("file_descriptor_response", 4, MSG, ONE, R + "FileDescriptorResponse", "message_response"),
        ("error_response", 7, MSG, ONE, R + "ErrorResponse", "message_response")],
}, service=("ServerReflection", [("ServerReflectionInfo", R + "ServerReflectionRequest",
                                  R + "ServerReflectionResponse")]))

# google/rpc/status.proto and ErrorInfo from error_details.proto, for when a
# server does not serve them.
FALLBACK_RPC_FILE = build_file("saraban_client/google_rpc.proto", "google.rpc", {
    "Status": [("code", 1, I32, ONE, None, None), ("message", 2, S, ONE, None, None),
               ("details", 3, MSG, MANY, ".google.protobuf.Any", None)],
    "ErrorInfo": [("reason", 1, S, ONE, None, None), ("domain", 2, S, ONE, None, None),
                  ("metadata", 3, MSG, MANY, ".google.rpc.ErrorInfo.MetadataEntry", None)],
}, deps=["google/protobuf/any.proto"])
_entry = FALLBACK_RPC_FILE.message_type[1].nested_type.add(name="MetadataEntry")
_entry.options.map_entry = True
_entry.field.add(name="key", number=1, type=S, label=ONE)
_entry.field.add(name="value", number=2, type=S, label=ONE)


class Reflection:
    """Message and method descriptors of one server, fetched by reflection."""

    def __init__(self, channel, timeout):
        self.pool = descriptor_pool.DescriptorPool()
        own = descriptor_pool.DescriptorPool()
        own.Add(REFLECTION_FILE)
        self.request = message_class(own.FindMessageTypeByName(R[1:] + "ServerReflectionRequest"))
        response = message_class(own.FindMessageTypeByName(R[1:] + "ServerReflectionResponse"))
        self.call = channel.stream_stream(f"/{REFLECTION}/ServerReflectionInfo",
                                          request_serializer=lambda m: m.SerializeToString(),
                                          response_deserializer=response.FromString)
        self.channel, self.timeout = channel, timeout
        self.added = set()

    def _ask(self, **request):
        """The files of one reflection answer, by name."""
        for reply in self.call(iter([self.request(**request)]), timeout=self.timeout):
            if reply.WhichOneof("message_response") == "error_response":
                raise LookupError(f"reflection: {request}: {reply.error_response.error_message}")
            files = [descriptor_pb2.FileDescriptorProto.FromString(b)
                     for b in reply.file_descriptor_response.file_descriptor_proto]
            return {f.name: f for f in files}
        raise LookupError(f"reflection: no answer to {request}")

    def _add(self, proto, known):
        """Adds `proto` after its dependencies, fetching those not sent yet."""
        if proto.name in self.added:
            return
        for dep in proto.dependency:
            if dep not in known:
                known.update(self._ask(file_by_filename=dep))
            self._add(known[dep], known)
        self.pool.Add(proto)
        self.added.add(proto.name)

    def load(self, symbol):
        """Makes `symbol` (a service or message full name) and its file known."""
        try:
            return self.pool.FindFileContainingSymbol(symbol)
        except KeyError:
            known = self._ask(file_containing_symbol=symbol)
            for proto in list(known.values()):
                self._add(proto, known)
            return self.pool.FindFileContainingSymbol(symbol)

    def cls(self, full_name):
        self.load(full_name)
        return message_class(self.pool.FindMessageTypeByName(full_name))

    def method(self, service, name):
        """A callable for service/name, typed by its descriptor."""
        self.load(service)
        m = self.pool.FindServiceByName(service).FindMethodByName(name)
        inp, out = message_class(m.input_type), message_class(m.output_type)
        proto = descriptor_pb2.MethodDescriptorProto()
        m.CopyToProto(proto)
        c = self.channel
        kind = {(False, False): c.unary_unary, (True, False): c.stream_unary,
                (False, True): c.unary_stream, (True, True): c.stream_stream}
        call = kind[(proto.client_streaming, proto.server_streaming)](
            f"/{service}/{name}", request_serializer=lambda msg: msg.SerializeToString(),
            response_deserializer=out.FromString)
        return call, inp


def enum_name(message, field):
    """The name of an enum field's value, from the descriptor."""
    value = getattr(message, field)
    values = message.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number
    return values[value].name if value in values else str(value)


def rpc_classes(reflections):
    """google.rpc.Status and ErrorInfo: from a server if it serves them, else built here."""
    for r in reflections:
        try:
            return r.cls("google.rpc.Status"), r.cls("google.rpc.ErrorInfo")
        except (grpc.RpcError, LookupError, KeyError, TypeError):
            continue
    pool = descriptor_pool.DescriptorPool()
    any_file = descriptor_pb2.FileDescriptorProto()
    any_pb2.DESCRIPTOR.CopyToProto(any_file)
    pool.Add(any_file)
    pool.Add(FALLBACK_RPC_FILE)
    return (message_class(pool.FindMessageTypeByName("google.rpc.Status")),
            message_class(pool.FindMessageTypeByName("google.rpc.ErrorInfo")))


def print_rpc_error(error, reflections):
    print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
    trailer = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    if not trailer:
        return
    status_cls, info_cls = rpc_classes(reflections)
    for detail in status_cls.FromString(trailer).details:
        if detail.type_url.endswith("/google.rpc.ErrorInfo"):
            info = info_cls.FromString(detail.value)
            meta = ", ".join(f"{k}={v}" for k, v in sorted(info.metadata.items()))
            print(f"  reason: {info.reason}  domain: {info.domain}  metadata: {{{meta}}}",
                  file=sys.stderr)


def run(args, reports, documents):
    # Import: one ImportReportsRequest on the client stream.
    import_reports, request_cls = reports.method("saraban.v1.ReportService",
                                                 "ImportReports")
    request = request_cls(upsert_agency=True)
    try:
        with open(args.report, encoding="utf-8") as f:
            json_format.Parse(f.read(), request.report)
    except (OSError, json_format.ParseError) as e:
        print(f"error: {args.report}: {e}", file=sys.stderr)
        return 2
    imported = import_reports(iter([request]), timeout=args.timeout)
    if imported.failed:
        for result in imported.results:
            for violation in result.violations:
                print(f"refused: {violation.field or result.report}: {violation.description}",
                      file=sys.stderr)
        return 3
    report = request.report
    name = f"agencies/{report.agency.code}/reports/{report.fiscal_year}"
    print(f"imported {name} ({imported.created} created, {imported.updated} updated)")

    # Render and watch until the job is final.
    service = "saraban.v1.DocumentService"
    render, render_cls = documents.method(service, "RenderReport")
    job = render(render_cls(report=name, request_id=args.request_id or str(uuid.uuid4())),
                 timeout=args.timeout)
    print(f"queued {job.name} (request_id {job.request_id})")
    watch, watch_cls = documents.method(service, "WatchJob")
    for job in watch(watch_cls(name=job.name), timeout=args.job_timeout):
        state = enum_name(job, "state")
        if state.endswith(("SUCCEEDED", "FAILED", "CANCELLED")):
            break
    state = enum_name(job, "state")
    if not state.endswith("SUCCEEDED"):
        print(f"error: {job.name} ended {state}: {job.error}", file=sys.stderr)
        return 3

    # Download in chunks; the first carries the size and SHA-256.
    download, download_cls = documents.method(service, "DownloadDocument")
    data, document = bytearray(), None
    for chunk in download(download_cls(job=job.name), timeout=args.timeout):
        if chunk.HasField("document"):
            document = chunk.document
        if chunk.offset != len(data):
            print(f"error: chunk at offset {chunk.offset}, expected {len(data)}", file=sys.stderr)
            return 4
        data += chunk.data
    digest = hashlib.sha256(data).hexdigest()
    if document is None or document.size_bytes != len(data) or document.sha256 != digest:
        print(f"error: downloaded {len(data)} bytes, sha256 {digest}; expected {document}",
              file=sys.stderr)
        return 4
    with open(args.output, "wb") as f:
        f.write(data)
    print(f"{job.name}: {state} after {job.attempts} attempt(s)")
    print(f"wrote {args.output}: {document.page_count} page(s), {len(data)} bytes, sha256 {digest}")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("report", help="a saraban.v1.Report as JSON, e.g. examples/004_bueng_khla.json")
    p.add_argument("-o", "--output", default="report.pdf", help="where to write the PDF")
    p.add_argument("--reports", default=os.environ.get("SARABAN_REPORTS", "127.0.0.1:50051"),
                   help="ReportService HOST:PORT (env SARABAN_REPORTS)")
    p.add_argument("--documents", default=os.environ.get("SARABAN_DOCUMENTS", "127.0.0.1:50052"),
                   help="DocumentService HOST:PORT (env SARABAN_DOCUMENTS)")
    p.add_argument("--request-id", help="idempotency key of the render (default: a new UUID)")
    p.add_argument("--timeout", type=float, default=30, help="seconds per call")
    p.add_argument("--job-timeout", type=float, default=300, help="seconds to wait for the job")
    args = p.parse_args()

    reflections = []
    try:
        for address in (args.reports, args.documents):
            reflections.append(Reflection(grpc.insecure_channel(address), args.timeout))
        return run(args, *reflections)
    except grpc.RpcError as e:
        print_rpc_error(e, reflections)
        return 1
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
