#pragma once
// Load from several processes or machines: each `bench fanout --shard I/N` writes its run as a
// shard file (--histogram FILE: its counts and the raw latency buckets, exact), and `pushsim
// bench merge` adds the shards of one run into one report. Percentiles come from the summed
// buckets, so they are those of every delivery of the run, as one process would have counted
// them (within the buckets' 1.6 %), never an average of the shards' percentiles.
//
// A shard file names its run (target, load, schedule start, shard count): merging refuses
// files of different runs, of another bucket layout, the same shard twice, or a missing one.
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "load/fanout_report.hpp"
#include "protocol/json.hpp"
#include "protocol/result.hpp"

namespace pushsim::load {

inline constexpr const char* kFanoutShardFormat = "pushsim-fanout-shard";
inline constexpr int kFanoutShardVersion = 1;

struct FanoutShard {
  std::string source;  // where it was read from, for errors
  Json run;            // what every shard of one run shares
  std::size_t index = 0;
  std::size_t count = 1;
  std::size_t subscribers_here = 0;
  FanoutRun result;  // the shard's fixed-rate run; `latency` exact
  std::string stopped_early;
};

// The report's fixed-rate run as a shard file. An error when there is no single fixed-rate run.
Result<Json> fanout_shard_json(const FanoutReport& report);
Result<FanoutShard> parse_fanout_shard(const Json& json, const std::string& source);

struct FanoutMerged {
  Json run;
  std::vector<std::string> sources;  // in shard order
  std::size_t subscribers = 0;       // connected over all shards
  FanoutRun total;                   // sums, and the merged latency histogram
  std::vector<std::string> stopped_early;
};

// The shards of one run, in any order, all of them.
Result<FanoutMerged> merge_fanout_shards(const std::vector<FanoutShard>& shards);
Json fanout_merged_json(const FanoutMerged& merged);
void write_fanout_merged_table(std::ostream& out, const FanoutMerged& merged);

}  // namespace pushsim::load
