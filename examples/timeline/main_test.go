package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestRunSeed(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, ""))
	golden := filepath.Join("testdata", "seed.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), out.String())
}

func TestRunBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(path, []byte("{\n  \"schema\": \"sourced/1\",\n  \"nmae\": \"x\"\n}\n"), 0o644))
	err := run(&bytes.Buffer{}, path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.json:3:3: nmae")
}
