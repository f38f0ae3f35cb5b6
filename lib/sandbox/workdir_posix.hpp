// The task's working directory: a private temporary one made and removed here, or the
// caller's. Removal never follows symlinks and copes with directories the task locked.
#pragma once

#include <sys/types.h>

#include <string>

#include "core/result.hpp"
#include "sandbox/sandbox.hpp"

namespace ia::sandbox {

// mkdtemp under $TMPDIR (or /tmp), mode 0700, owned by owner when owner_uid >= 0.
Result<std::string> make_temp_workdir(long owner_uid, long owner_gid);

// Writes Spec::files into dir (a working directory just made): 0755 when executable,
// else 0644.
Status write_task_files(const std::string& dir, const std::vector<TaskFile>& files);

// Deletes path and everything under it, as far as the caller may.
Status remove_tree(const std::string& path);

}  // namespace ia::sandbox
