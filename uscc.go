package qingqian

import "strings"

// usccAlphabet is the character set of 统一社会信用代码 (GB 32100-2015); a character's value is its
// index. I, O, S, V and Z are not used.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// NormalizeUSCC trims spaces and upper-cases a code as people type it.
func NormalizeUSCC(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CheckUSCC validates a unified social credit code: length, alphabet, the administrative division
// digits, the embedded organisation code's check character (GB 11714) and the final check
// character. It returns a Chinese reason when the code is invalid, or "" when it is valid.
func CheckUSCC(code string) string {
	if len([]rune(code)) != 18 {
		return "统一社会信用代码应为18位"
	}
	var vals [18]int
	for i := 0; i < 18; i++ {
		p := strings.IndexByte(usccAlphabet, code[i])
		if p < 0 {
			return "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）"
		}
		vals[i] = p
	}
	for i := 2; i < 8; i++ {
		if vals[i] > 9 {
			return "统一社会信用代码第3至8位应为行政区划数字"
		}
	}
	// Organisation code, positions 9-17: eight characters and a check character.
	sum := 0
	for i := 0; i < 8; i++ {
		c := code[8+i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		}
		sum += v * orgCodeWeights[i]
	}
	var want byte
	switch r := 11 - sum%11; r {
	case 10:
		want = 'X'
	case 11:
		want = '0'
	default:
		want = byte('0' + r)
	}
	if code[16] != want {
		return "统一社会信用代码中的组织机构代码校验位错误"
	}
	sum = 0
	for i := 0; i < 17; i++ {
		sum += vals[i] * usccWeights[i]
	}
	if code[17] != usccAlphabet[(31-sum%31)%31] {
		return "统一社会信用代码校验位错误"
	}
	return ""
}

// USCCCheckChar returns the check character for the first 17 characters of a code; demos and tests
// use it to make valid fictional codes.
func USCCCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccAlphabet, first17[i]) * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31]
}

// OrgCodeCheckChar returns the GB 11714 check character of an 8-character organisation code body.
func OrgCodeCheckChar(body string) byte {
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * orgCodeWeights[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + r)
	}
}
