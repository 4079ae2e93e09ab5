#!/usr/bin/env bash
# Unit cost of the stability agreement pass (org.cosineaudit.stability.StabilityBenchmark): core-seconds
# per (item x model pair), extrapolated to 1,000,000 items x 20 models (190 pairs).
# ./bench/stability.sh [--items 100000,200000,400000] [--models 5] [--k 20] [--bootstrap 200] [--master local[2]]
# Results and the command used: docs/stability.md (Cost at scale).
exec "$(dirname "${BASH_SOURCE[0]}")/run-benchmark.sh" org.cosineaudit.stability.StabilityBenchmark "$@"
