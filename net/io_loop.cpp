#include "net/io_loop.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace pushsim {

namespace asio = boost::asio;

struct IoLoop::Impl {
  asio::io_context context{1};
  // Keeps run_one_until() waiting for the deadline when no operation is pending, instead of
  // returning at once and turning the wait into a busy loop.
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(context);
};

IoLoop::IoLoop() : impl_(std::make_unique<Impl>()) {}

IoLoop::~IoLoop() {
  impl_->work.reset();
  impl_->context.stop();
}

bool IoLoop::run_until(const std::function<bool()>& done, SteadyTime deadline) {
  asio::io_context& context = impl_->context;
  if (context.stopped()) context.restart();
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    context.run_one_until(deadline);
    if (context.stopped()) context.restart();
  }
  return true;
}

void IoLoop::run_for(std::chrono::milliseconds duration) {
  run_until([] { return false; }, deadline_after(duration));
}

void IoLoop::poll() {
  if (impl_->context.stopped()) impl_->context.restart();
  impl_->context.poll();
}

asio::io_context& IoLoop::context() { return impl_->context; }

}  // namespace pushsim
