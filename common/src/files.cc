#include "saraban/files.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace saraban {

Result<std::string> ReadFileAtMost(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kNotFound, "cannot open " + path + ": " + std::strerror(errno));
  }
  // Chunks, not one buffer of the limit: that would cost its page faults on
  // every small file.
  std::string data;
  char chunk[64 * 1024];
  while (data.size() <= limit && in.read(chunk, sizeof chunk).gcount() > 0) {
    data.append(chunk, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Status(StatusCode::kNotFound, "cannot read " + path);
  if (data.size() > limit) {
    return Status(StatusCode::kResourceExhausted,
                  path + " is larger than the limit of " + std::to_string(limit) + " bytes");
  }
  return data;
}

}  // namespace saraban
