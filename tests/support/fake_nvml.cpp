// A stand-in for libnvidia-ml.so.1, built by the tests and loaded through the same
// dlopen path as the real driver. Its answers come from the file named by
// IA_FAKE_NVML_SCRIPT, re-read on every call so a test can change the machine's GPUs:
//   init fail 9                      nvmlInit_v2 returns 9 (driver not loaded)
//   gpu NAME util=N used=BYTES total=BYTES
//   proc GPU compute|graphics PID BYTES|na
//   no_v3                            hide the _v3 process lists (older drivers)
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Proc { unsigned gpu; bool compute; unsigned pid; unsigned long long memory; };
struct Gpu { std::string name; unsigned util = 0; unsigned long long used = 0, total = 0; };
struct Script {
  int init_rc = 0;
  bool no_v3 = false;
  std::vector<Gpu> gpus;
  std::vector<Proc> procs;
};

unsigned long long number(const std::string& text) {
  if (text == "na") return ~0ull;
  return std::strtoull(text.c_str(), nullptr, 10);
}

std::string value_of(const std::string& word) { return word.substr(word.find('=') + 1); }

Script read_script() {
  Script script;
  const char* path = std::getenv("IA_FAKE_NVML_SCRIPT");
  std::ifstream in(path ? path : "");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "init") {
      std::string word;
      words >> word >> script.init_rc;
    } else if (kind == "no_v3") {
      script.no_v3 = true;
    } else if (kind == "gpu") {
      Gpu gpu;
      std::string util, used, total;
      words >> gpu.name >> util >> used >> total;
      gpu.util = static_cast<unsigned>(number(value_of(util)));
      gpu.used = number(value_of(used));
      gpu.total = number(value_of(total));
      script.gpus.push_back(gpu);
    } else if (kind == "proc") {
      Proc proc{};
      std::string type, memory;
      words >> proc.gpu >> type >> proc.pid >> memory;
      proc.compute = type == "compute";
      proc.memory = number(memory);
      script.procs.push_back(proc);
    }
  }
  return script;
}

struct Device { unsigned index; };
Device g_devices[16] = {{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}, {12}, {13}, {14}, {15}};

template <typename Info>
int list(Device* device, unsigned* count, Info* infos, bool compute) {
  Script script = read_script();
  std::vector<Proc> mine;
  for (const Proc& p : script.procs) {
    if (p.gpu == device->index && p.compute == compute) mine.push_back(p);
  }
  if (*count < mine.size() || !infos) {
    *count = static_cast<unsigned>(mine.size());
    return mine.empty() ? 0 : 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  }
  *count = static_cast<unsigned>(mine.size());
  for (std::size_t i = 0; i < mine.size(); ++i) {
    std::memset(&infos[i], 0, sizeof(Info));
    infos[i].pid = mine[i].pid;
    infos[i].usedGpuMemory = mine[i].memory;
  }
  return 0;
}

struct InfoV1 { unsigned pid; unsigned long long usedGpuMemory; };
struct InfoV3 { unsigned pid; unsigned long long usedGpuMemory; unsigned gi, ci; };

}  // namespace

extern "C" {

int nvmlInit_v2() { return read_script().init_rc; }
int nvmlShutdown() { return 0; }
const char* nvmlErrorString(int rc) { return rc == 9 ? "Driver Not Loaded" : "Fake Error"; }

int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = static_cast<unsigned>(read_script().gpus.size());
  return 0;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned index, Device** device) {
  if (index >= read_script().gpus.size() || index >= 16) return 2;
  *device = &g_devices[index];
  return 0;
}

int nvmlDeviceGetName(Device* device, char* name, unsigned length) {
  Script script = read_script();
  if (device->index >= script.gpus.size()) return 2;
  std::strncpy(name, script.gpus[device->index].name.c_str(), length);
  return 0;
}

int nvmlDeviceGetUtilizationRates(Device* device, unsigned* rates) {
  Script script = read_script();
  if (device->index >= script.gpus.size()) return 2;
  rates[0] = script.gpus[device->index].util;
  rates[1] = 0;
  return 0;
}

int nvmlDeviceGetMemoryInfo(Device* device, unsigned long long* memory) {
  Script script = read_script();
  if (device->index >= script.gpus.size()) return 2;
  memory[0] = script.gpus[device->index].total;
  memory[2] = script.gpus[device->index].used;
  memory[1] = memory[0] - memory[2];
  return 0;
}

int nvmlDeviceGetComputeRunningProcesses(Device* d, unsigned* n, InfoV1* p) { return list(d, n, p, true); }
int nvmlDeviceGetGraphicsRunningProcesses(Device* d, unsigned* n, InfoV1* p) { return list(d, n, p, false); }
int nvmlDeviceGetComputeRunningProcesses_v3(Device* d, unsigned* n, InfoV3* p) {
  return read_script().no_v3 ? 3 : list(d, n, p, true);
}
int nvmlDeviceGetGraphicsRunningProcesses_v3(Device* d, unsigned* n, InfoV3* p) {
  return read_script().no_v3 ? 3 : list(d, n, p, false);
}

}  // extern "C"
