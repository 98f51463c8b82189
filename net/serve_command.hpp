#pragma once
// `pushsim serve`: runs a ServeServer until SIGINT or SIGTERM, then shuts it down cleanly.
#include <iosfwd>

#include "net/serve_options.hpp"

namespace pushsim {

// Prints "pushsim serve: listening on ws://HOST:PORT" to out once the port is bound (tests
// read the port from it), and errors to err. Returns the process exit code.
int run_serve_command(ServeOptions options, std::ostream& out, std::ostream& err);

}  // namespace pushsim
