#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli.h"

namespace saraban::cli {

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition:
      return kExitInvalidInput;
    case StatusCode::kNotFound:
      return kExitIo;
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return kExitDenied;
    default:
      return kExitInternal;
  }
}

int Fail(const std::string& what, const Status& s) {
  // A file's own errors already start with its name.
  const bool named = s.field().empty() && s.message().rfind(what + ": ", 0) == 0;
  std::cerr << "saraban: " << (named ? "" : what + ": ") << s.ToString() << "\n";
  return ExitCodeFor(s);
}

// Writes `bytes` to `path` through a fresh temporary file in the same
// directory, flushed to disk, then renamed over `path`: a failure or a
// crash never leaves a half-written PDF, and two renders to the same path
// never write into each other's file.
Status WriteAtomically(const std::string& path, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::path target(path);
  // A symlink is written through: the file it names is replaced, never the
  // link (renaming over it would). One that names nothing is refused.
  if (std::filesystem::is_symlink(std::filesystem::symlink_status(target, ec))) {
    const std::filesystem::path real = std::filesystem::canonical(target, ec);
    if (ec) {
      return {StatusCode::kNotFound,
              path + " is a symbolic link to a file that does not exist; not replacing the link"};
    }
    target = real;
  }
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    return {StatusCode::kNotFound,
            "cannot create a file in " + dir.string() + ": " + std::strerror(errno)};
  }
  auto fail = [&](const std::string& what) {
    const std::string reason = std::strerror(errno);
    close(fd);
    std::remove(tmp.c_str());
    return Status(StatusCode::kNotFound, what + " " + tmp + ": " + reason);
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  // mkstemp makes the file 0600; give it the mode a plain create would.
  const mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0) return fail("cannot flush");
  if (close(fd) != 0) {
    std::remove(tmp.c_str());
    return {StatusCode::kNotFound, "cannot close " + tmp};
  }
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return {StatusCode::kNotFound, "cannot rename to " + path + ": " + ec.message()};
  }
  return Status::Ok();
}

Status WriteOutput(const std::string& path, const std::string& bytes) {
  if (path != "-") return WriteAtomically(path, bytes);
  std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::cout.flush();
  if (!std::cout) return {StatusCode::kNotFound, "cannot write to standard output"};
  return Status::Ok();
}

Status CheckOutputIsNotInput(const std::string& input, const std::string& output) {
  std::error_code ec;
  if (output != "-" && (output == input || std::filesystem::equivalent(input, output, ec))) {
    return InvalidArgument("the output " + output + " is the input file; it would be overwritten",
                           "--output");
  }
  return Status::Ok();
}

}  // namespace saraban::cli
