#!/bin/sh
# The benchmarks the README documents, each in a short smoke mode (one run, small sizes, the table printed), so that
# a benchmark that no longer runs fails `npm test` instead of waiting for the next person who measures. Their figures
# are not measurements: measure with the commands' defaults on a quiet machine. Run by tests/suites.sh inside the
# test cluster (`npm run bench:portal` reuses it) after the release suite (so `npm run bench` also times the release
# plugin it packed).
set -eu
cd "$(dirname "$0")/../.."
npm run bench -- --smoke
npm run bench:credentials -- 1
npm run bench:portal -- 1
