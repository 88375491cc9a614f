package spogjs

import "bytes"

// scan walks src as JavaScript tokens just far enough to tell code from
// comments, strings, template literals and regular expressions, and returns
// every `var|let|const NAME = …` of the two variables, by name. A commented
// out line (`// var web_server_name = "old";`, a /* … */ block) is not a
// declaration: counting it would turn a tidy file into a "duplicate".
func scan(src []byte) map[string][]Setting {
	found := map[string][]Setting{}
	n := len(src)
	line := 1
	var lastSig byte // last significant code byte; 0 at the start
	lastWord := ""
	for i := 0; i < n; {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '/' && i+1 < n && src[i+1] == '/':
			for i < n && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && src[i+1] == '*':
			i += 2
			for i < n && !(src[i] == '*' && i+1 < n && src[i+1] == '/') {
				if src[i] == '\n' {
					line++
				}
				i++
			}
			i += 2 // past */ (or past the end of an unterminated comment)
		case c == '/' && regexAllowed(lastSig, lastWord):
			i = skipRegex(src, i)
			lastSig, lastWord = 'a', ""
		case c == '\'' || c == '"':
			j, _ := skipString(src, i)
			line += bytes.Count(src[i:j], []byte("\n")) // line continuations
			i = j
			lastSig, lastWord = '"', ""
		case c == '`':
			i++
			for i < n && src[i] != '`' {
				if src[i] == '\\' {
					i++
				}
				if i < n && src[i] == '\n' {
					line++
				}
				i++
			}
			i++
			lastSig, lastWord = '"', ""
		case isIdent(c):
			j := i
			for j < n && isIdent(src[j]) {
				j++
			}
			word := string(src[i:j])
			if (word == "var" || word == "let" || word == "const") && lastSig != '.' {
				if s, ok := declaration(src, j, line); ok {
					found[s.Name] = append(found[s.Name], s)
				}
			}
			i = j
			lastSig, lastWord = 'a', word
		default:
			lastSig, lastWord = c, ""
			i++
		}
		if i > n {
			i = n
		}
	}
	return found
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// regexAllowed guesses whether a '/' starts a regular expression (after an
// operator, a bracket or a keyword like return) or divides (after a value).
func regexAllowed(lastSig byte, lastWord string) bool {
	if lastSig == 0 {
		return true
	}
	if lastSig == 'a' {
		switch lastWord {
		case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await":
			return true
		}
		return false
	}
	for _, b := range []byte("(,=:[!&|?{};+-*%<>~^") {
		if lastSig == b {
			return true
		}
	}
	return false
}

// skipRegex returns the offset after a regular expression literal starting
// at src[i] == '/', its flags included. A regex never spans lines; an
// unterminated one ends at the line end.
func skipRegex(src []byte, i int) int {
	n := len(src)
	i++
	inClass := false
	for i < n && src[i] != '\n' {
		switch src[i] {
		case '\\':
			i++
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '/':
			if !inClass {
				i++
				for i < n && isIdent(src[i]) {
					i++
				}
				return i
			}
		}
		i++
	}
	if i > n {
		i = n
	}
	return i
}

// skipString returns the offset after the string literal starting at src[i]
// and whether it was closed on the same line.
func skipString(src []byte, i int) (int, bool) {
	n := len(src)
	q := src[i]
	i++
	for i < n {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case q:
			return i + 1, true
		case '\n':
			return i, false
		}
		i++
	}
	return n, false
}

func skipSpace(src []byte, i int, newlines bool) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\r', '\v', '\f':
		case '\n':
			if !newlines {
				return i
			}
		default:
			return i
		}
		i++
	}
	return i
}

// declaration reads `NAME = "value"` after a var/let/const keyword ending at
// i. ok is false when NAME is not one of the two variables. A declaration
// whose value is not a lone string literal is returned with Quote 0.
func declaration(src []byte, i, line int) (Setting, bool) {
	n := len(src)
	i = skipSpace(src, i, true)
	j := i
	for j < n && isIdent(src[j]) {
		j++
	}
	name := string(src[i:j])
	if name != ProtocolVar && name != NameVar {
		return Setting{}, false
	}
	s := Setting{Name: name, Line: line}
	i = skipSpace(src, j, true)
	if i >= n || src[i] != '=' || i+1 < n && src[i+1] == '=' {
		return s, true
	}
	i = skipSpace(src, i+1, true)
	if i >= n || src[i] != '"' && src[i] != '\'' {
		return s, true
	}
	end, closed := skipString(src, i)
	if !closed {
		return s, true
	}
	// "a" + "b" or "x".trim() is an expression, not a value to overwrite.
	k := skipSpace(src, end, false)
	if k < n {
		switch src[k] {
		case ';', ',', '\n', '}', ')':
		case '/':
			if !(k+1 < n && (src[k+1] == '/' || src[k+1] == '*')) {
				return s, true
			}
		default:
			return s, true
		}
	}
	s.Quote = src[i]
	s.start, s.end = i+1, end-1
	s.Value = string(src[s.start:s.end])
	return s, true
}
