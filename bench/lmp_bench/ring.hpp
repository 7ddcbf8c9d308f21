// A FIFO of requests in flight on one connection: a power-of-two ring that only grows, so the
// steady state of a run pushes and pops without allocating (std::deque frees and allocates
// blocks as it moves).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace lmp::bench::detail {

template <typename T>
class Ring {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  T& front() { return items_[head_]; }

  void push(T value) {
    if (size_ == items_.size()) grow();
    items_[(head_ + size_) & (items_.size() - 1)] = std::move(value);
    ++size_;
  }

  void pop() {
    head_ = (head_ + 1) & (items_.size() - 1);
    --size_;
  }

 private:
  void grow() {
    std::vector<T> bigger(items_.empty() ? 16 : items_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) {
      bigger[i] = std::move(items_[(head_ + i) & (items_.size() - 1)]);
    }
    items_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> items_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace lmp::bench::detail
