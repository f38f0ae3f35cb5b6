// ia::Result<T>: a value or an ia::Error. GCC 12 ships no std::expected, so this is
// the small subset the project uses. Result<void> carries only success or an Error.
#pragma once

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

#include "core/error.hpp"

namespace ia {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return m_state.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(m_state); }
  const T& value() const& { assert(ok()); return std::get<0>(m_state); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(m_state)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(m_state); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(m_state)); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)) {}  // NOLINT

  bool ok() const { return !m_error.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { assert(!ok()); return *m_error; }
  Error&& error() && { assert(!ok()); return std::move(*m_error); }

 private:
  std::optional<Error> m_error;
};

using Status = Result<void>;

}  // namespace ia

// Returns the error of a failed Result from the enclosing function. Binds by reference:
// a named Result is neither copied nor moved unless it failed (then its error moves out,
// as the function is leaving anyway); a temporary lives to the end of the statement.
#define IA_TRY(expr)                                     \
  do {                                                   \
    if (auto&& ia_try_result_ = (expr); !ia_try_result_) \
      return std::move(ia_try_result_).error();          \
  } while (0)
