package pbjson

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// decValue is the one place that handles null and depth, so the decoders below never see null.
func decValue(c *codec, v reflect.Value, pv *structpb.Value, depth int) error {
	switch pv.GetKind().(type) {
	case *structpb.Value_NullValue, nil:
		switch v.Kind() { //nolint:exhaustive // null leaves the other kinds as they are
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return nil
	}
	if depth > maxDepth {
		return errf("exceeds the maximum depth of %d", maxDepth)
	}
	return c.dec(v, pv, depth)
}

func (c *codec) decStruct(v reflect.Value, pv *structpb.Value, depth int) error {
	s := pv.GetStructValue()
	if s == nil {
		return mismatch("object", pv)
	}
	return c.decFields(v, s, depth)
}

// decFields decodes every known field even after an error, and returns the error of the field
// declared first: the input's map order is random, and a message that changed from one call to
// the next would churn the composite resource's status.
func (c *codec) decFields(v reflect.Value, s *structpb.Struct, depth int) error {
	var first error
	firstAt := len(c.fields)
	for name, pv := range s.GetFields() {
		i, ok := c.byName[name]
		if !ok {
			continue
		}
		f := &c.fields[i]
		fv, err := settable(v, f.index)
		if err == nil {
			err = decValue(f.c, fv, pv, depth+1)
		}
		if err != nil && i < firstAt {
			first, firstAt = under(err, name), i
		}
	}
	return first
}

// settable returns the field at index, allocating nil embedded pointers on the way.
func settable(v reflect.Value, index []int) (reflect.Value, error) {
	v = v.Field(index[0])
	for _, i := range index[1:] {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return v, errf("cannot set embedded pointer to unexported struct %s", v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}

func decPtr(e *codec) decFunc {
	return func(v reflect.Value, pv *structpb.Value, depth int) error {
		if v.IsNil() {
			v.Set(reflect.New(e.typ))
		}
		return decValue(e, v.Elem(), pv, depth+1)
	}
}

func decInterface(v reflect.Value, pv *structpb.Value, _ int) error {
	if v.NumMethod() != 0 {
		return errf("cannot decode into interface type %s", v.Type())
	}
	v.Set(reflect.ValueOf(pv.AsInterface()))
	return nil
}

func decList(e *codec) decFunc {
	return func(v reflect.Value, pv *structpb.Value, depth int) error {
		l := pv.GetListValue()
		if l == nil {
			return mismatch("array", pv)
		}
		vals := l.GetValues()
		if v.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(v.Type(), len(vals), len(vals)))
		}
		for i := range v.Len() {
			if i >= len(vals) {
				v.Index(i).SetZero()
				continue
			}
			if err := decValue(e, v.Index(i), vals[i], depth+1); err != nil {
				return under(err, index(i))
			}
		}
		return nil
	}
}

func decMap(t reflect.Type, e *codec) decFunc {
	key := mapKeyDecoder(t.Key())
	return func(v reflect.Value, pv *structpb.Value, depth int) error {
		s := pv.GetStructValue()
		if s == nil {
			return mismatch("object", pv)
		}
		if key == nil {
			return errf("unsupported map key type %s", t.Key())
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(t, len(s.GetFields())))
		}
		k, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		var first error
		var firstKey string
		for name, x := range s.GetFields() {
			err := key(k, name)
			if err == nil {
				ev.SetZero()
				err = decValue(e, ev, x, depth+1)
			}
			if err != nil {
				// The smallest key, so that the error does not depend on map order.
				if first == nil || name < firstKey {
					first, firstKey = err, name
				}
				continue
			}
			v.SetMapIndex(k, ev)
		}
		if first != nil {
			return under(first, "["+firstKey+"]")
		}
		return nil
	}
}

// mapKeyDecoder follows encoding/json: TextUnmarshaler, then string kinds, then integers.
func mapKeyDecoder(t reflect.Type) func(k reflect.Value, s string) error {
	switch {
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return func(k reflect.Value, s string) error {
			k.SetZero()
			if err := k.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil { //nolint:forcetypeassert // checked above
				return errf("invalid key: %v", err)
			}
			return nil
		}
	case t.Kind() == reflect.String:
		return func(k reflect.Value, s string) error { k.SetString(s); return nil }
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(k reflect.Value, s string) error {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || k.OverflowInt(n) {
				return errf("invalid key for %s", t)
			}
			k.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(k reflect.Value, s string) error {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil || k.OverflowUint(n) {
				return errf("invalid key for %s", t)
			}
			k.SetUint(n)
			return nil
		}
	}
	return nil
}

func decBool(v reflect.Value, pv *structpb.Value, _ int) error {
	b, ok := pv.GetKind().(*structpb.Value_BoolValue)
	if !ok {
		return mismatch("boolean", pv)
	}
	v.SetBool(b.BoolValue)
	return nil
}

// integer returns pv as an integer, rejecting fractions and values outside [lo, hi).
func integer(pv *structpb.Value, lo, hi float64, t reflect.Type) (float64, error) {
	n, ok := pv.GetKind().(*structpb.Value_NumberValue)
	if !ok || n.NumberValue != math.Trunc(n.NumberValue) {
		return 0, mismatch("integer", pv)
	}
	if n.NumberValue < lo || n.NumberValue >= hi {
		return 0, errf("%s overflows %s", describe(pv), t)
	}
	return n.NumberValue, nil
}

func decInt(v reflect.Value, pv *structpb.Value, _ int) error {
	bits := v.Type().Bits()
	f, err := integer(pv, -math.Ldexp(1, bits-1), math.Ldexp(1, bits-1), v.Type())
	if err != nil {
		return err
	}
	v.SetInt(int64(f))
	return nil
}

func decUint(v reflect.Value, pv *structpb.Value, _ int) error {
	f, err := integer(pv, 0, math.Ldexp(1, v.Type().Bits()), v.Type())
	if err != nil {
		return err
	}
	v.SetUint(uint64(f))
	return nil
}

func decFloat(v reflect.Value, pv *structpb.Value, _ int) error {
	n, ok := pv.GetKind().(*structpb.Value_NumberValue)
	if !ok {
		return mismatch("number", pv)
	}
	if v.OverflowFloat(n.NumberValue) {
		return errf("%s overflows %s", describe(pv), v.Type())
	}
	v.SetFloat(n.NumberValue)
	return nil
}

func decString(v reflect.Value, pv *structpb.Value, _ int) error {
	s, ok := pv.GetKind().(*structpb.Value_StringValue)
	if !ok {
		return mismatch("string", pv)
	}
	v.SetString(s.StringValue)
	return nil
}

func decBytes(v reflect.Value, pv *structpb.Value, _ int) error {
	s, ok := pv.GetKind().(*structpb.Value_StringValue)
	if !ok {
		return mismatch("base64 string", pv)
	}
	b, err := base64.StdEncoding.DecodeString(s.StringValue)
	if err != nil {
		return errf("invalid base64: %v", err)
	}
	v.SetBytes(b)
	return nil
}

func decUnsupported(v reflect.Value, _ *structpb.Value, _ int) error {
	return errf("unsupported type %s", v.Type())
}

// decUnmarshaler is the slow path for types with their own JSON form. encoding/json rather than
// protojson writes the JSON: protojson deliberately varies its whitespace between builds, and some
// types (RawExtension) keep the bytes.
func decUnmarshaler(v reflect.Value, pv *structpb.Value, _ int) error {
	b, err := json.Marshal(pv.AsInterface())
	if err != nil {
		return errf("cannot write %s as JSON: %v", describe(pv), err)
	}
	if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b); err != nil { //nolint:forcetypeassert // chosen by type
		return errf("cannot unmarshal into %s: %v", v.Type(), err)
	}
	return nil
}

func decText(v reflect.Value, pv *structpb.Value, _ int) error {
	s, ok := pv.GetKind().(*structpb.Value_StringValue)
	if !ok {
		return mismatch("string", pv)
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s.StringValue)); err != nil { //nolint:forcetypeassert // chosen by type
		return errf("cannot unmarshal into %s: %v", v.Type(), err)
	}
	return nil
}

func decQuantity(v reflect.Value, pv *structpb.Value, _ int) error {
	var s string
	switch k := pv.GetKind().(type) {
	case *structpb.Value_StringValue:
		s = k.StringValue
	case *structpb.Value_NumberValue:
		s = strconv.FormatFloat(k.NumberValue, 'f', -1, 64)
	default:
		return mismatch("quantity", pv)
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return errf("invalid quantity %q: %v", s, err)
	}
	*ptr[resource.Quantity](v) = q
	return nil
}

func decIntOrString(v reflect.Value, pv *structpb.Value, _ int) error {
	if s, ok := pv.GetKind().(*structpb.Value_StringValue); ok {
		*ptr[intstr.IntOrString](v) = intstr.FromString(s.StringValue)
		return nil
	}
	if _, ok := pv.GetKind().(*structpb.Value_NumberValue); !ok {
		return mismatch("integer or string", pv)
	}
	f, err := integer(pv, math.MinInt32, math.MaxInt32+1, reflect.TypeFor[int32]())
	if err != nil {
		return err
	}
	*ptr[intstr.IntOrString](v) = intstr.FromInt32(int32(f))
	return nil
}

// timeString parses pv as a time in layout, in the local zone as metav1 does.
func timeString(pv *structpb.Value, layout string) (time.Time, error) {
	s, ok := pv.GetKind().(*structpb.Value_StringValue)
	if !ok {
		return time.Time{}, mismatch("time string", pv)
	}
	t, err := time.Parse(layout, s.StringValue)
	if err != nil {
		return time.Time{}, errf("invalid time %q: want %s", s.StringValue, layout)
	}
	return t.Local(), nil
}

func decTime(v reflect.Value, pv *structpb.Value, _ int) error {
	t, err := timeString(pv, time.RFC3339)
	if err == nil {
		ptr[metav1.Time](v).Time = t
	}
	return err
}

func decMicroTime(v reflect.Value, pv *structpb.Value, _ int) error {
	t, err := timeString(pv, metav1.RFC3339Micro)
	if err == nil {
		ptr[metav1.MicroTime](v).Time = t
	}
	return err
}

func decDuration(v reflect.Value, pv *structpb.Value, _ int) error {
	s, ok := pv.GetKind().(*structpb.Value_StringValue)
	if !ok {
		return mismatch("duration string", pv)
	}
	d, err := time.ParseDuration(s.StringValue)
	if err != nil {
		return errf("invalid duration %q", s.StringValue)
	}
	ptr[metav1.Duration](v).Duration = d
	return nil
}

func decNumber(v reflect.Value, pv *structpb.Value, _ int) error {
	n, ok := pv.GetKind().(*structpb.Value_NumberValue)
	if !ok {
		return mismatch("number", pv)
	}
	v.SetString(strconv.FormatFloat(n.NumberValue, 'g', -1, 64))
	return nil
}

func decProto(v reflect.Value, pv *structpb.Value, _ int) error {
	var m proto.Message = pv
	switch v.Interface().(type) {
	case *structpb.Struct:
		s := pv.GetStructValue()
		if s == nil {
			return mismatch("object", pv)
		}
		m = s
	case *structpb.ListValue:
		l := pv.GetListValue()
		if l == nil {
			return mismatch("array", pv)
		}
		m = l
	}
	v.Set(reflect.ValueOf(proto.Clone(m)))
	return nil
}
