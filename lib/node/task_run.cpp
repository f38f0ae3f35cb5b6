#include "node/task_run.hpp"

#include <algorithm>
#include <cstdlib>

#include "client/script.hpp"
#include "json/utf8.hpp"

namespace ia::node {
namespace {

std::string extension_for(const std::string& interpreter) {
  std::string name = interpreter.substr(interpreter.rfind('/') + 1);
  if (name.rfind("python", 0) == 0 || name.rfind("pypy", 0) == 0) return ".py";
  if (name == "sh" || name == "bash" || name == "dash") return ".sh";
  if (name == "node") return ".js";
  return "";
}

}  // namespace

std::string script_file_name(const api::TaskSpec& spec) {
  return "task" + extension_for(spec.interpreter);
}

sandbox::Spec spec_for(const Lease& lease, const sandbox::Spec& base,
                       const std::string& script_name) {
  const api::TaskSpec& task = lease.spec;
  sandbox::Spec spec = base;
  // A private working directory (a bounded tmpfs on Linux), never a host directory the
  // task could fill the owner's disk through.
  spec.workdir.clear();
  spec.files = {{script_name, task.code, true}};
  spec.argv.clear();
  if (!task.interpreter.empty()) spec.argv.push_back(task.interpreter);
  spec.argv.push_back("./" + script_name);
  spec.argv.insert(spec.argv.end(), task.args.begin(), task.args.end());
  spec.env = sandbox::default_env([](const char* name) { return std::getenv(name); });
  for (const auto& [key, value] : task.env) sandbox::set_env(spec.env, key, value);
  sandbox::set_env(spec.env, "IA_TASK_ID", std::to_string(lease.task_id));  // not the task's say
  spec.gpus = lease.gpus;
  spec.stdin_source = task.stdin_data.empty()
                          ? sandbox::StdinSource{sandbox::StdinSource::Kind::null, ""}
                          : sandbox::StdinSource{sandbox::StdinSource::Kind::data, task.stdin_data};
  spec.capture = false;  // the agent forwards output as it comes; nothing to keep twice
  sandbox::Limits& limits = spec.limits;
  // The task's own requests narrow the node's limits; they never widen them. Zero is
  // "no limit" on the node's side and "no request" on the task's.
  auto narrow = [](auto current, auto wanted) {
    using T = decltype(current);
    if (wanted == T{0}) return current;
    return current == T{0} ? wanted : std::min(current, wanted);
  };
  limits.timeout = narrow(limits.timeout, Millis(task.timeout_s * 1000));
  limits.memory = narrow(limits.memory, static_cast<std::uint64_t>(task.resources.memory_mib) << 20);
  limits.output = narrow(limits.output, static_cast<std::uint64_t>(task.output_limit));
  spec.kill_grace = Millis(task.kill_grace_s * 1000);
  if (task.resources.cpu > 0) limits.cpus = narrow(limits.cpus, task.resources.cpu);
  return spec;
}

Result<std::unique_ptr<TaskRun>> TaskRun::start(Lease lease, const sandbox::Spec& base,
                                                std::function<void()> on_end) {
  sandbox::Spec spec = spec_for(lease, base, script_file_name(lease.spec));
  auto output = std::make_shared<OutputBox>();
  spec.on_output = [output](sandbox::Stream stream, std::string_view chunk) {
    output->add(stream, chunk);
  };
  Result<sandbox::Handle> handle = sandbox::start(spec);
  if (!handle) return std::move(handle).error();
  std::unique_ptr<TaskRun> run(
      new TaskRun(std::move(lease), std::move(handle).value(), std::move(output)));
  run->m_on_end = std::move(on_end);
  run->m_pump = std::thread([raw = run.get()] { raw->pump(); });
  return run;
}

TaskRun::TaskRun(Lease lease, sandbox::Handle handle, std::shared_ptr<OutputBox> output)
    : m_lease(std::move(lease)),
      m_handle(std::move(handle)),
      m_output(std::move(output)) {}

TaskRun::~TaskRun() {
  if (m_pump.joinable()) {
    if (!finished()) (void)m_handle.kill();
    m_pump.join();
  }
}

void TaskRun::pump() {
  Result<sandbox::Outcome> outcome = m_handle.wait();
  m_output->close();
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_outcome.emplace(std::move(outcome));
  }
  m_ended.notify_all();
  if (m_on_end) m_on_end();
}

Status TaskRun::freeze() {
  IA_TRY(m_handle.freeze());
  m_frozen = true;
  return {};
}

Status TaskRun::thaw() {
  IA_TRY(m_handle.thaw());
  m_frozen = false;
  return {};
}

Status TaskRun::kill() { return m_handle.kill(); }

Status TaskRun::terminate() {
  m_frozen = false;  // the sandbox thaws it to let it act on SIGTERM
  return m_handle.terminate();
}

bool TaskRun::wait_finished(Millis limit) {
  std::unique_lock<std::mutex> lock(m_mutex);
  return m_ended.wait_for(lock, limit, [this] { return m_outcome.has_value(); });
}

api::TaggedOutput TaskRun::take_output() { return m_output->take(); }

void OutputBox::add(sandbox::Stream stream, std::string_view chunk) {
  bool from_stderr = stream == sandbox::Stream::stderr_stream;
  std::lock_guard<std::mutex> lock(m_mutex);
  append_locked(from_stderr ? m_held_stderr : m_held_stdout, chunk, from_stderr);
}

void OutputBox::append_locked(std::string& held, std::string_view chunk, bool from_stderr) {
  held.append(chunk);
  std::size_t ready = json::complete_utf8_prefix(held);
  m_pending.append(std::string_view(held).substr(0, ready), from_stderr);
  held.erase(0, ready);
}

void OutputBox::close() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_pending.append(std::exchange(m_held_stdout, {}), false);
  m_pending.append(std::exchange(m_held_stderr, {}), true);
}

api::TaggedOutput OutputBox::take() {
  std::lock_guard<std::mutex> lock(m_mutex);
  return std::exchange(m_pending, {});
}

bool TaskRun::finished() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_outcome.has_value();
}

Result<sandbox::Outcome> TaskRun::outcome() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  if (!m_outcome) return make_error(ErrorCode::internal, "task still running");
  return *m_outcome;
}

}  // namespace ia::node
