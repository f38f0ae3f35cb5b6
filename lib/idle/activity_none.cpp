// ActivityWatch where no event source is implemented (Windows, macOS): polling only.
#include "idle/activity.hpp"

namespace ia::idle {

struct ActivityWatch::Impl {};

std::unique_ptr<ActivityWatch> ActivityWatch::start(std::string, std::function<void()>) {
  return nullptr;
}

ActivityWatch::ActivityWatch(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ActivityWatch::~ActivityWatch() = default;
std::vector<EventSource> ActivityWatch::sources() const { return {}; }
std::vector<InputSource> ActivityWatch::input_sources() const { return {}; }

}  // namespace ia::idle
