package main

import (
	"strings"
	"unicode"
)

// tokKind is what a token of a statement is.
type tokKind int

const (
	tokWord  tokKind = iota // keyword, identifier or number
	tokIdent                // "quoted identifier", text unquoted
	tokStr                  // 'string literal' or $$dollar quoted$$, text unquoted
	tokParam                // ? or $1: a value bound at execution
	tokPunct                // any other single character
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the statement
	end  int // byte offset just past the token
}

// tokenize splits a statement into tokens, dropping whitespace and comments.
// It only needs to be right about what is code and what is inside a
// literal or comment: a '?' in a comment or string is not a placeholder,
// and an apostrophe in a comment does not open a string.
func tokenize(sql string) []token {
	var out []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			if nl := strings.IndexByte(sql[i:], '\n'); nl >= 0 {
				i += nl + 1
			} else {
				i = len(sql)
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			i = blockCommentEnd(sql, i)
		case c == '\'' || c == '"':
			end, text := quotedEnd(sql, i, c)
			kind := tokStr
			if c == '"' {
				kind = tokIdent
			}
			out = append(out, token{kind: kind, text: text, pos: i, end: end})
			i = end
		case c == '?':
			end := digitsEnd(sql, i+1)
			out = append(out, token{kind: tokParam, text: sql[i:end], pos: i, end: end})
			i = end
		case c == '$':
			if end := digitsEnd(sql, i+1); end > i+1 {
				out = append(out, token{kind: tokParam, text: sql[i:end], pos: i, end: end})
				i = end
				continue
			}
			end, text, ok := dollarQuoted(sql, i)
			if !ok {
				out = append(out, token{kind: tokPunct, text: "$", pos: i, end: i + 1})
				i++
				continue
			}
			out = append(out, token{kind: tokStr, text: text, pos: i, end: end})
			i = end
		case isWordByte(c):
			end := i + 1
			for end < len(sql) && isWordByte(sql[end]) {
				end++
			}
			out = append(out, token{kind: tokWord, text: sql[i:end], pos: i, end: end})
			i = end
		default:
			out = append(out, token{kind: tokPunct, text: sql[i : i+1], pos: i, end: i + 1})
			i++
		}
	}
	return out
}

// blockCommentEnd returns the offset past the comment opened at i; block
// comments nest in DuckDB as in PostgreSQL.
func blockCommentEnd(sql string, i int) int {
	depth := 0
	for i < len(sql) {
		switch {
		case strings.HasPrefix(sql[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(sql[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(sql)
}

// quotedEnd returns the offset past the literal opened by q at i and its
// unquoted text (a doubled quote stands for one).
func quotedEnd(sql string, i int, q byte) (int, string) {
	var b strings.Builder
	j := i + 1
	for j < len(sql) {
		if sql[j] != q {
			b.WriteByte(sql[j])
			j++
			continue
		}
		if j+1 < len(sql) && sql[j+1] == q {
			b.WriteByte(q)
			j += 2
			continue
		}
		return j + 1, b.String()
	}
	return len(sql), b.String()
}

// dollarQuoted reads a $tag$...$tag$ string opened at i.
func dollarQuoted(sql string, i int) (int, string, bool) {
	j := i + 1
	for j < len(sql) && isWordByte(sql[j]) {
		j++
	}
	if j >= len(sql) || sql[j] != '$' {
		return 0, "", false
	}
	tag := sql[i : j+1]
	body := j + 1
	k := strings.Index(sql[body:], tag)
	if k < 0 {
		return len(sql), sql[body:], true
	}
	return body + k + len(tag), sql[body : body+k], true
}

func digitsEnd(sql string, i int) int {
	for i < len(sql) && sql[i] >= '0' && sql[i] <= '9' {
		i++
	}
	return i
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 0x80 || unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c))
}

// statement is one logged statement with what the replay needs to know.
type statement struct {
	sql     string
	keyword string // first word, upper-cased
	params  []int  // indexes into toks of the placeholders
	meta    bool   // names the runner's own schema, etl_meta
	toks    []token
}

func parseStatement(sql string) statement {
	st := statement{sql: sql, toks: tokenize(sql)}
	for i, t := range st.toks {
		if i == 0 && t.kind == tokWord {
			st.keyword = strings.ToUpper(t.text)
		}
		switch {
		case t.kind == tokParam:
			st.params = append(st.params, i)
		case (t.kind == tokWord || t.kind == tokIdent) && strings.EqualFold(t.text, "etl_meta"):
			st.meta = true
		}
	}
	return st
}

// bindTimestamps returns the statement with every placeholder replaced by
// the literal at, when each one is the operand of CAST(? AS TIMESTAMP[TZ]):
// that is how the runner binds a load's time, the only argument of a load.
// ok is false when some placeholder is anything else.
func (st statement) bindTimestamps(at string) (string, bool) {
	if len(st.params) == 0 {
		return st.sql, true
	}
	var b strings.Builder
	last := 0
	for _, i := range st.params {
		if !castToTimestamp(st.toks, i) {
			return "", false
		}
		b.WriteString(st.sql[last:st.toks[i].pos])
		b.WriteString("'" + strings.ReplaceAll(at, "'", "''") + "'")
		last = st.toks[i].end
	}
	b.WriteString(st.sql[last:])
	return b.String(), true
}

func castToTimestamp(toks []token, i int) bool {
	if i < 2 || i+2 >= len(toks) {
		return false
	}
	word := func(t token, w string) bool { return t.kind == tokWord && strings.EqualFold(t.text, w) }
	typ := toks[i+2]
	return word(toks[i-2], "CAST") && toks[i-1].kind == tokPunct && toks[i-1].text == "(" &&
		word(toks[i+1], "AS") && (word(typ, "TIMESTAMPTZ") || word(typ, "TIMESTAMP"))
}

// copyTarget is the file or folder a COPY ... TO 'path' writes: the last
// TO followed by a string outside any parentheses.
func (st statement) copyTarget() (string, bool) {
	if st.keyword != "COPY" {
		return "", false
	}
	depth := 0
	target, found := "", false
	for i, t := range st.toks {
		if t.kind == tokPunct {
			switch t.text {
			case "(":
				depth++
			case ")":
				depth--
			}
			continue
		}
		if depth == 0 && t.kind == tokWord && strings.EqualFold(t.text, "TO") && i+1 < len(st.toks) && st.toks[i+1].kind == tokStr {
			target, found = st.toks[i+1].text, true
		}
	}
	return target, found
}
