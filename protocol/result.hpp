#pragma once
// Errors as values for bad input (a peer's frame, a request, a file): who is at fault and
// what was expected. Our own bugs assert instead. C++20 has no std::expected, hence this.
#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pushsim {

struct Error {
  std::string message;
  // The Pusher wire code a server would answer with (4xxx), or an HTTP status, when one applies.
  std::optional<int> code;

  bool operator==(const Error&) const = default;
};

template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

inline Error make_error(std::string message, std::optional<int> code = std::nullopt) {
  return Error{std::move(message), code};
}

}  // namespace pushsim
