#!/usr/bin/env bash
# Runs the sweep benchmark (org.cosineaudit.train.SweepBenchmark):
# ./bench/sweep.sh [users=20000] [items=1000] [regs=0.01,0.1,1] [rank=16] [maxIter=10] [measures=none] [rounds=3] [blocks=2]
# Results and the command used: docs/benchmarks/sweep.md.
BENCH_HEAP="${BENCH_HEAP:-4g}" exec "$(dirname "${BASH_SOURCE[0]}")/run-benchmark.sh" \
  org.cosineaudit.train.SweepBenchmark "$@"
