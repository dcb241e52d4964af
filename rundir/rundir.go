// Package rundir lays out the directory a run leaves behind: config.json, metrics.jsonl,
// alphas.jsonl, genotype.json, checkpoint.safetensors and state.json, each written
// atomically (DESIGN.md, "Files a run leaves").
package rundir

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"godarts/internal/atomicfile"
)

// File names inside a run directory.
const (
	Config     = "config.json"
	Metrics    = "metrics.jsonl"
	Alphas     = "alphas.jsonl"
	Genotype   = "genotype.json"
	Checkpoint = "checkpoint.safetensors"
	State      = "state.json"
	Report     = "report.html"
)

// Dir is a run directory.
type Dir struct {
	Path    string
	created bool // made by Create (it did not exist)
}

// Default returns runs/<command>-<timestamp> under the working directory.
func Default(command string, now time.Time) string {
	return filepath.Join("runs", command+"-"+now.Format("20060102-150405"))
}

// Create makes the directory (and its parents) when missing.
func Create(path string) (*Dir, error) {
	_, statErr := os.Stat(path)
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	return &Dir{Path: path, created: os.IsNotExist(statErr)}, nil
}

// Discard removes the directory when Create made it and nothing has been written into
// it: a command that fails before its first file leaves no empty run directory behind.
func (d *Dir) Discard() {
	if d != nil && d.created {
		os.Remove(d.Path) // fails, harmlessly, when the directory is not empty
	}
}

// Open returns an existing run directory, for --resume and report.
func Open(path string) (*Dir, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("run directory %s: %w", path, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("run directory %s: not a directory", path)
	}
	return &Dir{Path: path}, nil
}

// File returns the path of name inside the directory.
func (d *Dir) File(name string) string { return filepath.Join(d.Path, name) }

// WriteJSON writes v as indented JSON to name, atomically.
func (d *Dir) WriteJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return atomicfile.WriteFile(d.File(name), append(b, '\n'))
}

// ReadJSON decodes name into v; errors name the file.
func (d *Dir) ReadJSON(name string, v any) error {
	b, err := os.ReadFile(d.File(name))
	if err != nil {
		return fmt.Errorf("read %s: %w", d.File(name), err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: not valid JSON for %T: %v", d.File(name), v, err)
	}
	return nil
}

// AppendJSONL appends v as one JSON line to name (metrics.jsonl, alphas.jsonl).
func (d *Dir) AppendJSONL(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return atomicfile.AppendLine(d.File(name), b)
}

// TruncateJSONL keeps only the lines of name for which keep returns true; resume uses it
// to drop lines written after the checkpoint it continues from.
func (d *Dir) TruncateJSONL(name string, keep func(line map[string]any) bool) error {
	b, err := os.ReadFile(d.File(name))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", d.File(name), err)
	}
	var out []byte
	for i, line := range splitLines(b) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			return fmt.Errorf("read %s: line %d is not a JSON object: %v", d.File(name), i+1, err)
		}
		if keep(m) {
			out = append(append(out, line...), '\n')
		}
	}
	return atomicfile.WriteFile(d.File(name), out)
}

// ReadJSONL decodes every line of name as a JSON object.
func (d *Dir) ReadJSONL(name string) ([]map[string]any, error) {
	b, err := os.ReadFile(d.File(name))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.File(name), err)
	}
	var rows []map[string]any
	for i, line := range splitLines(b) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			return nil, fmt.Errorf("read %s: line %d is not a JSON object: %v", d.File(name), i+1, err)
		}
		rows = append(rows, m)
	}
	return rows, nil
}

func splitLines(b []byte) [][]byte {
	var lines [][]byte
	start := 0
	for i, c := range b {
		if c == '\n' {
			if i > start {
				lines = append(lines, b[start:i])
			}
			start = i + 1
		}
	}
	if start < len(b) {
		lines = append(lines, b[start:])
	}
	return lines
}
