#include "core/random.hpp"

#include <unistd.h>

#include <algorithm>

#include "core/error.hpp"

namespace ia {

Status random_bytes(void* data, std::size_t size) {
  auto* out = static_cast<unsigned char*>(data);
  // getentropy gives at most 256 bytes a call.
  for (std::size_t done = 0; done < size;) {
    std::size_t piece = std::min<std::size_t>(size - done, 256);
    if (getentropy(out + done, piece) != 0) return system_error("getentropy");
    done += piece;
  }
  return {};
}

Result<std::int64_t> random_json_id() {
  constexpr std::uint64_t k_max = (std::uint64_t{1} << 53) - 1;
  for (;;) {
    std::uint64_t value = 0;
    IA_TRY(random_bytes(&value, sizeof value));
    value &= k_max;
    if (value != 0) return static_cast<std::int64_t>(value);
  }
}

}  // namespace ia
