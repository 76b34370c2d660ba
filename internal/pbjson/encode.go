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

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// encState is scratch space for one Encode call. Struct fields are collected on a shared stack
// first so that each Struct's map is made with its exact size.
type encState struct {
	stack []member
}

type member struct {
	name string
	v    *structpb.Value
}

var statePool = sync.Pool{New: func() any { return new(encState) }}

func newEncState() *encState { return statePool.Get().(*encState) } //nolint:forcetypeassert // see New

func (st *encState) release() { statePool.Put(st) }

// The constructors below allocate a Value together with its oneof wrapper (and Struct or
// ListValue): one allocation instead of two or three per node, and they live and die together.

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

func object(fields map[string]*structpb.Value) (*structpb.Value, *structpb.Struct) {
	n := &struct {
		v structpb.Value
		k structpb.Value_StructValue
		s structpb.Struct
	}{}
	n.s.Fields = fields
	n.k.StructValue = &n.s
	n.v.Kind = &n.k
	return &n.v, &n.s
}

func list(vals []*structpb.Value) *structpb.Value {
	n := &struct {
		v structpb.Value
		k structpb.Value_ListValue
		l structpb.ListValue
	}{}
	n.l.Values = vals
	n.k.ListValue = &n.l
	n.v.Kind = &n.k
	return &n.v
}

func deeper(depth int) error {
	if depth > maxDepth {
		return errf("exceeds the maximum depth of %d, is the value cyclic?", maxDepth)
	}
	return nil
}

func (c *codec) encStruct(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
	pv, s := object(nil)
	if err := c.encFields(st, v, depth, s); err != nil {
		return nil, err
	}
	return pv, nil
}

// encFields fills s with v's fields.
func (c *codec) encFields(st *encState, v reflect.Value, depth int, s *structpb.Struct) error {
	if err := deeper(depth); err != nil {
		return err
	}
	base := len(st.stack)
	for i := range c.fields {
		f := &c.fields[i]
		fv := v.Field(f.index[0])
		if len(f.index) > 1 && !promoted(&fv, f.index) {
			continue
		}
		if f.omit(fv) {
			continue
		}
		pv, err := f.c.enc(st, fv, depth+1)
		if err != nil {
			clear(st.stack[base:])
			st.stack = st.stack[:base]
			return under(err, f.name)
		}
		if pv == nil || f.zeroStruct && emptyObject(pv) {
			continue
		}
		st.stack = append(st.stack, member{f.name, pv})
	}
	s.Fields = make(map[string]*structpb.Value, len(st.stack)-base)
	for _, e := range st.stack[base:] {
		s.Fields[e.name] = e.v
	}
	// Clear so that the pooled stack does not keep this tree alive.
	clear(st.stack[base:])
	st.stack = st.stack[:base]
	return nil
}

func emptyObject(pv *structpb.Value) bool {
	s, ok := pv.GetKind().(*structpb.Value_StructValue)
	return ok && len(s.StructValue.GetFields()) == 0
}

// promoted walks from *v, the first step of index, to the promoted field it leads to. It reports
// false when an embedded pointer on the way is nil.
func promoted(v *reflect.Value, index []int) bool {
	for _, i := range index[1:] {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return false
			}
			*v = v.Elem()
		}
		*v = v.Field(i)
	}
	return true
}

func encPtr(e *codec) encFunc {
	return func(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
		if v.IsNil() {
			return nil, nil
		}
		if err := deeper(depth); err != nil {
			return nil, err
		}
		return e.enc(st, v.Elem(), depth+1)
	}
}

func encInterface(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
	if v.IsNil() {
		return nil, nil
	}
	if err := deeper(depth); err != nil {
		return nil, err
	}
	e := v.Elem()
	return codecFor(e.Type()).enc(st, e, depth+1)
}

func encList(e *codec) encFunc {
	return func(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, nil
		}
		if err := deeper(depth); err != nil {
			return nil, err
		}
		vals := make([]*structpb.Value, v.Len())
		for i := range vals {
			pv, err := e.enc(st, v.Index(i), depth+1)
			if err != nil {
				return nil, under(err, index(i))
			}
			if pv == nil {
				pv = structpb.NewNullValue()
			}
			vals[i] = pv
		}
		return list(vals), nil
	}
}

func encMap(t reflect.Type, e *codec) encFunc {
	key := mapKeyEncoder(t.Key())
	return func(st *encState, v reflect.Value, depth int) (*structpb.Value, error) {
		if v.IsNil() {
			return nil, nil
		}
		if err := deeper(depth); err != nil {
			return nil, err
		}
		if key == nil {
			return nil, errf("unsupported map key type %s", t.Key())
		}
		// Copy each entry into reusable, addressable variables: MapIndex and MapIter.Value would
		// allocate a copy per entry.
		k, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		m := make(map[string]*structpb.Value, v.Len())
		for it := v.MapRange(); it.Next(); {
			k.SetIterKey(it)
			ev.SetIterValue(it)
			name, err := key(k)
			if err != nil {
				return nil, err
			}
			pv, err := e.enc(st, ev, depth+1)
			if err != nil {
				return nil, under(err, "["+name+"]")
			}
			if pv != nil {
				m[name] = pv
			}
		}
		pv, _ := object(m)
		return pv, nil
	}
}

// mapKeyEncoder follows encoding/json: string kinds as they are, then TextMarshaler, then integers.
func mapKeyEncoder(t reflect.Type) func(reflect.Value) (string, error) {
	switch {
	case t.Kind() == reflect.String:
		return func(k reflect.Value) (string, error) { return k.String(), nil }
	case t.Implements(textMarshalerType):
		return func(k reflect.Value) (string, error) {
			if k.Kind() == reflect.Pointer && k.IsNil() {
				return "", nil
			}
			b, err := k.Interface().(encoding.TextMarshaler).MarshalText() //nolint:forcetypeassert // checked above
			if err != nil {
				return "", errf("cannot encode map key: %v", err)
			}
			return string(b), nil
		}
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(k reflect.Value) (string, error) { return strconv.FormatInt(k.Int(), 10), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(k reflect.Value) (string, error) { return strconv.FormatUint(k.Uint(), 10), nil }
	}
	return nil
}

func encBool(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	return boolean(v.Bool()), nil
}

func encInt(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	return num(float64(v.Int())), nil
}

func encUint(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	return num(float64(v.Uint())), nil
}

func encFloat(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	f := v.Float()
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errf("unsupported number %v", f)
	}
	return num(f), nil
}

func encString(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	return str(v.String()), nil
}

func encBytes(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	if v.IsNil() {
		return nil, nil
	}
	return str(base64.StdEncoding.EncodeToString(v.Bytes())), nil
}

func encUnsupported(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	switch v.Kind() { //nolint:exhaustive // the others have no nil
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		if v.IsNil() {
			return nil, nil
		}
	}
	return nil, errf("unsupported type %s", v.Type())
}

// encMarshaler is the slow path for types with their own JSON form: marshal, then parse.
func encMarshaler(byAddr bool) encFunc {
	return func(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
		if byAddr {
			v = addr(v)
		}
		b, err := v.Interface().(json.Marshaler).MarshalJSON() //nolint:forcetypeassert // chosen by type
		if err != nil {
			return nil, errf("cannot marshal %s: %v", v.Type(), err)
		}
		pv := &structpb.Value{}
		if err := protojson.Unmarshal(b, pv); err != nil {
			return nil, errf("cannot parse the JSON of %s: %v", v.Type(), err)
		}
		if _, null := pv.GetKind().(*structpb.Value_NullValue); null {
			return nil, nil
		}
		return pv, nil
	}
}

func encText(byAddr bool) encFunc {
	return func(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
		if byAddr {
			v = addr(v)
		}
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText() //nolint:forcetypeassert // chosen by type
		if err != nil {
			return nil, errf("cannot marshal %s: %v", v.Type(), err)
		}
		return str(string(b)), nil
	}
}

func encQuantity(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	// String caches its result in the receiver: work on a copy, the caller's object may be shared.
	q := *ptr[resource.Quantity](v)
	return str(q.String()), nil
}

func encIntOrString(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	switch is := ptr[intstr.IntOrString](v); is.Type {
	case intstr.Int:
		return num(float64(is.IntVal)), nil
	case intstr.String:
		return str(is.StrVal), nil
	default:
		return nil, errf("invalid IntOrString type %d", is.Type)
	}
}

func encTime(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	if t := ptr[metav1.Time](v); !t.IsZero() {
		return str(t.UTC().Format(time.RFC3339)), nil
	}
	return nil, nil
}

func encMicroTime(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	if t := ptr[metav1.MicroTime](v); !t.IsZero() {
		return str(t.UTC().Format(metav1.RFC3339Micro)), nil
	}
	return nil, nil
}

func encDuration(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	return str(ptr[metav1.Duration](v).Duration.String()), nil
}

func encNumber(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	s := v.String()
	if s == "" {
		return num(0), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, errf("invalid number %q", s)
	}
	return num(f), nil
}

func encProto(_ *encState, v reflect.Value, _ int) (*structpb.Value, error) {
	if v.IsNil() {
		return nil, nil
	}
	switch m := v.Interface().(type) {
	case *structpb.Value:
		return proto.CloneOf(m), nil
	case *structpb.Struct:
		return structpb.NewStructValue(proto.CloneOf(m)), nil
	case *structpb.ListValue:
		return structpb.NewListValue(proto.CloneOf(m)), nil
	}
	return nil, errf("unsupported type %s", v.Type())
}
