#include <catch2/catch.hpp>

#include "harness/duration.hpp"

using namespace pushsim;
using namespace pushsim::harness;

TEST_CASE("durations in ms, s and m parse to nanoseconds", "[duration]") {
  CHECK(parse_duration("500ms").value() == ms(500));
  CHECK(parse_duration("2s").value() == seconds(2));
  CHECK(parse_duration("1m").value() == seconds(60));
  CHECK(parse_duration("1.5s").value() == ms(1500));
  CHECK(parse_duration("0.25ms").value() == 250'000);
  CHECK(parse_duration("0s").value() == 0);
  CHECK(parse_duration("1.000000001s").value() == kNsPerSecond + 1);
  CHECK(parse_duration("1440m").value() == kDurationMax);
}

TEST_CASE("malformed durations say what was expected", "[duration]") {
  const std::string expected = " (expected a number followed by ms, s or m)";
  for (const char* text : {"5 parsecs", "5", "s", "ms", "", ".5s", "5.s", "-1s", "+1s", "1e3ms", "1.2.3s", " 1s", "1s ",
                           "1h", "1 s", "0x10s", "1,5s"}) {
    CAPTURE(text);
    auto parsed = parse_duration(text);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message == "bad duration '" + std::string(text) + "'" + expected);
  }
}

TEST_CASE("durations above a day are refused", "[duration]") {
  CHECK(parse_duration("1441m").error().message == "bad duration '1441m' (expected at most 1440m)");
  CHECK(parse_duration("86400.000000001s").error().message ==
        "bad duration '86400.000000001s' (expected at most 1440m)");
  CHECK(parse_duration("99999999999999999999ms").error().message ==
        "bad duration '99999999999999999999ms' (expected at most 1440m)");
}

TEST_CASE("durations finer than a nanosecond are refused", "[duration]") {
  CHECK(parse_duration("0.0000000001s").error().message ==
        "bad duration '0.0000000001s' (expected a whole number of nanoseconds)");
  CHECK(parse_duration("0.0000001ms").error().message ==
        "bad duration '0.0000001ms' (expected a whole number of nanoseconds)");
  // A fraction of a minute is fine as long as it lands on a nanosecond.
  CHECK(parse_duration("0.5m").value() == seconds(30));
  CHECK(parse_duration("0.0000000001m").value() == 6);
}

TEST_CASE("format_duration gives the shortest form that reads back the same", "[duration]") {
  CHECK(format_duration(ms(1500)) == "1.5s");
  CHECK(format_duration(seconds(120)) == "2m");
  CHECK(format_duration(ms(250)) == "250ms");
  CHECK(format_duration(1500) == "0.0015ms");
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(seconds(90)) == "90s");
  for (DurationNs value : {DurationNs{1}, DurationNs{999}, ms(1), ms(999) + 1, seconds(1) + 1, seconds(59),
                           seconds(61) + ms(5), kDurationMax}) {
    CAPTURE(value);
    CHECK(parse_duration(format_duration(value)).value() == value);
  }
}
