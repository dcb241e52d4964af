// Package srchash hashes a shader source together with every file it includes, so that the
// manifest notices an edited include as well as an edited source.
package srchash

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Source returns the sha256 of the source src (a path in fsys, e.g. "src/conv2d.comp") and
// of each file it includes, resolved in incDir, in inclusion order. Each file enters the
// hash as its name, a NUL, its length and its bytes.
func Source(fsys fs.FS, src, incDir string) (string, error) {
	h := sha256.New()
	seen := map[string]bool{}
	var walk func(name string) error
	walk = func(name string) error {
		if seen[name] {
			return nil
		}
		seen[name] = true
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path.Base(name), len(data))
		h.Write(data)
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if !strings.HasPrefix(line, "#include") {
				continue
			}
			inc := strings.Trim(strings.TrimSpace(strings.TrimPrefix(line, "#include")), `"<>`)
			if err := walk(path.Join(incDir, inc)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return sc.Err()
	}
	if err := walk(src); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Bytes returns the hex sha256 of data.
func Bytes(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
