package cmdbtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A kv is one member of a JSON object, in the order the request gave it: iTop reports criteria
// in that order.
type kv struct {
	k string
	v json.RawMessage
}

// ordered reads a JSON object keeping its members' order; false when raw is not an object.
func ordered(raw json.RawMessage) ([]kv, bool) {
	d := json.NewDecoder(bytes.NewReader(raw))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return nil, false
	}
	var out []kv
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, false
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, false
		}
		out = append(out, kv{k: t.(string), v: v})
	}
	return out, true
}

func rawString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return string(raw)
}

// numeric reports whether raw is a number or a string of digits, which iTop reads as an id.
func numeric(raw json.RawMessage) (int, bool) {
	n, err := strconv.Atoi(rawString(raw))
	return n, err == nil && !bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{"))
}

var (
	oqlRe   = regexp.MustCompile(`^SELECT\s+(\w+)(?:\s+WHERE\s+(.+))?$`)
	oqlCond = regexp.MustCompile(`^(\w+)\s*(=|LIKE)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\d+))$`)
)

// An oqlQuery is a parsed query: equalities, and LIKE patterns (% any run, _ any character).
type oqlQuery struct {
	class string
	eq    []kv
	like  map[string]*regexp.Regexp
}

// oql parses the OQL this server understands: SELECT a class, optionally WHERE attribute =
// literal and attribute LIKE literal conditions joined by AND.
func oql(q string) (oqlQuery, error) {
	m := oqlRe.FindStringSubmatch(strings.TrimSpace(q))
	fail := func(why string) error {
		return errors.Errorf("Query failed to execute: query = %s, exception_class = OQLException, exception_message = %s", q, why)
	}
	if m == nil {
		return oqlQuery{}, fail("Syntax error")
	}
	if _, ok := itopModel[m[1]]; !ok {
		return oqlQuery{}, fail("Unknown class '" + m[1] + "'")
	}
	out := oqlQuery{class: m[1], like: map[string]*regexp.Regexp{}}
	if m[2] != "" {
		for c := range strings.SplitSeq(m[2], " AND ") {
			cm := oqlCond.FindStringSubmatch(strings.TrimSpace(c))
			if cm == nil {
				return oqlQuery{}, fail("Syntax error near '" + c + "'")
			}
			if !itopValidAttCode(m[1], cm[1]) {
				return oqlQuery{}, fail(fmt.Sprintf("Unknown attribute '%s' in class '%s'", cm[1], m[1]))
			}
			lit := strings.NewReplacer(`\"`, `"`, `\'`, `'`, `\\`, `\`).Replace(cm[3] + cm[4] + cm[5])
			if cm[2] == "LIKE" {
				pat := strings.NewReplacer("%", ".*", "_", ".").Replace(regexp.QuoteMeta(lit))
				out.like[cm[1]] = regexp.MustCompile("(?is)^" + pat + "$")
				continue
			}
			v, err := json.Marshal(lit)
			if err != nil {
				return oqlQuery{}, fail(err.Error())
			}
			out.eq = append(out.eq, kv{k: cm[1], v: v})
		}
	}
	return out, nil
}

// match returns the objects of class whose attributes equal conds (values already resolved).
func (s *ITop) match(class string, conds map[string]string) []int {
	var out []int
	for _, id := range s.ids() {
		if !itopIsA(s.objects[id].class, class) {
			continue
		}
		if !slices.ContainsFunc(slices.Collect(maps.Keys(conds)), func(k string) bool { return s.str(id, k) != conds[k] }) {
			out = append(out, id)
		}
	}
	return out
}

// criteria resolves a criteria object as iTop does: finalclass narrows the class, every value
// goes through makeValue (so an external key must name an object that exists), and the report
// is what iTop's messages quote.
func (s *ITop) criteria(class string, crit []kv) (string, map[string]string, []string, error) {
	conds, report := map[string]string{}, []string{}
	for _, c := range crit {
		if c.k != "finalclass" {
			continue
		}
		fc := rawString(c.v)
		if _, ok := itopModel[fc]; !ok {
			return "", nil, nil, errors.Errorf("finalclass: Unknown class '%s'", fc)
		}
		if !itopIsA(fc, class) {
			return "", nil, nil, errors.Errorf("finalclass: '%s' is not a child class of '%s'", fc, class)
		}
		class = fc
	}
	for _, c := range crit {
		v, err := s.makeValue(class, c.k, c.v)
		if err != nil {
			return "", nil, nil, err
		}
		conds[c.k] = v
		report = append(report, fmt.Sprintf("%s: %s (%s)", c.k, rawString(c.v), v))
	}
	return class, conds, report, nil
}

// selectSet is GetObjectSetFromKey: the objects a core/get or core/delete key selects. An id
// or an OQL query that matches nothing is an empty set; criteria naming a missing object fail.
func (s *ITop) selectSet(class string, raw json.RawMessage) ([]int, error) {
	if crit, ok := ordered(raw); ok {
		c, conds, _, err := s.criteria(class, crit)
		if err != nil {
			return nil, err
		}
		return s.match(c, conds), nil
	}
	if id, ok := numeric(raw); ok {
		return s.match(class, map[string]string{"id": strconv.Itoa(id)}), nil
	}
	var q string
	if json.Unmarshal(raw, &q) != nil {
		return nil, errors.New("Wrong format for key")
	}
	parsed, err := oql(q)
	if err != nil {
		return nil, err
	}
	resolved := map[string]string{}
	for _, kv := range parsed.eq {
		resolved[kv.k] = rawString(kv.v)
	}
	return slices.DeleteFunc(s.match(parsed.class, resolved), func(id int) bool {
		for k, re := range parsed.like {
			if !re.MatchString(s.str(id, k)) {
				return true
			}
		}
		return false
	}), nil
}

// findOne is FindObjectFromKey: exactly one object, or iTop's error. With allowNull an id of 0
// (or null) is no object.
func (s *ITop) findOne(class string, raw json.RawMessage, allowNull bool) (int, error) {
	if crit, ok := ordered(raw); ok {
		c, conds, report, err := s.criteria(class, crit)
		if err != nil {
			return 0, err
		}
		return one(s.match(c, conds), "with criteria: "+strings.Join(report, ", "))
	}
	if id, ok := numeric(raw); ok || string(raw) == "null" {
		if allowNull && id == 0 {
			return 0, nil
		}
		if o, ok := s.objects[id]; !ok || !itopIsA(o.class, class) {
			return 0, errors.Errorf("Invalid object %s::%s", class, rawString(raw))
		}
		return id, nil
	}
	var q string
	if json.Unmarshal(raw, &q) != nil {
		return 0, errors.New("Wrong format for key")
	}
	ids, err := s.selectSet(class, raw)
	if err != nil {
		return 0, err
	}
	return one(ids, "for query: "+q)
}

func one(ids []int, what string) (int, error) {
	switch len(ids) {
	case 0:
		return 0, errors.New("No item found " + what)
	case 1:
		return ids[0], nil
	}
	return 0, errors.Errorf("Several items found (%d) %s", len(ids), what)
}

var (
	ymd    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	ymdHis = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)
)

// makeValue is MakeValue: a JSON value made into what is stored, errors prefixed with the
// attribute code. External keys are stored as ids ("" for none).
func (s *ITop) makeValue(class, att string, raw json.RawMessage) (string, error) {
	m := itopModel[class]
	if !itopValidAttCode(class, att) {
		return "", errors.New(att + ": Unknown attribute")
	}
	if target, ok := m.extKeys[att]; ok {
		id, err := s.findOne(target, raw, true)
		if err != nil {
			return "", errors.New(att + ": " + err.Error())
		}
		if id == 0 {
			return "", nil
		}
		return strconv.Itoa(id), nil
	}
	v := rawString(raw)
	if m.attrs[att].date && v != "" && !ymd.MatchString(v) {
		return "", errors.Errorf(`%s: Wrong format for date attribute %s, expecting "Y-m-d" and got "%s"`, att, att, v)
	}
	// AttributeDate extends AttributeDateTime and shares its message, with the format it expects.
	if m.attrs[att].datetime && v != "" && !ymdHis.MatchString(v) {
		return "", errors.Errorf(`%s: Wrong format for date attribute %s, expecting "Y-m-d H:i:s" and got "%s"`, att, att, v)
	}
	return v, nil
}
