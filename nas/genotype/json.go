package genotype

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSON returns g in the JSON form documented on Genotype: one gene per line, so a
// genotype.json reads well and diffs well. It ends with a newline.
func (g *Genotype) JSON() []byte {
	var b bytes.Buffer
	b.WriteString("{\n  \"space\": ")
	b.Write(jsonString(g.Space))
	for _, kind := range []CellKind{Normal, Reduce} {
		fmt.Fprintf(&b, ",\n  %q: [", kind.String())
		for i, gn := range g.Genes(kind) {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n    {\"op\": %s, \"from\": %d, \"to\": %d}", jsonString(gn.Op), gn.From, gn.To)
		}
		if len(g.Genes(kind)) > 0 {
			b.WriteString("\n  ")
		}
		fmt.Fprintf(&b, "],\n  %q: [", kind.String()+"_concat")
		for i, c := range g.Concat(kind) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprint(&b, c)
		}
		b.WriteString("]")
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// jsonGenotype mirrors Genotype with pointers, so a missing field is told apart from an
// empty one.
type jsonGenotype struct {
	Space        *string `json:"space"`
	Normal       *[]Gene `json:"normal"`
	NormalConcat *[]int  `json:"normal_concat"`
	Reduce       *[]Gene `json:"reduce"`
	ReduceConcat *[]int  `json:"reduce_concat"`
}

// ParseJSON reads the JSON form of a genotype and validates it. Every field is required
// and unknown fields are errors (a typo would otherwise pass silently).
func ParseJSON(data []byte) (*Genotype, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var j jsonGenotype
	if err := dec.Decode(&j); err != nil {
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("json: text after the genotype object")
	}
	missing := func(name string) error { return fmt.Errorf("%s: missing", name) }
	switch {
	case j.Space == nil:
		return nil, missing("space")
	case j.Normal == nil:
		return nil, missing("normal")
	case j.NormalConcat == nil:
		return nil, missing("normal_concat")
	case j.Reduce == nil:
		return nil, missing("reduce")
	case j.ReduceConcat == nil:
		return nil, missing("reduce_concat")
	}
	g := &Genotype{Space: *j.Space, Normal: *j.Normal, NormalConcat: *j.NormalConcat, Reduce: *j.Reduce, ReduceConcat: *j.ReduceConcat}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return g, nil
}

// jsonError turns encoding/json's errors into one line naming the field.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "genotype"
		}
		return fmt.Errorf("%s: found a JSON %s, want %s", field, te.Value, goTypeWord(te.Type.String()))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("json: %v at byte %d", se, se.Offset)
	}
	if errors.Is(err, io.EOF) {
		return errors.New("json: empty input, want a genotype object")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return fmt.Errorf("json: %s", msg)
}

func goTypeWord(t string) string {
	switch {
	case strings.Contains(t, "[]genotype.Gene"):
		return "a list of {op, from, to} objects"
	case strings.Contains(t, "[]int"):
		return "a list of integers"
	case strings.HasSuffix(t, "int"):
		return "an integer"
	case strings.HasSuffix(t, "string"):
		return "a string"
	case strings.Contains(t, "Gene"):
		return "an {op, from, to} object"
	}
	return t
}
