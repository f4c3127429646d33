package query

import (
	"reflect"
	"slices"
	"strings"
	"sync"
)

// jsonField is how encoding/json writes one field of a struct type.
type jsonField struct {
	name                string
	index               []int
	tagged              bool
	omitEmpty, omitZero bool
	quoted              bool // the ",string" option
}

// structFields caches the fields of each struct type encodeNonFinite met.
var structFields sync.Map // reflect.Type -> []jsonField

func (e *nonFiniteEncoder) structValue(v reflect.Value, depth int) error {
	e.buf.WriteByte('{')
	first := true
	for _, f := range fieldsOf(v.Type()) {
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil || f.omitEmpty && isEmpty(fv) || f.omitZero && isZero(fv) {
			continue // A nil embedded pointer has no fields to write.
		}
		if !first {
			e.buf.WriteByte(',')
		}
		first = false
		if err := e.string(f.name); err != nil {
			return err
		}
		e.buf.WriteByte(':')
		if err := e.field(f, fv, depth); err != nil {
			return err
		}
	}
	e.buf.WriteByte('}')
	return nil
}

// field writes a field's value; ",string" quotes the encoding of a bool,
// number or string, or of a pointer to one, that has no method of its own.
func (e *nonFiniteEncoder) field(f jsonField, v reflect.Value, depth int) error {
	if f.quoted && v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if _, own := marshalerOf(v); !f.quoted || own || !isScalar(v.Kind()) {
		return e.value(v, depth+1)
	}
	mark := e.buf.Len()
	if err := e.value(v, depth+1); err != nil {
		return err
	}
	inner := string(e.buf.Bytes()[mark:])
	e.buf.Truncate(mark)
	return e.string(inner)
}

func isScalar(k reflect.Kind) bool {
	return k == reflect.Bool || k == reflect.String || reflect.Int <= k && k <= reflect.Float64
}

func fieldsOf(t reflect.Type) []jsonField {
	if f, ok := structFields.Load(t); ok {
		return f.([]jsonField)
	}
	f := dominantFields(candidateFields(t, nil, []reflect.Type{t}))
	structFields.Store(t, f)
	return f
}

// candidateFields lists every field encoding/json may write, in
// declaration order, the fields of untagged embedded structs in their
// place. (reflect.VisibleFields would hide fields of one Go name that
// encoding/json writes under different JSON names.)
func candidateFields(t reflect.Type, index []int, seen []reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		at := append(slices.Clip(index), i)
		switch ft := derefType(sf.Type); {
		case tag == "-":
			continue
		case sf.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			if !slices.Contains(seen, ft) { // Its fields are written in its place.
				out = append(out, candidateFields(ft, at, append(slices.Clip(seen), ft))...)
			}
			continue
		case !sf.IsExported():
			continue
		}
		f := jsonField{name: name, index: at, tagged: name != "",
			omitEmpty: hasOption(opts, "omitempty"), omitZero: hasOption(opts, "omitzero"),
			quoted: hasOption(opts, "string")}
		if f.name == "" {
			f.name = sf.Name
		}
		out = append(out, f)
	}
	return out
}

func derefType(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// dominantFields keeps each field that hides every other field of its name,
// as encoding/json does; a tie leaves the name out. The fields keep their
// declaration order.
func dominantFields(fields []jsonField) []jsonField {
	var out []jsonField
	for i, f := range fields {
		dominant := true
		for j, g := range fields {
			if i != j && g.name == f.name && !hides(f, g) {
				dominant = false
			}
		}
		if dominant {
			out = append(out, f)
		}
	}
	return out
}

// hides reports whether f hides g: it is shallower, or as deep and tagged
// where g is not.
func hides(f, g jsonField) bool {
	return len(f.index) < len(g.index) || len(f.index) == len(g.index) && f.tagged && !g.tagged
}

func hasOption(opts, name string) bool { return slices.Contains(strings.Split(opts, ","), name) }

// isEmpty is encoding/json's "omitempty" test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZero is encoding/json's "omitzero" test: an IsZero method when the
// type has one, else the zero value.
func isZero(v reflect.Value) bool {
	type zeroer interface{ IsZero() bool }
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return true
	}
	if z, ok := v.Interface().(zeroer); ok {
		return z.IsZero()
	}
	if v.CanAddr() {
		if z, ok := v.Addr().Interface().(zeroer); ok {
			return z.IsZero()
		}
	}
	return v.IsZero()
}
