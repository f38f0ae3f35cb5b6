// Builds the child's plan from a Spec in the parent: the new root's mount list, the
// device nodes of requested GPUs, rlimits, argv and environment. Pure apart from
// looking at which host paths exist; not thread safe only in the sense of Spec sharing.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "sandbox/contain_linux.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

// The NVIDIA nodes for gpus under dev_dir: nvidia<N> for each, plus nvidiactl, nvidia-uvm,
// nvidia-uvm-tools and nvidia-modeset when present. A missing nvidia<N> is an error.
Result<std::vector<std::string>> gpu_device_paths(const std::string& dev_dir,
                                                  const std::vector<int>& gpus);

// Mounts that assemble the new root under staging (read-only system dirs, a few /etc
// files, /dev, /proc, /tmp, the working directory at /task: workdir bound, or a private
// tmpfs owned by uid and gid, holding spec.files, when workdir is empty).
std::vector<MountOp> root_mounts(const Spec& spec, const std::string& staging,
                                 const std::string& workdir,
                                 const std::vector<std::string>& gpu_devices, unsigned uid,
                                 unsigned gid);

// A directory to assemble the new root on (in the child's own mount namespace) that hides
// none of the host paths the root is built from that vary (the working directory, the
// device directory); "" when none fits.
std::string staging_dir(const std::vector<std::string>& sources);

// The limits as the kernel gets them: the process count also covers the task's init,
// which sits in the task's cgroup and shares its uid, so that --pids 1 is a task that
// cannot fork (and not one that cannot start).
Limits with_init(const Limits& limits);

// rlimits for the task; memory and process limits only when no cgroup enforces them.
std::vector<std::pair<int, rlimit>> task_rlimits(const Limits& limits, bool cgroup_memory,
                                                 bool cgroup_pids);

// argv, env (with CUDA_VISIBLE_DEVICES when GPUs are given) and PATH into the plan.
void fill_command(const Spec& spec, ChildPlan& plan);

}  // namespace ia::sandbox
