#pragma once
// The knobs of a simulated world, and a builder to set them in the style of turmoil's
// Builder: latency, HTTP loss, seed, apps, engine options, fault profile.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fault_plan.hpp"
#include "fakes/network.hpp"
#include "protocol/server/engine.hpp"

namespace pushsim::fakes {

inline constexpr const char* kWebhookUrl = "http://webhooks.sim/pusher/webhooks";
inline constexpr const char* kEncryptionMasterKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

// A cluster of reference engine nodes joined by a simulated Redis (cluster_bus.hpp).
struct ClusterConfig {
  std::size_t nodes = 1;
  Latency bus = Latency::uniform(ms(1), ms(5));  // one pub/sub hop between two nodes
  bool operator==(const ClusterConfig&) const = default;
};

struct WorldConfig {
  std::string scenario = "adhoc";
  std::uint64_t seed = 1;
  FaultProfile faults;  // drawn per client by World::plan_faults(); its name goes in the run id
  NetworkConfig network;
  EngineOptions engine;
  // Set: that many engine nodes, each client on one, sharing state through a simulated bus.
  // Unset: one engine alone, as every scenario without `cluster:` runs.
  std::optional<ClusterConfig> cluster;
  std::vector<AppConfig> apps;  // empty: one default app (id "1", key "app-key", webhooks on)
  std::string encryption_master_key_base64 = kEncryptionMasterKey;
  DurationNs auth_timeout = seconds(10);   // the clients' HTTP timeout for the auth endpoint
  DurationNs rest_timeout = seconds(30);   // the app server's HTTP timeout for REST calls
  std::uint64_t max_events = 100'000'000;  // per run_* call; more is reported, not run
  std::size_t max_trace_records = 50'000'000;
  bool trace = true;

  const AppConfig& app() const { return apps.front(); }
};

AppConfig default_app();

class World;

class WorldBuilder {
 public:
  WorldBuilder& scenario(std::string name) {
    config_.scenario = std::move(name);
    return *this;
  }
  WorldBuilder& seed(std::uint64_t seed) {
    config_.seed = seed;
    return *this;
  }
  WorldBuilder& latency(DurationNs min, DurationNs max) {
    config_.network.websocket = Latency::uniform(min, max);
    return *this;
  }
  WorldBuilder& latency(Latency latency) {
    config_.network.websocket = latency;
    return *this;
  }
  WorldBuilder& http_latency(Latency latency) {
    config_.network.http = latency;
    return *this;
  }
  WorldBuilder& http_loss(Ratio loss) {
    config_.network.http_loss = loss;
    return *this;
  }
  WorldBuilder& faults(FaultProfile profile) {
    config_.faults = std::move(profile);
    return *this;
  }
  WorldBuilder& engine(EngineOptions options) {
    config_.engine = std::move(options);
    return *this;
  }
  WorldBuilder& app(AppConfig app) {
    config_.apps.push_back(std::move(app));
    return *this;
  }
  WorldBuilder& max_events(std::uint64_t n) {
    config_.max_events = n;
    return *this;
  }
  WorldBuilder& trace(bool on) {
    config_.trace = on;
    return *this;
  }
  WorldConfig& config() { return config_; }
  std::unique_ptr<World> build() const;

 private:
  WorldConfig config_;
};

}  // namespace pushsim::fakes
