// Package progress shows how a long job advances: a bar with rate and ETA redrawn in place
// on a terminal, plain lines when the output is a pipe, a file or CI, JSON lines for
// machines, or nothing.
package progress

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Mode selects how progress is shown.
type Mode int

const (
	Auto  Mode = iota // bars on a terminal, plain lines otherwise
	Plain             // plain lines only
	Quiet             // nothing but errors
	JSON              // one JSON object per event
)

// Reporter writes progress to one stream (stderr, as a rule).
type Reporter struct {
	w    io.Writer
	mode Mode
	tty  bool
	now  func() time.Time
}

// New returns a reporter on w. In Auto mode bars are drawn only when w is a terminal and
// the CI variable is unset.
func New(w io.Writer, mode Mode) *Reporter {
	r := &Reporter{w: w, mode: mode, now: time.Now}
	if mode == Auto {
		r.tty = isTerminal(w) && os.Getenv("CI") == "" && os.Getenv("TERM") != "dumb"
		if !r.tty {
			r.mode = Plain
		}
	}
	return r
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Linef prints one line (an epoch summary, say) unless quiet. In JSON mode it becomes
// {"msg": ...}.
func (r *Reporter) Linef(format string, args ...any) {
	switch r.mode {
	case Quiet:
		return
	case JSON:
		r.Event(map[string]any{"msg": fmt.Sprintf(format, args...)})
		return
	}
	if r.tty {
		fmt.Fprint(r.w, "\r\033[K")
	}
	fmt.Fprintf(r.w, format+"\n", args...)
}

// Event writes a machine-readable record in JSON mode and nothing otherwise.
func (r *Reporter) Event(fields map[string]any) {
	if r.mode != JSON {
		return
	}
	b, err := json.Marshal(fields)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"msg":%q}`, fmt.Sprint(fields)))
	}
	fmt.Fprintf(r.w, "%s\n", b)
}

// Bar tracks total units of work (batches of an epoch).
type Bar struct {
	r      *Reporter
	label  string
	total  int
	done   int
	start  time.Time
	drawn  time.Time
	suffix string
}

// Bar starts a bar. It draws only on a terminal.
func (r *Reporter) Bar(label string, total int) *Bar {
	now := r.now()
	return &Bar{r: r, label: label, total: total, start: now}
}

// Add advances the bar by n units; suffix (a running loss, say) is shown after the rate.
func (b *Bar) Add(n int, suffix string) {
	b.done += n
	b.suffix = suffix
	if !b.r.tty {
		return
	}
	now := b.r.now()
	if now.Sub(b.drawn) < 100*time.Millisecond && b.done < b.total {
		return
	}
	b.drawn = now
	fmt.Fprint(b.r.w, "\r\033[K"+b.Line(now))
}

// Line renders the bar as text at time now.
func (b *Bar) Line(now time.Time) string {
	const width = 24
	frac := 0.0
	if b.total > 0 {
		frac = float64(b.done) / float64(b.total)
	}
	filled := int(frac * width)
	if filled > width {
		filled = width
	}
	el := now.Sub(b.start).Seconds()
	rate, eta := 0.0, "?"
	if el > 0 && b.done > 0 {
		rate = float64(b.done) / el
		eta = formatDuration(time.Duration(float64(b.total-b.done) / rate * float64(time.Second)))
	}
	s := fmt.Sprintf("%s [%s%s] %d/%d %.1f it/s ETA %s", b.label, strings.Repeat("=", filled),
		strings.Repeat(" ", width-filled), b.done, b.total, rate, eta)
	if b.suffix != "" {
		s += " " + b.suffix
	}
	return s
}

// Done clears the bar from a terminal line.
func (b *Bar) Done() {
	if b.r.tty {
		fmt.Fprint(b.r.w, "\r\033[K")
	}
}

func formatDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
