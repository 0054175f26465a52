package timeline

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The hand-written checks must accept exactly what these patterns accept
// (with the length limit for IDs).
var (
	idOracle       = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	languageOracle = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)
)

func TestValidIDAndLanguageMatchTheirPatterns(t *testing.T) {
	fixed := []string{"", "a", "-", "a-", "-a", "a--b", "a-b", "ab-12-c", "A", "en", "en-US", "pt-BR", "zh-Hant-TW",
		"e", "english", "en_US", "en-", "en--US", "x-private", "de-1996", "sgn-BE-FR", "en-abcdefghi", "é", "a\x00",
		"@a", "[a", "`a", "{a", "aZ", "Z9", strings.Repeat("a", MaxIDLength), strings.Repeat("a", MaxIDLength+1)}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZz09-_@[`{\xc3"
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		fixed = append(fixed, string(b))
	}
	for _, s := range fixed {
		assert.Equal(t, idOracle.MatchString(s) && len(s) <= MaxIDLength, validID(s), "ID %q", s)
		assert.Equal(t, languageOracle.MatchString(s), validLanguage(s), "language %q", s)
	}
}
