package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"godarts/internal/atomicfile"
)

// screenshotOut, when set, is where TestReportInBrowser also saves its screenshot, shrunk
// to 256 colours. The README's picture is made so (make report-screenshot):
//
//	go test ./report -run TestReportInBrowser -count=1 -screenshot "$PWD/docs/report.png"
var screenshotOut = flag.String("screenshot", "", "also save the browser test's screenshot to this file")

// findChromium returns the headless browser to use: $CHROMIUM, else the first of Debian's
// and Google's binary names on PATH; "" when there is none.
func findChromium() string {
	if c := os.Getenv("CHROMIUM"); c != "" {
		return c
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// measureScript is injected into a copy of the page (the report itself has no script): it
// reports every uncaught error, and every resource that failed to load, and writes one line
// per <svg> with its bounding boxes into <pre id="measure"> once the page has loaded (so
// that failed loads are in). Errors are caught in the
// capture phase, so failed loads of <img>, <link> and the like count too.
const measureScript = `<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var what = e.message || ("failed to load " + (e.target && (e.target.src || e.target.href) || "a resource"));
  window.__errors.push(what);
}, true);
window.addEventListener("unhandledrejection", function (e) { window.__errors.push("unhandled rejection: " + e.reason); });
["error", "warn"].forEach(function (level) {
  var orig = console[level];
  console[level] = function () { window.__errors.push("console." + level + ": " + Array.prototype.join.call(arguments, " ")); orig.apply(console, arguments); };
});
</script>`

const measureAtEnd = `<script>
window.addEventListener("load", function () {
  var lines = [];
  var svgs = document.querySelectorAll("svg");
  for (var i = 0; i < svgs.length; i++) {
    var b = svgs[i].getBBox(), r = svgs[i].getBoundingClientRect();
    lines.push("svg " + i + " " + b.width + " " + b.height + " " + r.width + " " + r.height);
  }
  for (var j = 0; j < window.__errors.length; j++) lines.push("error " + window.__errors[j].replace(/\n/g, " "));
  lines.push("done " + svgs.length);
  var pre = document.createElement("pre");
  pre.id = "measure";
  pre.textContent = lines.join("\n");
  document.body.appendChild(pre);
});
</script>`

// chromiumArgs are the flags every headless run needs here: no GPU, no sandbox (CI runs as
// root in a container), a throw-away profile, nothing from the network.
func chromiumArgs(profile string) []string {
	return []string{"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
		"--disable-dev-shm-usage", "--disable-extensions", "--user-data-dir=" + profile,
		"--enable-logging=stderr", "--v=0", "--hide-scrollbars"}
}

func runChromium(t *testing.T, bin string, args ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(chromiumArgs(t.TempDir()), args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, tail(errb.Bytes()))
	}
	return out.Bytes(), errb.Bytes()
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// consoleLine matches what Chromium logs for a console message or an uncaught exception
// with --enable-logging=stderr: ":INFO:CONSOLE(12)] "Uncaught ReferenceError: ..."".
var consoleLine = regexp.MustCompile(`(?m)^.*:CONSOLE(\(\d+\))?\].*$|^.*Uncaught .*$`)

// browserProblems opens page (written into dir) in headless Chromium with the measuring
// scripts injected and returns what is wrong with it: an SVG with an empty box, a page
// error or console message, or a measurement that did not finish.
func browserProblems(t *testing.T, bin, dir string, page []byte) []string {
	t.Helper()
	wantSVGs := bytes.Count(page, []byte("<svg "))
	probed := bytes.Replace(page, []byte("<head>"), []byte("<head>\n"+measureScript), 1)
	probed = bytes.Replace(probed, []byte("</body>"), []byte(measureAtEnd+"\n</body>"), 1)
	probe := filepath.Join(dir, "probe.html")
	if err := atomicfile.WriteFile(probe, probed); err != nil {
		t.Fatal(err)
	}
	dom, logs := runChromium(t, bin, "--window-size=1280,900", "--dump-dom", "file://"+probe)
	m := regexp.MustCompile(`(?s)<pre id="measure">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		return []string{"the measuring script left no result; chromium said: " + tail(logs)}
	}
	var problems []string
	svgs, done := 0, false
	for _, line := range strings.Split(string(m[1]), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 6 && f[0] == "svg":
			svgs++
			for k, what := range []string{"bounding box width", "bounding box height", "rendered width", "rendered height"} {
				v, err := strconv.ParseFloat(f[2+k], 64)
				if err != nil || !(v > 0) {
					problems = append(problems, fmt.Sprintf("svg %s: %s is %s, want > 0", f[1], what, f[2+k]))
				}
			}
		case len(f) > 0 && f[0] == "error":
			problems = append(problems, "page error: "+strings.TrimPrefix(line, "error "))
		case len(f) == 2 && f[0] == "done":
			done = true
		}
	}
	if !done || svgs != wantSVGs {
		problems = append(problems, fmt.Sprintf("measured %d svg elements (finished: %v), want %d", svgs, done, wantSVGs))
	}
	for _, l := range consoleLine.FindAllString(string(logs), -1) {
		problems = append(problems, "chromium console: "+l)
	}
	return problems
}

// TestReportInBrowser opens a generated report in headless Chromium, checks that every
// SVG is laid out with a non-empty box and that nothing went wrong on the page, and takes
// a screenshot. Without Chromium it is skipped, unless CI is set: there it must run.
func TestReportInBrowser(t *testing.T) {
	bin := needChromium(t)
	dir := filepath.Join(t.TempDir(), "search-20261122-101500")
	writeRun(t, dir)
	path, page := writeReport(t, dir)
	if n := bytes.Count(page, []byte("<svg ")); n < 8 {
		t.Fatalf("the synthetic report has only %d svg elements", n)
	}
	for _, p := range browserProblems(t, bin, t.TempDir(), page) {
		t.Error(p)
	}

	// Screenshot of the report itself, untouched.
	shot := filepath.Join(t.TempDir(), "report.png")
	_, logs := runChromium(t, bin, "--window-size=1200,1300", "--screenshot="+shot, "file://"+path)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, tail(logs))
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10000 {
		t.Fatalf("screenshot %s is not a plausible PNG (%d bytes)", shot, len(png))
	}
	for _, l := range consoleLine.FindAllString(string(logs), -1) {
		t.Errorf("chromium console (screenshot): %s", l)
	}
	if *screenshotOut != "" {
		small, err := shrinkPNG(png)
		if err != nil {
			t.Fatalf("screenshot %s: %v", shot, err)
		}
		if err := atomicfile.WriteFile(*screenshotOut, small); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot saved to %s (%d bytes; %d as Chromium wrote it)", *screenshotOut, len(small), len(png))
	}
}

// TestBrowserCheckCatchesProblems checks the checker: a page with a script error, a
// resource that fails to load and an empty SVG must each be reported.
func TestBrowserCheckCatchesProblems(t *testing.T) {
	bin := needChromium(t)
	page := []byte(`<!DOCTYPE html>
<html><head><meta charset="utf-8"/></head><body>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="#ccc"/></svg>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"></svg>
<img src="no-such-image.png" alt=""/>
<script>noSuchFunction();</script>
</body></html>
`)
	problems := browserProblems(t, bin, t.TempDir(), page)
	for _, want := range []string{"svg 1: bounding box width", "noSuchFunction", "no-such-image.png"} {
		found := false
		for _, p := range problems {
			found = found || strings.Contains(p, want)
		}
		if !found {
			t.Errorf("problem %q not reported; got %q", want, problems)
		}
	}
	for _, p := range problems {
		if strings.Contains(p, "svg 0:") {
			t.Errorf("the drawn svg was reported: %s", p)
		}
	}
}

// needChromium returns the browser, skipping the test without one unless CI is set.
func needChromium(t *testing.T) string {
	t.Helper()
	bin := findChromium()
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but no chromium on PATH (apt-get install chromium, or set CHROMIUM)")
		}
		t.Skip("no chromium on PATH; install Debian's chromium package to run this test")
	}
	return bin
}

// shrinkPNG re-encodes a screenshot with at most 256 colours, for the README: the 256 most
// frequent colours of the image (white, greys, the series colours) form the palette and
// every other pixel (anti-aliased edges) takes the nearest of them, without dithering,
// which would add noise that compresses badly.
func shrinkPNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	bounds := img.Bounds()
	counts := map[color.RGBA]int{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			counts[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colours := make([]color.RGBA, 0, len(counts))
	for c := range counts {
		colours = append(colours, c)
	}
	sort.Slice(colours, func(i, j int) bool {
		if counts[colours[i]] != counts[colours[j]] {
			return counts[colours[i]] > counts[colours[j]]
		}
		a, b := colours[i], colours[j]
		return uint32(a.R)<<24|uint32(a.G)<<16|uint32(a.B)<<8|uint32(a.A) < uint32(b.R)<<24|uint32(b.G)<<16|uint32(b.B)<<8|uint32(b.A)
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colours[:min(256, len(colours))] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(bounds, pal)
	nearest := map[color.RGBA]uint8{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := nearest[c]
			if !ok {
				i = uint8(pal.Index(c))
				nearest[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
