// What a task takes from the submitting shell, and only when asked: its standard input
// (--stdin FILE, '-' for ia-submit's own) and environment variables (--export NAMES,
// --export-all). Nothing is taken by default: a pipe may be a loop's list of work, and
// the environment holds secrets. Pure functions apart from reading files.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace ia::client {

// The bytes of source ('-': standard input) up to max_bytes, as UTF-8 text (JSON carries
// text; bytes that are not UTF-8 would arrive changed, so they are refused).
Result<std::string> read_task_stdin(const std::string& source, std::size_t max_bytes);

// Whether ia-submit's standard input holds something a person may have meant for the task
// (a pipe, or a non-empty file) though no --stdin was given: worth a warning.
bool stdin_looks_meant_for_task(int fd);

using EnvList = std::vector<std::pair<std::string, std::string>>;

// --export NAME[,NAME...] (each NAME, or NAME=VALUE as --env) from environ; a NAME that is
// not set is an error naming it. --export-all takes every variable but the client's own
// IA_* settings (the token among them) and those the node sets for the task (PATH, HOME,
// TMPDIR, USER, PWD, ...), which would point at this machine's paths.
Result<EnvList> exported_env(const std::vector<std::string>& lists, bool all,
                             const char* const* environ);

}  // namespace ia::client
