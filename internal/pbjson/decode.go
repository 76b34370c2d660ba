package pbjson

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// decValue is the one place that handles null and depth.
func decValue(c *codec, v reflect.Value, pv *structpb.Value, depth int) error {
	switch pv.GetKind().(type) {
	case *structpb.Value_NullValue, nil:
		switch v.Kind() {
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

// decStruct decodes every known field even after an error, and returns the error of the field
// declared first: the Struct's map order is random, and a message that changed from one call to
// the next would churn the composite resource's status.
func (c *codec) decStruct(v reflect.Value, pv *structpb.Value, depth int) error {
	s := pv.GetStructValue()
	if s == nil {
		return mismatch("object", pv)
	}
	var first error
	firstAt := len(c.fields)
	for name, x := range s.GetFields() {
		i, ok := c.byName[name]
		if !ok {
			continue
		}
		fv, err := settable(v, c.fields[i].index)
		if err == nil {
			err = decValue(c.fields[i].c, fv, x, depth+1)
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
			if v.IsNil() && !v.CanSet() {
				return v, errf("cannot set embedded pointer to unexported struct %s", v.Type().Elem())
			}
			if v.IsNil() {
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
		if v.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(v.Type(), len(l.GetValues()), len(l.GetValues())))
		}
		for i := range v.Len() {
			if i >= len(l.GetValues()) {
				v.Index(i).SetZero() // the rest of an array
				continue
			}
			if err := decValue(e, v.Index(i), l.GetValues()[i], depth+1); err != nil {
				return under(err, index(i))
			}
		}
		return nil
	}
}

func decMap(e *codec) decFunc {
	return func(v reflect.Value, pv *structpb.Value, depth int) error {
		s := pv.GetStructValue()
		if s == nil {
			return mismatch("object", pv)
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(s.GetFields())))
		}
		k, ev := reflect.New(v.Type().Key()).Elem(), reflect.New(e.typ).Elem()
		var first error
		var firstKey string
		for name, x := range s.GetFields() {
			ev.SetZero()
			err := setKey(k, name)
			if err == nil {
				err = decValue(e, ev, x, depth+1)
			}
			if err == nil {
				v.SetMapIndex(k, ev)
			} else if first == nil || name < firstKey { // the smallest key, whatever the map order
				first, firstKey = err, name
			}
		}
		if first != nil {
			return under(first, "["+firstKey+"]")
		}
		return nil
	}
}

// setKey mirrors keyString: string kinds, then TextUnmarshaler, then integers.
func setKey(k reflect.Value, s string) error {
	if k.Kind() == reflect.String {
		k.SetString(s)
		return nil
	}
	if tu, ok := k.Addr().Interface().(encoding.TextUnmarshaler); ok {
		k.SetZero()
		if err := tu.UnmarshalText([]byte(s)); err != nil {
			return errf("invalid key: %v", err)
		}
		return nil
	}
	var err error
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		n, err = strconv.ParseInt(s, 10, k.Type().Bits())
		k.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		var n uint64
		n, err = strconv.ParseUint(s, 10, k.Type().Bits())
		k.SetUint(n)
	default:
		return errf("unsupported map key type %s", k.Type())
	}
	if err != nil {
		return errf("invalid key for %s", k.Type())
	}
	return nil
}

func decScalar(v reflect.Value, pv *structpb.Value, _ int) error {
	switch v.Kind() {
	case reflect.Bool:
		b, ok := pv.GetKind().(*structpb.Value_BoolValue)
		if !ok {
			return mismatch("boolean", pv)
		}
		v.SetBool(b.BoolValue)
	case reflect.String:
		s, ok := pv.GetKind().(*structpb.Value_StringValue)
		if !ok {
			return mismatch("string", pv)
		}
		v.SetString(s.StringValue)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		limit := math.Ldexp(1, v.Type().Bits()-1)
		f, err := integer(pv, -limit, limit, v.Type())
		if err != nil {
			return err
		}
		v.SetInt(int64(f))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		f, err := integer(pv, 0, math.Ldexp(1, v.Type().Bits()), v.Type())
		if err != nil {
			return err
		}
		v.SetUint(uint64(f))
	case reflect.Float32, reflect.Float64:
		n, ok := pv.GetKind().(*structpb.Value_NumberValue)
		if !ok {
			return mismatch("number", pv)
		}
		if v.OverflowFloat(n.NumberValue) {
			return errf("%s overflows %s", describe(pv), v.Type())
		}
		v.SetFloat(n.NumberValue)
	default:
		return errf("unsupported type %s", v.Type())
	}
	return nil
}

// integer returns pv as an integer in [lo, hi), rejecting fractions.
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

// decString returns pv's string, or a mismatch that says what the string was for.
func decString(pv *structpb.Value, want string) (string, error) {
	s, ok := pv.GetKind().(*structpb.Value_StringValue)
	if !ok {
		return "", mismatch(want, pv)
	}
	return s.StringValue, nil
}

func decBytes(v reflect.Value, pv *structpb.Value, _ int) error {
	s, err := decString(pv, "base64 string")
	if err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return errf("invalid base64: %v", err)
	}
	v.SetBytes(b)
	return nil
}

// decUnmarshaler is the slow path for types with their own JSON form. encoding/json rather than
// protojson writes the JSON they read: protojson deliberately varies its whitespace between builds,
// and some types (RawExtension) keep the bytes.
func decUnmarshaler(v reflect.Value, pv *structpb.Value, _ int) error {
	b, err := json.Marshal(pv.AsInterface())
	if err == nil {
		err = v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b)
	}
	if err != nil {
		return errf("cannot unmarshal into %s: %v", v.Type(), err)
	}
	return nil
}

func decText(v reflect.Value, pv *structpb.Value, _ int) error {
	s, err := decString(pv, "string")
	if err != nil {
		return err
	}
	if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
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
		// As encoding/json would write it: ParseQuantity misreads long runs of digits (1e21 written
		// out in full parses as 1).
		b, err := json.Marshal(k.NumberValue)
		if err != nil {
			return errf("invalid quantity %s", describe(pv))
		}
		s = string(b)
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
	switch k := pv.GetKind().(type) {
	case *structpb.Value_StringValue:
		*ptr[intstr.IntOrString](v) = intstr.FromString(k.StringValue)
	case *structpb.Value_NumberValue:
		f, err := integer(pv, math.MinInt32, math.MaxInt32+1, reflect.TypeFor[int32]())
		if err != nil {
			return err
		}
		*ptr[intstr.IntOrString](v) = intstr.FromInt32(int32(f))
	default:
		return mismatch("integer or string", pv)
	}
	return nil
}

// decTime decodes metav1.Time and MicroTime into the local zone, as metav1 does.
func decTime(layout string) decFunc {
	return func(v reflect.Value, pv *structpb.Value, _ int) error {
		s, err := decString(pv, "time string")
		if err != nil {
			return err
		}
		t, err := time.Parse(layout, s)
		if err != nil {
			return errf("invalid time %q: want %s", s, layout)
		}
		if y := t.UTC().Year(); y < 0 || y > 9999 { // encTime could not write it back
			return errf("invalid time %q: year %d is outside of the range [0,9999]", s, y)
		}
		*ptr[time.Time](v.Field(0)) = t.Local() //nolint:gosmopolitan // as metav1's UnmarshalJSON does, so Decode matches json.Unmarshal
		return nil
	}
}

func decDuration(v reflect.Value, pv *structpb.Value, _ int) error {
	s, err := decString(pv, "duration string")
	if err != nil {
		return err
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errf("invalid duration %q", s)
	}
	ptr[metav1.Duration](v).Duration = d
	return nil
}
