package pbjson

import (
	"reflect"
	"unsafe"
)

// quickOmit says how encStruct can tell, by reading the field's memory, that a field is left out,
// without making a reflect.Value for it. Most fields of a Kubernetes object are nil pointers,
// empty slices and strings, or zeros tagged omitempty: making a Value for each and asking it cost
// more than a tenth of encoding a typical app. The answers are exactly those of field.omit and of
// the field's encoder returning nothing; a field whose answer needs more (omitzero, a struct, a
// type with its own MarshalJSON, a non-nil map) is left to them.
type quickOmit uint8

const (
	quickNone   quickOmit = iota
	quickNil              // a pointer, interface, map or slice: left out when nil
	quickEmpty            // a slice tagged omitempty: left out when nil or empty
	quickString           // a string tagged omitempty
	quickNilMap           // a map tagged omitempty: nil is left out; non-nil is up to omit
	quickZero1            // a bool or number of 1, 2, 4 or 8 bytes tagged omitempty: left out at 0
	quickZero2
	quickZero4
	quickZero8
)

// quickFor decides f's quickOmit, and the field's offset from the start of t. A field promoted
// through an embedded pointer has no fixed offset and gets quickNone.
func quickFor(f *field, t reflect.Type, index []int) (quickOmit, uintptr) {
	if f.omitZero != nil || f.zeroStruct {
		return quickNone, 0
	}
	var offset uintptr
	st := t
	for n, i := range index {
		if n > 0 && st.Kind() != reflect.Struct {
			return quickNone, 0 // through an embedded pointer
		}
		sf := st.Field(i)
		offset += sf.Offset
		st = sf.Type
	}
	// Only encoders that turn nil into nothing: a type with its own MarshalJSON may not.
	plain := !reflect.PointerTo(st).Implements(marshalerType) && !reflect.PointerTo(st).Implements(textMarshalerType)
	switch k := st.Kind(); {
	case k == reflect.Pointer || k == reflect.Interface:
		return quickNil, offset
	case !plain:
		return quickNone, 0
	case k == reflect.Slice && f.omitEmpty:
		return quickEmpty, offset
	case k == reflect.Slice:
		return quickNil, offset
	case k == reflect.Map && f.omitEmpty:
		return quickNilMap, offset
	case k == reflect.Map:
		return quickNil, offset
	case !f.omitEmpty:
		return quickNone, 0
	case k == reflect.String:
		return quickString, offset
	case k == reflect.Bool || reflect.Int <= k && k <= reflect.Float64:
		switch st.Size() {
		case 1:
			return quickZero1, offset
		case 2:
			return quickZero2, offset
		case 4:
			return quickZero4, offset
		case 8:
			return quickZero8, offset
		}
	}
	return quickNone, 0
}

// omitted reports whether the field at p, read as its quickOmit says, is left out. False means
// only "not known here".
func (q quickOmit) omitted(p unsafe.Pointer) bool {
	switch q {
	case quickNil, quickNilMap:
		return *(*unsafe.Pointer)(p) == nil // the first word of a pointer, map, slice or interface
	case quickEmpty:
		return len(*(*[]byte)(p)) == 0 // every slice header has its length in the same place
	case quickString:
		return len(*(*string)(p)) == 0
	case quickZero1:
		return *(*uint8)(p) == 0
	case quickZero2:
		return *(*uint16)(p) == 0
	case quickZero4:
		return *(*uint32)(p) == 0 // -0.0 is zero too, but not known here: omit decides
	case quickZero8:
		return *(*uint64)(p) == 0
	}
	return false
}
