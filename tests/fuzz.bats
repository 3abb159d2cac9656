#!/usr/bin/env bats
# The fuzz corpus, every input that ever found a bug included, replayed
# through the parser and the scanner with sanitizers (make check builds
# the replay programs; make fuzz grows the corpus).
load common

@test "the record parser survives its corpus, and writes back what it read" {
	run "$ROOT/tests/fuzz/record-replay" "$ROOT"/tests/fuzz/corpus/record/*
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ [0-9]+\ inputs ]]
}

@test "the marker scanner survives its corpus" {
	run "$ROOT/tests/fuzz/marker-replay" "$ROOT"/tests/fuzz/corpus/marker/*
	[ "$status" -eq 0 ]
	[[ "$output" =~ [0-9]+\ inputs ]]
}
