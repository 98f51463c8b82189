#pragma once
// A FIFO for one direction of one link. Most lanes hold zero to two packets at a time, and
// a 10,000-client world has 20,000 of them, so a vector with a moving head (memory in one
// small block, reused once drained) beats std::deque's 512-byte blocks on cache misses.
#include <cstddef>
#include <utility>
#include <vector>

namespace pushsim::fakes {

template <class T>
class FifoQueue {
 public:
  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  T& front() { return items_[head_]; }
  T& back() { return items_.back(); }
  void push_back(T item) { items_.push_back(std::move(item)); }
  void pop_front() {
    items_[head_] = T{};  // release what it holds now, not when the slot is reused
    ++head_;
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= 64 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  void clear() {
    items_.clear();
    head_ = 0;
  }
  auto begin() { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() { return items_.end(); }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

}  // namespace pushsim::fakes
