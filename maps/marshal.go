package maps

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"reflect"
)

// marshal encodes v into exactly size bytes: []byte (of that length),
// encoding.BinaryMarshaler, or anything encoding/binary encodes (fixed-size
// integers, arrays, structs, pointers to them) in little endian.
func marshal(v any, size int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		if size == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("nil instead of %d bytes: %w", size, ErrInvalid)
	case []byte:
		if len(x) != size {
			return nil, fmt.Errorf("%d bytes instead of %d: %w", len(x), size, ErrInvalid)
		}
		return x, nil
	case encoding.BinaryMarshaler:
		b, err := x.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("marshal %T: %w", v, err)
		}
		if len(b) != size {
			return nil, fmt.Errorf("%T marshals to %d bytes instead of %d: %w", v, len(b), size, ErrInvalid)
		}
		return b, nil
	}
	n := binary.Size(v)
	if n < 0 {
		return nil, fmt.Errorf("cannot marshal %T (not fixed-size): %w", v, ErrInvalid)
	}
	if n != size {
		return nil, fmt.Errorf("%T is %d bytes instead of %d: %w", v, n, size, ErrInvalid)
	}
	b := make([]byte, size)
	if _, err := binary.Encode(b, binary.LittleEndian, v); err != nil {
		return nil, fmt.Errorf("marshal %T: %w", v, err)
	}
	return b, nil
}

// unmarshal decodes b into out: *[]byte (replaced by a copy), []byte (of
// the same length, filled), encoding.BinaryUnmarshaler, or a pointer to
// anything encoding/binary decodes.
func unmarshal(b []byte, out any) error {
	switch x := out.(type) {
	case nil:
		return fmt.Errorf("nil output: %w", ErrInvalid)
	case *[]byte:
		*x = append([]byte(nil), b...)
		return nil
	case []byte:
		if len(x) != len(b) {
			return fmt.Errorf("output of %d bytes for %d: %w", len(x), len(b), ErrInvalid)
		}
		copy(x, b)
		return nil
	case encoding.BinaryUnmarshaler:
		return x.UnmarshalBinary(append([]byte(nil), b...))
	}
	if n := binary.Size(out); n != len(b) {
		return fmt.Errorf("cannot unmarshal %d bytes into %T (size %d): %w", len(b), out, n, ErrInvalid)
	}
	if _, err := binary.Decode(b, binary.LittleEndian, out); err != nil {
		return fmt.Errorf("unmarshal into %T: %w", out, err)
	}
	return nil
}

// marshalValue encodes a value as user space passes it: for per-CPU maps a
// slice with one element per CPU (or already laid-out bytes).
func (m *Map) marshalValue(v any) ([]byte, error) {
	if !m.spec.Type.PerCPU() {
		return marshal(v, int(m.spec.ValueSize))
	}
	if b, ok := v.([]byte); ok {
		return marshal(b, m.uvsize)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Slice {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Slice {
		return nil, fmt.Errorf("per-CPU value must be a slice with %d elements, not %T: %w", m.ncpu, v, ErrInvalid)
	}
	if rv.Len() != m.ncpu {
		return nil, fmt.Errorf("per-CPU value has %d elements, want %d: %w", rv.Len(), m.ncpu, ErrInvalid)
	}
	stride := int(round8(m.spec.ValueSize))
	out := make([]byte, m.uvsize)
	for i := 0; i < m.ncpu; i++ {
		b, err := marshal(rv.Index(i).Interface(), int(m.spec.ValueSize))
		if err != nil {
			return nil, fmt.Errorf("CPU %d: %w", i, err)
		}
		copy(out[i*stride:], b)
	}
	return out, nil
}

// unmarshalValue decodes a user-space value into out; for per-CPU maps out
// is a pointer to a slice (made PossibleCPUs() long), a slice of that
// length, or a []byte / *[]byte of the whole layout.
func (m *Map) unmarshalValue(b []byte, out any) error {
	if !m.spec.Type.PerCPU() {
		return unmarshal(b, out)
	}
	switch out.(type) {
	case *[]byte:
		return unmarshal(b, out)
	case []byte:
		return unmarshal(b, out)
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Slice {
		s := rv.Elem()
		if s.Len() != m.ncpu {
			s.Set(reflect.MakeSlice(s.Type(), m.ncpu, m.ncpu))
		}
		rv = s
	}
	if rv.Kind() != reflect.Slice || rv.Len() != m.ncpu {
		return fmt.Errorf("per-CPU output must be a pointer to a slice or a slice of %d elements, not %T: %w", m.ncpu, out, ErrInvalid)
	}
	stride := int(round8(m.spec.ValueSize))
	vs := int(m.spec.ValueSize)
	for i := 0; i < m.ncpu; i++ {
		el := rv.Index(i)
		chunk := b[i*stride : i*stride+vs]
		if el.Kind() == reflect.Slice && el.Type().Elem().Kind() == reflect.Uint8 {
			el.Set(reflect.ValueOf(append([]byte(nil), chunk...)))
			continue
		}
		if err := unmarshal(chunk, el.Addr().Interface()); err != nil {
			return fmt.Errorf("CPU %d: %w", i, err)
		}
	}
	return nil
}
