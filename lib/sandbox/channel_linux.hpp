// The parent's end of the sockets to the sandbox child (k_fd_go, k_fd_net): one message
// at a time, descriptors passed with it. The child's end is in contain_linux.cpp.
#pragma once

#include <cstddef>
#include <vector>

#include "core/result.hpp"

namespace ia::sandbox {

// A SOCK_SEQPACKET pair, both ends close-on-exec.
Status open_channel(int ends[2]);

// One message of size bytes and up to k_max_message_fds descriptors (SCM_RIGHTS) on a
// SOCK_SEQPACKET socket, so it arrives whole or not at all.
Status send_to_child(int socket, const void* data, std::size_t size, const std::vector<int>& fds);

}  // namespace ia::sandbox
