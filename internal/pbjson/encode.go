package pbjson

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// encState is scratch space for one Encode call: struct fields are collected on a shared stack
// first so that each Struct's map is made with its exact size.
type encState struct{ stack []member }

type member struct {
	name string
	v    *structpb.Value
}

var statePool = sync.Pool{New: func() any { return new(encState) }}

// release returns st to the pool empty, even after a panic left a tree on its stack.
func (st *encState) release() {
	clear(st.stack)
	st.stack = st.stack[:0]
	statePool.Put(st)
}

// nothing is what an encFunc returns for a value that encodes to nothing (JSON null): a field or
// map entry is left out, a list element becomes null. It never gets into a result.
var nothing = &structpb.Value{}

// str, num, boolean, object and list allocate a Value together with its oneof wrapper (and Struct or
// ListValue): one allocation instead of two or three per node, for parts that live and die together.
func str(s string) *structpb.Value {
	n := &struct {
		v structpb.Value
		k structpb.Value_StringValue
	}{k: structpb.Value_StringValue{StringValue: s}}
	n.v.Kind = &n.k
	return &n.v
}

func num(f float64) *structpb.Value {
	n := &struct {
		v structpb.Value
		k structpb.Value_NumberValue
	}{k: structpb.Value_NumberValue{NumberValue: f}}
	n.v.Kind = &n.k
	return &n.v
}

func boolean(b bool) *structpb.Value {
	n := &struct {
		v structpb.Value
		k structpb.Value_BoolValue
	}{k: structpb.Value_BoolValue{BoolValue: b}}
	n.v.Kind = &n.k
	return &n.v
}

func object() (*structpb.Value, *structpb.Struct) {
	n := &struct {
		v structpb.Value
		k structpb.Value_StructValue
		s structpb.Struct
	}{}
	n.k.StructValue, n.v.Kind = &n.s, &n.k
	return &n.v, &n.s
}

func list(vals []*structpb.Value) *structpb.Value {
	n := &struct {
		v structpb.Value
		k structpb.Value_ListValue
		l structpb.ListValue
	}{l: structpb.ListValue{Values: vals}}
	n.k.ListValue, n.v.Kind = &n.l, &n.k
	return &n.v
}

// tooDeep stops cyclic values, which can only loop through pointers, interfaces, slices and maps.
func tooDeep(depth int) error {
	if depth > maxDepth {
		return errf("exceeds the maximum depth of %d, is the value cyclic?", maxDepth)
	}
	return nil
}

func (c *codec) encStruct(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
	base := len(st.stack)
	var mem unsafe.Pointer // nil when v cannot be read in place: every field takes the long way
	if v.CanAddr() {
		// Not v.Addr(), which looks the pointer type up on every call. v is addressable, so this is
		// its address, and encFields reads it only at offsets the plan took from v's own type.
		mem = unsafe.Pointer(v.UnsafeAddr()) //nolint:gosec // G103: audited as above.
	}
	pv, err := c.encFields(st, v, mem, base, depth)
	clear(st.stack[base:]) // the pooled stack must not keep this tree alive
	st.stack = st.stack[:base]
	return pv, err
}

// encFields encodes the fields of the struct v, found at mem when it is addressable, collecting
// them on st's stack above base, its length when encStruct began.
func (c *codec) encFields(st *encState, v reflect.Value, mem unsafe.Pointer, base, depth int) (*structpb.Value, error) {
	for i := range c.fields {
		f := &c.fields[i]
		if mem != nil && f.quick != quickNone && f.quick.omitted(unsafe.Add(mem, f.offset)) {
			continue
		}
		fv, ok := fieldOf(v, f.index)
		if !ok || f.omit(fv) {
			continue
		}
		pv, err := f.c.enc(st, fv, depth+1)
		if err != nil {
			return nil, under(err, f.name)
		}
		// Nothing to send, or a non-pointer struct with nothing in it (see the package doc).
		if o := pv.GetStructValue(); pv == nothing || f.zeroStruct && o != nil && len(o.GetFields()) == 0 {
			continue
		}
		st.stack = append(st.stack, member{f.name, pv})
	}
	pv, s := object()
	s.Fields = make(map[string]*structpb.Value, len(st.stack)-base)
	for _, m := range st.stack[base:] {
		s.Fields[m.name] = m.v
	}
	return pv, nil
}

// fieldOf follows index through embedded structs. It reports false when an embedded pointer on the
// way is nil.
func fieldOf(v reflect.Value, index []int) (reflect.Value, bool) {
	for n, i := range index {
		if n > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return v, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

func encPtr(e *codec) encFunc {
	return func(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
		if v.IsNil() {
			return nothing, nil
		}
		if err := tooDeep(depth); err != nil {
			return nil, err
		}
		return e.enc(st, v.Elem(), depth+1)
	}
}

func encInterface(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
	if v.IsNil() {
		return nothing, nil
	}
	if err := tooDeep(depth); err != nil {
		return nil, err
	}
	return codecFor(v.Elem().Type()).enc(st, v.Elem(), depth+1)
}

func encList(e *codec) encFunc {
	return func(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nothing, nil
		}
		if err := tooDeep(depth); err != nil {
			return nil, err
		}
		vals := make([]*structpb.Value, v.Len())
		for i := range vals {
			pv, err := e.enc(st, v.Index(i), depth+1)
			if err != nil {
				return nil, under(err, index(i))
			}
			if pv == nothing {
				pv = structpb.NewNullValue() // keeps the positions of the others
			}
			vals[i] = pv
		}
		return list(vals), nil
	}
}

func encMap(e *codec) encFunc {
	return func(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
		if v.IsNil() {
			return nothing, nil
		}
		if err := tooDeep(depth); err != nil {
			return nil, err
		}
		pv, s := object()
		s.Fields = make(map[string]*structpb.Value, v.Len())
		if m, ok := v.Interface().(map[string]string); ok { // labels, annotations, selectors: no reflection
			for k, x := range m {
				s.Fields[k] = str(x)
			}
			return pv, nil
		}
		// Entries are copied into reusable, addressable variables: MapIter.Key and Value would
		// allocate a copy of each.
		k, ev := reflect.New(v.Type().Key()).Elem(), reflect.New(e.typ).Elem()
		var it reflect.MapIter
		for it.Reset(v); it.Next(); {
			k.SetIterKey(&it)
			ev.SetIterValue(&it)
			name, err := keyString(k)
			if err != nil {
				return nil, err
			}
			x, err := e.enc(st, ev, depth+1)
			if err != nil {
				return nil, under(err, "["+name+"]")
			}
			if x != nothing {
				s.Fields[name] = x
			}
		}
		return pv, nil
	}
}

// keyString follows encoding/json: string kinds as they are, then TextMarshaler, then integers.
func keyString(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok && (k.Kind() != reflect.Pointer || !k.IsNil()) {
		b, err := tm.MarshalText()
		if err != nil {
			return "", errf("cannot encode map key: %v", err)
		}
		return string(b), nil
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", errf("unsupported map key type %s", k.Type())
}

func encScalar(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	switch v.Kind() {
	case reflect.Bool:
		return boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return num(float64(v.Int())), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return num(float64(v.Uint())), nil
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); !math.IsInf(f, 0) && !math.IsNaN(f) {
			return num(f), nil
		}
		return nil, errf("unsupported number %v", v.Float())
	case reflect.String:
		return str(v.String()), nil
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		if v.IsNil() {
			return nothing, nil
		}
	}
	return nil, errf("unsupported type %s", v.Type())
}

func encBytes(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	if v.IsNil() {
		return nothing, nil
	}
	return str(base64.StdEncoding.EncodeToString(v.Bytes())), nil
}

// encMarshaler is the slow path for types with their own JSON form: marshal, then parse.
func encMarshaler(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	b, err := addr(v).Interface().(json.Marshaler).MarshalJSON()
	if err != nil {
		return nil, errf("cannot marshal %s: %v", v.Type(), err)
	}
	pv := &structpb.Value{}
	if err := protojson.Unmarshal(b, pv); err != nil {
		return nil, errf("cannot parse the JSON of %s: %v", v.Type(), err)
	}
	if _, null := pv.GetKind().(*structpb.Value_NullValue); null {
		return nothing, nil
	}
	return pv, nil
}

func encText(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	b, err := addr(v).Interface().(encoding.TextMarshaler).MarshalText()
	if err != nil {
		return nil, errf("cannot marshal %s: %v", v.Type(), err)
	}
	return str(string(b)), nil
}

func encQuantity(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	q := *ptr[resource.Quantity](v) // String caches into its receiver: the caller's may be shared
	return str(q.String()), nil
}

func encIntOrString(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	is := ptr[intstr.IntOrString](v)
	switch is.Type {
	case intstr.Int:
		return num(float64(is.IntVal)), nil
	case intstr.String:
		return str(is.StrVal), nil
	}
	return nil, errf("invalid IntOrString type %d", is.Type)
}

// encTime encodes metav1.Time and MicroTime, which are both a struct around a time.Time. It refuses
// years RFC 3339 cannot write, as time.Time's MarshalJSON does; metav1's would write garbage.
func encTime(layout string) encFunc {
	return func(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
		t := ptr[time.Time](v.Field(0)).UTC()
		switch {
		case t.IsZero():
			return nothing, nil
		case t.Year() < 0 || t.Year() > 9999:
			return nil, errf("year %d is outside of the range [0,9999]", t.Year())
		}
		return str(t.Format(layout)), nil
	}
}

func encDuration(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	return str(ptr[metav1.Duration](v).Duration.String()), nil
}
