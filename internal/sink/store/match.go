package store

import (
	"strconv"
)

// AttributeText renders an attribute value as AttributeFilter compares it;
// ok is false for values that have no text form (lists, maps, bytes).
func AttributeText(v any) (text string, ok bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	default:
		return "", false
	}
}

// Matches reports whether a record with these attributes and resource
// attributes passes the filter: for every key, either map holds a value
// whose text is the filter's value.
func (f AttributeFilter) Matches(attrs, resource Attributes) bool {
	for k, want := range f {
		if !textEquals(attrs, k, want) && !textEquals(resource, k, want) {
			return false
		}
	}
	return true
}

func textEquals(a Attributes, key, want string) bool {
	v, found := a[key]
	if !found {
		return false
	}
	got, ok := AttributeText(v)
	return ok && got == want
}
