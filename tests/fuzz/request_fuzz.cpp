// libFuzzer target for the request-parsing code of ia-sched: every body parser of
// lib/api and the target/query splitting of lib/http. Built and run, bounded, by
// scripts/checks/fuzz-request. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/node.hpp"
#include "api/task.hpp"
#include "http/message.hpp"

using namespace ia;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  api::SubmitLimits limits;
  limits.max_code = 4096;
  switch (data[0] % 9) {
    case 0: {
      auto spec = api::parse_submit(body, limits);
      if (spec) {
        json::Writer out;
        api::write_spec(out, *spec);
        // What we write we must read back.
        if (!api::parse_submit(out.text(), api::SubmitLimits{})) __builtin_trap();
      }
      break;
    }
    case 1: (void)api::parse_legacy_submit(body, limits); break;
    case 2: (void)api::parse_heartbeat(body); break;
    case 3: (void)api::parse_result(body); break;
    case 4: (void)api::parse_output_chunk(body); break;
    case 5: (void)api::parse_lease_request(body); break;
    case 6: {
      std::string node;
      (void)api::parse_legacy_register(body, node);
      break;
    }
    case 7: {
      http::Request request;
      request.target = std::string(body);
      (void)http::split_target(request);
      break;
    }
    default:
      (void)api::parse_task_id(body);
      (void)api::check_node_id(body);
      (void)api::parse_wait_seconds("wait", body, 3600);
      break;
  }
  return 0;
}
