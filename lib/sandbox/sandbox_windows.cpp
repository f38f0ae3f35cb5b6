// The Windows backend: weaker than Linux and says so. A job object limits memory,
// processes and CPU time, blocks UI access and kills the whole tree on timeout or kill;
// there is no file system, network or PID isolation. Output is read by two threads that
// queue chunks; wait() hands them to the callback on its own thread. Win32 threads and
// locks, not <thread>/<mutex>: mingw-w64's default (win32) thread model lacks those.
#define WIN32_LEAN_AND_MEAN
// tlhelp32.h needs the types windows.h declares, so the order is fixed.
// clang-format off
#include <windows.h>
#include <tlhelp32.h>
// clang-format on

#include <deque>
#include <filesystem>
#include <fstream>

#include "core/time.hpp"
#include "sandbox/output.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

namespace {

Error windows_error(const std::string& operation) {
  return make_error(ErrorCode::io, operation + " failed: Windows error " +
                                       std::to_string(static_cast<unsigned long>(GetLastError())));
}

std::wstring widen(const std::string& text) {
  if (text.empty()) return {};
  int size =
      MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(size), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), out.data(), size);
  return out;
}

// The quoting CommandLineToArgvW undoes: backslashes double only before a quote.
std::wstring quote_argument(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\"") == std::wstring::npos) return arg;
  std::wstring out = L"\"";
  size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    out.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    out.push_back(c);
  }
  out.append(backslashes * 2, L'\\');
  out.push_back(L'"');
  return out;
}

struct Chunk {
  Stream stream;
  std::string data;
};

class Lock {
 public:
  explicit Lock(SRWLOCK& lock) : m_lock(lock) { AcquireSRWLockExclusive(&m_lock); }
  ~Lock() { ReleaseSRWLockExclusive(&m_lock); }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  SRWLOCK& m_lock;
};

}  // namespace

struct Handle::Impl {
  Spec spec;
  HANDLE job = nullptr, process = nullptr;
  HANDLE out_read = nullptr, err_read = nullptr;
  HANDLE out_reader = nullptr, err_reader = nullptr;
  SRWLOCK mutex = SRWLOCK_INIT;
  CONDITION_VARIABLE ready = CONDITION_VARIABLE_INIT;
  std::deque<Chunk> chunks;
  int open_streams = 2;
  bool killed = false, waited = false, ended = false;
  std::wstring workdir;
  bool own_workdir = false;
  std::vector<std::string> isolation, missing;
  std::int64_t started_ms = 0;

  void read_stream(HANDLE pipe, Stream stream) {
    char buffer[65536];
    DWORD got = 0;
    while (ReadFile(pipe, buffer, sizeof buffer, &got, nullptr) && got > 0) {
      Lock lock(mutex);
      chunks.push_back({stream, std::string(buffer, got)});
      WakeConditionVariable(&ready);
    }
    Lock lock(mutex);
    --open_streams;
    WakeConditionVariable(&ready);
  }

  ~Impl() {
    if (job && !ended) TerminateJobObject(job, 137);
    for (HANDLE reader : {out_reader, err_reader}) {
      if (reader) WaitForSingleObject(reader, INFINITE);
    }
    for (HANDLE h : {job, process, out_read, err_read, out_reader, err_reader}) {
      if (h) CloseHandle(h);
    }
    if (own_workdir) {
      std::error_code ignored;
      std::filesystem::remove_all(workdir, ignored);
    }
  }
};

namespace {

Status limit_job(Handle::Impl& impl) {
  const Limits& limits = impl.spec.limits;
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
  DWORD flags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (limits.memory > 0) {
    flags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
    info.JobMemoryLimit = static_cast<SIZE_T>(limits.memory);
    impl.isolation.push_back("mem");
  }
  if (limits.pids > 0) {
    flags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
    info.BasicLimitInformation.ActiveProcessLimit = static_cast<DWORD>(limits.pids);
    impl.isolation.push_back("pids");
  }
  if (limits.cpu_time.count() > 0) {
    flags |= JOB_OBJECT_LIMIT_JOB_TIME;
    info.BasicLimitInformation.PerJobUserTimeLimit.QuadPart = limits.cpu_time.count() * 10000;
  }
  info.BasicLimitInformation.LimitFlags = flags;
  if (!SetInformationJobObject(impl.job, JobObjectExtendedLimitInformation, &info, sizeof info)) {
    return windows_error("SetInformationJobObject");
  }
  JOBOBJECT_BASIC_UI_RESTRICTIONS ui{};
  ui.UIRestrictionsClass = JOB_OBJECT_UILIMIT_DESKTOP | JOB_OBJECT_UILIMIT_EXITWINDOWS |
                           JOB_OBJECT_UILIMIT_GLOBALATOMS | JOB_OBJECT_UILIMIT_HANDLES |
                           JOB_OBJECT_UILIMIT_READCLIPBOARD | JOB_OBJECT_UILIMIT_WRITECLIPBOARD |
                           JOB_OBJECT_UILIMIT_SYSTEMPARAMETERS;
  SetInformationJobObject(impl.job, JobObjectBasicUIRestrictions, &ui, sizeof ui);
  impl.isolation.push_back("job_object");
  return {};
}

// Spec::files into the private working directory just made.
Status write_task_files(const Handle::Impl& impl) {
  for (const TaskFile& file : impl.spec.files) {
    std::filesystem::path path = std::filesystem::path(impl.workdir) / widen(file.name);
    std::ofstream out(path, std::ios::binary);
    out.write(file.content.data(), static_cast<std::streamsize>(file.content.size()));
    if (!out.flush()) {
      return make_error(ErrorCode::io, "cannot write task file " + file.name,
                        "check the space left in the temporary directory");
    }
  }
  return {};
}

Status make_workdir(Handle::Impl& impl) {
  if (!impl.spec.workdir.empty()) {
    impl.workdir = widen(impl.spec.workdir);
    return {};
  }
  wchar_t base[MAX_PATH + 1];
  if (!GetTempPathW(MAX_PATH, base)) return windows_error("GetTempPathW");
  std::wstring dir = std::wstring(base) + L"ia-sandbox-" + std::to_wstring(GetCurrentProcessId()) +
                     L"-" + std::to_wstring(steady_now_ms());
  if (!CreateDirectoryW(dir.c_str(), nullptr)) return windows_error("CreateDirectoryW");
  impl.workdir = dir;
  impl.own_workdir = true;
  return write_task_files(impl);
}

std::wstring environment_block(const std::vector<std::string>& env) {
  std::wstring block;
  for (const std::string& entry : env) block += widen(entry) + L'\0';
  block += L'\0';
  return block;
}

Status create_process(Handle::Impl& impl, HANDLE out_write, HANDLE err_write) {
  std::wstring command;
  for (const std::string& arg : impl.spec.argv) {
    if (!command.empty()) command += L' ';
    command += quote_argument(widen(arg));
  }
  std::wstring env = environment_block(impl.spec.env);
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = impl.spec.stdin_source.kind == StdinSource::Kind::inherit
                          ? GetStdHandle(STD_INPUT_HANDLE)
                          : nullptr;
  startup.hStdOutput = out_write;
  startup.hStdError = err_write;
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(nullptr, command.data(), nullptr, nullptr, TRUE,
                      CREATE_SUSPENDED | CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT, env.data(),
                      impl.workdir.c_str(), &startup, &info)) {
    return windows_error("CreateProcessW");
  }
  // Assigned while suspended, so not even the first instruction runs outside the job.
  if (!AssignProcessToJobObject(impl.job, info.hProcess)) {
    TerminateProcess(info.hProcess, 125);
    CloseHandle(info.hThread);
    CloseHandle(info.hProcess);
    return windows_error("AssignProcessToJobObject");
  }
  ResumeThread(info.hThread);
  CloseHandle(info.hThread);
  impl.process = info.hProcess;
  return {};
}

Status make_pipe(HANDLE& read_end, HANDLE& write_end) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  if (!CreatePipe(&read_end, &write_end, &inherit, 0)) return windows_error("CreatePipe");
  SetHandleInformation(read_end, HANDLE_FLAG_INHERIT, 0);
  return {};
}

// Suspends or resumes every thread of every process in the job.
Status for_each_thread(HANDLE job, bool suspend) {
  char buffer[sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) + 1024 * sizeof(ULONG_PTR)];
  auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buffer);
  if (!QueryInformationJobObject(job, JobObjectBasicProcessIdList, list, sizeof buffer, nullptr)) {
    return windows_error("QueryInformationJobObject");
  }
  HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snapshot == INVALID_HANDLE_VALUE) return windows_error("CreateToolhelp32Snapshot");
  THREADENTRY32 entry{};
  entry.dwSize = sizeof entry;
  for (BOOL more = Thread32First(snapshot, &entry); more; more = Thread32Next(snapshot, &entry)) {
    for (DWORD i = 0; i < list->NumberOfProcessIdsInList; ++i) {
      if (entry.th32OwnerProcessID != static_cast<DWORD>(list->ProcessIdList[i])) continue;
      HANDLE thread = OpenThread(THREAD_SUSPEND_RESUME, FALSE, entry.th32ThreadID);
      if (!thread) continue;
      if (suspend)
        SuspendThread(thread);
      else
        ResumeThread(thread);
      CloseHandle(thread);
    }
  }
  CloseHandle(snapshot);
  return {};
}

DWORD WINAPI read_stdout(void* impl) {
  auto* state = static_cast<Handle::Impl*>(impl);
  state->read_stream(state->out_read, Stream::stdout_stream);
  return 0;
}

DWORD WINAPI read_stderr(void* impl) {
  auto* state = static_cast<Handle::Impl*>(impl);
  state->read_stream(state->err_read, Stream::stderr_stream);
  return 0;
}

}  // namespace

Handle::Handle(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Handle::Handle(Handle&&) noexcept = default;
Handle& Handle::operator=(Handle&&) noexcept = default;
Handle::~Handle() = default;

const std::vector<std::string>& Handle::isolation() const {
  return m_impl->isolation;
}
int Handle::pid() const {
  return static_cast<int>(GetProcessId(m_impl->process));
}
Status Handle::freeze() {
  return for_each_thread(m_impl->job, true);
}
Status Handle::thaw() {
  return for_each_thread(m_impl->job, false);
}

Status Handle::kill() {
  Lock lock(m_impl->mutex);
  m_impl->killed = true;
  if (!TerminateJobObject(m_impl->job, 128 + 9)) return windows_error("TerminateJobObject");
  return {};
}

// Windows has no SIGTERM a job's processes could trap: the job ends at once.
Status Handle::terminate() { return kill(); }

Result<Handle> start(const Spec& spec) {
  if (spec.argv.empty()) {
    return make_error(ErrorCode::invalid_argument, "no command to run",
                      "put the command after --, as in: ia-sandbox -- python job.py");
  }
  auto impl = std::make_unique<Handle::Impl>();
  impl->spec = spec;
  impl->started_ms = steady_now_ms();
  impl->missing = {"fs, net, pid and seccomp isolation (not available on Windows)"};
  impl->job = CreateJobObjectW(nullptr, nullptr);
  if (!impl->job) return windows_error("CreateJobObjectW");
  IA_TRY(limit_job(*impl));
  std::vector<std::string> lacking = unmet(spec.require, impl->isolation);
  if (!lacking.empty()) {
    return make_error(ErrorCode::unsupported,
                      "required isolation not available on Windows: " + lacking.front(),
                      "drop it from --require");
  }
  IA_TRY(check_task_files(spec));
  IA_TRY(make_workdir(*impl));
  HANDLE out_write = nullptr, err_write = nullptr;
  IA_TRY(make_pipe(impl->out_read, out_write));
  IA_TRY(make_pipe(impl->err_read, err_write));
  Status created = create_process(*impl, out_write, err_write);
  CloseHandle(out_write);
  CloseHandle(err_write);
  IA_TRY(created);
  impl->out_reader = CreateThread(nullptr, 0, read_stdout, impl.get(), 0, nullptr);
  impl->err_reader = CreateThread(nullptr, 0, read_stderr, impl.get(), 0, nullptr);
  if (!impl->out_reader || !impl->err_reader) return windows_error("CreateThread");
  return Handle(std::move(impl));
}

Result<Outcome> Handle::wait() {
  Impl& impl = *m_impl;
  if (impl.waited) return make_error(ErrorCode::conflict, "wait() was already called");
  impl.waited = true;
  OutputSink sink(impl.spec);
  Outcome outcome;
  const Limits& limits = impl.spec.limits;
  for (;;) {
    std::deque<Chunk> chunks;
    bool streams_open;
    {
      Lock lock(impl.mutex);
      if (impl.chunks.empty()) SleepConditionVariableSRW(&impl.ready, &impl.mutex, 20, 0);
      chunks.swap(impl.chunks);
      streams_open = impl.open_streams > 0;
    }
    for (const Chunk& chunk : chunks) sink.add(chunk.stream, chunk.data);
    bool exited = WaitForSingleObject(impl.process, 0) == WAIT_OBJECT_0;
    if (exited && !streams_open && chunks.empty()) break;
    if (!exited && limits.timeout.count() > 0 &&
        steady_now_ms() - impl.started_ms >= limits.timeout.count() && !outcome.timed_out) {
      outcome.timed_out = true;
      outcome.limit_hit = "timeout";
      TerminateJobObject(impl.job, 124);
    }
  }
  impl.ended = true;
  DWORD code = 0;
  GetExitCodeProcess(impl.process, &code);
  outcome.exit_code = outcome.timed_out ? 124 : static_cast<int>(code);
  JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION accounting{};
  if (QueryInformationJobObject(impl.job, JobObjectBasicAndIoAccountingInformation, &accounting,
                                sizeof accounting, nullptr)) {
    outcome.cpu_ms = (accounting.BasicInfo.TotalUserTime.QuadPart +
                      accounting.BasicInfo.TotalKernelTime.QuadPart) /
                     10000;
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info{};
  if (QueryInformationJobObject(impl.job, JobObjectExtendedLimitInformation, &info, sizeof info,
                                nullptr)) {
    outcome.max_rss_kb = static_cast<std::int64_t>(info.PeakJobMemoryUsed / 1024);
  }
  if (impl.killed && !outcome.timed_out) {
    outcome.signal = 9;
    outcome.exit_code = 137;
  }
  outcome.wall_ms = steady_now_ms() - impl.started_ms;
  sink.finish(outcome);
  outcome.isolation = impl.isolation;
  outcome.missing = impl.missing;
  outcome.limits = limits;
  return outcome;
}

}  // namespace ia::sandbox
