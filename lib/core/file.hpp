// Whole-file reads and crash-safe writes (temporary file, fsync, rename, fsync of the
// directory), so a reader sees the old file or the new one, never half of either.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace ia {

Result<std::string> read_file(const std::string& path);

// At most max_bytes of path. A longer file, or an endless one such as /dev/zero, is a
// payload_too_large error naming the path and the limit, found after max_bytes + 1 bytes.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes);

// The same bounded read from a descriptor already open (standard input); name stands for
// it in errors.
Result<std::string> read_all(int fd, const std::string& name, std::size_t max_bytes);

// Writes all of data to fd, through short writes and EINTR; path names it in the error.
Status write_all(int fd, const std::string& data, const std::string& path);

// Creates path for writing with mode (less the umask), never through what is already there: O_EXCL and
// O_NOFOLLOW, so a file or symbolic link planted at path is not written through or
// followed. With replace_planted, such an entry (not a directory) is unlinked, never
// followed, and the creation tried once more; else it is an error naming it. The
// descriptor is the caller's to close.
Result<int> create_new_file(const std::string& path, int mode, bool replace_planted);

// Takes the permission bits outside mode away from the regular file at path (fix a store
// file left 0644 by an older version). A missing path is fine; a symbolic link is left
// alone, never followed.
Status restrict_mode(const std::string& path, int mode);

// Writes atomically with the given mode; the data is on disk when this returns.
Status write_file_durably(const std::string& path, const std::string& data, int mode = 0644);

// Writes atomically (readers see the old file or the new one) without waiting for the
// disk: for files that are rewritten often and worthless after a crash (status files).
Status replace_file(const std::string& path, const std::string& data, int mode = 0644);

// Creates a directory and its parents (like mkdir -p) with the given mode for new ones.
Status make_directories(const std::string& path, int mode = 0755);

// Names (not paths) of the entries of a directory, sorted; "." and ".." left out.
Result<std::vector<std::string>> list_directory(const std::string& path);

Status remove_file(const std::string& path);

}  // namespace ia
