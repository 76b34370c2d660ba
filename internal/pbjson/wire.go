package pbjson

import (
	"math"
	"slices"
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/structpb"
)

// Field numbers of google.protobuf.Struct, Value and ListValue (struct.proto), and of a map entry.
const (
	fieldStructFields = 1
	fieldEntryKey     = 1
	fieldEntryValue   = 2
	fieldValueNull    = 1
	fieldValueNumber  = 2
	fieldValueString  = 3
	fieldValueBool    = 4
	fieldValueStruct  = 5
	fieldValueList    = 6
	fieldListValues   = 1
)

// AppendWire appends s to b in protobuf wire format: the bytes proto.Marshal writes for it with the
// Deterministic option (map entries in key order), so proto.Unmarshal reads back an equal Struct.
//
// proto.Marshal reaches every Struct map through reflection, twice (once to size, once to write), and
// allocates for each; for a response of a few composed objects that costs more CPU than composing
// them. Struct's schema is fixed and tiny, so it is written here directly: a first pass records each
// Struct's sorted keys and every nested message's size in the order the second pass, the writer,
// meets them.
func AppendWire(b []byte, s *structpb.Struct) []byte {
	w := writers.Get().(*wireWriter) //nolint:forcetypeassert // The pool holds nothing else.
	defer w.release()
	n := w.sizeStruct(s)
	b = slices.Grow(b, n)
	return w.appendStruct(b, s)
}

// AppendWireField appends s as field num of an enclosing message: tag, length and the Struct, in
// one pass (AppendWire then a copy behind the tag would write every byte twice).
func AppendWireField(b []byte, num protowire.Number, s *structpb.Struct) []byte {
	w := writers.Get().(*wireWriter) //nolint:forcetypeassert // The pool holds nothing else.
	defer w.release()
	n := w.sizeStruct(s)
	b = slices.Grow(b, protowire.SizeTag(num)+protowire.SizeBytes(n))
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(n))
	return w.appendStruct(b, s)
}

// writers keep their scratch slices between calls: a server encodes the same shapes over and over.
var writers = sync.Pool{New: func() any { return &wireWriter{} }}

func (w *wireWriter) release() {
	clear(w.keys) // Let the Structs' keys go.
	w.sizes, w.keys, w.nextSize, w.nextKey = w.sizes[:0], w.keys[:0], 0, 0
	writers.Put(w)
}

type wireWriter struct {
	// sizes of nested Values, Structs and ListValues, in writing order.
	sizes []int
	// keys of each Struct, sorted, one block per Struct, in writing order.
	keys []string
	// cursors of the writer into sizes and keys.
	nextSize, nextKey int
}

func (w *wireWriter) sizeStruct(s *structpb.Struct) int {
	fields := s.GetFields()
	start := len(w.keys)
	for k := range fields {
		w.keys = append(w.keys, k)
	}
	block := w.keys[start:]
	slices.Sort(block)
	n := 0
	for i := range block {
		k := w.keys[start+i] // w.keys may grow (and move) while nested Structs are sized.
		e := protowire.SizeTag(fieldEntryKey) + protowire.SizeBytes(len(k)) +
			protowire.SizeTag(fieldEntryValue) + protowire.SizeBytes(w.sizeValue(fields[k]))
		n += protowire.SizeTag(fieldStructFields) + protowire.SizeBytes(e)
	}
	return n
}

// sizeValue records and returns the size of a Value message.
func (w *wireWriter) sizeValue(v *structpb.Value) int {
	i := len(w.sizes)
	w.sizes = append(w.sizes, 0)
	n := 0
	switch k := v.GetKind().(type) {
	case *structpb.Value_NullValue:
		n = protowire.SizeTag(fieldValueNull) + protowire.SizeVarint(uint64(k.NullValue))
	case *structpb.Value_NumberValue:
		n = protowire.SizeTag(fieldValueNumber) + protowire.SizeFixed64()
	case *structpb.Value_StringValue:
		n = protowire.SizeTag(fieldValueString) + protowire.SizeBytes(len(k.StringValue))
	case *structpb.Value_BoolValue:
		n = protowire.SizeTag(fieldValueBool) + protowire.SizeVarint(protowire.EncodeBool(k.BoolValue))
	case *structpb.Value_StructValue:
		j := len(w.sizes)
		w.sizes = append(w.sizes, 0)
		s := w.sizeStruct(k.StructValue)
		w.sizes[j] = s
		n = protowire.SizeTag(fieldValueStruct) + protowire.SizeBytes(s)
	case *structpb.Value_ListValue:
		j := len(w.sizes)
		w.sizes = append(w.sizes, 0)
		l := 0
		for _, e := range k.ListValue.GetValues() {
			l += protowire.SizeTag(fieldListValues) + protowire.SizeBytes(w.sizeValue(e))
		}
		w.sizes[j] = l
		n = protowire.SizeTag(fieldValueList) + protowire.SizeBytes(l)
	}
	w.sizes[i] = n
	return n
}

func (w *wireWriter) size() int {
	n := w.sizes[w.nextSize]
	w.nextSize++
	return n
}

func (w *wireWriter) appendStruct(b []byte, s *structpb.Struct) []byte {
	fields := s.GetFields()
	block := w.keys[w.nextKey : w.nextKey+len(fields)]
	w.nextKey += len(fields)
	for _, k := range block {
		v := fields[k]
		// The Value's size is the next one recorded; read it without consuming, appendValue does.
		vs := w.sizes[w.nextSize]
		e := protowire.SizeTag(fieldEntryKey) + protowire.SizeBytes(len(k)) + protowire.SizeTag(fieldEntryValue) + protowire.SizeBytes(vs)
		b = protowire.AppendTag(b, fieldStructFields, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(e))
		b = protowire.AppendTag(b, fieldEntryKey, protowire.BytesType)
		b = protowire.AppendString(b, k)
		b = protowire.AppendTag(b, fieldEntryValue, protowire.BytesType)
		b = w.appendValue(b, v)
	}
	return b
}

// appendValue writes a Value message's length and body.
func (w *wireWriter) appendValue(b []byte, v *structpb.Value) []byte {
	b = protowire.AppendVarint(b, uint64(w.size()))
	switch k := v.GetKind().(type) {
	case *structpb.Value_NullValue:
		b = protowire.AppendTag(b, fieldValueNull, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(k.NullValue))
	case *structpb.Value_NumberValue:
		b = protowire.AppendTag(b, fieldValueNumber, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(k.NumberValue))
	case *structpb.Value_StringValue:
		b = protowire.AppendTag(b, fieldValueString, protowire.BytesType)
		b = protowire.AppendString(b, k.StringValue)
	case *structpb.Value_BoolValue:
		b = protowire.AppendTag(b, fieldValueBool, protowire.VarintType)
		b = protowire.AppendVarint(b, protowire.EncodeBool(k.BoolValue))
	case *structpb.Value_StructValue:
		b = protowire.AppendTag(b, fieldValueStruct, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(w.size()))
		b = w.appendStruct(b, k.StructValue)
	case *structpb.Value_ListValue:
		b = protowire.AppendTag(b, fieldValueList, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(w.size()))
		for _, e := range k.ListValue.GetValues() {
			b = protowire.AppendTag(b, fieldListValues, protowire.BytesType)
			b = w.appendValue(b, e)
		}
	}
	return b
}
