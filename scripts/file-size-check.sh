#!/bin/sh
# The 600-line rule (issue 14): no source file (Rust, TypeScript, Svelte) has
# more than 600 lines of code before its inline test module. A line of code is
# one that is neither blank nor only a comment. Rust files are counted up to
# their first `#[cfg(test)] mod` (or `#[cfg(all(test, ...))] mod`) at the start
# of a line; test files (*.test.ts, tests/ folders, test-backend.ts) and
# generated files (a first line that says "Generated ... do not edit") are not
# counted.
# Usage: scripts/file-size-check.sh [limit]   (from anywhere in the repo)
set -eu
limit=${1:-600}
cd "$(git rev-parse --show-toplevel)"
git ls-files -z -- '*.rs' '*.ts' '*.svelte' |
	xargs -0 awk -v limit="$limit" '
	function report() {
		if (file != "" && !skip && n > limit) {
			printf "%s: %d lines of code before its tests (limit %d)\n", file, n, limit
			bad++
		}
	}
	FNR == 1 {
		report()
		file = FILENAME; n = 0; stop = 0; pending = 0; incomment = 0
		skip = (file ~ /\.test\.ts$/ || file ~ /(^|\/)tests\// || file ~ /test-backend\.ts$/ ||
		        file ~ /\.d\.ts$/ || tolower($0) ~ /generated.*do not edit/)
	}
	stop || skip { next }
	pending { pending = 0; if ($0 ~ /^(pub(\([a-z:]+\))? )?mod /) { stop = 1; next } }
	/^#\[cfg\((all\()?test[,)]/ && file ~ /\.rs$/ {
		if ($0 ~ /\][ \t]*(pub(\([a-z:]+\))? )?mod /) { stop = 1; next }
		pending = 1; next
	}
	{
		line = $0
		gsub(/^[ \t]+|[ \t]+$/, "", line)
		if (incomment) { if (line ~ /\*\/|-->/) incomment = 0; next }
		if (line == "" || line ~ /^\/\//) next
		if (line ~ /^\/\*/ || line ~ /^<!--/) { if (line !~ /\*\/|-->/) incomment = 1; next }
		if (line ~ /^\*/) next
		n++
	}
	END {
		report()
		if (bad) { printf "%d file(s) over the %d-line rule\n", bad, limit; exit 1 }
	}'
