#!/usr/bin/env bash
# Soak: mixed traffic with random faults through the simulator.
# usage: scripts/soak.sh [SECONDS]   (default 1200 = 20 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_SECS="${1:-1200}" cargo test --release -p ml302-e2e --test soak -- --ignored --nocapture 2>&1 | grep -E "^SOAK|test result"
