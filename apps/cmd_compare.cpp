// `pushsim compare A.json B.json ...`: the JSON reports of several runs as one matrix of
// scenario x report, rows whose verdicts differ first (reports/compare_report.hpp), in
// Markdown (stdout, or --markdown FILE) and HTML (--html FILE).
//
// Exit codes: 0; 1 with --fail-on-difference when some scenario's verdicts differ; 2 for a
// usage error or a report that cannot be read (every bad file is named, then nothing is
// written). At least two reports: with one there is nothing to compare, and `pushsim run`
// already prints and writes a single run's reports.
#include <fstream>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "reports/compare_report.hpp"

namespace pushsim::apps {
namespace {

struct CompareArgs {
  std::vector<std::string> files;
  std::string markdown;  // empty: stdout
  std::string html;
  bool all_rows = false;
  bool fail_on_difference = false;
};

bool write_compare_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) std::cerr << "pushsim compare: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

int run_compare(const CompareArgs& args) {
  if (args.files.size() < 2) {
    std::cerr << "pushsim compare: needs at least two reports (written by `pushsim run --json FILE`), got "
              << args.files.size() << "\n";
    return kExitUsage;
  }
  std::vector<reports::ComparedReport> loaded;
  bool ok = true;
  for (const auto& file : args.files) {
    auto report = reports::load_compared_report(file, file);
    if (auto* error = std::get_if<std::string>(&report)) {
      std::cerr << "pushsim compare: " << *error << "\n";
      ok = false;
      continue;
    }
    loaded.push_back(std::move(std::get<reports::ComparedReport>(report)));
  }
  if (!ok) return kExitUsage;

  const auto comparison = reports::compare_reports(std::move(loaded));
  const reports::CompareOptions options{args.all_rows};
  const std::string markdown = reports::compare_markdown(comparison, options);
  if (args.markdown.empty()) {
    std::cout << markdown;
  } else {
    // The warnings are in the files; a terminal running this in CI should see them too.
    for (const auto& warning : comparison.warnings) std::cerr << "pushsim compare: warning: " << warning << "\n";
    if (!write_compare_file(args.markdown, markdown)) return kExitUsage;
  }
  if (!args.html.empty() && !write_compare_file(args.html, reports::compare_html(comparison, options))) {
    return kExitUsage;
  }
  if (!args.markdown.empty()) {
    std::cout << "pushsim compare: " << comparison.reports.size() << " reports, " << comparison.rows.size()
              << " scenarios, " << comparison.differing << " differ\n";
  }
  return args.fail_on_difference && comparison.differing > 0 ? 1 : 0;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("compare",
                                 "compare the JSON reports of several runs (pushsim run --json FILE): one matrix "
                                 "of scenario x report, differences first");
  auto args = std::make_shared<CompareArgs>();
  cmd->add_option("reports", args->files, "two or more JSON reports written by `pushsim run --json FILE`");
  cmd->add_option("--markdown", args->markdown, "write the Markdown matrix to FILE instead of stdout");
  cmd->add_option("--html", args->html, "write the matrix as one self-contained HTML page to FILE");
  cmd->add_flag("--all", args->all_rows, "list the scenarios whose verdicts agree too (else only their count)");
  cmd->add_flag("--fail-on-difference", args->fail_on_difference,
                "exit 1 when some scenario's verdict differs between the reports");
  cmd->callback([args, &exit_code] { exit_code = run_compare(*args); });
}

}  // namespace pushsim::apps
