package data

import (
	"math/rand/v2"
	"testing"
)

// plainDistance is the textbook Levenshtein distance, to check the banded one.
func plainDistance(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
		}
	}
	return d[len(a)][len(b)]
}

func TestEditDistanceMatchesPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ابتثجحخ")
	word := func() []rune {
		w := make([]rune, r.IntN(12))
		for i := range w {
			w[i] = alphabet[r.IntN(len(alphabet))]
		}
		return w
	}
	for n := 0; n < 20000; n++ {
		a, b := word(), word()
		for limit := 0; limit <= 3; limit++ {
			want := min(plainDistance(a, b), limit+1)
			if got := editDistance(a, b, limit); got != want {
				t.Fatalf("editDistance(%q, %q, %d) = %d, want %d", string(a), string(b), limit, got, want)
			}
		}
	}
}
