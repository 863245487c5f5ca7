package project

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decodeStrict decodes YAML into out, reporting every unknown key with its
// position before yaml.v3 reports type errors; both are positioned Errors.
func decodeStrict(file string, data []byte, out any) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return nil
		}
		return yamlSyntaxError(file, err)
	}
	return decodeNode(file, &doc, out)
}

// decodeNode checks a parsed node against out's shape, then decodes it.
func decodeNode(file string, node *yaml.Node, out any) error {
	var list errorList
	checkKeys(file, node, reflect.TypeOf(out), &list)
	if err := list.err(); err != nil {
		return err
	}
	if err := node.Decode(out); err != nil {
		return yamlTypeError(file, err)
	}
	return nil
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

func yamlSyntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: m[2]}
	}
	return &Error{File: file, Msg: msg}
}

func yamlTypeError(file string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return yamlSyntaxError(file, err)
	}
	var list errorList
	for _, e := range te.Errors {
		if m := yamlLine.FindStringSubmatch(e); m != nil {
			line, _ := strconv.Atoi(m[1])
			list.addf(file, line, 0, "%s", m[2])
			continue
		}
		list.addf(file, 0, 0, "%s", e)
	}
	return list.err()
}

// checkKeys walks node alongside type t and records every mapping key that
// t has no field for, so a typo is an error at its own line, never ignored.
func checkKeys(file string, node *yaml.Node, t reflect.Type, list *errorList) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == yaml.DocumentNode {
		for _, c := range node.Content {
			checkKeys(file, c, t, list)
		}
		return
	}
	if node.Kind == yaml.AliasNode {
		checkKeys(file, node.Alias, t, list)
		return
	}
	if t == nodeType {
		return // kept raw and checked when decoded
	}
	custom := t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)
	if custom && (t.Kind() != reflect.Struct || len(yamlFields(t)) == 0) {
		return // the type decodes itself; only plain field sets are checked
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return // yaml.v3 reports the type mismatch
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				list.addf(file, k.Line, k.Column, "unknown key %q (expected one of %s)", k.Value, strings.Join(sortedKeys(fields), ", "))
				continue
			}
			checkKeys(file, v, ft, list)
		}
	case reflect.Slice, reflect.Array:
		if node.Kind == yaml.SequenceNode {
			for _, c := range node.Content {
				checkKeys(file, c, t.Elem(), list)
			}
		}
	case reflect.Map:
		if node.Kind == yaml.MappingNode {
			for i := 1; i < len(node.Content); i += 2 {
				checkKeys(file, node.Content[i], t.Elem(), list)
			}
		}
	}
}

var (
	unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	nodeType        = reflect.TypeOf(yaml.Node{})
)

func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			for k, v := range yamlFields(f.Type) {
				fields[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// nodeError positions a message at a YAML node.
func nodeError(file string, n *yaml.Node, format string, args ...any) *Error {
	return &Error{File: file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
}
