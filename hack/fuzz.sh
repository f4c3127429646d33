#!/usr/bin/env bash
# Runs every native fuzz target of the project (func FuzzXxx in a _test.go
# file) for a bounded time each: FUZZTIME (default 10s). New inputs that
# fail are written by go test under the package's testdata/fuzz, where they
# become regression seeds once committed. FUZZ_MATCH narrows the targets
# (a regular expression on their names).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10s}
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
	dir=$(dirname "$file")
	for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
		if [ -n "${FUZZ_MATCH:-}" ] && ! [[ $target =~ $FUZZ_MATCH ]]; then continue; fi
		echo "fuzz: $dir $target for $FUZZTIME"
		go test -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" "$dir" | grep -v '^fuzz: elapsed' || exit 1
	done
done
