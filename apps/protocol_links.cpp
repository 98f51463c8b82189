// How reports link a scenario to its section of the bundled protocol document.
#include <system_error>

#include "apps/commands.hpp"

namespace pushsim::apps {

harness::ProtocolDocument bundled_protocol_sections() {
  auto document = harness::read_protocol_document(bundled_protocol_document());
  // A run does not fail for want of its documentation: the reports then show bare numbers,
  // and `pushsim lint` is where a missing document is an error.
  if (auto* sections = std::get_if<harness::ProtocolDocument>(&document)) return std::move(*sections);
  return {};
}

std::string protocol_href(const std::filesystem::path& page) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path from = fs::absolute(page, ec).parent_path().lexically_normal();
  const fs::path to = fs::absolute(bundled_protocol_document(), ec).lexically_normal();
  if (ec) return "";
  const fs::path relative = to.lexically_relative(from);
  return (relative.empty() ? to : relative).generic_string();
}

reports::HtmlOptions html_report_options(const std::filesystem::path& page) {
  reports::HtmlOptions options{PUSHSIM_VERSION, generation_time()};
  options.protocol = bundled_protocol_sections();
  if (!options.protocol.sections.empty()) options.protocol_href = protocol_href(page);
  return options;
}

}  // namespace pushsim::apps
