package cli

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// parsed is a flag whose text is parsed into *p as the flag is read.
type parsed[T any] struct {
	p     *T
	text  string
	parse func(string) (T, error)
}

func (v *parsed[T]) String() string {
	if v == nil {
		return ""
	}
	return v.text
}

func (v *parsed[T]) Set(s string) error {
	x, err := v.parse(s)
	if err != nil {
		return err
	}
	*v.p, v.text = x, s
	return nil
}

// Var adds a flag whose text parse turns into *p, with the default text
// def ("": *p's value stays, shown as no default).
func Var[T any](fs *flag.FlagSet, p *T, name, def string, parse func(string) (T, error), usage string) {
	v := &parsed[T]{p: p, parse: parse}
	if def != "" {
		if err := v.Set(def); err != nil {
			panic(fmt.Sprintf("flag --%s: default %q: %v", name, def, err)) // a mistake in the program, not in its input
		}
	}
	fs.Var(v, name, usage)
}

// AtLeast parses an integer not below min.
func AtLeast[T int | int64](min T) func(string) (T, error) {
	return func(s string) (T, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || T(n) < min || int64(T(n)) != n {
			return 0, fmt.Errorf("want an integer ≥ %d", min)
		}
		return T(n), nil
	}
}

// OneOf accepts one of the given words.
func OneOf(words ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		for _, w := range words {
			if s == w {
				return s, nil
			}
		}
		return "", fmt.Errorf("want %s", OrList(words))
	}
}

// Level parses a probability level in (0, 1), or (0, 1] when closed.
func Level(closed bool) func(string) (float64, error) {
	return func(s string) (float64, error) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0 && (v < 1 || closed && v == 1)) {
			if closed {
				return 0, errors.New("want a level in (0, 1]")
			}
			return 0, errors.New("want a level between 0 and 1")
		}
		return v, nil
	}
}

// OrList is "a, b or c".
func OrList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
