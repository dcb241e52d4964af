// Package atomicfile writes files so that a reader sees the old content or the new, never
// a torn mix: the data goes to a temporary file in the same directory, is synced, and is
// renamed over the target.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes data to path atomically with permission 0644.
func WriteFile(path string, data []byte) error {
	return Write(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
}

// Write calls fill with a temporary file next to path and renames it to path when fill
// succeeds. On any error the temporary file is removed and path is left as it was.
func Write(path string, fill func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// AppendLine appends one line (a JSON object, say) to path, creating it when missing. The
// whole file is rewritten atomically, so a crash never leaves a half-written line; the
// files it is meant for (metrics.jsonl, alphas.jsonl) stay small.
func AppendLine(path string, line []byte) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("append to %s: %w", path, err)
	}
	buf := make([]byte, 0, len(old)+len(line)+1)
	buf = append(buf, old...)
	buf = append(buf, line...)
	buf = append(buf, '\n')
	return WriteFile(path, buf)
}
