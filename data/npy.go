package data

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// npyArray is a decoded .npy file: its element type, C-order shape and raw little-endian data.
type npyArray struct {
	descr string
	shape []int
	data  []byte
}

// npyMaxHeader is numpy's own cap on the header length (numpy/lib/format.py,
// _MAX_HEADER_SIZE = 10000), which we keep so a fuzzed length cannot make us read far.
const npyMaxHeader = 10000

// npyItemSize lists the element types we accept and their sizes: bytes for images, and the
// integer types MedMNIST's label arrays come in ('|u1' in most files, '<i8' in some).
var npyItemSize = map[string]int{"|u1": 1, "<i8": 8, "<i4": 4}

// parseNPY decodes a .npy file (format versions 1 to 3, numpy/lib/format.py): the magic
// "\x93NUMPY", a version, a little-endian header length, a Python dict literal with 'descr',
// 'fortran_order' and 'shape', then the data. The array's data aliases b.
func parseNPY(b []byte, file string) (npyArray, error) {
	var a npyArray
	const magic = "\x93NUMPY"
	if len(b) < 10 || string(b[:6]) != magic {
		return a, fmt.Errorf("read %s: not a .npy file, want magic \\x93NUMPY", file)
	}
	var hlen, start int
	switch b[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return a, fmt.Errorf("read %s: %d bytes, want at least a 12-byte .npy v%d preamble", file, len(b), b[6])
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return a, fmt.Errorf("read %s: .npy version %d.%d, want 1, 2 or 3", file, b[6], b[7])
	}
	if hlen > npyMaxHeader || hlen > len(b)-start {
		return a, fmt.Errorf("read %s: .npy header of %d bytes, want at most %d and within the file's %d bytes", file, hlen, npyMaxHeader, len(b))
	}
	header := string(b[start : start+hlen])
	fields, err := parseNPYHeader(header)
	if err != nil {
		return a, fmt.Errorf("read %s: bad .npy header %q: %v", file, clip(strings.TrimSpace(header), 200), err)
	}
	descr, ok := fields["descr"].(string)
	if !ok {
		return a, fmt.Errorf("read %s: .npy header has no string 'descr'", file)
	}
	item, ok := npyItemSize[descr]
	if !ok {
		return a, fmt.Errorf("read %s: .npy dtype %q, want '|u1', '<i4' or '<i8'", file, descr)
	}
	if fo, ok := fields["fortran_order"].(bool); !ok || fo {
		return a, fmt.Errorf("read %s: .npy fortran_order %v, want False", file, fields["fortran_order"])
	}
	shape, ok := fields["shape"].([]int)
	if !ok {
		return a, fmt.Errorf("read %s: .npy header has no shape tuple", file)
	}
	// The element count may not pass the data we hold, so the product is checked against it
	// step by step and cannot overflow.
	count, avail := 1, (len(b)-start-hlen)/item
	for _, d := range shape {
		if d != 0 && count > avail/d {
			return a, fmt.Errorf("read %s: .npy shape %v needs more than the file's %d data bytes", file, shape, len(b)-start-hlen)
		}
		count *= d
	}
	if want := start + hlen + count*item; len(b) != want {
		return a, fmt.Errorf("read %s: %d bytes, want %d for a .npy array %s of shape %v", file, len(b), want, descr, shape)
	}
	return npyArray{descr: descr, shape: shape, data: b[start+hlen:]}, nil
}

// parseNPYHeader parses the Python dict literal numpy writes, e.g.
// {'descr': '|u1', 'fortran_order': False, 'shape': (3, 28, 28), }. Values are strings,
// True/False, or tuples of non-negative integers (returned as []int).
func parseNPYHeader(s string) (map[string]any, error) {
	p := &literalParser{s: s}
	p.space()
	if !p.eat('{') {
		return nil, fmt.Errorf("want '{' at offset %d", p.i)
	}
	fields := map[string]any{}
	for {
		p.space()
		if p.eat('}') {
			return fields, nil
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.eat(':') {
			return nil, fmt.Errorf("want ':' after key %q", key)
		}
		p.space()
		val, err := p.value()
		if err != nil {
			return nil, err
		}
		if _, dup := fields[key]; dup {
			return nil, fmt.Errorf("key %q twice", key)
		}
		fields[key] = val
		p.space()
		if !p.eat(',') {
			p.space()
			if !p.eat('}') {
				return nil, fmt.Errorf("want ',' or '}' at offset %d", p.i)
			}
			return fields, nil
		}
	}
}

// literalParser walks a Python literal.
type literalParser struct {
	s string
	i int
}

func (p *literalParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *literalParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a quoted string without escapes (numpy never writes any in these headers).
func (p *literalParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("want a quoted string at offset %d", p.i)
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", fmt.Errorf("unterminated string at offset %d", p.i)
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *literalParser) value() (any, error) {
	switch {
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	case p.eat('('):
		return p.tuple()
	default:
		return p.str()
	}
}

// tuple reads the integers of a tuple after its '(': "()", "(5,)", "(5, 28, 28)".
func (p *literalParser) tuple() ([]int, error) {
	dims := []int{}
	for {
		p.space()
		if p.eat(')') {
			return dims, nil
		}
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if start == p.i {
			return nil, fmt.Errorf("want an integer at offset %d", p.i)
		}
		d, err := strconv.Atoi(p.s[start:p.i])
		if err != nil || d > 1<<40 {
			return nil, fmt.Errorf("dimension %q too large", p.s[start:p.i])
		}
		dims = append(dims, d)
		if len(dims) > 32 { // numpy's NPY_MAXDIMS
			return nil, fmt.Errorf("more than 32 dimensions")
		}
		p.space()
		if !p.eat(',') {
			p.space()
			if !p.eat(')') {
				return nil, fmt.Errorf("want ',' or ')' at offset %d", p.i)
			}
			return dims, nil
		}
	}
}

// clip shortens s to at most n bytes for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
