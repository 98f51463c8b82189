# End-to-end check of `pushsim bench fanout` against an in-process serve: a short fixed-rate
# run must subscribe every connection, lose nothing, and write the JSON fields the README
# documents. Latency is not judged here (--p99-bound 5s): on a loaded machine it says nothing
# about the code, and bench/README.md is where it is measured.
# Run by CTest as: cmake -DPUSHSIM=<binary> -DOUT=<json file> -P this-file
execute_process(
  COMMAND ${PUSHSIM} bench fanout --target serve --subscribers 50 --channels 2 --rate 100 --duration 2s
          --warmup 1s --json ${OUT} --no-progress --deadline 30s --p99-bound 5s
  RESULT_VARIABLE status OUTPUT_VARIABLE table ERROR_VARIABLE errors TIMEOUT 40)
message("${table}${errors}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "pushsim bench fanout exited with ${status}")
endif()
file(READ ${OUT} report)

function(expect_json what expected)
  string(JSON value GET "${report}" ${ARGN})
  if(NOT value STREQUAL expected)
    message(FATAL_ERROR "${what}: expected ${expected}, got ${value}")
  endif()
endfunction()
function(expect_json_above what floor)
  string(JSON value GET "${report}" ${ARGN})
  if(NOT value GREATER floor)
    message(FATAL_ERROR "${what}: expected above ${floor}, got ${value}")
  endif()
endfunction()

expect_json("ok" ON ok)
expect_json("subscribers" 50 subscribers)
expect_json("connections" 50 connect connections)
expect_json("rate" 100.0 rate)
string(JSON runs LENGTH "${report}" runs)
if(NOT runs EQUAL 1)
  message(FATAL_ERROR "expected one run, got ${runs}")
endif()
# 2 s at 100 events/s over 2 channels of 25 subscribers: about 200 events, 5000 deliveries.
expect_json_above("published" 150 runs 0 published)
expect_json_above("delivered" 3750 runs 0 delivered)
expect_json("lost" 0 runs 0 lost)
expect_json("errors" 0 runs 0 errors)
expect_json_above("latency samples" 3750 runs 0 latency samples)
expect_json_above("p99" 0 runs 0 latency p99_ms)
expect_json_above("generator CPU share" 0 runs 0 generator_cpu_share)
expect_json_above("generator CPU per delivery" 0 runs 0 generator_cpu_us_per_delivery)
foreach(field p50_ms p90_ms p999_ms max_ms)
  string(JSON value GET "${report}" runs 0 latency ${field})
endforeach()
string(JSON delivered GET "${report}" runs 0 delivered)
string(JSON expected GET "${report}" runs 0 expected_deliveries)
if(NOT delivered EQUAL expected)
  message(FATAL_ERROR "delivered ${delivered} of ${expected}")
endif()
