package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDataCommand(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		contains string // in stdout for code 0, else in stderr
	}{
		{[]string{"data"}, 0, "train 3000 images, per class [300 300 300 300 300 300 300 300 300 300]"},
		{[]string{"data", "--subset", "100"}, 0, "train 100 images, per class [10 10 10 10 10 10 10 10 10 10]"},
		{[]string{"data", "--subset", "-1"}, 2, "--subset -1"},
		{[]string{"data", "--subset", "5000"}, 2, "5000 images asked for, want 1 to 3000"},
		{[]string{"data", "--data", "imagenet"}, 1, `unknown dataset "imagenet"`},
		{[]string{"data", "--data", "cifar10", "--data-dir", t.TempDir()}, 1, "cifar-10-binary.tar.gz"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		out := stdout.String()
		if tc.code != 0 {
			out = stderr.String()
			if strings.Count(out, "\n") != 1 {
				t.Errorf("nas %v: stderr %q, want one line", tc.args, out)
			}
		}
		if code != tc.code || !strings.Contains(out, tc.contains) {
			t.Errorf("nas %v: exit %d, output %q; want exit %d and %q", tc.args, code, out, tc.code, tc.contains)
		}
	}
}
