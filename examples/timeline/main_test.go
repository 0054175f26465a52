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

// TestRunOneLinePerEvent reads a dataset file with an interval, whose date
// is wider than the others, and checks that every event takes one line and
// the titles line up after the widest date.
func TestRunOneLinePerEvent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
  "schema": "sourced/1",
  "name": "two",
  "title": "Two events",
  "license": "CC0-1.0",
  "version": "1.0.0",
  "updated": "2026-11-25",
  "events": [
    {
      "id": "talks",
      "title": "Talks on drones",
      "kind": "meeting",
      "status": "reported",
      "start": "2024-10",
      "end": "2024-11~",
      "sources": [
        {"publisher": "Yonhap", "kind": "wire", "published": "2024-11"}
      ]
    },
    {
      "id": "drone-test",
      "title": "Kim Jong Un watches a test of attack drones",
      "kind": "weapons_test",
      "status": "claimed",
      "start": "2024-11-14",
      "sources": [
        {"publisher": "KCNA", "kind": "state_media", "published": "2024-11-15"},
        {"publisher": "Associated Press", "kind": "wire", "via": "KCNA", "published": "2024-11"}
      ]
    }
  ]
}
`), 0o644))
	var out bytes.Buffer
	require.NoError(t, run(&out, path))
	assert.Equal(t, "Two events (two, version 1.0.0): 2 events\n\n"+
		"2024-10/2024-11~  reported  Talks on drones  [Yonhap] (1 independent)\n"+
		"2024-11-14        claimed   Kim Jong Un watches a test of attack drones  [KCNA, Associated Press] (0 independent)\n",
		out.String())
}
