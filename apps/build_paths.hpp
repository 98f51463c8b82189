#pragma once
// Paths known when pushsim was built, compiled into one generated file (build_paths.cpp.in) so
// that no other file's compile command depends on where the source tree is.

namespace pushsim::apps {

// The bundled scenarios in the source tree this binary was built from.
const char* source_scenarios_dir();
// The docs folder of that source tree, which holds protocol.md.
const char* source_docs_dir();

}  // namespace pushsim::apps
