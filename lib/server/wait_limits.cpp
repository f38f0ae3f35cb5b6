// Parked task and output long-polls per token ([sched] max_waits_per_token): each holds
// a slot of its token until its answer goes out, so one token cannot park without bound.
#include "server/service.hpp"

namespace ia::server {

bool Service::hold_wait_slot(Call& call) {
  std::int64_t cap = call.options->max_waits_per_token;
  TokenSlots::Slot slot = m_wait_slots.take(call.principal.name, cap);
  if (!slot) {
    call.fail(make_error(ErrorCode::rate_limited,
                         "'" + call.principal.name + "' has " + std::to_string(cap) +
                             " long-polls waiting, its limit ([sched] max_waits_per_token)",
                         "wait for one to be answered, or ask without wait"));
    return false;
  }
  call.reply = [reply = std::move(call.reply), slot = std::move(slot)](http::Response response) {
    reply(std::move(response));
  };
  return true;
}

}  // namespace ia::server
