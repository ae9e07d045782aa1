package engine

import "errors"

// Tee is a Sink that puts every result into each of its sinks in turn.
type Tee []Sink

// Put forwards r to every sink, stopping at the first error.
func (t Tee) Put(r Result) error {
	for _, s := range t {
		if err := s.Put(r); err != nil {
			return err
		}
	}
	return nil
}

// Flush flushes every sink.
func (t Tee) Flush() error {
	var err error
	for _, s := range t {
		err = errors.Join(err, s.Flush())
	}
	return err
}

// FuncSink adapts a function (an evaluator's Add, a counter) to a Sink.
type FuncSink func(Result) error

// Put calls f.
func (f FuncSink) Put(r Result) error { return f(r) }

// Flush does nothing.
func (FuncSink) Flush() error { return nil }
