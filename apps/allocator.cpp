// Which malloc this binary runs with, for `pushsim --version`: exploration's speed depends on it
// (CMakeLists.txt, PUSHSIM_MIMALLOC), and a link-order slip would lose the override silently.
#include <cstdlib>
#include <string>

#include "apps/commands.hpp"

#ifdef PUSHSIM_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace pushsim::apps {

std::string allocator_description() {
#ifdef PUSHSIM_WITH_MIMALLOC
  const int version = mi_version();  // major * 100 + minor * 10 + patch
  std::string text = "mimalloc " + std::to_string(version / 100) + "." + std::to_string(version / 10 % 10) + "." +
                     std::to_string(version % 10);
  // Linked is not enough: std::malloc must hand out mimalloc's memory.
  void* probe = std::malloc(64);
  const bool in_use = mi_is_in_heap_region(probe);
  std::free(probe);
  return in_use ? text : text + " linked but NOT in use: malloc hands out another allocator's memory";
#else
  return "the C library's malloc";
#endif
}

}  // namespace pushsim::apps
